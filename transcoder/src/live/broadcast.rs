//! One broadcast on the air: the live's row moved to state 1 with a session
//! ([`kinora_db::video_lives::begin_broadcast`]), a `live-process` child remuxing the FLV it is
//! piped into the live's directory, and `segments-sha256.json` kept current beside it. Writing
//! waits while the child's pipe is full, so a broadcaster sending faster than the remux reads
//! is slowed by TCP rather than buffered here. [`OnAir::end`] closes the pipe (the child
//! completes its playlist), waits for the child, writes the last hashes and ends the broadcast
//! in the database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use kinora_db::video_lives::Broadcast;
use kinora_db::{Db, now_millis};
use kinora_storage::StorageKey;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Ingest;
use super::child::ChildReport;
use super::flv::{self, TagKind};
use super::recording::Recording;
use super::segments::SegmentHashes;

/// How often the segment hashes are brought up to date.
const HASH_INTERVAL: Duration = Duration::from_millis(250);
/// How long the child may take to finish its playlist once the stream ended.
const CHILD_GRACE: Duration = Duration::from_secs(15);

/// Why a broadcast ended, with PeerTube's `LiveVideoError` ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EndReason {
    /// The broadcaster stopped.
    Finished,
    /// Nothing came for too long, or the connection broke (`BAD_SOCKET_HEALTH`, 1).
    Stalled,
    /// `[live] max_duration_secs` passed (`DURATION_EXCEEDED`, 2).
    DurationExceeded,
    /// The stream is not one a live may be (`INVALID_INPUT_FILE_TYPE`, 9).
    Refused(String),
    /// The remux failed (`FFMPEG_ERROR`, 4).
    Failed(String),
}

impl EndReason {
    fn error_id(&self) -> Option<i64> {
        match self {
            EndReason::Finished => None,
            EndReason::Stalled => Some(1),
            EndReason::DurationExceeded => Some(2),
            EndReason::Failed(_) => Some(4),
            EndReason::Refused(_) => Some(9),
        }
    }
}

/// A broadcast being remuxed.
pub(crate) struct OnAir {
    ingest: Arc<Ingest>,
    broadcast: Broadcast,
    dir: PathBuf,
    child: Child,
    stdin: Option<ChildStdin>,
    /// The replay's recording, when the broadcast is kept.
    recording: Option<Recording>,
    reports: mpsc::Receiver<ChildReport>,
    last_report: Option<ChildReport>,
    started: Instant,
    hashing: CancellationToken,
    hasher: tokio::task::JoinHandle<()>,
}

/// Admits a broadcaster on `stream_key` and starts its remux; `None` when no live waits for
/// this key (unknown, ended, blocked, or already on the air).
pub(crate) async fn start(ingest: &Arc<Ingest>, stream_key: &str) -> anyhow::Result<Option<OnAir>> {
    let ending_delay_ms = ingest.config.ending_delay_ms();
    let Some(broadcast) = begin(&ingest.db, stream_key, ending_delay_ms).await? else {
        return Ok(None);
    };
    match launch(ingest, &broadcast).await {
        Ok(on_air) => {
            tracing::info!(
                video = %broadcast.video_uuid,
                session = broadcast.session_id,
                resumed = broadcast.resumed,
                "live on the air"
            );
            Ok(Some(on_air))
        }
        Err(error) => {
            finish(&ingest.db, &broadcast, Some(4), ending_delay_ms).await?;
            Err(error)
        }
    }
}

