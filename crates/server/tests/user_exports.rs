//! User archives (issue 17) on real `kinora serve` processes: root's archive on PostgreSQL,
//! with a published video (its original, thumbnail, WebVTT caption and chapters), an avatar, a
//! playlist, a comment, a like, a follower and a subscription, is asked for, written by the
//! job, listed with a working 15-minute link, downloaded and unzipped: every file PeerTube ≥ 6.1
//! writes is there, each `archiveFiles` path names an entry, the original is byte for byte the
//! upload, the JSON says what was made. Then the refusals: a second archive while one exists, a
//! bad `withVideoFiles`, another user's archives, an unknown user, no token, a tampered or
//! stale link, a deleted archive; on SQLite, an instance with exports off, and the video-size
//! limit. Expiry removes the row and the file (both databases).

use crate::common;

use std::io::{Cursor, Read};
use std::path::Path;
use std::time::Duration;

use common::accounts::{as_user, login, user};
use common::eventually;
use common::instance::{Instance, api_request, fixtures, publish_with_torrents, start};
use kinora_db::testing::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

const VTT: &str = include_str!("../../../../shared/fixtures/peertube/captions/subtitle-good1.vtt");

/// Every document PeerTube ≥ 6.1 writes in an archive.
const PEERTUBE_FILES: [&str; 14] = [
    "videos.json",
    "channels.json",
    "account.json",
    "blocklist.json",
    "likes.json",
    "dislikes.json",
    "follower.json",
    "following.json",
    "user-settings.json",
    "comments.json",
    "video-playlists.json",
    "video-history.json",
    "watched-words-lists.json",
    "automatic-tag-policies.json",
];

/// `POST <path> {"withVideoFiles": with_files}` as root.
async fn ask(instance: &Instance, path: &str, with_files: bool) -> (u16, Value) {
    api_request(
        instance,
        Method::POST,
        path,
        Some(json!({ "withVideoFiles": with_files })),
    )
    .await
}

/// `GET /api/v1/users/{user_id}/exports` as root.
async fn exports_of(instance: &Instance, user_id: i64) -> (u16, Value) {
    api_request(
        instance,
        Method::GET,
        &format!("/api/v1/users/{user_id}/exports"),
        None,
    )
    .await
}

async fn root_id(instance: &Instance) -> i64 {
    let (_, me) = api_request(instance, Method::GET, "/api/v1/users/me", None).await;
    me["id"].as_i64().unwrap()
}

/// Asks for an archive and waits until it is written; answers the list's entry.
async fn export_when_done(instance: &Instance, user_id: i64) -> Value {
    eventually(
        Duration::from_secs(120),
        "the archive is written",
        || async {
            let (status, list) = api_request(
                instance,
                Method::GET,
                &format!("/api/v1/users/{user_id}/exports"),
                None,
            )
            .await;
            assert_eq!(status, 200, "{list}");
            let entry = list["data"][0].clone();
            assert_ne!(entry["state"]["id"], 4, "the export failed: {list}");
            (entry["state"]["id"] == 3).then_some(entry)
        },
    )
    .await
}

fn entry(archive: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} is in the archive"));
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

