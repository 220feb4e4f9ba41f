//! Lives (PeerTube's live videos): creating one, reading and changing its settings, listing its
//! broadcasts. A live is a video (`is_live`) that waits for its broadcaster (state 4), is on
//! the air (1) or ended (5); its stream key, secret to the owner and staff, is what the RTMP
//! ingest admits a broadcaster by. The `[live]` section bounds how many there may be.

use kinora_core::federation::FederationEvent;
use kinora_core::video::{Privacy, VideoState, short_uuid};
use kinora_db::video_lives::{LiveRow, LiveSessionRow, LiveSettings};
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::AuthenticatedUser;
use crate::video_images::VideoImage;
use crate::videos::{CreatedVideo, VideoFields};
use crate::{AppError, AppResult};

/// PeerTube's latency modes: default, high, small.
const LATENCY_DEFAULT: i64 = 1;

/// The most broadcasts `sessions` lists (PeerTube's count).
const SESSIONS_LISTED: i64 = 100;

pub use kinora_core::live::LiveConfig;

pub mod ending;

/// What the `[live]` section allows of a create or an update.
trait LivePolicy {
    fn ensure_enabled(&self) -> AppResult<()>;
    fn check_allowed(&self, settings: &LiveInput) -> AppResult<()>;
}

impl LivePolicy for LiveConfig {
    fn ensure_enabled(&self) -> AppResult<()> {
        if self.enabled {
            Ok(())
        } else {
            Err(AppError::Refused {
                code: "live_not_enabled",
                message: "Live is not enabled on this instance".to_owned(),
            })
        }
    }

    /// Refuses what the instance does not allow: keeping replays, a latency mode other than
    /// the default.
    fn check_allowed(&self, settings: &LiveInput) -> AppResult<()> {
        if settings.save_replay == Some(true) && !self.allow_replay {
            return Err(AppError::Refused {
                code: "live_not_allowing_replay",
                message: "Saving live replay is not enabled on this instance".to_owned(),
            });
        }
        if let Some(mode) = settings.latency_mode
            && mode != LATENCY_DEFAULT
            && !self.latency_setting_enabled
        {
            return Err(AppError::Forbidden(
                "Custom latency mode is not allowed by this instance".to_owned(),
            ));
        }
        Ok(())
    }
}

/// The replay's settings (PeerTube's `LiveVideoReplaySettings`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplaySettings {
    /// The replay's privacy.
    pub privacy: Option<i64>,
}

/// The live settings a create or an update carries (PeerTube's `LiveVideoUpdate`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveInput {
    /// Keep each broadcast as a video.
    pub save_replay: Option<bool>,
    /// The replay's settings (with `saveReplay`).
    pub replay_settings: Option<ReplaySettings>,
    /// The live may be broadcast again and again.
    pub permanent_live: Option<bool>,
    /// 1 default, 2 high, 3 small.
    pub latency_mode: Option<i64>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        message: message.into(),
    }
}

impl LiveInput {
    fn validate(&self) -> AppResult<()> {
        if let Some(mode) = self.latency_mode
            && !(1..=3).contains(&mode)
        {
            return Err(invalid(
                "latencyMode",
                "must be 1 (default), 2 (high) or 3 (small)",
            ));
        }
        if let Some(privacy) = self.replay_settings.and_then(|settings| settings.privacy)
            && Privacy::from_id(privacy).is_none()
        {
            return Err(invalid(
                "replaySettings.privacy",
                "must be 1 (public), 2 (unlisted), 3 (private) or 4 (internal)",
            ));
        }
        Ok(())
    }
}

/// A live to create: the video's fields and the live's (PeerTube's `LiveVideoCreate`, one
/// object read as both).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveCreate {
    /// The video's fields, as an upload has them.
    pub video: VideoFields,
    /// The live's settings.
    pub live: LiveInput,
}

