//! The parent side: claims `transcode` jobs, runs each in a child process (so a libav crash or
//! hang only kills that child), watches its progress, limits and the video's existence, then
//! publishes the output atomically and records it in one transaction with the job's end.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use kinora_core::transcoding::TranscodingConfig;
use kinora_core::video::Privacy;
use kinora_db::videos::{Publication, VideoFileRow, VideoRow};
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, JobContext, JobFailure, JobHandler};
use kinora_storage::{GeneratedName, Location, MediaStorage, StorageError, StorageKey};
use tokio::io::{AsyncBufReadExt, BufReader};
use uuid::Uuid;

use crate::protocol::{ChildEvent, ProcessResult};

/// Runs transcode jobs.
pub struct TranscodeJobs {
    /// Where originals are read and renditions published.
    pub storage: MediaStorage,
    /// Limits for each child.
    pub limits: TranscodingConfig,
    /// This executable (re-run as `process` for each job).
    pub executable: PathBuf,
    /// Whether each transcode's outcome and wall time are reported on standard output, for
    /// the `kinora serve` that started this process (its metrics).
    pub report_to_parent: bool,
}

/// Removes the working directory on every exit path.
struct WorkDirectory(PathBuf);

impl Drop for WorkDirectory {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl JobHandler for TranscodeJobs {
    async fn handle(&self, context: JobContext, job: Job) -> Result<(), JobFailure> {
        let started = Instant::now();
        let result = self.transcode(context, job).await;
        let outcome = if result.is_ok() { "done" } else { "failed" };
        let seconds = started.elapsed().as_secs_f64();
        if self.report_to_parent {
            crate::protocol::report_to_parent(outcome, seconds);
        } else {
            crate::metrics::record_transcode(outcome, seconds);
        }
        result
    }

