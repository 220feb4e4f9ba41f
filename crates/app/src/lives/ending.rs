//! A broadcast's ending (PeerTube's `video-live-ending` job), run by the server once
//! `[live] ending_delay_secs` passed after the broadcast stopped without its broadcaster
//! coming back. With a replay, the recording the ingest kept (the stream as sent, FLV) becomes
//! an original transcoded like an upload: a normal live becomes that video itself, a permanent
//! live's broadcast a new video in the same channel. Without one, the recording (if any) is
//! removed. Either way a normal live's segments are removed (a permanent live's stay until its
//! next broadcast replaces them). The session is claimed by compare-and-set in the transaction
//! that writes the outcome, so an ending runs once, and not at all for a broadcast that resumed.

use kinora_core::video::{VideoState, short_uuid};
use kinora_db::video_live_endings::{self, ReplayOriginal};
use kinora_db::video_lives::{LiveRow, LiveSessionRow};
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, enqueue};
use kinora_storage::{Location, MediaStorage, StorageKey};
use uuid::Uuid;

use super::LiveConfig;
use crate::{AppError, AppResult};

/// The name a replay's original is shown under.
const REPLAY_FILENAME: &str = "live-replay.flv";
/// PeerTube's longest video name.
const MAX_NAME_CHARS: usize = 120;

/// What the instance's settings decide for an ending.
#[derive(Debug, Clone, Copy)]
pub struct EndingPolicy<'a> {
    /// `[live]` (its ending delay).
    pub config: &'a LiveConfig,
    /// The standard resolutions a replay is transcoded to below its own.
    pub transcoding_resolutions: &'a [u32],
}

/// What an ending did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndingOutcome {
    /// Nothing: the broadcast resumed, is still on the air, or its ending already ran.
    NotDue,
    /// The replay became video `video_id`, queued for transcoding.
    Replay {
        /// The replay video.
        video_id: i64,
    },
    /// No replay: the broadcast's files were removed.
    CleanedUp,
}

/// Runs the ending of broadcast `session_id`.
pub async fn run(
    db: &Db,
    storage: &MediaStorage,
    policy: &EndingPolicy<'_>,
    session_id: i64,
) -> AppResult<EndingOutcome> {
    let mut tx = db.begin().await?;
    let ended_by = now_millis().saturating_sub(policy.config.ending_delay_ms());
    let Some(session) = video_live_endings::claim_in(&mut tx, session_id, ended_by).await? else {
        return Ok(EndingOutcome::NotDue);
    };
    let live_video = match session.video_id {
        Some(id) => kinora_db::videos::find_by_id(&mut *tx, id).await?,
        None => None,
    };
    let Some(video) = live_video else {
        // The live was deleted, and its files with it.
        tx.commit().await?;
        return Ok(EndingOutcome::CleanedUp);
    };
    let uuid = Uuid::parse_str(&video.uuid).map_err(|e| AppError::Internal(e.to_string()))?;
    let recording_key = StorageKey::live_replay(uuid, session.id);
    let recording = storage.local().path(&recording_key);
    let recorded = std::fs::metadata(&recording)
        .ok()
        .map(|meta| meta.len())
        .filter(|&size| size > 0);
    let live = kinora_db::video_lives::find(&mut *tx, video.id).await?;
    let permanent = live.as_ref().is_some_and(|live| live.permanent_live == 1);
    let outcome = match (live, recorded) {
        (Some(live), Some(size)) if session.save_replay == 1 => {
            let replay = Replay {
                session: &session,
                live: &live,
                video: &video,
                size: i64::try_from(size).unwrap_or(i64::MAX),
            };
            let video_id = replay.make(tx, storage, policy, &recording).await?;
            tracing::info!(live = %video.uuid, session = session.id, video_id, "live replay queued for transcoding");
            EndingOutcome::Replay { video_id }
        }
        _ => {
            tx.commit().await?;
            let _ = storage.local().delete(&recording_key);
            EndingOutcome::CleanedUp
        }
    };
    remove_segments_of_ended_live(storage, permanent, uuid);
    Ok(outcome)
}

/// A replay to make.
struct Replay<'a> {
    session: &'a LiveSessionRow,
    live: &'a LiveRow,
    video: &'a VideoRow,
    size: i64,
}

