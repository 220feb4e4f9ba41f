//! Endings of lives (issue 20) on a real `kinora serve` with a transcoder and the RTMP ingest,
//! the ffmpeg CLI broadcasting: once `[live] ending_delay_secs` passed, a normal live with a
//! replay becomes a regular video — transcoded from the recording of the stream, published
//! with the replay's privacy, its broadcast naming it as replay, its live part and segments
//! gone; a permanent live's broadcast becomes a new video while the live waits again; and a
//! broadcaster who drops and comes back within the delay resumes the same broadcast, whose
//! replay then holds both parts. An ending that moved the recording and died before committing
//! is run again and finds it as the original. On PostgreSQL (the resume and the ending are compare-and-sets
//! on one session row) and SQLite.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, video, wait_published};
use common::live::{
    broadcaster, check_replay, create_live, finished, live_instance, recordings, sessions,
    wait_state,
};
use kinora_db::testing::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

/// Seconds between a broadcast's end and its ending, in these tests.
const ENDING_DELAY_SECS: u64 = 6;

/// Creates a live with a replay of `privacy`; answers its UUID and stream key.
async fn create_replayed_live(
    instance: &Instance,
    name: &str,
    permanent: bool,
    privacy: i64,
) -> (String, String) {
    create_live(
        instance,
        json!({
            "name": name, "permanentLive": permanent,
            "saveReplay": true, "replaySettings": { "privacy": privacy },
        }),
    )
    .await
}

fn storage(dir: &Path) -> PathBuf {
    dir.join("storage")
}

async fn normal_live_becomes_its_replay(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (instance, rtmp) = live_instance(dir.path(), database_url, ENDING_DELAY_SECS).await;
    let (uuid, key) = create_replayed_live(&instance, "Launch event", false, 1).await;
    let on_air = broadcaster(&format!("{rtmp}/{key}"), 12, true);
    wait_state(&instance, &uuid, 1, "the live is on the air").await;
    assert!(
        finished(on_air).await,
        "the broadcaster streamed to its end"
    );
    wait_state(&instance, &uuid, 5, "the live has ended").await;
    // Until the ending delay passed, the broadcast's recording waits (it could resume).
    assert_eq!(recordings(dir.path(), &uuid), 1, "the recording is kept");
    // As if an ending had moved the recording to the replay's original and died before its
    // transaction committed: the ending run again takes the original as it is.
    let recording = std::fs::read_dir(storage(dir.path()).join("live-replays").join(&uuid))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original = storage(dir.path()).join("original-video-files");
    std::fs::create_dir_all(&original).unwrap();
    std::fs::rename(&recording, original.join(&uuid)).unwrap();
    let replay = wait_published(&instance, &uuid, Duration::from_secs(180)).await;
    assert_eq!(replay["isLive"], false, "{replay}");
    assert_eq!(replay["privacy"]["id"], 1, "{replay}");
    check_replay(&replay, 12.0);
    // The live part is gone; the broadcast names its replay.
    let (status, _) = api_request(
        &instance,
        Method::GET,
        &format!("/api/v1/videos/live/{uuid}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, session) = api_request(
        &instance,
        Method::GET,
        &format!("/api/v1/videos/{uuid}/live-session"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["replayVideo"]["uuid"], uuid.as_str(), "{session}");
    assert!(session["endDate"].is_string(), "{session}");
    assert_eq!(
        recordings(dir.path(), &uuid),
        0,
        "the recording became the original"
    );
    assert!(
        !storage(dir.path())
            .join("streaming-playlists/live")
            .join(&uuid)
            .exists(),
        "the live's segments are removed"
    );
}

async fn permanent_live_resumes_and_makes_a_new_video(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (instance, rtmp) = live_instance(dir.path(), database_url, ENDING_DELAY_SECS).await;
    let (uuid, key) = create_replayed_live(&instance, "Night radio", true, 2).await;
    let first = broadcaster(&format!("{rtmp}/{key}"), 6, true);
    wait_state(&instance, &uuid, 1, "the live is on the air").await;
    assert!(finished(first).await);
    wait_state(&instance, &uuid, 4, "the permanent live waits again").await;
    // The broadcaster comes back within the ending delay: the same broadcast goes on.
    let again = broadcaster(&format!("{rtmp}/{key}"), 6, true);
    wait_state(&instance, &uuid, 1, "the live is on the air again").await;
    let list = sessions(&instance, &uuid).await;
    assert_eq!(list.len(), 1, "resumed, not a new broadcast: {list:?}");
    assert_eq!(list[0]["endDate"], Value::Null, "{list:?}");
    let segments = storage(dir.path())
        .join("streaming-playlists/live")
        .join(&uuid);
    eventually(
        Duration::from_secs(30),
        "the resumed broadcast numbers its segments after the first part's",
        || async {
            let playlist = std::fs::read_to_string(segments.join("0.m3u8")).ok()?;
            (playlist.contains("#EXT-X-DISCONTINUITY") && !playlist.contains("0-000000.ts"))
                .then_some(())
        },
    )
    .await;
    assert!(finished(again).await);
    wait_state(&instance, &uuid, 4, "the permanent live waits again").await;
    let replay_uuid = eventually(
        Duration::from_secs(60),
        "the broadcast's ending makes its replay",
        || async {
            let list = sessions(&instance, &uuid).await;
            list[0]["replayVideo"]["uuid"].as_str().map(str::to_owned)
        },
    )
    .await;
    assert_ne!(
        replay_uuid, uuid,
        "a permanent live's replay is a new video"
    );
    let replay = wait_published(&instance, &replay_uuid, Duration::from_secs(180)).await;
    assert_eq!(replay["isLive"], false, "{replay}");
    assert_eq!(replay["privacy"]["id"], 2, "{replay}");
    assert_eq!(replay["channel"]["id"], instance.channel, "{replay}");
    assert!(
        replay["name"]
            .as_str()
            .unwrap()
            .starts_with("Night radio - "),
        "{replay}"
    );
    // Both parts, one after the other.
    check_replay(&replay, 12.0);
    // The live itself stays a live, waiting for its next broadcast.
    let live = video(&instance, &uuid).await;
    assert_eq!(live["isLive"], true, "{live}");
    assert_eq!(live["state"]["id"], 4, "{live}");
    assert_eq!(recordings(dir.path(), &uuid), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_normal_live_becomes_its_replay_on_postgres() {
    let database = TestDb::postgres().await;
    normal_live_becomes_its_replay(&database.config.url).await;
    database.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_normal_live_becomes_its_replay_on_sqlite() {
    let database = TestDb::sqlite().await;
    normal_live_becomes_its_replay(&database.config.url).await;
    database.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_live_resumes_and_makes_a_new_video_on_postgres() {
    let database = TestDb::postgres().await;
    permanent_live_resumes_and_makes_a_new_video(&database.config.url).await;
    database.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_live_resumes_and_makes_a_new_video_on_sqlite() {
    let database = TestDb::sqlite().await;
    permanent_live_resumes_and_makes_a_new_video(&database.config.url).await;
    database.finish().await;
}
