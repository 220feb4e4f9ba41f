//! The RTMP ingest (issue 20) on a real `kinora serve` with `[live] enabled`, which starts
//! `kinora-transcoder live`, and the ffmpeg CLI as the broadcaster (`-re … -f flv
//! rtmp://127.0.0.1:<port>/live/<streamKey>`). A live goes 4 → 1 → 5: while on the air its
//! master and media playlists are in its directory and ffprobe reads the media playlist, every
//! listed segment's SHA-256 is in `segments-sha256.json`, and the private tracker admits the
//! live's player swarm (until it ends); after the broadcaster stops the
//! session has its end and the playlist its `ENDLIST`, and once `ending_delay_secs` passed the
//! segments are removed (no replay) and the live takes no broadcaster again. Refused, with nothing changed: a wrong
//! key, a second broadcaster on a live already on the air, another application than `live`,
//! and garbage after the handshake. A stream without video ends the broadcast with PeerTube's
//! invalid-input error; a broadcaster that stalls is ended after `stall_timeout_secs`; a
//! permanent live waits again after its broadcast. On PostgreSQL (the ingest's transitions
//! are compare-and-set rows) and SQLite.

use crate::common;
use crate::ws_tracker::announce_once;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, start};
use common::live::{
    broadcaster, create_live, finished, sessions, state, wait_for_ingest, wait_state,
};
use common::process::free_port;
use kinora_core::swarm::{StreamType, VideoSwarm};
use kinora_db::testing::TestDb;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(crate) fn live_dir(root: &Path, uuid: &str) -> PathBuf {
    root.join("storage/streaming-playlists/live").join(uuid)
}

/// Checks, while the live is on the air, that the media playlist plays and that every listed
/// segment is hashed as PeerTube's players check it.
fn check_on_air(dir: &Path) {
    let master = std::fs::read_to_string(dir.join("master.m3u8")).unwrap();
    assert!(master.contains("RESOLUTION=320x180"), "{master}");
    common::live::plays_h264(&dir.join("0.m3u8").to_string_lossy(), None).unwrap();
}

fn check_hashes(dir: &Path) -> usize {
    let playlist = std::fs::read_to_string(dir.join("0.m3u8")).unwrap();
    let listed = kinora_media_names(&playlist);
    let hashes: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(dir.join("segments-sha256.json")).unwrap()).unwrap();
    assert_eq!(
        hashes.keys().cloned().collect::<Vec<_>>(),
        listed,
        "hashes follow the playlist"
    );
    for (name, hash) in &hashes {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(&hex::encode(Sha256::digest(&bytes)), hash, "{name}");
    }
    hashes.len()
}