/// A live's own images (JPEGs [`crate::video_images::render_image`] made of the uploaded
/// `thumbnailfile` and `previewfile`); a missing one gets the default live background.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveImages {
    /// The 280×157 thumbnail.
    pub thumbnail: Option<Vec<u8>>,
    /// The 850×480 preview.
    pub preview: Option<Vec<u8>>,
}

/// Creates a live in one of `user`'s channels: a video in state 4 (waiting for its
/// broadcaster) with a fresh stream key, its images (its own or the default background). Refused when lives are off (`live_not_enabled`),
/// when a replay is asked and not allowed (`live_not_allowing_replay`), and when the
/// instance's or the user's live limit is reached (`max_instance_lives_limit_reached`,
/// `max_user_lives_limit_reached`), as PeerTube does.
pub async fn create(
    db: &Db,
    storage: &kinora_storage::MediaStorage,
    config: &LiveConfig,
    moderation: &crate::ModerationConfig,
    user: &AuthenticatedUser,
    input: &LiveCreate,
    images: LiveImages,
) -> AppResult<CreatedVideo> {
    input.video.validate()?;
    input.live.validate()?;
    config.ensure_enabled()?;
    config.check_allowed(&input.live)?;
    let channel = crate::videos::own_channel(db, user, input.video.channel_id).await?;
    let tags = serde_json::to_string(&input.video.tags)
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let location = kinora_storage::Location::Local;
    let mut stored = Vec::new();
    for (kind, given) in [
        (VideoImage::Thumbnail, images.thumbnail),
        (VideoImage::Preview, images.preview),
    ] {
        let jpeg = match given {
            Some(jpeg) => jpeg,
            None => crate::video_images::live_background(kind)?,
        };
        match crate::video_images::store_image(storage, location, kind, &jpeg).await {
            Ok(name) => stored.push((kind, name)),
            Err(error) => {
                crate::video_images::discard_images(storage, location, &stored).await;
                return Err(error);
            }
        }
    }
    let result = insert_live(db, config, moderation, input, &channel, &stored, &tags).await;
    if result.is_err() {
        crate::video_images::discard_images(storage, location, &stored).await;
    }
    result
}

