//! Transcoders killed mid-job (issue 21). `kinora serve` runs its pool as child processes
//! (`kinora-transcoder run`), each running one transcode at a time in a child of its own
//! (`kinora-transcoder process`):
//! - a pool member killed with SIGKILL mid-transcode takes its transcode child with it, is
//!   restarted, and the job is retried once its lease runs out: the video is published once;
//! - `kinora serve` killed with SIGKILL leaves no transcoder behind (they ask the kernel for a
//!   signal when their parent dies);
//! - of two `kinora serve` processes on one PostgreSQL database, the one whose transcoder holds
//!   a job is killed with that transcoder mid-transcode: the other's transcoder does the job,
//!   once.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::cluster::Pair;
use common::instance::{Instance, fixtures, start, upload_multipart, wait_published};
use common::process::{children_of, is_running, wait_mid_transcode};
use kinora_db::Db;

/// The slowest fixture to transcode (the whole ladder from 4K): time to kill mid-way.
const SLOW_FIXTURE: &str = "video_short_4k.mp4";

fn kill(pid: u32) {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -KILL {pid}");
}

/// Waits (at most `limit`) until none of `pids` runs; panics naming those that still do.
fn wait_gone(pids: &[u32], limit: Duration, what: &str) {
    let deadline = Instant::now() + limit;
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|&p| is_running(p)).collect();
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {left:?} still run after {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The video was published by exactly one attempt after `attempts - 1` lost ones: its job is
/// done after `attempts`, one publication queued one torrent job, and its HLS directory holds
/// exactly the files the database names.
async fn assert_published_once(db: &Db, storage: &Path, uuid: &str, attempts: i64) {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM videos WHERE uuid = $1")
        .bind(uuid)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let jobs: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, attempts FROM jobs WHERE kind = 'transcode'")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(jobs, [("done".to_owned(), attempts)]);
    let (torrent_jobs,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = 'create-torrents'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(torrent_jobs, 1, "published more than once");
    let video = kinora_db::videos::find_by_id(db.pool(), id)
        .await
        .unwrap()
        .unwrap();
    let files = kinora_db::videos::list_files(db.pool(), id).await.unwrap();
    let resolutions: BTreeSet<i64> = files.iter().map(|f| f.resolution).collect();
    assert_eq!(resolutions.len(), files.len(), "a rendition recorded twice");
    let mut expected: BTreeSet<String> = files
        .iter()
        .flat_map(|f| [f.file_name.clone(), f.playlist_name.clone()])
        .collect();
    expected.insert(video.hls_master_file.unwrap());
    expected.insert(video.hls_segments_file.unwrap());
    let stored: BTreeSet<String> =
        std::fs::read_dir(storage.join("streaming-playlists/hls").join(uuid))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    assert_eq!(stored, expected, "the HLS directory holds other files");
}

async fn upload_slow(instance: &Instance) -> String {
    let uploaded = upload_multipart(instance, &fixtures().join(SLOW_FIXTURE), 1).await;
    uploaded["video"]["uuid"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcoder_killed_mid_transcode_is_replaced_and_the_video_published_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let instance = start(dir.path(), &url, 1, "").await;
    let uuid = upload_slow(&instance).await;
    let (_, member, transcode) = wait_mid_transcode(&[instance.server.child.id()]);
    kill(member);
    // The transcode child follows its parent at once.
    wait_gone(
        &[member, transcode],
        Duration::from_secs(5),
        "the killed transcoder",
    );
    // The server starts another; it takes the job when the lease (10 s) runs out.
    let json = wait_published(&instance, &uuid, Duration::from_secs(180)).await;
    assert!(
        json["streamingPlaylists"][0]["files"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    let db = Db::connect(&kinora_db::DatabaseConfig {
        url,
        ..Default::default()
    })
    .await
    .unwrap();
    assert_published_once(&db, &dir.path().join("storage"), &uuid, 2).await;
    db.close().await;
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_with_sigkill_leaves_no_transcoder_behind() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let mut instance = start(dir.path(), &url, 2, "").await;
    let server = instance.server.child.id();
    upload_slow(&instance).await;
    let (_, _, transcode) = wait_mid_transcode(&[server]);
    let members = children_of(server);
    assert_eq!(members.len(), 2, "{members:?}");
    let mut processes = members.clone();
    processes.push(transcode);
    instance.server.child.kill().unwrap(); // SIGKILL
    instance.server.child.wait().unwrap();
    // The pool members stop as on SIGTERM (a grace of 5 s for the job in hand), the transcode
    // child with its parent.
    wait_gone(
        &processes,
        Duration::from_secs(10),
        "orphans of the killed server",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_process_killed_mid_transcode_leaves_the_job_to_the_other() {
    let pair = Pair::start(1, "").await;
    let db = pair.db.db.clone();
    let uuid = upload_slow(&pair.first).await;
    let servers = [pair.first.server.child.id(), pair.second.server.child.id()];
    let (holder, member, transcode) = wait_mid_transcode(&servers);
    let Pair {
        mut first,
        mut second,
        db: test_db,
        dir,
    } = pair;
    let (killed, survivor_base) = if holder == servers[0] {
        (&mut first.server, second.base.clone())
    } else {
        (&mut second.server, first.base.clone())
    };
    // SIGKILL to the server and its transcoder at once, as when their container or machine
    // dies (a server killed alone lets its transcoder finish the job in hand within its
    // grace: the test above).
    kill(member);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    wait_gone(
        &[member, transcode],
        Duration::from_secs(10),
        "the killed server's transcoder",
    );
    // The survivor's transcoder takes the job once its lease (10 s) runs out.
    let survivor = Instance {
        server: if holder == servers[0] {
            second.server
        } else {
            first.server
        },
        port: 0,
        base: survivor_base,
        token: first.token.clone(),
        channel: first.channel,
        http: first.http.clone(),
    };
    wait_published(&survivor, &uuid, Duration::from_secs(180)).await;
    assert_published_once(&db, &dir.path().join("storage"), &uuid, 2).await;
    survivor.server.terminate();
    test_db.finish().await;
}