    async fn buried(&self, db: &Db, job: Job, reason: &str) {
        if let Job::Transcode { video_id, .. } = job
            && let Err(error) =
                kinora_db::videos::mark_failed(db.pool(), video_id, reason, now_millis()).await
        {
            tracing::error!(video_id, %error, "could not mark the video as failed");
        }
    }
}

impl TranscodeJobs {
    /// One transcode job: fetch the original, run the `process` child, publish its output.
    async fn transcode(&self, context: JobContext, job: Job) -> Result<(), JobFailure> {
        let Job::Transcode {
            video_id,
            resolutions,
        } = job
        else {
            return Err(JobFailure::permanent("not a transcode job"));
        };
        let Some(video) = kinora_db::videos::find_by_id(context.db().pool(), video_id).await?
        else {
            tracing::info!(video_id, "video deleted before transcoding; nothing to do");
            return Ok(());
        };
        let uuid =
            Uuid::parse_str(&video.uuid).map_err(|e| JobFailure::permanent(e.to_string()))?;
        let (_, work_path) = self.storage.local().create_work_directory()?;
        let work = WorkDirectory(work_path);
        let original_location = Location::parse(&video.original_location)
            .ok_or_else(|| JobFailure::permanent("unknown location of the original"))?;
        let input = work.0.join("original");
        let original = StorageKey::original(uuid);
        match patiently("fetching the original", || {
            self.storage
                .fetch_to_file(original_location, &original, &input)
        })
        .await
        {
            Ok(()) => {}
            Err(kinora_storage::StorageError::NotFound { .. }) => {
                return Err(JobFailure::permanent(
                    "the uploaded original is missing from storage",
                ));
            }
            Err(error) => return Err(error.into()),
        }
        let output = work.0.join("output");
        std::fs::create_dir(&output)
            .map_err(|error| JobFailure::retryable(format!("work directory: {error}")))?;
        let result = match self
            .run_child(&context, &video, &input, &output, resolutions.as_deref())
            .await?
        {
            Some(result) => result,
            None => return Ok(()), // the video was deleted meanwhile
        };
        self.publish(&context, &video, uuid, &output, &result).await
    }
}

impl TranscodeJobs {
    /// Runs the child and follows it. `None` when the video was deleted and the child stopped.
    async fn run_child(
        &self,
        context: &JobContext,
        video: &VideoRow,
        input: &Path,
        output: &Path,
        resolutions: Option<&[u32]>,
    ) -> Result<Option<ProcessResult>, JobFailure> {
        let mut command = tokio::process::Command::new(&self.executable);
        command
            .arg("process")
            .arg("--input")
            .arg(input)
            .arg("--output")
            .arg(output);
        if let Some(resolutions) = resolutions {
            let list: Vec<String> = resolutions.iter().map(u32::to_string).collect();
            // `=` keeps an empty list one argument (no resolution below the source).
            command.arg(format!("--resolutions={}", list.join(",")));
        }
        let mut child = command
            .env(crate::config::SETTINGS_VARIABLE, limits_json(&self.limits))
            .env(
                crate::parent::PARENT_PID_VARIABLE,
                std::process::id().to_string(),
            )
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| {
                JobFailure::retryable(format!("cannot start the transcode process: {error}"))
            })?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(self.limits.max_wall_secs);
        let mut outcome: Option<ChildEvent> = None;
        // One ticker for the whole run: progress lines must not postpone the checks.
        let mut checks = tokio::time::interval(Duration::from_secs(1));
        loop {
            let line = tokio::select! {
                line = lines.next_line() => line,
                _ = checks.tick() => {
                    if Instant::now() > deadline {
                        let _ = child.kill().await;
                        return Err(JobFailure::retryable("the transcode ran past its wall-time limit"));
                    }
                    if kinora_db::videos::find_by_id(context.db().pool(), video.id).await?.is_none() {
                        let _ = child.kill().await;
                        tracing::info!(video = %video.uuid, "video deleted during transcoding; stopped");
                        return Ok(None);
                    }
                    continue;
                }
            };
            match line {
                Ok(Some(text)) => match serde_json::from_str::<ChildEvent>(&text) {
                    Ok(ChildEvent::Progress { value }) => {
                        let percent = (value.clamp(0.0, 1.0) * 100.0).round() as i64;
                        context.report_progress(percent);
                        let _ = kinora_db::videos::set_progress(
                            context.db().pool(),
                            video.id,
                            percent,
                            now_millis(),
                        )
                        .await;
                    }
                    Ok(event) => outcome = Some(event),
                    Err(_) => tracing::debug!(line = %text, "transcode process said"),
                },
                Ok(None) => break,
                Err(error) => {
                    return Err(JobFailure::retryable(format!(
                        "reading the transcode process: {error}"
                    )));
                }
            }
        }
        let status = child
            .wait()
            .await
            .map_err(|e| JobFailure::retryable(e.to_string()))?;
        match outcome {
            Some(ChildEvent::Done { result }) if status.success() => Ok(Some(result)),
            Some(ChildEvent::Refused { reason }) => Err(JobFailure::permanent(reason)),
            Some(ChildEvent::Failed { reason }) => Err(JobFailure::retryable(reason)),
            _ => Err(JobFailure::retryable(format!(
                "the transcode process died ({status})"
            ))),
        }
    }

