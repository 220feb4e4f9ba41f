//! The account's own part of an archive: `account.json` (display name, description, avatar)
//! and `user-settings.json` (the settings that mean the same here).

use kinora_db::Db;
use kinora_storage::MediaStorage;
use serde_json::Value;

use super::reader::{Archive, entry_name, text};
use super::{ImportContext, Tally};
use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// The account's display name and description, and its avatar when the archive holds one.
pub(super) async fn import_account(
    db: &Db,
    storage: &MediaStorage,
    context: &ImportContext,
    user: &AuthenticatedUser,
    archive: &Archive,
) -> AppResult<Tally> {
    let mut tally = Tally::default();
    let account = archive.document("account.json").await?;
    if account.is_null() {
        return Ok(tally);
    }
    let change = crate::user_settings::SettingsChange {
        display_name: text(&account, "displayName"),
        description: text(&account, "description"),
        ..Default::default()
    };
    match crate::user_settings::update(db, &context.instance, user, change, None).await {
        Ok(_) => tally.success += 1,
        Err(error) => {
            tracing::info!(%error, "the archived account was not imported");
            tally.errors += 1;
        }
    }
    if let Some(name) = entry_name(&account["archiveFiles"]["avatar"]) {
        let limit = context.upload_limits.max_image_size;
        let set = async {
            let bytes = archive
                .read(&name, limit as u64)
                .await?
                .ok_or(AppError::NotFound("Avatar file"))?;
            let kind = crate::actor_images::ActorImageKind::Avatar;
            let rendered = crate::actor_images::render_in_background(kind, bytes, limit).await?;
            crate::actor_images::set_my_avatar(db, storage, user, &rendered).await
        };
        if let Err(error) = set.await {
            tracing::info!(%error, "the archived avatar was not imported");
            tally.errors += 1;
        }
    }
    Ok(tally)
}

/// The settings of `user-settings.json` that mean the same here (the theme and interface
/// language of another instance may not exist here: they are left alone).
pub(super) async fn import_settings(
    db: &Db,
    context: &ImportContext,
    user: &AuthenticatedUser,
    settings: &Value,
) -> Tally {
    let mut tally = Tally::default();
    if settings.is_null() {
        return tally;
    }
    let flag = |field: &str| settings[field].as_bool();
    let change = crate::user_settings::SettingsChange {
        nsfw_policy: text(settings, "nsfwPolicy"),
        p2p_enabled: flag("p2pEnabled"),
        auto_play_video: flag("autoPlayVideo"),
        auto_play_next_video: flag("autoPlayNextVideo"),
        auto_play_next_video_playlist: flag("autoPlayNextVideoPlaylist"),
        videos_history_enabled: flag("videosHistoryEnabled"),
        email_public: flag("emailPublic"),
        video_languages: settings["videoLanguages"].as_array().map(|languages| {
            languages
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        }),
        ..Default::default()
    };
    match crate::user_settings::update(db, &context.instance, user, change, None).await {
        Ok(_) => tally.success += 1,
        Err(error) => {
            tracing::info!(%error, "the archived settings were not imported");
            tally.errors += 1;
        }
    }
    tally
}