fn json_entry(archive: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> Value {
    serde_json::from_slice(&entry(archive, name)).unwrap()
}

/// The archive entry an `archiveFiles` path (`../files/…`, relative to `peertube/`) names.
fn archived(path: &Value) -> String {
    path.as_str()
        .and_then(|path| path.strip_prefix("../"))
        .unwrap_or_else(|| panic!("an archive path: {path}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_archive_holds_what_they_made_as_peertube_writes_it() {
    let postgres = TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let instance = start(dir.path(), &postgres.config.url, 1, "").await;
    let root = root_id(&instance).await;

    // What root made and did.
    common::instance::set_root_avatar(&instance).await;
    let video = publish_with_torrents(&instance, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let video_url = format!("{}/videos/watch/{uuid}", instance.base);
    common::instance::put_caption(&instance, &uuid, "en", "en.vtt", VTT).await;
    let (status, playlist) = api_request(
        &instance,
        Method::POST,
        "/api/v1/video-playlists",
        Some(json!({ "displayName": "Archived list", "privacy": 1, "videoChannelId": instance.channel })),
    )
    .await;
    assert_eq!(status, 200, "{playlist}");
    let playlist_id = playlist["videoPlaylist"]["id"].as_i64().unwrap();
    let viewer = user(&instance, "viewer").await;
    // Chapters, a like, a comment, a playlist element; a follower (a viewer subscribed to
    // root's channel) and a subscription (root to the viewer's channel).
    let chapters = json!({ "chapters": [{ "timecode": 0, "title": "Start" }, { "timecode": 2, "title": "Later" }] });
    for (token, method, path, body, expected) in [
        (
            &instance.token,
            Method::PUT,
            format!("/api/v1/videos/{uuid}/chapters"),
            chapters,
            204,
        ),
        (
            &instance.token,
            Method::PUT,
            format!("/api/v1/videos/{uuid}/rate"),
            json!({ "rating": "like" }),
            204,
        ),
        (
            &instance.token,
            Method::POST,
            format!("/api/v1/videos/{uuid}/comment-threads"),
            json!({ "text": "A comment that goes in the archive" }),
            200,
        ),
        (
            &instance.token,
            Method::POST,
            format!("/api/v1/video-playlists/{playlist_id}/videos"),
            json!({ "videoId": uuid, "startTimestamp": 1 }),
            200,
        ),
        (
            &viewer,
            Method::POST,
            "/api/v1/users/me/subscriptions".to_owned(),
            json!({ "uri": "root_channel" }),
            204,
        ),
        (
            &instance.token,
            Method::POST,
            "/api/v1/users/me/subscriptions".to_owned(),
            json!({ "uri": "viewer_channel" }),
            204,
        ),
    ] {
        let (status, answer) = as_user(&instance, token, method, &path, Some(body)).await;
        assert_eq!(status, expected, "{path}: {answer}");
    }

    // Bad requests change nothing.
    let request_path = format!("/api/v1/users/{root}/exports/request");
    for bad in [
        json!({}),
        json!({ "withVideoFiles": "maybe" }),
        json!({ "withVideoFiles": 3 }),
    ] {
        let (status, body) =
            api_request(&instance, Method::POST, &request_path, Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body.to_string().contains("withVideoFiles"), "{body}");
    }
    let (status, body) = as_user(
        &instance,
        &viewer,
        Method::POST,
        &request_path,
        Some(json!({ "withVideoFiles": false })),
    )
    .await;
    assert_eq!(status, 403, "another user's archive: {body}");
    let (status, _) = ask(&instance, "/api/v1/users/999999/exports/request", false).await;
    assert_eq!(status, 404);
    let (status, _) =
        common::accounts::anonymous(&instance, &request_path, json!({ "withVideoFiles": false }))
            .await;
    assert_eq!(status, 401);
    let (_, list) = exports_of(&instance, root).await;
    assert_eq!(list["total"], 0, "{list}");

    // The archive.
    let (status, body) = ask(&instance, &request_path, true).await;
    assert_eq!(status, 200, "{body}");
    let export_id = body["export"]["id"].as_i64().unwrap();
    let (status, body) = ask(&instance, &request_path, false).await;
    assert_eq!(status, 409, "one archive at a time: {body}");
    let listed = export_when_done(&instance, root).await;
    assert_eq!(listed["id"], export_id);
    assert_eq!(listed["state"]["label"], "Completed");
    let link = listed["privateDownloadUrl"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&format!(
            "{}/download/user-exports/user-export-{root}-",
            instance.base
        )),
        "{link}"
    );
    let created =
        kinora_core::dates::parse_iso_date(listed["createdAt"].as_str().unwrap()).unwrap();
    let expires =
        kinora_core::dates::parse_iso_date(listed["expiresOn"].as_str().unwrap()).unwrap();
    assert_eq!(expires - created, 48 * 3600 * 1000, "{listed}");
    let (status, list) = as_user(
        &instance,
        &viewer,
        Method::GET,
        &format!("/api/v1/users/{root}/exports"),
        None,
    )
    .await;
    assert_eq!(status, 403, "{list}");

    // The download: with the link alone (no token), whole.
    let response = reqwest::get(&link).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    assert_eq!(Some(bytes.len() as i64), listed["size"].as_i64());
    // A tampered signature, a changed expiry, or another archive's name: refused.
    let (base, token) = link.split_once("?token=").unwrap();
    let (expiry, signature) = token.split_once('.').unwrap();
    let mut flipped = signature.to_owned();
    let last = flipped.pop().unwrap();
    flipped.push(if last == '0' { '1' } else { '0' });
    for (bad, expected) in [
        (format!("{base}?token={expiry}.{flipped}"), 403),
        (
            format!(
                "{base}?token={}.{signature}",
                expiry.parse::<i64>().unwrap() + 1
            ),
            403,
        ),
        (format!("{base}?token=garbage"), 403),
        (base.to_owned(), 403),
        (
            format!(
                "{}/download/user-exports/user-export-{root}-00000000-0000-4000-8000-000000000000.zip?token={token}",
                instance.base
            ),
            404,
        ),
        (
            format!(
                "{}/download/user-exports/..%2F..%2Fkinora.toml?token={token}",
                instance.base
            ),
            404,
        ),
    ] {
        assert_eq!(
            reqwest::get(&bad).await.unwrap().status(),
            expected,
            "{bad}"
        );
    }

    // What is in it.
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    for name in PEERTUBE_FILES {
        let document = json_entry(&mut archive, &format!("peertube/{name}"));
        assert!(document.is_object(), "{name}: {document}");
    }
    let videos = json_entry(&mut archive, "peertube/videos.json");
    let exported = &videos["videos"][0];
    assert_eq!(videos["videos"].as_array().unwrap().len(), 1, "{videos}");
    assert_eq!(exported["uuid"], uuid);
    assert_eq!(exported["url"], video_url);
    assert_eq!(exported["name"], video["name"]);
    assert_eq!(exported["channel"]["name"], "root_channel");
    assert_eq!(exported["privacy"], 1);
    assert_eq!(
        exported["chapters"],
        json!([{ "timecode": 0, "title": "Start" }, { "timecode": 2, "title": "Later" }])
    );
    assert_eq!(exported["captions"][0]["language"], "en");
    assert_eq!(
        exported["streamingPlaylists"][0]["playlistUrl"],
        video["streamingPlaylists"][0]["playlistUrl"]
    );
    assert_eq!(
        exported["streamingPlaylists"][0]["files"]
            .as_array()
            .unwrap()
            .len(),
        video["streamingPlaylists"][0]["files"]
            .as_array()
            .unwrap()
            .len()
    );
    let original = entry(
        &mut archive,
        &archived(&exported["archiveFiles"]["videoFile"]),
    );
    assert_eq!(
        archived(&exported["archiveFiles"]["videoFile"]),
        format!("files/videos/video-files/{uuid}.mp4")
    );
    assert_eq!(
        original,
        std::fs::read(fixtures().join("video_short.mp4")).unwrap(),
        "the original, byte for byte"
    );
    let caption = entry(
        &mut archive,
        &archived(&exported["archiveFiles"]["captions"]["en"]),
    );
    assert!(String::from_utf8(caption).unwrap().starts_with("WEBVTT"));
    let thumbnail = entry(
        &mut archive,
        &archived(&exported["archiveFiles"]["thumbnail"]),
    );
    assert_eq!(&thumbnail[..3], &[0xff, 0xd8, 0xff], "a JPEG");

    let account = json_entry(&mut archive, "peertube/account.json");
    assert_eq!(account["name"], "root");
    assert_eq!(account["url"], format!("{}/accounts/root", instance.base));
    let avatar = entry(&mut archive, &archived(&account["archiveFiles"]["avatar"]));
    assert!(
        image::load_from_memory(&avatar).is_ok(),
        "the avatar is an image"
    );
    assert!(
        !account["avatars"].as_array().unwrap().is_empty(),
        "{account}"
    );
    let channels = json_entry(&mut archive, "peertube/channels.json");
    assert_eq!(channels["channels"][0]["name"], "root_channel");
    assert_eq!(
        json_entry(&mut archive, "peertube/likes.json")["likes"][0]["videoUrl"],
        video_url
    );
    assert_eq!(
        json_entry(&mut archive, "peertube/dislikes.json")["dislikes"],
        json!([])
    );
    let comments = json_entry(&mut archive, "peertube/comments.json");
    assert_eq!(
        comments["comments"][0]["text"],
        "A comment that goes in the archive"
    );
    assert_eq!(comments["comments"][0]["videoUrl"], video_url);
    let host = format!("localhost:{}", instance.port);
    let followers = json_entry(&mut archive, "peertube/follower.json");
    assert_eq!(
        followers["followers"],
        json!([{ "handle": format!("viewer@{host}"), "targetHandle": format!("root_channel@{host}"), "createdAt": followers["followers"][0]["createdAt"] }])
    );
    let following = json_entry(&mut archive, "peertube/following.json");
    assert_eq!(following["following"][0]["handle"], format!("root@{host}"));
    assert_eq!(
        following["following"][0]["targetHandle"],
        format!("viewer_channel@{host}")
    );
    let playlists = json_entry(&mut archive, "peertube/video-playlists.json");
    let archived_list = playlists["videoPlaylists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|list| list["displayName"] == "Archived list")
        .unwrap_or_else(|| panic!("{playlists}"));
    assert_eq!(
        archived_list["elements"],
        json!([{ "videoUrl": video_url, "startTimestamp": 1 }])
    );
    let settings = json_entry(&mut archive, "peertube/user-settings.json");
    let (_, me) = api_request(&instance, Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(settings["email"], me["email"]);
    assert!(
        settings["notificationSettings"]["newCommentOnMyVideo"].is_i64(),
        "{settings}"
    );

    let actor = json_entry(&mut archive, "activity-pub/actor.json");
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["outbox"], "outbox.json");
    let outbox = json_entry(&mut archive, "activity-pub/outbox.json");
    assert_eq!(outbox["orderedItems"][0]["type"], "Create");
    assert_eq!(outbox["orderedItems"][0]["object"]["id"], video_url);
    assert_eq!(
        json_entry(&mut archive, "activity-pub/likes.json")["orderedItems"],
        json!([video_url])
    );
    assert_eq!(
        json_entry(&mut archive, "activity-pub/following.json")["orderedItems"],
        json!([format!("{}/video-channels/viewer_channel", instance.base)])
    );

    // Deleting it removes the file: the link dies, and a new archive may be asked for.
    let (status, _) = api_request(
        &instance,
        Method::DELETE,
        &format!("/api/v1/users/{root}/exports/{export_id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(reqwest::get(&link).await.unwrap().status(), 404);
    let (status, _) = api_request(
        &instance,
        Method::DELETE,
        &format!("/api/v1/users/{root}/exports/{export_id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let leftovers: Vec<_> = walk(&dir.path().join("storage/user-exports"));
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (status, body) = ask(&instance, &request_path, false).await;
    assert_eq!(status, 200, "{body}");
    let listed = export_when_done(&instance, root).await;
    let small = reqwest::get(listed["privateDownloadUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(small.to_vec())).unwrap();
    let videos = json_entry(&mut archive, "peertube/videos.json");
    assert_eq!(
        videos["videos"][0]["archiveFiles"]["videoFile"],
        Value::Null
    );
    assert!(
        archive
            .by_name(&format!("files/videos/video-files/{uuid}.mp4"))
            .is_err()
    );
    drop(instance);
    postgres.finish().await;
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_can_be_turned_off_and_limited_by_video_size() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let off = start(dir.path(), &url, 0, "[export]\nenabled = false\n").await;
    let root = root_id(&off).await;
    let (status, body) = ask(
        &off,
        &format!("/api/v1/users/{root}/exports/request"),
        false,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "user_export_disabled", "{body}");
    let (status, _) = exports_of(&off, root).await;
    assert_eq!(status, 400);
    let (_, config) = api_request(&off, Method::GET, "/api/v1/config", None).await;
    assert_eq!(config["export"]["users"]["enabled"], false, "{config}");
    drop(off);

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let limited = start(
        dir.path(),
        &url,
        0,
        "[export]\nmax_user_video_bytes = 1000\n",
    )
    .await;
    let root = root_id(&limited).await;
    common::instance::upload_multipart(&limited, &fixtures().join("video_short.mp4"), 1).await;
    let path = format!("/api/v1/users/{root}/exports/request");
    let (status, body) = ask(&limited, &path, true).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["code"], "max_user_video_quota_exceeded_for_user_export",
        "{body}"
    );
    let (_, list) = exports_of(&limited, root).await;
    assert_eq!(list["total"], 0, "nothing was stored: {list}");
    // Without the files it is allowed; an administrator may ask for another user's.
    let viewer = user(&limited, "viewer").await;
    let (_, me) = as_user(&limited, &viewer, Method::GET, "/api/v1/users/me", None).await;
    let (status, body) = ask(
        &limited,
        &format!("/api/v1/users/{}/exports/request", me["id"]),
        false,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let listed = export_when_done(&limited, me["id"].as_i64().unwrap()).await;
    let (status, mine) = as_user(
        &limited,
        &viewer,
        Method::GET,
        &format!("/api/v1/users/{}/exports", me["id"]),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(mine["data"][0]["id"], listed["id"]);
    assert!(login(&limited, "viewer", "user-password").await.is_ok());
}

/// Expired archives lose their row and their file; recent ones and those being written stay.
#[tokio::test]
async fn expired_archives_are_removed() {
    for database in [TestDb::sqlite().await, TestDb::postgres().await] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = kinora_storage::StorageConfig::default();
        config.local.root = dir.path().to_owned();
        let storage = kinora_storage::MediaStorage::open(&config).unwrap();
        let db = &database.db;
        let now = kinora_db::now_millis();
        let mut connection = db.pool().acquire().await.unwrap();
        let user_id = kinora_db::users::insert(
            &mut connection,
            &kinora_db::users::NewUser {
                username: "owner",
                email: "owner@example.org",
                password_hash: "not a hash",
                role: 2,
                video_quota: -1,
                video_quota_daily: -1,
                approved: true,
                email_verified: true,
            },
            now,
        )
        .await
        .unwrap();
        drop(connection);
        let hour = 3600 * 1000;
        let mut ids = Vec::new();
        for (age, state) in [(50, 3), (49, 4), (50, 2), (1, 3)] {
            let mut connection = db.pool().acquire().await.unwrap();
            let uuid = uuid::Uuid::new_v4();
            let id = kinora_db::user_exports::insert(
                &mut connection,
                user_id,
                false,
                &uuid.to_string(),
                "00",
                now - age * hour,
            )
            .await
            .unwrap();
            sqlx::query("UPDATE user_exports SET state = $1, location = 'local' WHERE id = $2")
                .bind(state)
                .bind(id)
                .execute(&mut *connection)
                .await
                .unwrap();
            let key = kinora_storage::StorageKey::user_export(uuid);
            let path = storage.local().prepare(&key).unwrap();
            std::fs::write(&path, b"zip").unwrap();
            ids.push((id, path));
        }
        let removed = kinora_app::user_exports::expire(
            db,
            &storage,
            &kinora_app::user_exports::UserExportConfig::default(),
        )
        .await
        .unwrap();
        assert_eq!(removed, 2);
        for (index, (id, path)) in ids.iter().enumerate() {
            let kept = index >= 2;
            assert_eq!(
                kinora_db::user_exports::find(db.pool(), *id)
                    .await
                    .unwrap()
                    .is_some(),
                kept,
                "{index}"
            );
            assert_eq!(path.exists(), kept, "{index}");
        }
        database.finish().await;
    }
}