    /// Checks the output, makes it visible atomically, then records it with the job's end.
    async fn publish(
        &self,
        context: &JobContext,
        video: &VideoRow,
        uuid: Uuid,
        work: &Path,
        result: &ProcessResult,
    ) -> Result<(), JobFailure> {
        let hls = work.join("hls");
        let image_directory = work.join("images");
        let names = |name: &str| {
            GeneratedName::parse(name).map_err(|e| JobFailure::permanent(e.to_string()))
        };
        names(&result.master_file)?;
        names(&result.segments_file)?;
        if result.renditions.is_empty() {
            return Err(JobFailure::retryable("the transcode produced no rendition"));
        }
        for rendition in &result.renditions {
            names(&rendition.fragmented_file)?;
            names(&rendition.playlist_file)?;
            let size = std::fs::metadata(hls.join(&rendition.fragmented_file))
                .map(|m| m.len())
                .unwrap_or(0);
            if size == 0
                || size != rendition.size_bytes
                || !hls.join(&rendition.playlist_file).is_file()
            {
                return Err(JobFailure::retryable(format!(
                    "rendition {} is incomplete",
                    rendition.fragmented_file
                )));
            }
        }
        for file in [&result.master_file, &result.segments_file] {
            if !hls.join(file).is_file() {
                return Err(JobFailure::retryable(format!("{file} is missing")));
            }
        }
        let public = matches!(
            Privacy::from_id(video.privacy),
            Some(Privacy::Public | Privacy::Unlisted)
        );
        let location = self.storage.location_for_media(public);
        let old_files = kinora_db::videos::list_files(context.db().pool(), video.id).await?;
        // Every name is fresh (a random UUID each), so storing them one by one hides nothing
        // that is live: the database switches to them below, in one transaction.
        let mut stored = Vec::new();
        for entry in std::fs::read_dir(&hls)
            .map_err(|error| JobFailure::retryable(format!("reading the output: {error}")))?
        {
            let entry = entry
                .map_err(|error| JobFailure::retryable(format!("reading the output: {error}")))?;
            let name = names(&entry.file_name().to_string_lossy())?;
            let key = StorageKey::hls_file(uuid, &name);
            let path = entry.path();
            patiently("storing the renditions", || {
                self.storage.store_file(location, &path, &key)
            })
            .await?;
            stored.push(key);
        }
        let thumbnail = names(&result.thumbnail)?;
        let preview = names(&result.preview)?;
        let mut images = vec![
            (thumbnail.clone(), StorageKey::thumbnail(&thumbnail)),
            (preview.clone(), StorageKey::preview(&preview)),
        ];
        let storyboard_json = match &result.storyboard {
            Some(storyboard) => {
                let name = names(&storyboard.file)?;
                images.push((name.clone(), StorageKey::storyboard(&name)));
                Some(
                    serde_json::json!({
                        "totalWidth": storyboard.total_width,
                        "totalHeight": storyboard.total_height,
                        "spriteWidth": storyboard.sprite_width,
                        "spriteHeight": storyboard.sprite_height,
                        "spriteDuration": storyboard.sprite_duration,
                    })
                    .to_string(),
                )
            }
            None => None,
        };
        for (name, key) in images {
            let path = image_directory.join(name.as_str());
            patiently("storing the images", || {
                self.storage.store_file(location, &path, &key)
            })
            .await?;
            stored.push(key);
        }
        let now = now_millis();
        let mut tx = context.db().begin().await?;
        kinora_db::videos::delete_files(&mut tx, video.id).await?;
        for rendition in &result.renditions {
            kinora_db::videos::insert_file(
                &mut tx,
                &VideoFileRow {
                    id: 0,
                    video_id: video.id,
                    resolution: i64::from(rendition.resolution),
                    width: i64::from(rendition.width),
                    height: i64::from(rendition.height),
                    fps: rendition.fps,
                    size: rendition.size_bytes as i64,
                    file_name: rendition.fragmented_file.clone(),
                    playlist_name: rendition.playlist_file.clone(),
                    has_audio: i64::from(rendition.has_audio),
                    has_video: i64::from(rendition.has_video),
                    torrent_file: None,
                    info_hash: None,
                },
                now,
            )
            .await?;
        }
        // The web player's swarms, named by the same resolutions (the private tracker admits them).
        kinora_db::swarms::record_from_files(&mut tx, video.id, &video.uuid).await?;
        let published = kinora_db::videos::publish(
            &mut tx,
            video.id,
            &Publication {
                duration: result.duration_secs.round() as i64,
                hls_master_file: &result.master_file,
                hls_segments_file: &result.segments_file,
                thumbnail_file: Some(&result.thumbnail),
                preview_file: Some(&result.preview),
                storyboard_file: result.storyboard.as_ref().map(|s| s.file.as_str()),
                storyboard_json: storyboard_json.as_deref(),
                media_location: location.as_str(),
            },
            now,
        )
        .await?;
        if !published {
            drop(tx);
            for key in &stored {
                let _ = self.storage.delete(location, key).await;
            }
            return Ok(());
        }
        // The server makes each rendition's torrent (web seed = the file's URL) next.
        kinora_jobs::enqueue(
            &mut tx,
            &kinora_jobs::Job::CreateTorrents { video_id: video.id },
        )
        .await?;
        // A new master playlist has no subtitles rendition yet: the server adds the captions'.
        if !kinora_db::video_captions::list_of(&mut *tx, video.id)
            .await?
            .is_empty()
        {
            kinora_jobs::enqueue(
                &mut tx,
                &kinora_jobs::Job::UpdateCaptionPlaylists { video_id: video.id },
            )
            .await?;
        }
        // Its owner, and the local subscribers of its channel when it is public, are told.
        kinora_db::notifications::on_video_published(&mut tx, video.id, now).await?;
        // Followers of its account and channel hear of it (the fan-out reads its privacy).
        kinora_jobs::enqueue(
            &mut tx,
            &kinora_jobs::Job::Federate {
                event: kinora_core::federation::FederationEvent::VideoChanged {
                    video_id: video.id,
                },
            },
        )
        .await?;
        context.complete_in(&mut tx).await?;
        tx.commit().await?;
        self.delete_replaced(video, &old_files, &stored, location)
            .await;
        tracing::info!(video = %video.uuid, renditions = result.renditions.len(), "video published");
        Ok(())
    }
}

