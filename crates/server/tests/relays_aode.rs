//! Relays with a real relay: AodeRelay (crates.io `ap-relay`, installed by
//! `scripts/install-ap-relay`) on 127.0.0.1 with `HTTPS=false` and its data in a temporary
//! folder, and two Kinora instances on distinct authorities (`localhost:<port>`, A on SQLite, B
//! on PostgreSQL) that subscribe to it in both styles of FEP-ae0c: A Mastodon-style (its
//! `/inbox`, Follow of the public), B LitePub-style (its `/actor`: AodeRelay follows B's
//! instance actor back, B accepts that follow, and the relay's Accept of B's Follow makes the
//! subscription `accepted`). A video published on A reaches B through the relay alone (B
//! follows nothing on A) and plays there (its HLS playlist is fetched); deleting it on A removes
//! it on B; once B unsubscribes (the Undo of its Follow of the relay's actor; the relay's follow
//! of B ends), A's next video does not reach it; a relay in restricted mode (an empty
//! allow-list) refuses A's Follow and the subscription ends `rejected`. Without the binary the
//! test says it was skipped and passes.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, publish_with_torrents, start};
use common::process::free_port;
use kinora_db::testing::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

/// The relay binary: `$KINORA_AP_RELAY`, or where `scripts/install-ap-relay` puts it.
fn relay_binary() -> Option<PathBuf> {
    let path = std::env::var_os("KINORA_AP_RELAY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/kinora-clients/ap-relay/bin/relay"));
    path.is_file().then_some(path)
}

