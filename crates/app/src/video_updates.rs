//! Editing a video (`PUT /api/v1/videos/{id}`): its owner (or staff) changes any of its fields,
//! each checked against PeerTube's limits; the row changes in one transaction, which also queues
//! the move of its files between the public and private S3 locations when the privacy changed.

use kinora_core::names::{SUPPORT_MAX, check_text_length};
use kinora_core::video::{
    Privacy, VIDEO_DESCRIPTION_MAX, VIDEO_NAME_MAX, VIDEO_NAME_MIN, VIDEO_TAG_LENGTH,
    VIDEO_TAGS_MAX,
};
use kinora_db::videos::{VideoEdit, VideoRow};
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, enqueue};
use serde::Deserialize;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// The fields of an edit; an absent field stays as it is. An empty `description` or `support`
/// clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoChanges {
    /// Title, 3–120 characters.
    pub name: Option<String>,
    /// Markdown, up to 10,000 characters.
    pub description: Option<String>,
    /// Support text, 3–1000 characters.
    pub support: Option<String>,
    /// 1 public, 2 unlisted, 3 private, 4 internal.
    pub privacy: Option<i64>,
    /// Category id; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub category: Option<Option<i64>>,
    /// Licence id; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub licence: Option<Option<i64>>,
    /// Language code; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub language: Option<Option<String>>,
    /// Not safe for work.
    pub nsfw: Option<bool>,
    /// 1 enabled, 2 disabled, 3 requires approval.
    pub comments_policy: Option<i64>,
    /// PeerTube's older flag for the comments policy (true: enabled, false: disabled).
    pub comments_enabled: Option<bool>,
    /// Downloads allowed.
    pub download_enabled: Option<bool>,
    /// Publish only after transcoding.
    pub wait_transcoding: Option<bool>,
    /// Up to 5 tags of 2–30 characters (replaces them all).
    pub tags: Option<Vec<String>>,
    /// Move the video to another channel of the same owner.
    pub channel_id: Option<i64>,
    /// When the video was first published elsewhere, an ISO 8601 date; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub originally_published_at: Option<Option<String>>,
    /// A privacy change at a given time (PeerTube's `scheduleUpdate`); `null` cancels it.
    #[serde(default, deserialize_with = "nullable")]
    pub schedule_update: Option<Option<ScheduleUpdate>>,
}

/// PeerTube's `scheduleUpdate`: `{updateAt, privacy}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleUpdate {
    /// When, an ISO 8601 date (required).
    pub update_at: Option<String>,
    /// The privacy then: public (default), unlisted or internal.
    pub privacy: Option<i64>,
}

impl ScheduleUpdate {
    /// `(update_at, privacy)` in epoch milliseconds and PeerTube's id, checked as PeerTube does.
    pub fn parse(&self) -> AppResult<(i64, i64)> {
        let text = self
            .update_at
            .as_deref()
            .ok_or_else(|| invalid("scheduleUpdate.updateAt", "is required"))?;
        let update_at = kinora_core::dates::parse_date_or_day(text)
            .ok_or_else(|| invalid("scheduleUpdate.updateAt", "must be an ISO 8601 date"))?;
        let privacy = self.privacy.unwrap_or(Privacy::Public.id());
        if ![Privacy::Public, Privacy::Unlisted, Privacy::Internal]
            .iter()
            .any(|p| p.id() == privacy)
        {
            return Err(invalid(
                "scheduleUpdate.privacy",
                "must be 1 (public), 2 (unlisted) or 4 (internal)",
            ));
        }
        Ok((update_at, privacy))
    }
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        message: message.into(),
    }
}

