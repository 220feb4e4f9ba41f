//! Videos: checking an upload before and after its bytes arrive, and creating the video with
//! its transcode job in one transaction.

use std::path::Path;

use kinora_core::video::{Privacy, VideoState, short_uuid};
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, enqueue};
use kinora_storage::{Location, MediaStorage, StorageKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// The `[uploads]` limits a video upload is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadLimits {
    /// Largest accepted file, bytes.
    pub max_file_size: i64,
    /// Seconds a resumable upload may stay idle before it is purged.
    pub resumable_idle_secs: i64,
    /// Most unfinished resumable uploads per user.
    pub max_open_uploads_per_user: i64,
    /// Seconds one upload request (a whole multipart upload, or one resumable chunk) may take.
    pub request_timeout_secs: u64,
    /// Largest avatar or banner file, bytes (larger: 413).
    pub max_image_size: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_file_size: 8 * 1024 * 1024 * 1024,
            resumable_idle_secs: 3600,
            max_open_uploads_per_user: 10,
            request_timeout_secs: 3600,
            max_image_size: crate::actor_images::DEFAULT_MAX_IMAGE_BYTES,
        }
    }
}

/// The video fields an upload carries (PeerTube's names, for JSON and multipart alike).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoFields {
    /// Title, 3–120 characters.
    pub name: String,
    /// The channel to publish in; must be the uploader's.
    pub channel_id: i64,
    /// 1 public (default), 2 unlisted, 3 private, 4 internal.
    pub privacy: Option<i64>,
    /// Category id.
    pub category: Option<i64>,
    /// Licence id.
    pub licence: Option<i64>,
    /// Language code.
    pub language: Option<String>,
    /// Markdown, up to 10,000 characters.
    pub description: Option<String>,
    /// Support text, 3–1000 characters.
    pub support: Option<String>,
    /// Not safe for work.
    pub nsfw: Option<bool>,
    /// 1 enabled (default), 2 disabled, 3 requires approval.
    pub comments_policy: Option<i64>,
    /// Downloads allowed (default true).
    pub download_enabled: Option<bool>,
    /// Publish only after transcoding (default true).
    pub wait_transcoding: Option<bool>,
    /// Up to 5 tags of 2–30 characters.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When the video was first published elsewhere, an ISO 8601 date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originally_published_at: Option<String>,
    /// A privacy change at a given time (PeerTube's `scheduleUpdate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_update: Option<crate::video_updates::ScheduleUpdate>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        message: message.into(),
    }
}

impl VideoFields {
    /// Checks every field against PeerTube's limits.
    pub fn validate(&self) -> AppResult<()> {
        if self.channel_id < 1 {
            return Err(invalid("channelId", "must be a channel id"));
        }
        if self.description.as_deref() == Some("") {
            return Err(invalid("description", "must not be empty"));
        }
        crate::video_updates::VideoChanges {
            name: Some(self.name.clone()),
            description: self.description.clone(),
            support: self.support.clone(),
            privacy: self.privacy,
            category: self.category.map(Some),
            licence: self.licence.map(Some),
            language: self.language.clone().map(Some),
            nsfw: self.nsfw,
            comments_policy: self.comments_policy,
            comments_enabled: None,
            download_enabled: self.download_enabled,
            wait_transcoding: self.wait_transcoding,
            tags: Some(self.tags.clone()),
            channel_id: None,
            originally_published_at: self.originally_published_at.clone().map(Some),
            schedule_update: self.schedule_update.clone().map(Some),
        }
        .validate()
    }
}

/// The ids of a created video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedVideo {
    /// Numeric id.
    pub id: i64,
    /// UUID.
    pub uuid: Uuid,
    /// Short UUID.
    pub short_uuid: String,
}

/// Checks, before any byte is stored, that `user` may upload `size` bytes into the channel:
/// the fields are valid, the channel is the user's, the size is within the file limit and the
/// user's quotas, in all and daily (counting bytes reserved by unfinished uploads).
pub async fn check_upload(
    db: &Db,
    user: &AuthenticatedUser,
    fields: &VideoFields,
    size: i64,
    limits: &UploadLimits,
) -> AppResult<()> {
    fields.validate()?;
    own_channel(db, user, fields.channel_id).await?;
    if size < 0 {
        return Err(invalid("size", "must not be negative"));
    }
    if size > limits.max_file_size {
        return Err(AppError::TooLarge {
            code: "max_file_size_reached",
            message: format!(
                "The file is larger than the limit of {} bytes.",
                limits.max_file_size
            ),
        });
    }
    let quota_owner = kinora_db::users::find_by_id(db.pool(), user.user_id)
        .await?
        .ok_or(AppError::InvalidToken)?;
    crate::quotas::check(
        db,
        user.user_id,
        quota_owner.video_quota,
        quota_owner.video_quota_daily,
        size,
    )
    .await
}