impl TranscodeJobs {
    /// After a re-transcode: deletes the files of the previous publication that the new one
    /// does not use. Failures only leave garbage, so they are logged.
    async fn delete_replaced(
        &self,
        previous: &VideoRow,
        previous_files: &[VideoFileRow],
        current: &[StorageKey],
        location: Location,
    ) {
        let Some(previous_location) = Location::parse(&previous.media_location) else {
            return;
        };
        let Ok(uuid) = Uuid::parse_str(&previous.uuid) else {
            return;
        };
        let hls = [&previous.hls_master_file, &previous.hls_segments_file]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain(
                previous_files
                    .iter()
                    .flat_map(|file| [file.file_name.as_str(), file.playlist_name.as_str()]),
            );
        let keys = match StorageKey::video_media(
            uuid,
            hls,
            previous.thumbnail_file.as_deref(),
            previous.preview_file.as_deref(),
            previous.storyboard_file.as_deref(),
        ) {
            Ok(keys) => keys,
            Err(error) => {
                tracing::warn!(%error, "cannot list the replaced files; they stay");
                return;
            }
        };
        for key in keys {
            let still_used = current.contains(&key)
                && self.storage.same_place(previous_location, location, &key);
            if still_used {
                continue;
            }
            if let Err(error) = self.storage.delete(previous_location, &key).await {
                tracing::warn!(%key, %error, "could not delete a replaced file");
            }
        }
        // The replaced files' torrents (always on local disk).
        for name in previous_files
            .iter()
            .filter_map(|file| file.torrent_file.as_deref())
            .filter_map(|name| GeneratedName::parse(name).ok())
        {
            let key = StorageKey::torrent(&name);
            if let Err(error) = self.storage.delete(Location::Local, &key).await {
                tracing::warn!(%key, %error, "could not delete a replaced torrent");
            }
        }
    }
}

/// How long one attempt waits for an unreachable S3 server before it gives up (the job's
/// retries take over then): an outage of minutes costs neither the transcode done nor an
/// attempt. The job's lease is kept meanwhile by its heartbeat.
const STORAGE_WAIT: Duration = Duration::from_secs(15 * 60);

/// Runs a storage operation, trying again (every 1 s, then up to every 10 s) while the S3
/// server is unreachable, for at most [`STORAGE_WAIT`]; any other failure is returned at once.
/// Each try is whole: an object is only visible once completely stored.
async fn patiently<T, F, Fut>(what: &str, mut operation: F) -> Result<T, StorageError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StorageError>>,
{
    let started = Instant::now();
    let mut pause = Duration::from_secs(1);
    let mut waited = false;
    loop {
        match operation().await {
            Err(error @ StorageError::S3Unreachable { .. }) if started.elapsed() < STORAGE_WAIT => {
                tracing::warn!(%error, "{what}: storage unreachable; waiting for it");
                waited = true;
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(10));
            }
            result => {
                if waited && result.is_ok() {
                    tracing::info!("{what}: storage reachable again; resumed");
                }
                return result;
            }
        }
    }
}

fn limits_json(limits: &TranscodingConfig) -> String {
    serde_json::json!({ "transcoding": limits }).to_string()
}