/// Writes the live's rows, its images' names and its federation, once the limits allow it.
async fn insert_live(
    db: &Db,
    config: &LiveConfig,
    moderation: &crate::ModerationConfig,
    input: &LiveCreate,
    channel: &kinora_db::channels::ChannelRow,
    images: &[(VideoImage, kinora_storage::GeneratedName)],
    tags: &str,
) -> AppResult<CreatedVideo> {
    let fields = &input.video;
    let privacy = fields.privacy.unwrap_or(Privacy::Public.id());
    let save_replay = input.live.save_replay.unwrap_or(false);
    let settings = LiveSettings {
        save_replay,
        replay_privacy: save_replay.then(|| {
            input
                .live
                .replay_settings
                .and_then(|settings| settings.privacy)
                .unwrap_or(privacy)
        }),
        permanent_live: input.live.permanent_live.unwrap_or(false),
        latency_mode: input.live.latency_mode.unwrap_or(LATENCY_DEFAULT),
    };
    let uuid = Uuid::new_v4();
    let short = short_uuid(&uuid);
    let uuid_text = uuid.to_string();
    let stream_key = Uuid::new_v4().to_string();
    let mut tx = db.begin().await?;
    // Counted inside the transaction that adds one, so two creations at once see each other
    // on PostgreSQL's serialised writers and SQLite's single writer alike.
    if config.max_instance_lives >= 0
        && kinora_db::video_lives::count_not_ended(&mut *tx).await? >= config.max_instance_lives
    {
        return Err(AppError::Refused {
            code: "max_instance_lives_limit_reached",
            message: "Cannot create this live because the max instance lives limit is reached."
                .to_owned(),
        });
    }
    if config.max_user_lives >= 0
        && kinora_db::video_lives::count_of_account(&mut *tx, channel.account_id).await?
            >= config.max_user_lives
    {
        return Err(AppError::Refused {
            code: "max_user_lives_limit_reached",
            message: "Cannot create this live because the max user lives limit is reached."
                .to_owned(),
        });
    }
    let now = now_millis();
    let id = kinora_db::videos::insert(
        &mut tx,
        &kinora_db::videos::NewVideo {
            uuid: &uuid_text,
            short_uuid: &short,
            channel_id: fields.channel_id,
            name: fields.name.trim(),
            description: fields.description.as_deref(),
            support: fields.support.as_deref(),
            privacy,
            category: fields.category,
            licence: fields.licence,
            language: fields.language.as_deref(),
            nsfw: fields.nsfw.unwrap_or(false),
            comments_policy: fields.comments_policy.unwrap_or(1),
            download_enabled: fields.download_enabled.unwrap_or(true),
            wait_transcoding: false,
            tags_json: tags,
            state: VideoState::WaitingForLive.id(),
            original_filename: "",
            original_size: 0,
            original_location: kinora_storage::Location::Local.as_str(),
        },
        now,
    )
    .await?;
    crate::videos::record_dates(&mut tx, id, fields).await?;
    for (kind, name) in images {
        let column = match kind {
            VideoImage::Thumbnail => kinora_db::videos::ImageColumn::Thumbnail,
            VideoImage::Preview => kinora_db::videos::ImageColumn::Preview,
        };
        kinora_db::videos::set_image(&mut tx, id, column, name.as_str(), now).await?;
    }
    kinora_db::video_lives::insert(&mut tx, id, &stream_key, &settings, now).await?;
    crate::moderation::auto_block_upload(&mut tx, moderation, id, fields.channel_id).await?;
    // A live is announced while it waits, as PeerTube does (the fan-out reads its privacy).
    crate::federation_events::queue(&mut tx, FederationEvent::VideoChanged { video_id: id })
        .await?;
    tx.commit().await?;
    tracing::info!(video = %uuid, id, "live created");
    Ok(CreatedVideo {
        id,
        uuid,
        short_uuid: short,
    })
}

/// A live as its reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveView {
    /// The live's settings and stream key.
    pub live: LiveRow,
    /// Whether the reader may see the stream key and RTMP URLs (owner or staff, of a local
    /// live).
    pub private_information: bool,
}

/// The live part of `video` for `viewer`: not found unless the viewer may see the video and
/// it is a live.
pub async fn view(
    db: &Db,
    video: &VideoRow,
    viewer: Option<&AuthenticatedUser>,
) -> AppResult<LiveView> {
    crate::visibility::check_can_view(db, video, viewer).await?;
    let live = kinora_db::video_lives::find(db.pool(), video.id)
        .await?
        .ok_or(AppError::NotFound("Live"))?;
    let private_information = match viewer {
        Some(viewer) if video.is_local() => {
            viewer.is_staff() || crate::visibility::is_owner(db, video, viewer.user_id).await?
        }
        _ => false,
    };
    Ok(LiveView {
        live,
        private_information,
    })
}

async fn managed_live(db: &Db, video: &VideoRow, user: &AuthenticatedUser) -> AppResult<LiveRow> {
    crate::visibility::check_can_view(db, video, Some(user)).await?;
    let live = kinora_db::video_lives::find(db.pool(), video.id)
        .await?
        .ok_or(AppError::NotFound("Live"))?;
    if !video.is_local() {
        return Err(AppError::Forbidden(
            "Cannot manage a live of another instance.".to_owned(),
        ));
    }
    crate::visibility::ensure_can_manage(db, video, user, "Cannot manage a live of another user.")
        .await?;
    Ok(live)
}

