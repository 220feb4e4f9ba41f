//! Users' own settings (`user_preferences`): one row per user who changed any; the others have
//! [`UserPreferences::defaults`]. Rows are decoded here only ([`PreferencesRow`]).

use kinora_core::preferences::{NsfwPolicy, UserPreferences};
use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const COLUMNS: &str = "nsfw_policy, p2p_enabled, auto_play_video, auto_play_next_video, \
                       auto_play_next_video_playlist, videos_history_enabled, video_languages, \
                       language, theme, email_public, no_instance_config_warning_modal, \
                       no_welcome_modal, no_account_setup_warning_modal";

/// A row as stored.
#[derive(Debug, sqlx::FromRow)]
struct PreferencesRow {
    nsfw_policy: String,
    p2p_enabled: i64,
    auto_play_video: i64,
    auto_play_next_video: i64,
    auto_play_next_video_playlist: i64,
    videos_history_enabled: i64,
    video_languages: Option<String>,
    language: Option<String>,
    theme: String,
    email_public: i64,
    no_instance_config_warning_modal: i64,
    no_welcome_modal: i64,
    no_account_setup_warning_modal: i64,
}

impl PreferencesRow {
    /// The settings; a policy the table's CHECK would refuse, or languages that are not a JSON
    /// array of strings, read as the defaults of those fields.
    fn decode(self, default_policy: NsfwPolicy) -> UserPreferences {
        UserPreferences {
            nsfw_policy: NsfwPolicy::parse(&self.nsfw_policy).unwrap_or(default_policy),
            p2p_enabled: self.p2p_enabled != 0,
            auto_play_video: self.auto_play_video != 0,
            auto_play_next_video: self.auto_play_next_video != 0,
            auto_play_next_video_playlist: self.auto_play_next_video_playlist != 0,
            videos_history_enabled: self.videos_history_enabled != 0,
            video_languages: self
                .video_languages
                .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok()),
            language: self.language,
            theme: self.theme,
            email_public: self.email_public != 0,
            no_instance_config_warning_modal: self.no_instance_config_warning_modal != 0,
            no_welcome_modal: self.no_welcome_modal != 0,
            no_account_setup_warning_modal: self.no_account_setup_warning_modal != 0,
        }
    }
}

/// The settings of `user_id`: those stored, or `defaults` for a user who never saved any (whose
/// NSFW policy also stands for a stored one that cannot be read).
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
    defaults: UserPreferences,
) -> DbResult<UserPreferences> {
    let sql = format!("SELECT {COLUMNS} FROM user_preferences WHERE user_id = $1");
    let row: Option<PreferencesRow> = sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_optional(executor)
        .await?;
    Ok(match row {
        Some(row) => row.decode(defaults.nsfw_policy),
        None => defaults,
    })
}

/// Whether `user_id` keeps a watch history (the default is yes).
pub async fn history_enabled<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT videos_history_enabled FROM user_preferences WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.is_none_or(|(enabled,)| enabled != 0))
}

/// Stores every setting of `user_id`, replacing those stored.
pub async fn save(
    connection: &mut Connection,
    user_id: i64,
    preferences: &UserPreferences,
    now: i64,
) -> DbResult<()> {
    let languages = preferences
        .video_languages
        .as_ref()
        .map(|languages| serde_json::Value::from(languages.clone()).to_string());
    let sql = format!(
        "INSERT INTO user_preferences (user_id, {COLUMNS}, updated_at) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (user_id) DO UPDATE SET nsfw_policy = excluded.nsfw_policy, \
         p2p_enabled = excluded.p2p_enabled, auto_play_video = excluded.auto_play_video, \
         auto_play_next_video = excluded.auto_play_next_video, \
         auto_play_next_video_playlist = excluded.auto_play_next_video_playlist, \
         videos_history_enabled = excluded.videos_history_enabled, \
         video_languages = excluded.video_languages, language = excluded.language, \
         theme = excluded.theme, email_public = excluded.email_public, \
         no_instance_config_warning_modal = excluded.no_instance_config_warning_modal, \
         no_welcome_modal = excluded.no_welcome_modal, \
         no_account_setup_warning_modal = excluded.no_account_setup_warning_modal, \
         updated_at = excluded.updated_at"
    );
    sqlx::query(&sql)
        .bind(user_id)
        .bind(preferences.nsfw_policy.as_str())
        .bind(i64::from(preferences.p2p_enabled))
        .bind(i64::from(preferences.auto_play_video))
        .bind(i64::from(preferences.auto_play_next_video))
        .bind(i64::from(preferences.auto_play_next_video_playlist))
        .bind(i64::from(preferences.videos_history_enabled))
        .bind(languages)
        .bind(preferences.language.clone())
        .bind(preferences.theme.as_str())
        .bind(i64::from(preferences.email_public))
        .bind(i64::from(preferences.no_instance_config_warning_modal))
        .bind(i64::from(preferences.no_welcome_modal))
        .bind(i64::from(preferences.no_account_setup_warning_modal))
        .bind(now)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