/// Puts the live `stream_key` opens on the air and, in the same transaction, queues telling
/// its followers; `None` when no live waits for the key (unknown, ended, on the air already,
/// or blocked).
async fn begin(
    db: &Db,
    stream_key: &str,
    ending_delay_ms: i64,
) -> anyhow::Result<Option<Broadcast>> {
    let Some(live) = kinora_db::video_lives::find_by_stream_key(db.pool(), stream_key).await?
    else {
        return Ok(None);
    };
    if kinora_db::video_blacklist::is_hidden(db.pool(), live.video_id).await? {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let Some(broadcast) =
        kinora_db::video_lives::begin_broadcast_in(&mut tx, &live, ending_delay_ms, now_millis())
            .await?
    else {
        return Ok(None);
    };
    tell_followers(&mut tx, broadcast.video_id).await?;
    tx.commit().await?;
    Ok(Some(broadcast))
}

/// Ends a broadcast and, in the same transaction, queues telling the live's followers and
/// the broadcast's ending ([`kinora_jobs::Job::LiveEnding`]) for when `ending_delay_ms` has
/// passed (unless the broadcaster comes back before).
pub(crate) async fn finish(
    db: &Db,
    broadcast: &Broadcast,
    error: Option<i64>,
    ending_delay_ms: i64,
) -> anyhow::Result<()> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    kinora_db::video_lives::end_broadcast_in(&mut tx, broadcast, error, now).await?;
    tell_followers(&mut tx, broadcast.video_id).await?;
    kinora_jobs::enqueue_at(
        &mut tx,
        &kinora_jobs::Job::LiveEnding {
            session_id: broadcast.session_id,
        },
        now.saturating_add(ending_delay_ms),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the `Update` of the live for the followers of its account and channel (the fan-out
/// reads its state and privacy).
async fn tell_followers(tx: &mut kinora_db::Tx, video_id: i64) -> anyhow::Result<()> {
    kinora_jobs::enqueue(
        tx,
        &kinora_jobs::Job::Federate {
            event: kinora_core::federation::FederationEvent::VideoChanged { video_id },
        },
    )
    .await?;
    Ok(())
}

async fn launch(ingest: &Arc<Ingest>, broadcast: &Broadcast) -> anyhow::Result<OnAir> {
    let uuid = uuid::Uuid::parse_str(&broadcast.video_uuid).context("the live's UUID")?;
    let dir = ingest
        .storage
        .local()
        .path(&StorageKey::live_directory(uuid));
    // A resumed broadcast goes on in its directory, numbering its segments after the last;
    // a permanent live's earlier broadcast, or one a stopped ingest left, is replaced.
    let start_number = if broadcast.resumed {
        next_segment_number(&dir).await
    } else {
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error).context("clearing the live's directory"),
        }
        0
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .context("creating the live's directory")?;
    let recording = if broadcast.save_replay {
        let path = ingest
            .storage
            .local()
            .path(&StorageKey::live_replay(uuid, broadcast.session_id));
        Some(
            Recording::open(&path, broadcast.resumed)
                .await
                .context("opening the replay's recording")?,
        )
    } else {
        None
    };
    let segment_secs = if broadcast.latency_mode == kinora_core::live::LATENCY_SMALL {
        kinora_core::live::SMALL_LATENCY_SEGMENT_SECS
    } else {
        kinora_core::live::SEGMENT_SECS
    };
    let mut child = tokio::process::Command::new(&ingest.executable)
        .arg("live-process")
        .arg("--output")
        .arg(&dir)
        .args(["--segment-secs", &segment_secs.to_string()])
        .args([
            "--playlist-size",
            &kinora_core::live::PLAYLIST_SIZE.to_string(),
        ])
        .args(["--start-number", &start_number.to_string()])
        .env(crate::config::SETTINGS_VARIABLE, &ingest.settings)
        .env(
            crate::parent::PARENT_PID_VARIABLE,
            std::process::id().to_string(),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting the live remux")?;
    let mut stdin = child.stdin.take().context("the remux's input")?;
    let stdout = child.stdout.take().context("the remux's reports")?;
    let (sender, reports) = mpsc::channel(8);
    let db = ingest.db.clone();
    let on_air = broadcast.clone();
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Ok(report) = serde_json::from_str::<ChildReport>(&line) {
                if let ChildReport::Started { width, height } = &report
                    && let Err(error) = record_swarms(&db, &on_air, *width, *height).await
                {
                    tracing::warn!(video = %on_air.video_uuid, %error, "could not record the live's swarms");
                }
                if sender.send(report).await.is_err() {
                    break;
                }
            } else {
                tracing::debug!(line, "live remux output");
            }
        }
    });
    stdin
        .write_all(&flv::header())
        .await
        .context("starting the stream")?;
    let hashing = CancellationToken::new();
    let hasher = tokio::spawn(keep_hashing(dir.clone(), hashing.clone()));
    Ok(OnAir {
        ingest: ingest.clone(),
        broadcast: broadcast.clone(),
        dir,
        child,
        stdin: Some(stdin),
        recording,
        reports,
        last_report: None,
        started: Instant::now(),
        hashing,
        hasher,
    })
}