impl VideoChanges {
    /// Checks every given field against PeerTube's limits.
    pub fn validate(&self) -> AppResult<()> {
        if let Some(name) = &self.name {
            check_text_length(name.trim(), VIDEO_NAME_MIN, VIDEO_NAME_MAX)
                .map_err(|error| invalid("name", error.to_string()))?;
        }
        if let Some(description) = self.description.as_deref().filter(|d| !d.is_empty()) {
            check_text_length(description, 3, VIDEO_DESCRIPTION_MAX)
                .map_err(|error| invalid("description", error.to_string()))?;
        }
        if let Some(support) = self.support.as_deref().filter(|s| !s.is_empty()) {
            check_text_length(support, 3, SUPPORT_MAX)
                .map_err(|error| invalid("support", error.to_string()))?;
        }
        if let Some(privacy) = self.privacy
            && Privacy::from_id(privacy).is_none()
        {
            return Err(invalid("privacy", "must be 1, 2, 3 or 4"));
        }
        if let Some(Some(language)) = &self.language
            && (language.is_empty()
                || language.len() > 10
                || !language
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(invalid("language", "must be a language code"));
        }
        if let Some(policy) = self.comments_policy
            && !(1..=3).contains(&policy)
        {
            return Err(invalid("commentsPolicy", "must be 1, 2 or 3"));
        }
        if let Some(Some(category)) = self.category
            && !(1..=100).contains(&category)
        {
            return Err(invalid("category", "must be a category id"));
        }
        if let Some(Some(licence)) = self.licence
            && !(1..=100).contains(&licence)
        {
            return Err(invalid("licence", "must be a licence id"));
        }
        if let Some(tags) = &self.tags {
            if tags.len() > VIDEO_TAGS_MAX {
                return Err(invalid("tags", format!("at most {VIDEO_TAGS_MAX} tags")));
            }
            for tag in tags {
                check_text_length(tag, VIDEO_TAG_LENGTH.0, VIDEO_TAG_LENGTH.1)
                    .map_err(|error| invalid("tags", error.to_string()))?;
            }
        }
        if let Some(channel) = self.channel_id
            && channel < 1
        {
            return Err(invalid("channelId", "must be a channel id"));
        }
        self.originally_published_at()?;
        self.schedule()?;
        Ok(())
    }

    /// The schedule given: absent (`None`), cancelled (`Some(None)`) or `(update_at, privacy)`.
    pub fn schedule(&self) -> AppResult<Option<Option<(i64, i64)>>> {
        match &self.schedule_update {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(schedule)) => Ok(Some(Some(schedule.parse()?))),
        }
    }

    /// The original publication date given: absent (`None`), cleared (`Some(None)`) or a date in
    /// epoch milliseconds between the year 1000 and tomorrow (PeerTube refuses future ones).
    pub fn originally_published_at(&self) -> AppResult<Option<Option<i64>>> {
        let Some(given) = &self.originally_published_at else {
            return Ok(None);
        };
        let Some(text) = given.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok(Some(None));
        };
        let millis = kinora_core::dates::parse_date_or_day(text)
            .ok_or_else(|| invalid("originallyPublishedAt", "must be an ISO 8601 date"))?;
        let earliest = -30_610_224_000_000; // 1000-01-01
        if millis < earliest || millis > now_millis() + 86_400_000 {
            return Err(invalid(
                "originallyPublishedAt",
                "must be a date between the year 1000 and today",
            ));
        }
        Ok(Some(Some(millis)))
    }
}

/// Applies `changes` to `video`. Only the owner or staff may; a new channel must belong to the
/// video's owner. Nothing changes when any field is refused.
pub async fn update_video(
    db: &Db,
    storage: &kinora_storage::MediaStorage,
    user: &AuthenticatedUser,
    video: &VideoRow,
    changes: &VideoChanges,
) -> AppResult<()> {
    changes.validate()?;
    crate::visibility::ensure_can_manage(db, video, user, "Cannot update another user's video.")
        .await?;
    if let Some(channel_id) = changes.channel_id
        && channel_id != video.channel_id
    {
        same_owner(db, video.channel_id, channel_id).await?;
    }
    apply_changes(db, storage, video, changes).await
}

