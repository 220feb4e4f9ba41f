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
    let live = kinora_db::video_lives::find(&mut *tx, video.id).await?;
    let permanent = live.as_ref().is_some_and(|live| live.permanent_live == 1);
    let recording_key = StorageKey::live_replay(uuid, session.id);
    let replay_uuid = replay_uuid(uuid, session.id, permanent);
    let recorded = Recorded::find(storage, &recording_key, replay_uuid);
    let outcome = match (live, recorded) {
        (Some(live), Some(recorded)) if session.save_replay == 1 => {
            let replay = Replay {
                session: &session,
                live: &live,
                video: &video,
                uuid: replay_uuid,
                size: recorded.size,
            };
            let video_id = replay.make(tx, storage, policy, &recorded).await?;
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

/// The UUID of a broadcast's replay: a normal live's own; for a permanent live's broadcast a
/// new one, derived from the live and the session so that an ending run again after a crash
/// finds the original it had already moved (a UUID v4 in form, as the others).
pub fn replay_uuid(live: Uuid, session_id: i64, permanent: bool) -> Uuid {
    if !permanent {
        return live;
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::new()
        .chain_update(b"kinora live replay\0")
        .chain_update(live.as_bytes())
        .chain_update(session_id.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Where a broadcast's recording is: where the ingest wrote it, or already moved to its
/// replay's original by an ending that stopped before it could commit.
struct Recorded {
    /// The ingest's file, while it is there (`None`: already the original).
    file: Option<std::path::PathBuf>,
    original: StorageKey,
    size: i64,
}

impl Recorded {
    fn find(storage: &MediaStorage, recording: &StorageKey, replay_uuid: Uuid) -> Option<Self> {
        let size_of = |path: &std::path::Path| {
            std::fs::metadata(path)
                .ok()
                .map(|meta| meta.len())
                .filter(|&size| size > 0)
                .map(|size| i64::try_from(size).unwrap_or(i64::MAX))
        };
        let original = StorageKey::original(replay_uuid);
        let file = storage.local().path(recording);
        if let Some(size) = size_of(&file) {
            return Some(Self {
                file: Some(file),
                original,
                size,
            });
        }
        let size = size_of(&storage.local().path(&original))?;
        Some(Self {
            file: None,
            original,
            size,
        })
    }
}

/// A replay to make.
struct Replay<'a> {
    session: &'a LiveSessionRow,
    live: &'a LiveRow,
    video: &'a VideoRow,
    /// [`replay_uuid`].
    uuid: Uuid,
    size: i64,
}

impl Replay<'_> {
    /// Moves the recording to the replay's original (unless an earlier run did) and writes the
    /// replay on `tx` (which holds the claimed session); the recording goes back where it was
    /// if that fails, so a retry finds it.
    async fn make(
        &self,
        mut tx: kinora_db::Tx,
        storage: &MediaStorage,
        policy: &EndingPolicy<'_>,
        recorded: &Recorded,
    ) -> AppResult<i64> {
        if let Some(file) = &recorded.file {
            storage.local().move_file_into(file, &recorded.original)?;
        }
        let written = self.write(&mut tx, storage, policy).await;
        let committed = match written {
            Ok(video_id) => tx.commit().await.map(|()| video_id).map_err(AppError::from),
            Err(error) => Err(error),
        };
        if let (Err(_), Some(file)) = (&committed, &recorded.file) {
            let _ = std::fs::rename(storage.local().path(&recorded.original), file);
        }
        committed
    }

    async fn write(
        &self,
        tx: &mut kinora_db::Tx,
        storage: &MediaStorage,
        policy: &EndingPolicy<'_>,
    ) -> AppResult<i64> {
        let privacy = self.live.replay_privacy.unwrap_or(self.video.privacy);
        let store_in_s3 = storage.location_for_originals() != Location::Local;
        let original = ReplayOriginal {
            filename: REPLAY_FILENAME,
            size: self.size,
            location: Location::Local.as_str(),
        };
        let now = now_millis();
        let video_id = if self.live.permanent_live == 1 {
            let name = replay_name(&self.video.name, self.session.started_at);
            let short = short_uuid(&self.uuid);
            let uuid_text = self.uuid.to_string();
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
        crate::videos::queue_original_processing(
            tx,
            video_id,
            policy.transcoding_resolutions,
            store_in_s3,
        )
        .await?;
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
    fn a_replay_uuid_is_the_lives_or_derived_from_the_broadcast() {
        let live = Uuid::new_v4();
        assert_eq!(replay_uuid(live, 7, false), live);
        let first = replay_uuid(live, 7, true);
        assert_eq!(
            first,
            replay_uuid(live, 7, true),
            "the same again after a crash"
        );
        assert_ne!(first, live);
        assert_ne!(first, replay_uuid(live, 8, true), "one per broadcast");
        assert_ne!(first, replay_uuid(Uuid::new_v4(), 7, true), "one per live");
        assert_eq!(first.get_version_num(), 4);
    }

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
