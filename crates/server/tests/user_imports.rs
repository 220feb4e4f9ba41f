//! Importing a user archive (issue 17) between two real `kinora serve` processes: A (SQLite)
//! exports root's archive with its video files; B (PostgreSQL) imports it through PeerTube's
//! resumable protocol (`/api/v1/users/{id}/imports/import-resumable`, in two chunks). B then
//! has the archive's missing channel, the video uploaded again and transcoded with its name,
//! description, tags, captions, chapters and original publication date, the account's display
//! name, description and avatar, the user's settings, the playlist with that video, and the
//! subscription to A's channel (a remote follow); `GET …/imports/latest` says so. Refused: a
//! file that is not a ZIP (415, nothing kept), an archive larger than the quota (413), another
//! user's account (403); a ZIP without PeerTube's documents ends errored, with the reason.
//! And an archive laid out as PeerTube writes it, with bad entries beside the good video (a
//! `../` path, text as video, a symbolic link, a zip bomb, no file, an entry named `../..`):
//! each bad one refused alone; a 100 MB document ends the import errored.

use crate::common;

use std::io::{Cursor, Write};
use std::time::Duration;

use common::accounts::{as_user, user};
use common::eventually;
use common::instance::{
    Instance, api_request, fixtures, publish_with_torrents, put_caption, start, wait_published,
};
use kinora_db::testing::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";
const VTT: &str = include_str!("../../../../shared/fixtures/peertube/captions/subtitle-good1.vtt");

async fn user_id(instance: &Instance, token: &str) -> i64 {
    let (_, me) = as_user(instance, token, Method::GET, "/api/v1/users/me", None).await;
    me["id"].as_i64().unwrap()
}