/// Changes a live's settings (its owner, or staff) while it waits for its broadcaster, with
/// PeerTube's rules: asking to keep replays needs the replay's privacy; replay settings
/// without replays are refused.
pub async fn update(
    db: &Db,
    config: &LiveConfig,
    user: &AuthenticatedUser,
    video: &VideoRow,
    input: &LiveInput,
) -> AppResult<()> {
    let live = managed_live(db, video, user).await?;
    input.validate()?;
    config.check_allowed(input)?;
    let was_saving = live.save_replay == 1;
    if !was_saving && input.save_replay == Some(true) {
        match input.replay_settings {
            None => {
                return Err(invalid(
                    "replaySettings",
                    "Replay settings are missing now the live replay is saved",
                ));
            }
            Some(ReplaySettings { privacy: None }) => {
                return Err(invalid(
                    "replaySettings.privacy",
                    "Privacy replay setting is missing now the live replay is saved",
                ));
            }
            Some(_) => {}
        }
    }
    let saving = input.save_replay.unwrap_or(was_saving);
    if !saving && input.replay_settings.is_some() {
        return Err(invalid(
            "replaySettings",
            "Cannot save replay settings since live replay is not enabled",
        ));
    }
    if video.state != VideoState::WaitingForLive.id() {
        return Err(AppError::Unsupported {
            code: "live_already_started",
            message: "Cannot update a live that has already started".to_owned(),
        });
    }
    let replay_privacy = if saving {
        input
            .replay_settings
            .and_then(|settings| settings.privacy)
            .or(live.replay_privacy)
            .or(Some(video.privacy))
    } else {
        None
    };
    let settings = LiveSettings {
        save_replay: saving,
        replay_privacy,
        permanent_live: input.permanent_live.unwrap_or(live.permanent_live == 1),
        latency_mode: input.latency_mode.unwrap_or(live.latency_mode),
    };
    let mut tx = db.begin().await?;
    kinora_db::video_lives::update(&mut tx, video.id, &settings, now_millis()).await?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::VideoChanged { video_id: video.id },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The broadcasts of a live, newest first (its owner, or staff).
pub async fn sessions(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
) -> AppResult<Vec<LiveSessionRow>> {
    managed_live(db, video, user).await?;
    Ok(kinora_db::video_lives::sessions_of(db.pool(), video.id, SESSIONS_LISTED).await?)
}

/// The broadcast `video` is the replay of, for anyone who may see the video.
pub async fn replay_session(
    db: &Db,
    video: &VideoRow,
    viewer: Option<&AuthenticatedUser>,
) -> AppResult<LiveSessionRow> {
    crate::visibility::check_can_view(db, video, viewer).await?;
    kinora_db::video_lives::session_of_replay(db.pool(), video.id)
        .await?
        .ok_or(AppError::NotFound("Live replay"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_settings_are_checked() {
        let bad_mode = LiveInput {
            latency_mode: Some(4),
            ..LiveInput::default()
        };
        assert!(matches!(
            bad_mode.validate(),
            Err(AppError::Invalid {
                field: "latencyMode",
                ..
            })
        ));
        let bad_privacy = LiveInput {
            replay_settings: Some(ReplaySettings { privacy: Some(5) }),
            ..LiveInput::default()
        };
        assert!(bad_privacy.validate().is_err());
        let replay_off = LiveConfig {
            allow_replay: false,
            latency_setting_enabled: false,
            ..LiveConfig::default()
        };
        let replay = LiveInput {
            save_replay: Some(true),
            ..LiveInput::default()
        };
        assert!(matches!(
            replay_off.check_allowed(&replay),
            Err(AppError::Refused {
                code: "live_not_allowing_replay",
                ..
            })
        ));
        let small = LiveInput {
            latency_mode: Some(3),
            ..LiveInput::default()
        };
        assert!(matches!(
            replay_off.check_allowed(&small),
            Err(AppError::Forbidden(_))
        ));
        assert!(LiveConfig::default().check_allowed(&small).is_ok());
    }
}
