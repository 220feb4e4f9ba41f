//! A live between two real `kinora serve` processes (issue 20): B follows a channel of A; a
//! live created on A appears on B waiting (state 4, `isLive`), goes on the air there when the
//! ffmpeg CLI broadcasts to A (state 1, its playlist A's, which ffprobe plays from B's answer)
//! and ends there when the broadcaster stops (state 5). A's Video object carries PeerTube's
//! live fields (`isLiveBroadcast`, `liveSaveReplay`, `permanentLive`, `latencyMode`, `state`).

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, channel_followers, start};
use common::process::free_port;
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

/// Waits until B shows the video in `state`; answers B's JSON.
async fn on_b_in_state(b: &Instance, uuid: &str, state: i64, what: &str) -> Value {
    eventually(Duration::from_secs(60), what, || async {
        let (status, video) = get(b, &format!("/api/v1/videos/{uuid}")).await;
        (status == 200 && video["state"]["id"] == state).then_some(video)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_on_a_waits_plays_and_ends_on_b() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let rtmp_port = free_port();
    let a = start(
        dir_a.path(),
        &db_a,
        0,
        &format!("{FEDERATION}[live]\nenabled = true\nrtmp_listen = \"127.0.0.1:{rtmp_port}\"\n"),
    )
    .await;
    let b = start(dir_b.path(), &db_b, 0, FEDERATION).await;
    let (status, body) = api_request(
        &b,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("root_channel@localhost:{}", a.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        (channel_followers(&a).await == 1).then_some(())
    })
    .await;

    let (status, created) = api_request(
        &a,
        reqwest::Method::POST,
        "/api/v1/videos/live",
        Some(json!({ "name": "Federated live", "channelId": a.channel, "latencyMode": 3 })),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let uuid = created["video"]["uuid"].as_str().unwrap().to_owned();
    let (_, live) = get(&a, &format!("/api/v1/videos/live/{uuid}")).await;
    let key = live["streamKey"].as_str().unwrap().to_owned();

    // A's object has PeerTube's live fields.
    let object: Value = a
        .http
        .get(format!("{}/videos/watch/{uuid}", a.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(object["isLiveBroadcast"], true, "{object}");
    assert_eq!(object["liveSaveReplay"], false);
    assert_eq!(object["permanentLive"], false);
    assert_eq!(object["latencyMode"], 3);
    assert_eq!(object["state"], 4);

    // Waiting on B.
    let waiting = on_b_in_state(&b, &uuid, 4, "the waiting live on B").await;
    assert_eq!(waiting["isLive"], true, "{waiting}");
    assert_eq!(waiting["isLocal"], false);
    assert_eq!(waiting["streamingPlaylists"], json!([]));

    // On the air on B, playing from A.
    eventually(Duration::from_secs(30), "A's ingest listens", || async {
        tokio::net::TcpStream::connect(("127.0.0.1", rtmp_port))
            .await
            .ok()
            .map(|_| ())
    })
    .await;
    let mut broadcaster = common::live::broadcaster(
        &format!("rtmp://127.0.0.1:{rtmp_port}/live/{key}"),
        14,
        true,
    );
    let on_air = on_b_in_state(&b, &uuid, 1, "the live on the air on B").await;
    let playlist = on_air["streamingPlaylists"][0]["playlistUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        playlist,
        format!(
            "{}/static/streaming-playlists/hls/{uuid}/master.m3u8",
            a.base
        ),
        "{on_air}"
    );
    eventually(
        Duration::from_secs(30),
        "ffprobe plays the live from B's answer",
        || async { common::live::plays_h264(&playlist, None).ok() },
    )
    .await;

    // Ended on B.
    let status = tokio::task::spawn_blocking(move || broadcaster.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success());
    let ended = on_b_in_state(&b, &uuid, 5, "the ended live on B").await;
    assert_eq!(ended["streamingPlaylists"], json!([]), "{ended}");
}