/// Root's archive of `instance`, with video files, as downloaded.
async fn exported_archive(instance: &Instance) -> Vec<u8> {
    let root = user_id(instance, &instance.token).await;
    let (status, body) = api_request(
        instance,
        Method::POST,
        &format!("/api/v1/users/{root}/exports/request"),
        Some(json!({ "withVideoFiles": true })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let link = eventually(
        Duration::from_secs(120),
        "the archive is written",
        || async {
            let (_, list) = api_request(
                instance,
                Method::GET,
                &format!("/api/v1/users/{root}/exports"),
                None,
            )
            .await;
            list["data"][0]["privateDownloadUrl"]
                .as_str()
                .map(str::to_owned)
        },
    )
    .await;
    reqwest::get(&link)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// Opens an import of `size` bytes into `user_id`'s account as the holder of `token`: the
/// status, and the `Location` on success.
async fn init(
    instance: &Instance,
    token: &str,
    user_id: i64,
    size: usize,
) -> (u16, Option<String>, Value) {
    let response = instance
        .http
        .post(format!(
            "{}/api/v1/users/{user_id}/imports/import-resumable",
            instance.base
        ))
        .bearer_auth(token)
        .header("x-upload-content-length", size.to_string())
        .header("x-upload-content-type", "application/zip")
        .json(&json!({ "filename": "archive.zip" }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|value| format!("{}{}", instance.base, value.to_str().unwrap()));
    (
        status,
        location,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Sends `bytes[start..end]` of a `total`-byte file: the status and the `Range` answer.
async fn put(
    instance: &Instance,
    location: &str,
    bytes: &[u8],
    (start, end): (usize, usize),
) -> (u16, Option<String>, Value) {
    let response = instance
        .http
        .put(location)
        .bearer_auth(&instance.token)
        .header(
            "content-range",
            format!("bytes {start}-{}/{}", end - 1, bytes.len()),
        )
        .body(bytes[start..end].to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let range = response
        .headers()
        .get("range")
        .map(|value| value.to_str().unwrap().to_owned());
    (status, range, response.json().await.unwrap_or(Value::Null))
}

/// Uploads a whole archive into root's account of `instance` in two chunks; answers the
/// status of the last.
async fn import(instance: &Instance, bytes: &[u8]) -> u16 {
    let root = user_id(instance, &instance.token).await;
    let (status, location, body) = init(instance, &instance.token, root, bytes.len()).await;
    assert_eq!(status, 201, "{body}");
    let location = location.unwrap();
    let half = bytes.len() / 2;
    let (status, range, body) = put(instance, &location, bytes, (0, half)).await;
    assert_eq!(status, 308, "{body}");
    assert_eq!(
        range.as_deref(),
        Some(format!("bytes=0-{}", half - 1).as_str())
    );
    put(instance, &location, bytes, (half, bytes.len())).await.0
}

async fn latest(instance: &Instance) -> Value {
    let root = user_id(instance, &instance.token).await;
    eventually(Duration::from_secs(180), "the import ends", || async {
        let (status, latest) = api_request(
            instance,
            Method::GET,
            &format!("/api/v1/users/{root}/imports/latest"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{latest}");
        matches!(latest["state"]["id"].as_i64(), Some(3 | 4)).then_some(latest)
    })
    .await
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_from_one_instance_is_imported_into_another() {
    let postgres = TestDb::postgres().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start(
        dir_a.path(),
        &format!("sqlite://{}/kinora.db", dir_a.path().display()),
        1,
        FEDERATION,
    )
    .await;
    let b = start(dir_b.path(), &postgres.config.url, 1, FEDERATION).await;

    // On A: a video with a description, tags, a caption and chapters; a second channel; a
    // playlist; a subscription to a viewer's channel.
    common::instance::set_root_avatar(&a).await;
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    put_caption(&a, &uuid, "en", "en.vtt", VTT).await;
    let chapters = json!({ "chapters": [{ "timecode": 0, "title": "Opening" }, { "timecode": 3, "title": "Rest" }] });
    let (status, playlist) = api_request(
        &a,
        Method::POST,
        "/api/v1/video-playlists",
        Some(
            json!({ "displayName": "Travelling list", "privacy": 1, "videoChannelId": a.channel }),
        ),
    )
    .await;
    assert_eq!(status, 200, "{playlist}");
    let playlist_id = playlist["videoPlaylist"]["id"].as_i64().unwrap();
    user(&a, "viewer").await;
    for (method, path, body, expected) in [
        (
            Method::PUT,
            format!("/api/v1/videos/{uuid}"),
            json!({ "description": "It travels", "tags": ["travel", "archive"] }),
            204,
        ),
        (
            Method::PUT,
            format!("/api/v1/videos/{uuid}/chapters"),
            chapters.clone(),
            204,
        ),
        (
            Method::POST,
            "/api/v1/video-channels".to_owned(),
            json!({ "name": "second_channel", "displayName": "Second channel", "description": "The other one" }),
            200,
        ),
        (
            Method::POST,
            format!("/api/v1/video-playlists/{playlist_id}/videos"),
            json!({ "videoId": uuid }),
            200,
        ),
        (
            Method::POST,
            "/api/v1/users/me/subscriptions".to_owned(),
            json!({ "uri": "viewer_channel" }),
            204,
        ),
        (
            Method::PUT,
            "/api/v1/users/me".to_owned(),
            json!({ "displayName": "Travelling root", "description": "Moved with an archive", "nsfwPolicy": "blur", "p2pEnabled": false }),
            204,
        ),
    ] {
        let (status, answer) = api_request(&a, method, &path, Some(body)).await;
        assert_eq!(status, expected, "{path}: {answer}");
    }
    let (_, published) =
        api_request(&a, Method::GET, &format!("/api/v1/videos/{uuid}"), None).await;
    let archive = exported_archive(&a).await;

    // Refusals on B first: each changes nothing.
    let b_root = user_id(&b, &b.token).await;
    let stranger = user(&b, "stranger").await;
    let (status, _, body) = init(&b, &stranger, b_root, archive.len()).await;
    assert_eq!(status, 403, "another user's account: {body}");
    let (status, _, body) = init(&b, &b.token, 999_999, archive.len()).await;
    assert_eq!(status, 404, "{body}");
    let stranger_id = user_id(&b, &stranger).await;
    let (status, body) = api_request(
        &b,
        Method::PUT,
        &format!("/api/v1/users/{stranger_id}"),
        Some(json!({ "videoQuota": 1000 })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, _, body) = init(&b, &stranger, stranger_id, archive.len()).await;
    assert_eq!(status, 413, "larger than the quota: {body}");
    assert_eq!(body["code"], "quota_reached", "{body}");
    let mp4 = std::fs::read(fixtures().join("video_short.mp4")).unwrap();
    let (status, location, body) = init(&b, &b.token, b_root, mp4.len()).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = put(&b, &location.clone().unwrap(), &mp4, (0, mp4.len())).await;
    assert_eq!(status, 415, "not a ZIP: {body}");
    assert_eq!(body["code"], "not_a_zip_archive", "{body}");
    let (status, _, _) = put(&b, &location.unwrap(), &mp4, (0, mp4.len())).await;
    assert_eq!(status, 404, "the refused session is gone");
    let (status, _) = api_request(
        &b,
        Method::GET,
        &format!("/api/v1/users/{b_root}/imports/latest"),
        None,
    )
    .await;
    assert_eq!(status, 404, "no import yet");

    // While an import of the user waits, another is refused at init (409); once it ended, taken.
    let mut connection = postgres.db.pool().acquire().await.unwrap();
    let waiting = kinora_db::user_imports::insert(
        &mut connection,
        b_root,
        &uuid::Uuid::new_v4().to_string(),
        kinora_db::now_millis(),
    )
    .await
    .unwrap();
    let (status, _, body) = init(&b, &b.token, b_root, archive.len()).await;
    assert_eq!(status, 409, "one import at a time: {body}");
    kinora_db::user_imports::finish(&mut connection, waiting, Err("ended by the test"), 0)
        .await
        .unwrap();
    drop(connection);

    // A ZIP that is no archive: the import ends errored, saying why.
    let not_an_archive = zip_of(&[("readme.txt", b"hello")]);
    assert_eq!(import(&b, &not_an_archive).await, 204);
    let ended = latest(&b).await;
    assert_eq!(ended["state"]["id"], 4, "{ended}");
    assert!(
        ended["error"].as_str().unwrap().contains("peertube/"),
        "{ended}"
    );

    // The archive.
    assert_eq!(import(&b, &archive).await, 204);
    let done = latest(&b).await;
    assert_eq!(done["state"]["id"], 3, "{done}");
    let stats = &done["resultSummary"]["stats"];
    assert_eq!(stats["account"]["success"], 1, "{done}");
    assert_eq!(stats["account"]["errors"], 0, "the avatar too: {done}");
    assert_eq!(stats["userSettings"]["success"], 1, "{done}");
    let (_, me) = api_request(&b, Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(me["account"]["displayName"], "Travelling root", "{me}");
    assert_eq!(
        me["account"]["description"], "Moved with an archive",
        "{me}"
    );
    assert_eq!(me["nsfwPolicy"], "blur", "{me}");
    assert_eq!(me["p2pEnabled"], false, "{me}");
    assert!(
        !me["account"]["avatars"].as_array().unwrap().is_empty(),
        "{me}"
    );
    assert_eq!(
        stats["channels"],
        json!({ "success": 1, "duplicates": 1, "errors": 0 }),
        "{done}"
    );
    assert_eq!(stats["videos"]["success"], 1, "{done}");
    // The list, and A's "Watch later" (every account has one), into B's.
    assert_eq!(stats["videoPlaylists"]["success"], 2, "{done}");
    assert_eq!(stats["following"]["success"], 1, "{done}");

    let (_, mine) = api_request(&b, Method::GET, "/api/v1/users/me/videos", None).await;
    let imported = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == video["name"])
        .unwrap_or_else(|| panic!("{mine}"))
        .clone();
    let new_uuid = imported["uuid"].as_str().unwrap().to_owned();
    assert_ne!(new_uuid, uuid);
    let details = wait_published(&b, &new_uuid, Duration::from_secs(180)).await;
    assert_eq!(details["description"], "It travels");
    assert_eq!(details["tags"], json!(["travel", "archive"]));
    assert_eq!(
        details["originallyPublishedAt"], published["publishedAt"],
        "{details}"
    );
    assert_eq!(details["channel"]["name"], "root_channel");
    let (_, captions) = api_request(
        &b,
        Method::GET,
        &format!("/api/v1/videos/{new_uuid}/captions"),
        None,
    )
    .await;
    assert_eq!(captions["data"][0]["language"]["id"], "en", "{captions}");
    let (_, got) = api_request(
        &b,
        Method::GET,
        &format!("/api/v1/videos/{new_uuid}/chapters"),
        None,
    )
    .await;
    assert_eq!(got, chapters);
    let (status, channel) = api_request(
        &b,
        Method::GET,
        "/api/v1/video-channels/second_channel",
        None,
    )
    .await;
    assert_eq!(status, 200, "{channel}");
    assert_eq!(channel["displayName"], "Second channel");
    assert_eq!(channel["description"], "The other one");
    let (_, lists) = api_request(
        &b,
        Method::GET,
        "/api/v1/accounts/root/video-playlists",
        None,
    )
    .await;
    let list = lists["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|list| list["displayName"] == "Travelling list")
        .unwrap_or_else(|| panic!("{lists}"))
        .clone();
    let (_, elements) = api_request(
        &b,
        Method::GET,
        &format!("/api/v1/video-playlists/{}/videos", list["id"]),
        None,
    )
    .await;
    assert_eq!(elements["data"][0]["video"]["uuid"], new_uuid, "{elements}");
    let (_, subscriptions) =
        api_request(&b, Method::GET, "/api/v1/users/me/subscriptions", None).await;
    assert_eq!(
        subscriptions["data"][0]["name"], "viewer_channel",
        "{subscriptions}"
    );
    assert_eq!(
        subscriptions["data"][0]["host"],
        format!("localhost:{}", a.port),
        "{subscriptions}"
    );
    // The viewer's channel on A counts B's root among its (remote) followers.
    eventually(Duration::from_secs(30), "A accepts B's follow", || async {
        let followers =
            common::instance::ap_document(&a, "/video-channels/viewer_channel/followers").await;
        (followers["totalItems"] == 1).then_some(())
    })
    .await;
    // Nothing of the archive stays stored once read.
    let left: Vec<_> = std::fs::read_dir(dir_b.path().join("storage/user-imports"))
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    drop((a, b));
    postgres.finish().await;
}

/// An archive laid out as PeerTube writes it (its documented shapes, with fields Kinora's own
/// archives do not have: `commentsEnabled`, an internal video, web-video `files`), and bad
/// entries beside the good one: each bad video is refused on its own, the good one comes in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peertube_archive_with_bad_entries_imports_what_is_sound() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    // Files in archives may hold at most 1 MB here: the bomb below inflates to 5 MB.
    let b = start(dir.path(), &url, 1, "[uploads]\nmax_file_size = 1000000\n").await;
    let mp4 = std::fs::read(fixtures().join("video_short.mp4")).unwrap();
    let good = "9c1d5a3e-1f0b-4c8e-9b7a-2d6e8f4a1b3c";
    let peertube_video = |uuid: &str, name: &str, file: Value| {
        json!({
            "uuid": uuid, "createdAt": "2024-03-01T10:00:00.000Z", "updatedAt": "2024-03-01T10:00:00.000Z",
            "publishedAt": "2024-03-01T10:05:00.000Z", "originallyPublishedAt": null,
            "name": name, "category": 15, "licence": 1, "language": "fr", "tags": ["peertube"],
            "privacy": 4, "passwords": [], "duration": 5, "description": "Venue de PeerTube",
            "support": null, "isLive": false, "url": format!("https://peertube.example/videos/watch/{uuid}"),
            "thumbnailUrl": null, "previewUrl": null, "thumbnails": [], "views": 3, "likes": 0, "dislikes": 0,
            "nsfw": false, "commentsEnabled": true, "downloadEnabled": true,
            "channel": { "name": "pt_channel" }, "waitTranscoding": true, "state": 1,
            "captions": [], "chapters": [],
            "files": [{ "resolution": 240, "size": 1000, "fps": 25, "torrentUrl": "https://peertube.example/t.torrent", "fileUrl": "https://peertube.example/f.mp4" }],
            "streamingPlaylists": [],
            "videoEmbedPrivacy": { "policy": 1, "domains": [] },
            "archiveFiles": {
                "videoFile": file,
                "thumbnail": null,
                "captions": { "fr": "../files/videos/captions/fr.vtt" }
            }
        })
    };
    let videos = json!({ "videos": [
        peertube_video(good, "Vidéo saine", json!(format!("../files/videos/video-files/{good}.mp4"))),
        peertube_video("00000000-0000-4000-8000-000000000001", "Traversal", json!("../files/../../../etc/passwd")),
        peertube_video("00000000-0000-4000-8000-000000000002", "Text", json!("../files/videos/video-files/text.mp4")),
        peertube_video("00000000-0000-4000-8000-000000000003", "Link", json!("../files/videos/video-files/link.mp4")),
        peertube_video("00000000-0000-4000-8000-000000000004", "Bomb", json!("../files/videos/video-files/bomb.mp4")),
        peertube_video("00000000-0000-4000-8000-000000000005", "No file", Value::Null),
    ] });
    let channels = json!({ "channels": [{
        "url": "https://peertube.example/video-channels/pt_channel", "name": "pt_channel",
        "displayName": "Chaîne PeerTube", "description": "Une chaîne", "support": "",
        "updatedAt": "2024-01-01T00:00:00.000Z", "createdAt": "2024-01-01T00:00:00.000Z",
        "avatars": [], "banners": [], "archiveFiles": { "avatar": null, "banner": null }
    }] });
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        ("peertube/channels.json", channels.to_string().into_bytes()),
        ("peertube/videos.json", videos.to_string().into_bytes()),
        (
            &format!("files/videos/video-files/{good}.mp4") as &str,
            mp4.clone(),
        ),
        ("files/videos/captions/fr.vtt", VTT.as_bytes().to_vec()),
        (
            "files/videos/video-files/text.mp4",
            b"not a video at all".to_vec(),
        ),
        ("../../escape.txt", b"outside".to_vec()),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.add_symlink("files/videos/video-files/link.mp4", "/etc/passwd", options)
        .unwrap();
    zip.start_file(
        "files/videos/video-files/bomb.mp4",
        options.compression_method(zip::CompressionMethod::Deflated),
    )
    .unwrap();
    let mut head = mp4[..64].to_vec();
    head.resize(5_000_000, 0);
    zip.write_all(&head).unwrap();
    let archive = zip.finish().unwrap().into_inner();
    assert!(archive.len() < 1_000_000, "the bomb is small compressed");

    assert_eq!(import(&b, &archive).await, 204);
    let done = latest(&b).await;
    assert_eq!(done["state"]["id"], 3, "{done}");
    let stats = &done["resultSummary"]["stats"];
    assert_eq!(stats["channels"]["success"], 1, "{done}");
    assert_eq!(
        stats["videos"],
        json!({ "success": 1, "duplicates": 0, "errors": 5 }),
        "{done}"
    );
    let (_, mine) = api_request(&b, Method::GET, "/api/v1/users/me/videos", None).await;
    assert_eq!(mine["total"], 1, "{mine}");
    let uuid = mine["data"][0]["uuid"].as_str().unwrap().to_owned();
    let video = wait_published(&b, &uuid, Duration::from_secs(180)).await;
    assert_eq!(video["name"], "Vidéo saine");
    assert_eq!(
        video["privacy"]["id"], 3,
        "PeerTube's internal becomes private"
    );
    assert_eq!(video["language"]["id"], "fr");
    assert_eq!(video["category"]["id"], 15);
    assert_eq!(video["commentsPolicy"]["id"], 1, "commentsEnabled: true");
    assert_eq!(video["channel"]["name"], "pt_channel");
    assert_eq!(video["originallyPublishedAt"], "2024-03-01T10:05:00.000Z");
    let (_, captions) = api_request(
        &b,
        Method::GET,
        &format!("/api/v1/videos/{uuid}/captions"),
        None,
    )
    .await;
    assert_eq!(captions["data"][0]["language"]["id"], "fr", "{captions}");
    let (_, channel) =
        api_request(&b, Method::GET, "/api/v1/video-channels/pt_channel", None).await;
    assert_eq!(channel["displayName"], "Chaîne PeerTube");
    // Nothing was written from the archive's own entry names.
    for place in [
        dir.path().join("escape.txt"),
        dir.path().join("storage/escape.txt"),
    ] {
        assert!(!place.exists(), "{}", place.display());
    }

    // A 100 MB document: the import ends errored, saying which is too large, and nothing of
    // it is imported.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("peertube/channels.json", options).unwrap();
    zip.write_all(br#"{"channels":[{"name":"never_made","displayName":"Never"}]}"#)
        .unwrap();
    zip.start_file(
        "peertube/videos.json",
        options.compression_method(zip::CompressionMethod::Deflated),
    )
    .unwrap();
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..100 {
        zip.write_all(&spaces).unwrap();
    }
    let bomb = zip.finish().unwrap().into_inner();
    assert_eq!(import(&b, &bomb).await, 204);
    let ended = latest(&b).await;
    assert_eq!(ended["state"]["id"], 4, "{ended}");
    assert!(
        ended["error"].as_str().unwrap().contains("videos.json"),
        "{ended}"
    );
    let (status, _) = api_request(&b, Method::GET, "/api/v1/video-channels/never_made", None).await;
    assert_eq!(status, 404);
}