/// The channel `channel_id` a video is published in, when it is `user`'s: unknown is an invalid
/// `channelId`, another user's is refused.
pub(crate) async fn own_channel(
    db: &Db,
    user: &AuthenticatedUser,
    channel_id: i64,
) -> AppResult<kinora_db::channels::ChannelRow> {
    let channel = kinora_db::channels::find_by_id(db.pool(), channel_id)
        .await?
        .ok_or_else(|| invalid("channelId", "unknown channel"))?;
    let owner = kinora_db::accounts::find_by_id(db.pool(), channel.account_id).await?;
    if owner.and_then(|account| account.user_id) != Some(user.user_id) {
        return Err(AppError::Forbidden(
            "Cannot publish to another user's channel.".to_owned(),
        ));
    }
    Ok(channel)
}

/// Creates a video from a fully received file: moves the file into local storage as the
/// original and writes the video row and its next job in one transaction: the transcode, or
/// with `storage.backend = "s3"` the [`Job::StoreOriginal`] that moves the original to S3
/// first (so the upload does not wait for S3, and an S3 outage only delays the job). If the
/// transaction fails the moved file is removed again, so nothing half-written stays. With
/// `[moderation] auto_block_new_videos`, the video of a user who is not staff is blocked in the
/// same transaction ([`crate::moderation::auto_block_upload`]).
pub async fn create_from_upload(
    db: &Db,
    storage: &MediaStorage,
    policy: &UploadPolicy<'_>,
    fields: &VideoFields,
    file: &Path,
    filename: &str,
    size: i64,
) -> AppResult<CreatedVideo> {
    fields.validate()?;
    let uuid = Uuid::new_v4();
    let short = short_uuid(&uuid);
    let original = StorageKey::original(uuid);
    storage.local().move_file_into(file, &original)?;
    let store_in_s3 = storage.location_for_originals() != Location::Local;
    let result = insert_video(
        db,
        policy,
        fields,
        NewUpload {
            uuid,
            short: &short,
            filename,
            size,
            store_in_s3,
        },
    )
    .await;
    if result.is_err() {
        let _ = storage.local().delete(&original);
    }
    let id = result?;
    tracing::info!(video = %uuid, id, size, "video uploaded; transcoding queued");
    Ok(CreatedVideo {
        id,
        uuid,
        short_uuid: short,
    })
}

/// What the instance's settings decide for a new upload.
#[derive(Debug, Clone, Copy)]
pub struct UploadPolicy<'a> {
    /// `[moderation]`: whether the video is blocked until staff look at it.
    pub moderation: &'a crate::ModerationConfig,
    /// The standard resolutions to make below the upload's own (the instance's setting in
    /// force now; a later change does not alter a queued transcode).
    pub transcoding_resolutions: &'a [u32],
}

/// The stored file of an upload becoming a video.
struct NewUpload<'a> {
    uuid: Uuid,
    short: &'a str,
    filename: &'a str,
    size: i64,
    store_in_s3: bool,
}