/// Writes `changes` (already validated and allowed) to `video`, with what follows from them:
/// torrents and file moves after a privacy change, the federation event, the schedule.
pub(crate) async fn apply_changes(
    db: &Db,
    storage: &kinora_storage::MediaStorage,
    video: &VideoRow,
    changes: &VideoChanges,
) -> AppResult<()> {
    let tags = match &changes.tags {
        Some(tags) => {
            serde_json::to_string(tags).map_err(|error| AppError::Internal(error.to_string()))?
        }
        None => video.tags.clone(),
    };
    let cleared = |value: &Option<String>, current: &Option<String>| match value {
        Some(text) if text.is_empty() => None,
        Some(text) => Some(text.clone()),
        None => current.clone(),
    };
    let comments_policy = changes
        .comments_policy
        .or(changes
            .comments_enabled
            .map(|enabled| if enabled { 1 } else { 2 }))
        .unwrap_or(video.comments_policy);
    let edit = VideoEdit {
        channel_id: changes.channel_id.unwrap_or(video.channel_id),
        name: changes
            .name
            .as_deref()
            .map_or(video.name.clone(), |n| n.trim().to_owned()),
        description: cleared(&changes.description, &video.description),
        support: cleared(&changes.support, &video.support),
        privacy: changes.privacy.unwrap_or(video.privacy),
        category: changes.category.unwrap_or(video.category),
        licence: changes.licence.unwrap_or(video.licence),
        language: changes
            .language
            .clone()
            .unwrap_or_else(|| video.language.clone()),
        nsfw: changes.nsfw.map_or(video.nsfw != 0, |v| v),
        comments_policy,
        download_enabled: changes
            .download_enabled
            .map_or(video.download_enabled != 0, |v| v),
        wait_transcoding: changes
            .wait_transcoding
            .map_or(video.wait_transcoding != 0, |v| v),
        tags_json: tags,
        originally_published_at: changes
            .originally_published_at()?
            .unwrap_or(video.originally_published_at),
    };
    let schedule = changes.schedule()?;
    let mut tx = db.begin().await?;
    kinora_db::videos::edit(&mut tx, video.id, &edit, now_millis()).await?;
    match schedule {
        Some(Some((update_at, privacy))) => {
            kinora_db::video_schedules::set(&mut tx, video.id, update_at, privacy, now_millis())
                .await?;
        }
        Some(None) => {
            kinora_db::video_schedules::clear(&mut tx, video.id).await?;
        }
        None => {}
    }
    let privacy_changed = edit.privacy != video.privacy;
    let mut stale_torrents = Vec::new();
    if privacy_changed {
        // Torrents carry the files' URLs as web seeds (none for private videos): they are made
        // again, after the files moved when they had to.
        stale_torrents = kinora_db::videos::clear_file_torrents(&mut tx, video.id).await?;
        let next = if crate::media::media_location(video)?.is_s3() {
            Job::RelocateMedia { video_id: video.id }
        } else {
            Job::CreateTorrents { video_id: video.id }
        };
        enqueue(&mut tx, &next).await?;
    }
    if video.is_local() {
        crate::federation_events::queue(
            &mut tx,
            kinora_core::federation::FederationEvent::VideoChanged { video_id: video.id },
        )
        .await?;
    }
    if privacy_changed && edit.privacy == kinora_core::video::Privacy::Public.id() {
        // Made public (now or on schedule): subscribers who were not told yet are.
        kinora_db::notifications::on_video_published(&mut tx, video.id, now_millis()).await?;
    }
    tx.commit().await?;
    for name in stale_torrents
        .iter()
        .filter_map(|name| kinora_storage::GeneratedName::parse(name).ok())
    {
        storage
            .delete(
                kinora_storage::Location::Local,
                &kinora_storage::StorageKey::torrent(&name),
            )
            .await?;
    }
    tracing::info!(video = %video.uuid, privacy_changed, "video updated");
    Ok(())
}

/// Refuses a channel that does not exist or belongs to another account than `current`'s.
async fn same_owner(db: &Db, current: i64, wanted: i64) -> AppResult<()> {
    let pool = db.pool();
    let from = kinora_db::channels::find_by_id(pool, current)
        .await?
        .ok_or(AppError::NotFound("Video channel"))?;
    let to = kinora_db::channels::find_by_id(pool, wanted)
        .await?
        .ok_or(AppError::NotFound("Video channel"))?;
    if from.account_id != to.account_id {
        return Err(AppError::Forbidden(
            "The new channel belongs to another account.".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_names_its_field() {
        let cases = [
            (r#"{"name":"ab"}"#, "name"),
            (r#"{"privacy":7}"#, "privacy"),
            (r#"{"commentsPolicy":0}"#, "commentsPolicy"),
            (r#"{"tags":["a"]}"#, "tags"),
            (r#"{"tags":["aa","bb","cc","dd","ee","ff"]}"#, "tags"),
            (r#"{"language":"en us"}"#, "language"),
            (r#"{"channelId":0}"#, "channelId"),
            (r#"{"category":1000}"#, "category"),
        ];
        for (json, field) in cases {
            let changes: VideoChanges = serde_json::from_str(json).unwrap();
            match changes.validate() {
                Err(AppError::Invalid { field: got, .. }) => assert_eq!(got, field, "{json}"),
                other => panic!("{json}: {other:?}"),
            }
        }
        let long = VideoChanges {
            description: Some("x".repeat(10_001)),
            ..VideoChanges::default()
        };
        assert!(long.validate().is_err());
        let cleared = VideoChanges {
            description: Some(String::new()),
            ..VideoChanges::default()
        };
        assert!(cleared.validate().is_ok());
    }
}
