//! The transcoder binary against real databases and real media: an uploaded original becomes
//! published HLS that the ffmpeg CLI decodes end to end; a refused input fails the video with
//! its reason; a transcoder killed mid-job is replaced and the video still ends published; a
//! job that crashes every time ends in the dead letters with the video marked failed. A
//! transcoder started on its own serves its metrics.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kinora_db::testing::TestDb;
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, enqueue};

const TRANSCODER: &str = env!("CARGO_BIN_EXE_kinora-transcoder");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/peertube/media")
        .join(name)
}

/// A user, account and channel, then a video in state "to transcode" with its job, and the
/// original copied where uploads put it. Returns (video id, uuid).
async fn uploaded_video(db: &Db, storage: &Path, source: &Path) -> (i64, String) {
    uploaded_video_with(db, storage, source, None).await
}

/// [`uploaded_video`] whose transcode makes only `resolutions` below the source's own.
async fn uploaded_video_with(
    db: &Db,
    storage: &Path,
    source: &Path,
    resolutions: Option<Vec<u32>>,
) -> (i64, String) {
    let now = now_millis();
    let mut tx = db.begin().await.unwrap();
    let user = kinora_db::users::insert(
        &mut tx,
        &kinora_db::users::NewUser {
            username: "alice",
            email: "alice@example.com",
            password_hash: "x",
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
    let actor = kinora_db::actors::insert_local_actor(&mut tx, "Person", "alice", now)
        .await
        .unwrap();
    let account = kinora_db::accounts::insert(&mut tx, actor, Some(user), "alice", now)
        .await
        .unwrap();
    let group = kinora_db::actors::insert_local_actor(&mut tx, "Group", "alice_channel", now)
        .await
        .unwrap();
    let channel = kinora_db::channels::insert(
        &mut tx,
        &kinora_db::channels::NewChannel {
            actor_id: group,
            account_id: account,
            display_name: "Main",
            description: None,
            support: None,
        },
        now,
    )
    .await
    .unwrap();
    let uuid = uuid_text();
    let size = std::fs::metadata(source).unwrap().len() as i64;
    let video = kinora_db::videos::insert(
        &mut tx,
        &kinora_db::videos::NewVideo {
            original_size: size,
            ..kinora_db::testing::sample_video(&uuid, &uuid[..22], channel)
        },
        now,
    )
    .await
    .unwrap();
    enqueue(
        &mut tx,
        &Job::Transcode {
            video_id: video,
            resolutions,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let original = storage.join("original-video-files").join(&uuid);
    std::fs::create_dir_all(original.parent().unwrap()).unwrap();
    std::fs::copy(source, original).unwrap();
    (video, uuid)
}

fn uuid_text() -> String {
    let output = Command::new("cat")
        .arg("/proc/sys/kernel/random/uuid")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn start(database_url: &str, storage: &Path, transcoding: serde_json::Value) -> Child {
    let settings = serde_json::json!({
        "database": { "url": database_url },
        "storage": { "local": { "root": storage } },
        "transcoding": transcoding,
    });
    Command::new(TRANSCODER)
        .arg("run")
        .env("KINORA_TRANSCODER_SETTINGS", settings.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

async fn video_state(db: &Db, id: i64) -> (i64, Option<String>, Option<i64>) {
    let row = kinora_db::videos::find_by_id(db.pool(), id)
        .await
        .unwrap()
        .unwrap();
    (row.state, row.failure_reason, row.transcoding_progress)
}

async fn wait_for_state(db: &Db, id: i64, wanted: i64, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let (state, reason, _) = video_state(db, id).await;
        if state == wanted {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "video {id} stuck in state {state} ({reason:?}); wanted {wanted}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until a transcoder holds the job.
async fn wait_for_claim(db: &Db) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (running,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE state = 'running'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        if running == 1 {
            return;
        }
        assert!(Instant::now() < deadline, "the job was never claimed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn decodes(path: &Path) -> bool {
    Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .status()
        .is_ok_and(|status| status.success())
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The body of `GET /metrics` on `port` (HTTP/1.0, so the answer ends with the connection).
fn scrape(port: u16) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
    answer
}

async fn publishes_playable_hls(test: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let (id, uuid) = uploaded_video(&test.db, &storage, &fixture("video_short.mp4")).await;
    // Started on its own, as on another machine: it serves its metrics.
    let metrics_port = free_port();
    let _transcoder = Killed(start(
        &test.config.url,
        &storage,
        serde_json::json!({ "lease_secs": 5, "metrics_listen": format!("127.0.0.1:{metrics_port}") }),
    ));
    wait_for_state(&test.db, id, 1, Duration::from_secs(180)).await;
    // Recorded as the job ends, just after the video is published.
    let wanted = [
        "kinora_transcode_duration_seconds_count{outcome=\"done\"} 1",
        "kinora_job_attempts_total{kind=\"transcode\",outcome=\"done\"} 1",
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = scrape(metrics_port);
        let missing: Vec<_> = wanted
            .iter()
            .filter(|line| !metrics.lines().any(|l| l == **line))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "{missing:?} not in\n{metrics}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let video = kinora_db::videos::find_by_id(test.db.pool(), id)
        .await
        .unwrap()
        .unwrap();
    let files = kinora_db::videos::list_files(test.db.pool(), id)
        .await
        .unwrap();
    let mut resolutions: Vec<i64> = files.iter().map(|file| file.resolution).collect();
    resolutions.sort_unstable();
    assert_eq!(
        resolutions,
        [144, 240, 360, 480, 720],
        "the whole ladder of a 720p upload"
    );
    assert!(video.duration > 0);
    let hls = storage.join("streaming-playlists/hls").join(&uuid);
    let master = hls.join(video.hls_master_file.as_deref().unwrap());
    assert!(decodes(&master), "the master playlist decodes");
    for file in &files {
        assert!(
            file.file_name
                .ends_with(&format!("-{}-fragmented.mp4", file.resolution))
        );
        assert_eq!(
            std::fs::metadata(hls.join(&file.file_name)).unwrap().len() as i64,
            file.size
        );
        assert!(
            decodes(&hls.join(&file.playlist_name)),
            "{} decodes",
            file.playlist_name
        );
    }
    let hashes: serde_json::Value = serde_json::from_slice(
        &std::fs::read(hls.join(video.hls_segments_file.as_deref().unwrap())).unwrap(),
    )
    .unwrap();
    assert_eq!(hashes.as_object().unwrap().len(), files.len());
    for image in [video.thumbnail_file.unwrap(), video.preview_file.unwrap()] {
        let found = ["thumbnails", "previews"]
            .iter()
            .any(|d| storage.join(d).join(&image).is_file());
        assert!(found, "{image} stored");
    }
    assert_eq!(
        std::fs::read_dir(storage.join("tmp/work"))
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "work directories cleaned"
    );
    let (state,): (String,) = sqlx::query_as("SELECT state FROM jobs WHERE kind = 'transcode'")
        .fetch_one(test.db.pool())
        .await
        .unwrap();
    assert_eq!(state, "done");
    test.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_becomes_playable_hls_on_sqlite() {
    publishes_playable_hls(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_becomes_playable_hls_on_postgres() {
    publishes_playable_hls(TestDb::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_resolutions_chosen_when_queued_are_made_below_the_source() {
    let test = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let (id, uuid) = uploaded_video_with(
        &test.db,
        &storage,
        &fixture("video_short.mp4"),
        Some(vec![240, 1080]),
    )
    .await;
    let _transcoder = Killed(start(
        &test.config.url,
        &storage,
        serde_json::json!({ "lease_secs": 5 }),
    ));
    wait_for_state(&test.db, id, 1, Duration::from_secs(180)).await;
    let files = kinora_db::videos::list_files(test.db.pool(), id)
        .await
        .unwrap();
    let mut resolutions: Vec<i64> = files.iter().map(|file| file.resolution).collect();
    resolutions.sort_unstable();
    // 720p is the upload's own size, always made; 1080p would be an upscale.
    assert_eq!(resolutions, [240, 720]);
    let video = kinora_db::videos::find_by_id(test.db.pool(), id)
        .await
        .unwrap()
        .unwrap();
    let master = std::fs::read_to_string(
        storage
            .join("streaming-playlists/hls")
            .join(&uuid)
            .join(video.hls_master_file.as_deref().unwrap()),
    )
    .unwrap();
    assert_eq!(master.matches("#EXT-X-STREAM-INF").count(), 2, "{master}");
    test.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fake_video_is_refused_and_the_video_marked_failed_with_the_reason() {
    let test = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let (id, _) = uploaded_video(&test.db, &storage, &fixture("video_short_fake.webm")).await;
    let _transcoder = Killed(start(
        &test.config.url,
        &storage,
        serde_json::json!({ "lease_secs": 5 }),
    ));
    wait_for_state(&test.db, id, 7, Duration::from_secs(60)).await;
    let (_, reason, _) = video_state(&test.db, id).await;
    assert!(reason.is_some_and(|r| !r.is_empty()));
    let (state, attempts): (String, i64) =
        sqlx::query_as("SELECT state, attempts FROM jobs WHERE kind = 'transcode'")
            .fetch_one(test.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), attempts),
        ("dead", 1),
        "a refusal is not retried"
    );
    test.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcoder_killed_mid_job_is_replaced_and_the_video_published() {
    let test = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let (id, uuid) = uploaded_video(&test.db, &storage, &fixture("video_short.mp4")).await;
    let first = start(
        &test.config.url,
        &storage,
        serde_json::json!({ "lease_secs": 3 }),
    );
    wait_for_claim(&test.db).await;
    let mut first = Killed(first);
    first.0.kill().unwrap(); // SIGKILL, mid-job
    first.0.wait().unwrap();
    let hls = storage.join("streaming-playlists/hls").join(&uuid);
    assert!(!hls.exists(), "nothing partial became visible");
    let _second = Killed(start(
        &test.config.url,
        &storage,
        serde_json::json!({ "lease_secs": 3 }),
    ));
    wait_for_state(&test.db, id, 1, Duration::from_secs(180)).await;
    let (attempts,): (i64,) = sqlx::query_as("SELECT attempts FROM jobs WHERE kind = 'transcode'")
        .fetch_one(test.db.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 2);
    let video = kinora_db::videos::find_by_id(test.db.pool(), id)
        .await
        .unwrap()
        .unwrap();
    assert!(decodes(&hls.join(video.hls_master_file.unwrap())));
    test.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_always_crashes_ends_dead_and_the_video_failed() {
    let test = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let (id, _) = uploaded_video(&test.db, &storage, &fixture("video_short.mp4")).await;
    // 1 s of CPU time is far too little for this transcode: the kernel kills every attempt.
    let _transcoder = Killed(start(
        &test.config.url,
        &storage,
        serde_json::json!({ "lease_secs": 3, "max_cpu_secs": 1 }),
    ));
    wait_for_state(&test.db, id, 7, Duration::from_secs(240)).await;
    let (state, attempts, error): (String, i64, Option<String>) =
        sqlx::query_as("SELECT state, attempts, last_error FROM jobs WHERE kind = 'transcode'")
            .fetch_one(test.db.pool())
            .await
            .unwrap();
    assert_eq!((state.as_str(), attempts), ("dead", 3));
    let error = error.unwrap();
    assert!(
        error.contains("died") || error.contains("signal"),
        "{error}"
    );
    let (_, reason, _) = video_state(&test.db, id).await;
    assert_eq!(reason.as_deref(), Some(error.as_str()));
    test.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_video_stops_its_transcode_promptly() {
    let test = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    // The 4K clip takes several seconds through the full ladder: time to delete it mid-way.
    let (id, uuid) = uploaded_video(&test.db, &storage, &fixture("video_short_4k.mp4")).await;
    let _transcoder = Killed(start(
        &test.config.url,
        &storage,
        serde_json::json!({ "lease_secs": 5 }),
    ));
    wait_for_claim(&test.db).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(kinora_db::videos::delete(test.db.pool(), id).await.unwrap());
    let stopped = Instant::now();
    let deadline = stopped + Duration::from_secs(15);
    loop {
        let (state,): (String,) = sqlx::query_as("SELECT state FROM jobs WHERE kind = 'transcode'")
            .fetch_one(test.db.pool())
            .await
            .unwrap();
        if state == "done" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the transcode did not stop (job {state})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        stopped.elapsed() < Duration::from_secs(8),
        "stopped within seconds: {:?}",
        stopped.elapsed()
    );
    assert!(
        !storage.join("streaming-playlists/hls").join(&uuid).exists(),
        "nothing was published"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        std::fs::read_dir(storage.join("tmp/work"))
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "work directory removed"
    );
    test.finish().await;
}