async fn insert_video(
    db: &Db,
    policy: &UploadPolicy<'_>,
    fields: &VideoFields,
    upload: NewUpload<'_>,
) -> AppResult<i64> {
    let NewUpload {
        uuid,
        short,
        filename,
        size,
        store_in_s3,
    } = upload;
    let tags = serde_json::to_string(&fields.tags)
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let uuid_text = uuid.to_string();
    let display_name: String = filename.chars().take(255).collect();
    let mut tx = db.begin().await?;
    let id = kinora_db::videos::insert(
        &mut tx,
        &kinora_db::videos::NewVideo {
            uuid: &uuid_text,
            short_uuid: short,
            channel_id: fields.channel_id,
            name: fields.name.trim(),
            description: fields.description.as_deref(),
            support: fields.support.as_deref(),
            privacy: fields.privacy.unwrap_or(Privacy::Public.id()),
            category: fields.category,
            licence: fields.licence,
            language: fields.language.as_deref(),
            nsfw: fields.nsfw.unwrap_or(false),
            comments_policy: fields.comments_policy.unwrap_or(1),
            download_enabled: fields.download_enabled.unwrap_or(true),
            wait_transcoding: fields.wait_transcoding.unwrap_or(true),
            tags_json: &tags,
            state: VideoState::ToTranscode.id(),
            original_filename: &display_name,
            original_size: size,
            original_location: Location::Local.as_str(),
        },
        now_millis(),
    )
    .await?;
    record_dates(&mut tx, id, fields).await?;
    queue_original_processing(&mut tx, id, policy.transcoding_resolutions, store_in_s3).await?;
    crate::moderation::auto_block_upload(&mut tx, policy.moderation, id, fields.channel_id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Queues what a new video's local original goes through, on `tx` (the transaction that
/// writes the video): its transcode into `resolutions` — or, when originals are kept in S3
/// (`store_in_s3`), the [`Job::StoreOriginal`] that moves it there first and then transcodes —
/// and the torrent of the original. Uploads and live replays both start this way.
pub(crate) async fn queue_original_processing(
    tx: &mut kinora_db::Tx,
    video_id: i64,
    resolutions: &[u32],
    store_in_s3: bool,
) -> AppResult<()> {
    let resolutions = Some(resolutions.to_vec());
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
    Ok(())
}

/// Records the dates a new video's fields carry: `originallyPublishedAt` and a scheduled
/// privacy change.
pub(crate) async fn record_dates(
    connection: &mut kinora_db::Connection,
    id: i64,
    fields: &VideoFields,
) -> AppResult<()> {
    if let Some(text) = fields.originally_published_at.as_deref() {
        let at = kinora_core::dates::parse_date_or_day(text)
            .ok_or_else(|| invalid("originallyPublishedAt", "must be an ISO 8601 date"))?;
        kinora_db::videos::set_originally_published_at(&mut *connection, id, Some(at)).await?;
    }
    if let Some(schedule) = &fields.schedule_update {
        let (update_at, privacy) = schedule.parse()?;
        kinora_db::video_schedules::set(&mut *connection, id, update_at, privacy, now_millis())
            .await?;
    }
    Ok(())
}

/// Finds a video by numeric id, UUID or short UUID (what `{id}` means in PeerTube's URLs).
pub async fn find_video(db: &Db, id: &str) -> AppResult<Option<kinora_db::videos::VideoRow>> {
    if let Ok(number) = id.parse::<i64>() {
        return Ok(kinora_db::videos::find_by_id(db.pool(), number).await?);
    }
    let uuid = Uuid::parse_str(id)
        .ok()
        .or_else(|| kinora_core::video::parse_short_uuid(id));
    match uuid {
        Some(uuid) => Ok(kinora_db::videos::find_by_uuid(db.pool(), &uuid.to_string()).await?),
        None => Ok(None),
    }
}

/// Deletes resumable upload sessions idle past their expiry, with their bytes; returns how
/// many went. The reserved quota is released with them.
pub async fn purge_expired_uploads(db: &Db, storage: &MediaStorage, now: i64) -> AppResult<usize> {
    let expired = kinora_db::uploads::list_expired(db.pool(), now).await?;
    for session in &expired {
        if session.video_id.is_none()
            && let Ok(upload) = Uuid::parse_str(&session.upload_id)
        {
            storage
                .local()
                .delete(&StorageKey::resumable_upload(upload))?;
        }
        kinora_db::uploads::delete(db.pool(), session.id).await?;
    }
    Ok(expired.len())
}

/// Deletes a video, its rows and every file it has; only its owner or staff may.
pub async fn delete_video(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    video: &kinora_db::videos::VideoRow,
) -> AppResult<()> {
    crate::visibility::ensure_can_manage(db, video, user, "Cannot delete another user's video.")
        .await?;
    let files = kinora_db::videos::list_files(db.pool(), video.id).await?;
    let captions = kinora_db::video_captions::list_of(db.pool(), video.id).await?;
    let mut tx = db.begin().await?;
    if video.federated != 0 {
        let channel = kinora_db::channels::find_by_id(&mut *tx, video.channel_id)
            .await?
            .ok_or(AppError::NotFound("Video channel"))?;
        let account = kinora_db::accounts::find_by_id(&mut *tx, channel.account_id)
            .await?
            .ok_or(AppError::NotFound("Account"))?;
        crate::federation_events::queue(
            &mut tx,
            kinora_core::federation::FederationEvent::VideoDeleted {
                video_uuid: video.uuid.clone(),
                account_actor_id: account.actor_id,
                channel_actor_id: channel.actor_id,
            },
        )
        .await?;
    }
    kinora_db::videos::delete(&mut *tx, video.id).await?;
    tx.commit().await?;
    crate::media::delete_stored_files(storage, video).await?;
    crate::media::delete_file_torrents(storage, &files).await?;
    for caption in &captions {
        crate::captions::delete_caption_file(storage, caption).await;
    }
    tracing::info!(video = %video.uuid, "video deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> VideoFields {
        VideoFields {
            name: "My video".into(),
            channel_id: 1,
            ..VideoFields::default()
        }
    }

    #[test]
    fn peertube_limits_are_enforced() {
        assert!(fields().validate().is_ok());
        let cases: Vec<(VideoFields, &str)> = vec![
            (
                VideoFields {
                    name: "ab".into(),
                    ..fields()
                },
                "name",
            ),
            (
                VideoFields {
                    name: "x".repeat(121),
                    ..fields()
                },
                "name",
            ),
            (
                VideoFields {
                    channel_id: 0,
                    ..fields()
                },
                "channelId",
            ),
            (
                VideoFields {
                    privacy: Some(9),
                    ..fields()
                },
                "privacy",
            ),
            (
                VideoFields {
                    description: Some("x".repeat(10_001)),
                    ..fields()
                },
                "description",
            ),
            (
                VideoFields {
                    tags: vec!["a".into()],
                    ..fields()
                },
                "tags",
            ),
            (
                VideoFields {
                    tags: vec!["tag".into(); 6],
                    ..fields()
                },
                "tags",
            ),
            (
                VideoFields {
                    language: Some("../x".into()),
                    ..fields()
                },
                "language",
            ),
            (
                VideoFields {
                    comments_policy: Some(4),
                    ..fields()
                },
                "commentsPolicy",
            ),
        ];
        for (input, expected) in cases {
            match input.validate() {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, expected),
                other => panic!("{expected}: {other:?}"),
            }
        }
    }
}