pub(crate) fn kinora_media_names(playlist: &str) -> Vec<String> {
    let mut names: Vec<String> = playlist
        .lines()
        .filter(|line| line.ends_with(".ts"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

async fn run(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let rtmp_port = free_port();
    let metrics_port = free_port();
    let instance = start(
        dir.path(),
        database_url,
        0,
        &format!(
            "[live]\nenabled = true\nrtmp_listen = \"127.0.0.1:{rtmp_port}\"\nstall_timeout_secs = 4\nending_delay_secs = 2\n\
             [metrics]\nenabled = true\nlisten = \"127.0.0.1:{metrics_port}\"\n"
        ),
    )
    .await;
    let rtmp = format!("rtmp://127.0.0.1:{rtmp_port}/live");
    // The ingest is started by the server: wait until it listens. The server counts it among
    // the transcoders it runs.
    wait_for_ingest(rtmp_port).await;
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|line| line == "kinora_transcoders_running{role=\"live-ingest\"} 1"),
        "{metrics}"
    );
    let (uuid, key) = create_live(
        &instance,
        json!({ "name": "Friday stream", "permanentLive": false }),
    )
    .await;
    assert_eq!(state(&instance, &uuid).await, 4);
    let (_, owned) = api_request(
        &instance,
        Method::GET,
        &format!("/api/v1/videos/live/{uuid}"),
        None,
    )
    .await;
    assert_eq!(
        owned["rtmpUrl"],
        format!("rtmp://localhost:{rtmp_port}/live")
    );

    // A wrong key is refused; nothing changes.
    let wrong = broadcaster(&format!("{rtmp}/{}", uuid::Uuid::new_v4()), 3, true);
    assert!(!finished(wrong).await, "a wrong key is refused");
    assert_eq!(state(&instance, &uuid).await, 4);
    assert!(sessions(&instance, &uuid).await.is_empty());
    // Another application than `live` is refused.
    let elsewhere = broadcaster(
        &format!("rtmp://127.0.0.1:{rtmp_port}/other/{key}"),
        3,
        true,
    );
    assert!(!finished(elsewhere).await, "another application is refused");
    assert_eq!(state(&instance, &uuid).await, 4);

    // The broadcast: on the air, playable, hashed.
    let first = broadcaster(&format!("{rtmp}/{key}"), 16, true);
    wait_state(&instance, &uuid, 1, "the live is on the air").await;
    let live = live_dir(dir.path(), &uuid);
    eventually(
        Duration::from_secs(30),
        "two segments are listed and hashed",
        || async {
            let playlist = std::fs::read_to_string(live.join("0.m3u8")).ok()?;
            (kinora_media_names(&playlist).len() >= 2
                && live.join("segments-sha256.json").is_file())
            .then_some(())
        },
    )
    .await;
    check_on_air(&live);
    served_to_players(&instance, &uuid).await;
    // The private tracker admits the live's player swarm (its resolution is the picture's
    // shorter side) while it is on the air, and no other.
    let tracker = format!("ws://127.0.0.1:{}/tracker/socket", instance.port);
    let swarm = |resolution| VideoSwarm::new(&uuid, StreamType::Main, resolution);
    let reply = announce_once(&tracker, &swarm(180).info_hash).await;
    assert_eq!(reply["incomplete"], 1, "{reply}");
    let reply = announce_once(&tracker, &swarm(360).info_hash).await;
    assert_eq!(reply["failure reason"], "unknown info_hash", "{reply}");
    let open = sessions(&instance, &uuid).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["endDate"], Value::Null);
    // A second broadcaster on the same key is refused while the first is on the air.
    let second = broadcaster(&format!("{rtmp}/{key}"), 3, true);
    assert!(!finished(second).await, "a second broadcaster is refused");
    assert_eq!(state(&instance, &uuid).await, 1);
    eventually(
        Duration::from_secs(10),
        "the hashes follow the playlist",
        || async { std::panic::catch_unwind(|| check_hashes(&live)).ok() },
    )
    .await;

    assert!(finished(first).await, "the broadcaster streamed to its end");
    wait_state(&instance, &uuid, 5, "the live has ended").await;
    let ended = sessions(&instance, &uuid).await;
    assert_eq!(ended.len(), 1);
    assert!(ended[0]["endDate"].is_string(), "{ended:?}");
    assert_eq!(ended[0]["error"], Value::Null, "{ended:?}");
    let playlist = std::fs::read_to_string(live.join("0.m3u8")).unwrap();
    assert!(playlist.contains("#EXT-X-ENDLIST"), "{playlist}");
    let reply = announce_once(&tracker, &swarm(180).info_hash).await;
    assert_eq!(
        reply["failure reason"], "unknown info_hash",
        "an ended live is not tracked: {reply}"
    );
    assert!(check_hashes(&live) >= 3);
    // Without a replay, the segments are removed once the ending delay passed without the
    // broadcaster coming back; from then on the live takes no broadcaster.
    eventually(
        Duration::from_secs(30),
        "the ended live's segments are removed",
        || async { (!live.exists()).then_some(()) },
    )
    .await;
    let late = broadcaster(&format!("{rtmp}/{key}"), 2, true);
    assert!(
        !finished(late).await,
        "an ended live is not broadcast again"
    );
    assert_eq!(state(&instance, &uuid).await, 5);

    // A permanent live waits again after each broadcast; a stream without video is ended
    // with PeerTube's invalid-input error (9).
    let (radio, radio_key) = create_live(
        &instance,
        json!({ "name": "Permanent radio", "permanentLive": true }),
    )
    .await;
    let sound = broadcaster(&format!("{rtmp}/{radio_key}"), 8, false);
    let _ = finished(sound).await;
    eventually(
        Duration::from_secs(30),
        "the refused broadcast is recorded",
        || async {
            let list = sessions(&instance, &radio).await;
            (list.len() == 1 && list[0]["endDate"].is_string()).then_some(list)
        },
    )
    .await;
    assert_eq!(sessions(&instance, &radio).await[0]["error"], 9);
    assert_eq!(
        state(&instance, &radio).await,
        4,
        "a permanent live waits again"
    );

    // Garbage after the handshake, then a broadcaster that stalls: the first changes
    // nothing; the second is ended once nothing came for stall_timeout_secs.
    garbage_after_handshake(rtmp_port).await;
    assert_eq!(state(&instance, &radio).await, 4);
    let mut stalled = broadcaster(&format!("{rtmp}/{radio_key}"), 60, true);
    wait_state(
        &instance,
        &radio,
        1,
        "the permanent live is on the air again",
    )
    .await;
    // SIGSTOP: the connection stays open and silent.
    let pid = stalled.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap()
            .success()
    );
    wait_state(&instance, &radio, 4, "the stalled broadcast is ended").await;
    let list = sessions(&instance, &radio).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["error"], 1, "{list:?}");
    let _ = Command::new("kill").args(["-KILL", &pid]).status();
    let _ = stalled.wait();
}

