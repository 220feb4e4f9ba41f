//! A live interrupted on the server's side (issue 20): the RTMP ingest killed (SIGKILL) in the
//! middle of a broadcast, and the whole server restarted (SIGTERM, then started again). Either
//! way the broadcast ends cleanly — the live ended (state 5), its session closed, nothing left
//! on the air — and the broadcaster who comes back within `ending_delay_secs` resumes the same
//! broadcast: one session, and one replay holding both parts (a recording torn by the kill is
//! cut back to its last complete tag). The kill on SQLite, the restart on PostgreSQL.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::eventually;
use common::instance::{Instance, wait_published};
use common::live::{
    broadcaster, check_replay, create_live, finished, live_instance, sessions, wait_state,
};
use common::process::children_of;
use kinora_db::testing::TestDb;
use serde_json::{Value, json};

/// Long enough for a server to restart within it.
const ENDING_DELAY_SECS: u64 = 25;
/// How long the broadcaster streams after coming back.
const SECOND_PART_SECS: u32 = 8;

#[derive(Debug, Clone, Copy)]
enum Interruption {
    /// SIGKILL to `kinora-transcoder live` (the server starts another).
    KillIngest,
    /// `kinora serve` stopped with SIGTERM and started again.
    RestartServer,
}

/// The pid of the server's RTMP ingest (`kinora-transcoder live --exit-with-parent`).
fn ingest_pid(instance: &Instance) -> Option<u32> {
    children_of(instance.server.child.id())
        .into_iter()
        .find(|pid| {
            let command = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            command.split(|&byte| byte == 0).any(|arg| arg == b"live")
        })
}

async fn interrupted_broadcast_resumes(database_url: &str, interruption: Interruption) {
    let dir = tempfile::tempdir().unwrap();
    let (instance, rtmp) = live_instance(dir.path(), database_url, ENDING_DELAY_SECS).await;
    let (uuid, key) = create_live(
        &instance,
        json!({ "name": "Field report", "saveReplay": true, "replaySettings": { "privacy": 1 } }),
    )
    .await;
    let mut first = broadcaster(&format!("{rtmp}/{key}"), 120, true);
    wait_state(&instance, &uuid, 1, "the live is on the air").await;
    let on_air = Instant::now();
    let segments = dir
        .path()
        .join("storage/streaming-playlists/live")
        .join(&uuid);
    eventually(
        Duration::from_secs(30),
        "two segments are written",
        || async { segments.join("0-000001.ts").is_file().then_some(()) },
    )
    .await;
    let first_part = on_air.elapsed().as_secs_f64();
    let instance = match interruption {
        Interruption::KillIngest => {
            let pid = ingest_pid(&instance).expect("the server runs its ingest");
            let killed = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
            instance
        }
        Interruption::RestartServer => instance.restart(dir.path()),
    };

    // The broadcast ends cleanly; the broadcaster is cut off.
    wait_state(&instance, &uuid, 5, "the interrupted broadcast has ended").await;
    let ended = sessions(&instance, &uuid).await;
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert!(ended[0]["endDate"].is_string(), "{ended:?}");
    let cut_off = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if first.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = first.kill();
        let _ = first.wait();
        false
    })
    .await
    .unwrap();
    assert!(cut_off, "the broadcaster's connection was closed");
    if let Interruption::KillIngest = interruption {
        eventually(
            Duration::from_secs(30),
            "the server runs a new ingest",
            || async { ingest_pid(&instance) },
        )
        .await;
    }

    // The broadcaster comes back within the delay: the same broadcast goes on.
    let second = broadcaster(&format!("{rtmp}/{key}"), SECOND_PART_SECS, true);
    wait_state(&instance, &uuid, 1, "the broadcast resumes").await;
    let resumed = sessions(&instance, &uuid).await;
    assert_eq!(resumed.len(), 1, "the same broadcast: {resumed:?}");
    assert_eq!(resumed[0]["endDate"], Value::Null, "{resumed:?}");
    assert!(
        finished(second).await,
        "the broadcaster streamed to its end"
    );
    wait_state(&instance, &uuid, 5, "the live has ended").await;

    // Its replay holds both parts.
    let replay = wait_published(&instance, &uuid, Duration::from_secs(240)).await;
    assert_eq!(replay["isLive"], false, "{replay}");
    check_replay(&replay, first_part + f64::from(SECOND_PART_SECS));
    assert_eq!(common::live::recordings(dir.path(), &uuid), 0);
    assert!(
        !Path::new(&segments).exists(),
        "the live's segments are removed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_whose_ingest_is_killed_ends_cleanly_and_resumes() {
    let database = TestDb::sqlite().await;
    interrupted_broadcast_resumes(&database.config.url, Interruption::KillIngest).await;
    database.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_through_a_server_restart_ends_cleanly_and_resumes() {
    let database = TestDb::postgres().await;
    interrupted_broadcast_resumes(&database.config.url, Interruption::RestartServer).await;
    database.finish().await;
}
