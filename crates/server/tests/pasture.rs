//! fediverse-pasture as a foreign fediverse peer against a real instance, on SQLite and on
//! PostgreSQL (research/interop.md §4.1).
//!
//! The peer is `tests/pasture/pasture_peer.py`, run with the Python of the venv made by
//! `scripts/install-clients` (or `KINORA_PASTURE_PYTHON`): fediverse-pasture's actor, inbox
//! and WebFinger served by Quart on 127.0.0.1, its inbox refusing (401) any POST whose HTTP
//! signature bovine cannot verify with a key it fetches itself by a signed GET. Through it the
//! test checks that the peer resolves our account and channel by WebFinger; that its signed
//! Follow of our channel is accepted and answered with a signed Accept it verifies; that it
//! receives our Create for a new video and the channel's Announce of it (the only one of the
//! two that Mastodon takes in from a channel its user follows), both with a Linked Data
//! signature that PyLD verifies; that its signed reply Note becomes a comment; and that when
//! the channel moves to another, the peer receives a signed `Move` with Mastodon's fields.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::eventually;
use common::instance::{api_request, channel_followers, publish_with_torrents, start};
use serde_json::Value;

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

fn pasture_python() -> PathBuf {
    common::installed_client(
        "KINORA_PASTURE_PYTHON",
        "/var/tmp/kinora-clients/pasture/bin/python",
    )
}

fn peer_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pasture/pasture_peer.py")
}

/// A running pasture peer in its own scratch directory; killed when dropped.
struct Pasture {
    child: Child,
    dir: tempfile::TempDir,
    /// `http://127.0.0.1:<port>`.
    base: String,
}