/// While on the air, the video JSON names the live's playlist, and players get its files over
/// HTTP (ffprobe plays the master playlist from the server), revalidated at each request, by
/// their fixed names only.
pub(crate) async fn served_to_players(instance: &Instance, uuid: &str) {
    let video = common::instance::video(instance, uuid).await;
    let playlist = &video["streamingPlaylists"][0];
    let master = format!(
        "{}/static/streaming-playlists/hls/{uuid}/master.m3u8",
        instance.base
    );
    assert_eq!(playlist["playlistUrl"], master, "{video}");
    assert_eq!(
        playlist["segmentsSha256Url"],
        format!(
            "{}/static/streaming-playlists/hls/{uuid}/segments-sha256.json",
            instance.base
        )
    );
    common::live::plays_h264(&master, Some(320)).unwrap();
    let anonymous = reqwest::Client::new();
    let response = anonymous.get(&master).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, no-cache");
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.apple.mpegurl"
    );
    let media = anonymous
        .get(master.replace("master.m3u8", "0.m3u8"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let segment = kinora_media_names(&media).pop().expect("a listed segment");
    let response = anonymous
        .get(master.replace("master.m3u8", &segment))
        .header("range", "bytes=0-187")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-type"], "video/mp2t");
    let bytes = response.bytes().await.unwrap();
    assert_eq!((bytes.len(), bytes[0]), (188, 0x47), "an MPEG-TS packet");
    for name in [
        ".master.m3u8.tmp",
        "0-000001.ts.tmp",
        "1.m3u8",
        "kinora.db",
        "%2e%2e%2fkinora.toml",
    ] {
        let response = anonymous
            .get(master.replace("master.m3u8", name))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{name}");
    }
}

/// `[live] max_duration_secs`: a broadcast that runs past it is ended with PeerTube's
/// duration error (2) while its broadcaster still sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_past_the_longest_allowed_is_ended() {
    let database = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let rtmp_port = free_port();
    let instance = start(
        dir.path(),
        &database.config.url,
        0,
        &format!(
            "[live]\nenabled = true\nrtmp_listen = \"127.0.0.1:{rtmp_port}\"\nmax_duration_secs = 4\n"
        ),
    )
    .await;
    wait_for_ingest(rtmp_port).await;
    let (uuid, key) = create_live(
        &instance,
        json!({ "name": "Short live", "permanentLive": false }),
    )
    .await;
    let mut long = broadcaster(
        &format!("rtmp://127.0.0.1:{rtmp_port}/live/{key}"),
        60,
        true,
    );
    wait_state(&instance, &uuid, 1, "the live is on the air").await;
    let started = std::time::Instant::now();
    wait_state(&instance, &uuid, 5, "the live is ended at its longest").await;
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "ended near 4 s, not at the end of the stream"
    );
    let ended = sessions(&instance, &uuid).await;
    assert_eq!(ended[0]["error"], 2, "{ended:?}");
    assert!(
        long.try_wait().unwrap().is_none() || !long.wait().unwrap().success(),
        "the broadcaster was cut off"
    );
    let _ = long.kill();
    let _ = long.wait();
    // Cut off for its length, the broadcast cannot be resumed, though the ending delay (300 s
    // here) has not passed: only a broadcaster who stopped or dropped may come back.
    let again = broadcaster(&format!("rtmp://127.0.0.1:{rtmp_port}/live/{key}"), 2, true);
    assert!(
        !finished(again).await,
        "a broadcast ended at its longest is not resumed"
    );
    assert_eq!(state(&instance, &uuid).await, 5);
    let after = sessions(&instance, &uuid).await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["error"], 2, "{after:?}");
    database.finish().await;
}

/// A client that completes the handshake's first step and then sends noise.
async fn garbage_after_handshake(port: u16) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut c0c1 = vec![3u8];
    c0c1.extend(std::iter::repeat_n(7u8, 1536));
    stream.write_all(&c0c1).await.unwrap();
    let mut s0s1s2 = vec![0u8; 1 + 1536 * 2];
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut s0s1s2)).await;
    let noise: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    let _ = stream.write_all(&noise).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the ingest closes a connection that sends garbage"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_go_on_the_air_and_end_on_postgres() {
    let database = TestDb::postgres().await;
    run(&database.config.url).await;
    database.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_go_on_the_air_and_end_on_sqlite() {
    let database = TestDb::sqlite().await;
    run(&database.config.url).await;
    database.finish().await;
}