/// Records the peer-to-peer swarms of the broadcast's rendition (the picture as sent), so the
/// tracker admits the live's viewers: PeerTube's resolution is the picture's shorter side.
async fn record_swarms(
    db: &Db,
    broadcast: &Broadcast,
    width: u32,
    height: u32,
) -> anyhow::Result<()> {
    let resolution = i64::from(width.min(height));
    let mut tx = db.begin().await?;
    kinora_db::swarms::record_for_resolutions(
        &mut tx,
        broadcast.video_id,
        &broadcast.video_uuid,
        &[resolution],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Brings the hashes up to date every [`HASH_INTERVAL`] until cancelled.
async fn keep_hashing(dir: PathBuf, stop: CancellationToken) {
    let hashes = Arc::new(std::sync::Mutex::new(SegmentHashes::new(&dir)));
    loop {
        tokio::select! {
            () = tokio::time::sleep(HASH_INTERVAL) => {}
            () = stop.cancelled() => return,
        }
        let hashes = hashes.clone();
        let refreshed = tokio::task::spawn_blocking(move || {
            hashes
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .refresh()
        })
        .await;
        if let Ok(Err(error)) = refreshed {
            tracing::warn!(%error, dir = %dir.display(), "could not hash the live's segments");
        }
    }
}

impl OnAir {
    /// How long the broadcast may still run (`None`: no limit).
    pub(crate) fn time_left(&self) -> Option<Duration> {
        let max = u64::try_from(self.ingest.config.max_duration_secs).ok()?;
        Some(Duration::from_secs(max).saturating_sub(self.started.elapsed()))
    }

    /// Passes one RTMP audio or video message to the remux.
    pub(crate) async fn write(
        &mut self,
        kind: TagKind,
        timestamp: u32,
        data: &[u8],
    ) -> Result<(), EndReason> {
        let Some(tag) = flv::tag(kind, timestamp, data) else {
            return Err(EndReason::Refused("a message over FLV's size".to_owned()));
        };
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(EndReason::Failed("the remux's input is closed".to_owned()));
        };
        if stdin.write_all(&tag).await.is_err() {
            return Err(self.stopped().await);
        }
        if let Some(recording) = self.recording.as_mut() {
            recording.write(kind, timestamp, data).await;
        }
        Ok(())
    }

    /// Waits until the child has stopped by itself, and says why.
    pub(crate) async fn stopped(&mut self) -> EndReason {
        let _ = self.child.wait().await;
        self.reason_from_reports().await
    }

    async fn reason_from_reports(&mut self) -> EndReason {
        while let Ok(Some(report)) =
            tokio::time::timeout(Duration::from_millis(200), self.reports.recv()).await
        {
            self.last_report = Some(report);
        }
        match &self.last_report {
            Some(ChildReport::Refused { reason }) => EndReason::Refused(reason.clone()),
            Some(ChildReport::Failed { reason }) => EndReason::Failed(reason.clone()),
            _ => EndReason::Failed("the live remux stopped".to_owned()),
        }
    }

    /// Ends the broadcast: the child completes its playlist, the last hashes are written, and
    /// the live's row says it ended (or waits again, for a permanent live).
    pub(crate) async fn end(mut self, reason: EndReason) {
        // A refusal the child reported before its input closed is why the broadcast ended;
        // one after (a stream cut before the child could read its start) is not.
        while let Ok(report) = self.reports.try_recv() {
            self.last_report = Some(report);
        }
        let reason = match (reason, &self.last_report) {
            (
                EndReason::Finished | EndReason::Stalled | EndReason::DurationExceeded,
                Some(ChildReport::Refused { reason: why }),
            ) => EndReason::Refused(why.clone()),
            (reason, _) => reason,
        };
        drop(self.stdin.take());
        if tokio::time::timeout(CHILD_GRACE, self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        if let Some(recording) = self.recording.take() {
            recording.close().await;
        }
        self.hashing.cancel();
        let _ = (&mut self.hasher).await;
        let dir = self.dir.clone();
        let _ = tokio::task::spawn_blocking(move || SegmentHashes::new(&dir).refresh()).await;
        let result = finish(
            &self.ingest.db,
            &self.broadcast,
            reason.error_id(),
            self.ingest.config.ending_delay_ms(),
        )
        .await;
        match result {
            Ok(()) => tracing::info!(
                video = %self.broadcast.video_uuid,
                session = self.broadcast.session_id,
                ?reason,
                "live ended"
            ),
            Err(error) => tracing::error!(
                video = %self.broadcast.video_uuid,
                %error,
                "could not record the end of a live"
            ),
        }
    }
}

/// The number after the highest of the segments in `dir` (0 when there is none).
async fn next_segment_number(dir: &std::path::Path) -> u32 {
    let mut highest: Option<u32> = None;
    if let Ok(mut entries) = tokio::fs::read_dir(dir).await {
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !kinora_core::live::is_segment_name(name) {
                continue;
            }
            let number = name
                .split_once('-')
                .and_then(|(_, rest)| rest.strip_suffix(".ts"))
                .and_then(|digits| digits.parse::<u32>().ok());
            highest = highest.max(number);
        }
    }
    highest.map_or(0, |highest| highest.saturating_add(1))
}