/// A running AodeRelay, killed when dropped.
struct Relay {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Relay {
    async fn start(binary: &Path, dir: &Path, restricted: bool) -> Relay {
        let port = free_port();
        let log = dir.join("relay.log");
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(binary)
            .env("HOSTNAME", format!("127.0.0.1:{port}"))
            .env("ADDR", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("HTTPS", "false")
            .env("VALIDATE_SIGNATURES", "true")
            .env("RESTRICTED_MODE", restricted.to_string())
            .env("SLED_PATH", dir.join("sled"))
            .env("API_TOKEN", "relay-test-token")
            .env("DEBUG", "false")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let relay = Relay { child, port, log };
        let http = reqwest::Client::new();
        let actor = relay.url("/actor");
        eventually(Duration::from_secs(60), "the relay answers", || async {
            let response = http
                .get(&actor)
                .header("accept", "application/activity+json")
                .send()
                .await
                .ok()?;
            response.status().is_success().then_some(())
        })
        .await;
        relay
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Subscribes `instance` to the relay at `path` (`/inbox`: Mastodon style; `/actor`: LitePub
/// style); answers the relay's id.
async fn subscribe(instance: &Instance, relay: &Relay, path: &str) -> i64 {
    let (status, answer) = api_request(
        instance,
        Method::POST,
        "/api/v1/server/relays",
        Some(json!({"url": relay.url(path)})),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    answer["id"].as_i64().unwrap()
}

/// The states of the follows of `instance`'s instance actor by the actor `url`.
async fn follows_of_instance_by(instance: &Instance, url: &str) -> Vec<String> {
    let (status, list) = api_request(
        instance,
        Method::GET,
        "/api/v1/server/followers?count=100",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|follow| follow["follower"]["url"] == url)
        .map(|follow| follow["state"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn relay_state(instance: &Instance, id: i64) -> String {
    let (_, list) = api_request(instance, Method::GET, "/api/v1/server/relays", None).await;
    list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|relay| relay["id"] == id)
        .and_then(|relay| relay["state"].as_str())
        .unwrap_or("gone")
        .to_owned()
}

async fn wait_state(instance: &Instance, id: i64, state: &str, relay: &Relay) {
    eventually(Duration::from_secs(60), state, || async {
        let now = relay_state(instance, id).await;
        (now == state).then_some(())
    })
    .await;
    let _ = relay.log();
}

/// The video `uuid` as `instance` shows it, when it has it.
async fn video_on(instance: &Instance, uuid: &str) -> Option<Value> {
    let (status, video) = api_request(
        instance,
        Method::GET,
        &format!("/api/v1/videos/{uuid}"),
        None,
    )
    .await;
    (status == 200).then_some(video)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn videos_travel_between_instances_through_aode_relay() {
    let Some(binary) = relay_binary() else {
        println!("skipped: ap-relay not installed (scripts/install-ap-relay)");
        return;
    };
    let relay_dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&binary, relay_dir.path(), false).await;
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let postgres = TestDb::postgres().await;
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &postgres.config.url, 0, FEDERATION).await;

    let relay_on_a = subscribe(&a, &relay, "/inbox").await;
    let relay_on_b = subscribe(&b, &relay, "/actor").await;
    wait_state(&a, relay_on_a, "accepted", &relay).await;
    wait_state(&b, relay_on_b, "accepted", &relay).await;
    // B's subscription is LitePub's: AodeRelay followed B's instance actor back, and B
    // accepted; A's (Mastodon's) has no such follow.
    let relay_actor = relay.url("/actor");
    let (_, relays_on_b) = api_request(&b, Method::GET, "/api/v1/server/relays", None).await;
    assert_eq!(
        relays_on_b["data"][0]["url"],
        relay_actor.as_str(),
        "{relays_on_b}"
    );
    eventually(
        Duration::from_secs(60),
        "B accepted the relay's follow back",
        || async {
            let states = follows_of_instance_by(&b, &relay_actor).await;
            (states == ["accepted"]).then_some(())
        },
    )
    .await;
    assert!(
        follows_of_instance_by(&a, &relay_actor).await.is_empty(),
        "a Mastodon-style subscription is not followed back"
    );

    // Published on A: B gets it through the relay alone, and it plays there.
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let on_b = eventually(Duration::from_secs(90), "the video reaches B", || async {
        video_on(&b, &uuid).await
    })
    .await;
    assert_eq!(on_b["isLocal"], false, "{on_b}");
    let (_, following) = api_request(&b, Method::GET, "/api/v1/server/following", None).await;
    assert_eq!(following["total"], 0, "B follows nothing on A: {following}");
    let playlist = on_b["streamingPlaylists"][0]["playlistUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("no playlist on B: {on_b}"))
        .to_owned();
    let master = reqwest::get(&playlist).await.unwrap();
    assert_eq!(master.status().as_u16(), 200);
    assert!(master.text().await.unwrap().starts_with("#EXTM3U"));

    // Deleted on A: gone on B.
    let (status, _) =
        api_request(&a, Method::DELETE, &format!("/api/v1/videos/{uuid}"), None).await;
    assert_eq!(status, 204);
    eventually(
        Duration::from_secs(60),
        "the deletion reaches B",
        || async { video_on(&b, &uuid).await.is_none().then_some(()) },
    )
    .await;

    // B unsubscribes: A's next video does not reach it.
    let (status, _) = api_request(
        &b,
        Method::DELETE,
        &format!("/api/v1/server/relays/{relay_on_b}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        follows_of_instance_by(&b, &relay_actor).await.is_empty(),
        "the relay's follow of B ends with B's subscription"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let later = publish_with_torrents(&a, "video_short.mp4").await;
    let later_uuid = later["uuid"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(video_on(&b, &later_uuid).await.is_none(), "{}", relay.log());

    // A relay that takes only the instances of its allow-list (none) refuses A.
    let strict_dir = tempfile::tempdir().unwrap();
    let strict = Relay::start(&binary, strict_dir.path(), true).await;
    let strict_on_a = subscribe(&a, &strict, "/inbox").await;
    wait_state(&a, strict_on_a, "rejected", &strict).await;

    drop(a);
    drop(b);
    postgres.finish().await;
}