impl Replay<'_> {
    /// Moves the recording to the replay's original and writes the replay on `tx` (which
    /// holds the claimed session); the recording goes back where it was if that fails, so a
    /// retry finds it.
    async fn make(
        &self,
        mut tx: kinora_db::Tx,
        storage: &MediaStorage,
        policy: &EndingPolicy<'_>,
        recording: &std::path::Path,
    ) -> AppResult<i64> {
        let permanent = self.live.permanent_live == 1;
        let replay_uuid = if permanent {
            Uuid::new_v4()
        } else {
            Uuid::parse_str(&self.video.uuid).map_err(|e| AppError::Internal(e.to_string()))?
        };
        let original = StorageKey::original(replay_uuid);
        storage.local().move_file_into(recording, &original)?;
        let written = self
            .write(&mut tx, storage, policy, permanent, replay_uuid)
            .await;
        let committed = match written {
            Ok(video_id) => tx.commit().await.map(|()| video_id).map_err(AppError::from),
            Err(error) => Err(error),
        };
        if committed.is_err() {
            let _ = std::fs::rename(storage.local().path(&original), recording);
        }
        committed
    }

    async fn write(
        &self,
        tx: &mut kinora_db::Tx,
        storage: &MediaStorage,
        policy: &EndingPolicy<'_>,
        permanent: bool,
        replay_uuid: Uuid,
    ) -> AppResult<i64> {
        let privacy = self.live.replay_privacy.unwrap_or(self.video.privacy);
        let store_in_s3 = storage.location_for_originals() != Location::Local;
        let original = ReplayOriginal {
            filename: REPLAY_FILENAME,
            size: self.size,
            location: Location::Local.as_str(),
        };
        let now = now_millis();
        let video_id = if permanent {
            let name = replay_name(&self.video.name, self.session.started_at);
            let short = short_uuid(&replay_uuid);
            let uuid_text = replay_uuid.to_string();
            let id = kinora_db::videos::insert(
                tx,
                &kinora_db::videos::NewVideo {
                    uuid: &uuid_text,
                    short_uuid: &short,
                    channel_id: self.video.channel_id,
                    name: &name,
                    description: self.video.description.as_deref(),
                    support: self.video.support.as_deref(),
                    privacy,
                    category: self.video.category,
                    licence: self.video.licence,
                    language: self.video.language.as_deref(),
                    nsfw: self.video.nsfw == 1,
                    comments_policy: self.video.comments_policy,
                    download_enabled: self.video.download_enabled == 1,
                    wait_transcoding: true,
                    tags_json: &self.video.tags,
                    state: VideoState::ToTranscode.id(),
                    original_filename: original.filename,
                    original_size: original.size,
                    original_location: original.location,
                },
                now,
            )
            .await?;
            video_live_endings::set_replay_video_in(tx, self.session.id, id).await?;
            id
        } else {
            video_live_endings::live_becomes_replay_in(
                tx,
                self.session,
                self.video.id,
                privacy,
                &original,
                now,
            )
            .await?;
            self.video.id
        };
        let resolutions = Some(policy.transcoding_resolutions.to_vec());
        let next = if store_in_s3 {
            Job::StoreOriginal {
                video_id,
                resolutions,
            }
        } else {
            Job::Transcode {
                video_id,
                resolutions,
            }
        };
        enqueue(tx, &next).await?;
        enqueue(tx, &Job::CreateOriginalTorrent { video_id }).await?;
        Ok(video_id)
    }
}

/// A permanent live's replay is named after the live and the broadcast's start, as PeerTube
/// names it, within PeerTube's longest name.
fn replay_name(live_name: &str, started_at: i64) -> String {
    let date = kinora_core::dates::iso_date(started_at);
    let when = date.get(..16).unwrap_or(&date).replace('T', " ");
    let suffix = format!(" - {when}");
    let room = MAX_NAME_CHARS.saturating_sub(suffix.chars().count());
    let name: String = live_name.chars().take(room).collect();
    format!("{}{suffix}", name.trim_end())
}

/// Removes the segments of a live that ended for good. A permanent live's stay until its next
/// broadcast replaces them (that broadcast may already be writing there).
fn remove_segments_of_ended_live(storage: &MediaStorage, permanent: bool, uuid: Uuid) {
    if permanent {
        return;
    }
    if let Err(error) = storage.local().delete(&StorageKey::live_directory(uuid)) {
        tracing::warn!(%error, live = %uuid, "could not remove a live's segments");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permanent_lives_replay_is_named_after_it_and_its_start() {
        let at = 1_796_679_000_000; // 2026-12-07T21:30:00Z
        assert_eq!(
            replay_name("Morning show", at),
            "Morning show - 2026-12-07 21:30"
        );
        let name = replay_name(&"x".repeat(200), at);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS, "{name}");
        assert!(name.ends_with("x - 2026-12-07 21:30"), "{name}");
    }
}