impl Pasture {
    /// Starts the peer and waits (at most 60 s) until it serves its actor.
    async fn start() -> Pasture {
        let dir = tempfile::tempdir().unwrap();
        let port = common::process::free_port();
        let child = Command::new(pasture_python())
            .arg(peer_script())
            .args(["serve", &port.to_string()])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("serve.log")).unwrap())
            .spawn()
            .unwrap();
        let pasture = Pasture {
            child,
            dir,
            base: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let answer = http.get(pasture.actor()).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return pasture;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the pasture peer did not start: {}",
                pasture.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn actor(&self) -> String {
        format!("{}/actor", self.base)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Runs one client command of the peer (bounded by 60 s) and answers the JSON it prints.
    async fn run(&self, args: &[&str]) -> Value {
        let mut command = Command::new("timeout");
        command
            .arg("60")
            .arg(pasture_python())
            .arg(peer_script())
            .args(args)
            .current_dir(self.dir.path());
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "pasture {args:?}: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// What the peer's inbox accepted (only activities whose signature it verified).
    fn inbox(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("inbox.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

impl Drop for Pasture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The id of an activity's object, embedded or given by reference.
fn object_id(activity: &Value) -> Option<&str> {
    let object = &activity["object"];
    object.as_str().or_else(|| object["id"].as_str())
}

async fn pasture_follows_receives_and_replies(database_url: &str, dir: &Path) {
    let kinora = start(dir, database_url, 1, FEDERATION).await;
    let pasture = Pasture::start().await;
    let host = format!("localhost:{}", kinora.port);
    let channel = format!("{}/video-channels/root_channel", kinora.base);

    // WebFinger: the peer finds our channel and our account.
    let found = pasture
        .run(&["webfinger", &format!("root_channel@{host}"), &host])
        .await;
    assert_eq!(found["actor"], channel.as_str(), "{found}");
    let found = pasture
        .run(&["webfinger", &format!("root@{host}"), &host])
        .await;
    assert_eq!(found["actor"], format!("{}/accounts/root", kinora.base));

    // The peer's inbox refuses what it cannot verify, so what it keeps was signed by us.
    let unsigned = reqwest::Client::new()
        .post(format!("{}/inbox", pasture.actor()))
        .header("content-type", "application/activity+json")
        .body(r#"{"type":"Accept","id":"http://x.test/1","actor":"http://x.test/a"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);

    // Its signed Follow of our channel is accepted, and answered by a signed Accept.
    let follow = pasture.run(&["follow", &pasture.base, &channel]).await;
    assert_eq!(follow["status"], 202, "{follow}");
    assert_eq!(follow["inbox"], format!("{channel}/inbox"));
    let follow_id = follow["id"].as_str().unwrap().to_owned();
    let accept = eventually(
        Duration::from_secs(30),
        "the Accept at the peer",
        || async {
            pasture
                .inbox()
                .into_iter()
                .find(|a| a["type"] == "Accept" && object_id(a) == Some(follow_id.as_str()))
        },
    )
    .await;
    assert_eq!(accept["actor"], channel.as_str(), "{accept}");
    assert_eq!(channel_followers(&kinora).await, 1);

    // A new video of the channel reaches the peer as a Create(Video).
    let video = publish_with_torrents(&kinora, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let video_url = format!("{}/videos/watch/{uuid}", kinora.base);
    let create = eventually(
        Duration::from_secs(60),
        "the Create at the peer",
        || async {
            pasture.inbox().into_iter().find(|a| {
                a["type"] == "Create"
                    && a["object"]["type"] == "Video"
                    && object_id(a) == Some(video_url.as_str())
            })
        },
    )
    .await;
    assert_eq!(create["object"]["uuid"], uuid.as_str(), "{create}");
    assert_eq!(create["object"]["name"], video["name"]);
    // It carries its actor's Linked Data signature, which an independent implementation
    // (PyLD) verifies with the key the actor publishes, as a relay's subscribers would.
    assert_ld_signature_verifies(&kinora.http, &create).await;
    // The channel it follows announces the video to it, publicly.
    let announce = eventually(
        Duration::from_secs(60),
        "the channel's Announce at the peer",
        || async {
            pasture.inbox().into_iter().find(|a| {
                a["type"] == "Announce"
                    && a["actor"] == channel.as_str()
                    && object_id(a) == Some(video_url.as_str())
            })
        },
    )
    .await;
    assert_ld_signature_verifies(&kinora.http, &announce).await;
    let public = "https://www.w3.org/ns/activitystreams#Public";
    assert!(
        announce["to"]
            .as_array()
            .is_some_and(|to| to.iter().any(|t| t == public)),
        "{announce}"
    );

    // Its signed reply to the video becomes a comment, by the peer's actor.
    let text = "Grazing on this video from the pasture";
    let reply = pasture
        .run(&["reply", &pasture.base, &channel, &video_url, text])
        .await;
    assert_eq!(reply["status"], 202, "{reply}");
    let comment = eventually(
        Duration::from_secs(30),
        "the reply as a comment",
        || async {
            let threads: Value = kinora
                .http
                .get(format!(
                    "{}/api/v1/videos/{uuid}/comment-threads",
                    kinora.base
                ))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            threads["data"]
                .as_array()
                .and_then(|data| data.iter().find(|c| c["text"] == text).cloned())
        },
    )
    .await;
    assert_eq!(comment["url"], reply["note"], "{comment}");
    let pasture_host = pasture.base.trim_start_matches("http://");
    assert_eq!(comment["account"]["host"], pasture_host, "{comment}");

    // The channel moves to another one that lists it as an alias: the peer, a follower,
    // receives a signed Move shaped as Mastodon's (actor = object = the old channel, target =
    // the new one).
    let post = |path: &'static str, body: Value| {
        let kinora = &kinora;
        async move { api_request(kinora, reqwest::Method::POST, path, Some(body)).await }
    };
    let (status, body) = post(
        "/api/v1/video-channels",
        serde_json::json!({ "name": "new_home", "displayName": "New home" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        "/api/v1/video-channels/new_home/aliases",
        serde_json::json!({ "uri": "root_channel" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        "/api/v1/video-channels/root_channel/move",
        serde_json::json!({
            "target": "new_home",
            "currentPassword": kinora.server.password.clone().unwrap(),
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let new_home = format!("{}/video-channels/new_home", kinora.base);
    let moved = eventually(Duration::from_secs(30), "the Move at the peer", || async {
        pasture.inbox().into_iter().find(|a| a["type"] == "Move")
    })
    .await;
    assert_eq!(moved["actor"], channel.as_str(), "{moved}");
    assert_eq!(object_id(&moved), Some(channel.as_str()), "{moved}");
    assert_eq!(moved["target"], new_home.as_str(), "{moved}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasture_follows_receives_and_replies_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/kinora.db", dir.path().display());
    pasture_follows_receives_and_replies(&database_url, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasture_follows_receives_and_replies_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    pasture_follows_receives_and_replies(&postgres.config.url, dir.path()).await;
    postgres.finish().await;
}

/// A Flag in Mastodon's shape (a list of objects, no content), signed by a foreign
/// implementation, becomes a pending report of our account; the object on another host is
/// left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasture_flags_our_account() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/kinora.db", dir.path().display());
    let kinora = start(dir.path(), &database_url, 0, FEDERATION).await;
    let pasture = Pasture::start().await;
    let account = format!("{}/accounts/root", kinora.base);
    let sent = pasture
        .run(&[
            "flag",
            &pasture.base,
            &format!("{}/inbox", kinora.base),
            &account,
            "https://third.example/statuses/1",
        ])
        .await;
    assert_eq!(sent["status"], 202, "{sent}");
    let report = eventually(Duration::from_secs(30), "the report", || async {
        let list: Value = kinora
            .http
            .get(format!("{}/api/v1/abuses", kinora.base))
            .bearer_auth(&kinora.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list["data"]
            .as_array()
            .and_then(|data| data.first().cloned())
    })
    .await;
    assert_eq!(report["flaggedAccount"]["name"], "root", "{report}");
    assert_eq!(report["state"]["id"], 1);
    assert_eq!(report["reason"], "");
    assert_eq!(report["video"], Value::Null);
    let pasture_host = pasture.base.trim_start_matches("http://");
    assert_eq!(report["reporterAccount"]["host"], pasture_host, "{report}");
}

/// Checks with PyLD (`kinora-federation`'s `tests/ld_signature/pyld_rsa2017.py`, run by the
/// pasture venv's Python) that `activity`, as the peer received it, carries an
/// `RsaSignature2017` by its actor that verifies with the key the actor publishes.
async fn assert_ld_signature_verifies(http: &reqwest::Client, activity: &Value) {
    let actor = activity["actor"].as_str().unwrap();
    assert_eq!(
        activity["signature"]["type"], "RsaSignature2017",
        "{activity}"
    );
    assert_eq!(
        activity["signature"]["creator"],
        format!("{actor}#main-key")
    );
    let document: Value = http
        .get(actor)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(
        &key,
        document["publicKey"]["publicKeyPem"].as_str().unwrap(),
    )
    .unwrap();
    let signed = dir.path().join("activity.json");
    std::fs::write(&signed, activity.to_string()).unwrap();
    let federation = Path::new(env!("CARGO_MANIFEST_DIR")).join("../federation");
    let output = Command::new(pasture_python())
        .arg(federation.join("tests/ld_signature/pyld_rsa2017.py"))
        .arg(federation.join("src/ld_signature/contexts"))
        .arg("verify")
        .arg(&signed)
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["verified"], true, "{activity}");
}
