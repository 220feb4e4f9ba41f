//! A user's own settings, profile, password and e-mail address (`PUT /api/v1/users/me`):
//! every field checked before anything is written, all written in one transaction.

use kinora_core::federation::FederationEvent;
use kinora_core::names::{DESCRIPTION_MAX, DISPLAY_NAME_MAX, check_text_length};
use kinora_core::preferences::{
    INSTANCE_DEFAULT_THEME, NsfwPolicy, THEME_MAX, UserPreferences, VIDEO_LANGUAGES_MAX,
};
use kinora_db::{Db, DbError, now_millis};

use crate::auth::AuthenticatedUser;
use crate::passwords::{check_password, hash_password};
use crate::{AppError, AppResult, InstanceConfig};

/// The instance's NSFW policy, which users who never chose one follow (PeerTube's
/// `instance.defaultNSFWPolicy`, also in `/api/v1/config`).
pub const INSTANCE_NSFW_POLICY: NsfwPolicy = NsfwPolicy::DoNotList;

/// The themes a user may choose: the instance's, and PeerTube's two built-in ones (the web
/// front end follows the system's light or dark scheme whichever is chosen).
pub const THEMES: [&str; 3] = [
    INSTANCE_DEFAULT_THEME,
    "peertube-core-light-beige",
    "peertube-core-dark-brown",
];

/// The fields of `PUT /api/v1/users/me`; absent ones keep their value.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    /// The account's display name.
    pub display_name: Option<String>,
    /// The account's description (an empty text removes it).
    pub description: Option<String>,
    /// PeerTube's `nsfwPolicy`, or its older `displayNSFW` (`true`, `false`, `both`).
    pub nsfw_policy: Option<String>,
    /// Whether the player shares with other viewers.
    pub p2p_enabled: Option<bool>,
    /// Whether videos start by themselves.
    pub auto_play_video: Option<bool>,
    /// Whether the next suggestion follows.
    pub auto_play_next_video: Option<bool>,
    /// Whether the next playlist video follows.
    pub auto_play_next_video_playlist: Option<bool>,
    /// Whether history is kept.
    pub videos_history_enabled: Option<bool>,
    /// The languages of the videos wanted; an empty list means every language.
    pub video_languages: Option<Vec<String>>,
    /// The interface language.
    pub language: Option<String>,
    /// The theme.
    pub theme: Option<String>,
    /// Whether the e-mail address is shown to others.
    pub email_public: Option<bool>,
    /// The welcome and warning dialogs dismissed.
    pub no_instance_config_warning_modal: Option<bool>,
    /// See [`SettingsChange::no_instance_config_warning_modal`].
    pub no_welcome_modal: Option<bool>,
    /// See [`SettingsChange::no_instance_config_warning_modal`].
    pub no_account_setup_warning_modal: Option<bool>,
    /// A new password (needs `current_password`).
    pub password: Option<String>,
    /// A new e-mail address (needs `current_password`).
    pub email: Option<String>,
    /// The password in use, proving the caller is the user.
    pub current_password: Option<String>,
}

impl SettingsChange {
    /// Whether the change needs the current password (a new password or e-mail address).
    pub fn needs_current_password(&self) -> bool {
        self.password.is_some() || self.email.is_some()
    }
}

/// What [`update`] did that its caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsUpdated {
    /// History was on and is now off.
    pub history_turned_off: bool,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        message: message.into(),
    }
}

/// A language code of the instance's list (`/api/v1/videos/languages`).
fn check_language(field: &'static str, code: &str) -> AppResult<()> {
    if kinora_core::labels::language_label(code).is_none() {
        return Err(invalid(field, format!("{code:?} is not a known language")));
    }
    Ok(())
}

/// The user's settings with `change` applied, or the first field that is wrong.
fn apply(mut settings: UserPreferences, change: &SettingsChange) -> AppResult<UserPreferences> {
    if let Some(name) = &change.nsfw_policy {
        settings.nsfw_policy = NsfwPolicy::parse(name)
            .or_else(|| NsfwPolicy::from_display_nsfw(name))
            .ok_or_else(|| {
                invalid(
                    "nsfwPolicy",
                    format!("{name:?} is not display, blur, warn or do_not_list"),
                )
            })?;
    }
    if let Some(languages) = &change.video_languages {
        if languages.len() > VIDEO_LANGUAGES_MAX {
            return Err(invalid(
                "videoLanguages",
                format!("at most {VIDEO_LANGUAGES_MAX} languages"),
            ));
        }
        for code in languages {
            // PeerTube's `_unknown`, as in `languageOneOf`: videos whose language is not set.
            if code != kinora_db::video_filters::UNKNOWN_LANGUAGE {
                check_language("videoLanguages", code)?;
            }
        }
        let mut unique: Vec<String> = Vec::with_capacity(languages.len());
        for code in languages {
            if !unique.contains(code) {
                unique.push(code.clone());
            }
        }
        settings.video_languages = (!unique.is_empty()).then_some(unique);
    }
    if let Some(language) = &change.language {
        check_language("language", language)?;
        settings.language = Some(language.clone());
    }
    if let Some(theme) = &change.theme {
        if theme.len() > THEME_MAX || !THEMES.contains(&theme.as_str()) {
            return Err(invalid(
                "theme",
                format!("must be one of {}", THEMES.join(", ")),
            ));
        }
        settings.theme = theme.clone();
    }
    let flags = [
        (change.p2p_enabled, &mut settings.p2p_enabled),
        (change.auto_play_video, &mut settings.auto_play_video),
        (
            change.auto_play_next_video,
            &mut settings.auto_play_next_video,
        ),
        (
            change.auto_play_next_video_playlist,
            &mut settings.auto_play_next_video_playlist,
        ),
        (
            change.videos_history_enabled,
            &mut settings.videos_history_enabled,
        ),
        (change.email_public, &mut settings.email_public),
        (
            change.no_instance_config_warning_modal,
            &mut settings.no_instance_config_warning_modal,
        ),
        (change.no_welcome_modal, &mut settings.no_welcome_modal),
        (
            change.no_account_setup_warning_modal,
            &mut settings.no_account_setup_warning_modal,
        ),
    ];
    for (given, kept) in flags {
        if let Some(value) = given {
            *kept = value;
        }
    }
    Ok(settings)
}

/// The settings of `user_id`; a user who never saved any follows the instance's defaults in
/// force (`player_auto_play`).
pub async fn find(db: &Db, user_id: i64, instance: &InstanceConfig) -> AppResult<UserPreferences> {
    let mut defaults = UserPreferences::defaults(INSTANCE_NSFW_POLICY);
    defaults.auto_play_video = instance.player_auto_play;
    Ok(kinora_db::user_preferences::find(db.pool(), user_id, defaults).await?)
}

/// Applies `change` to the caller's user: settings, profile (federated as an `Update` of the
/// account), password, e-mail address. A new password or address needs the current password
/// (checked here; the caller limits attempts); a taken address is a `Conflict`. Nothing is
/// written unless every field is right.
///
/// When `verify_new_email` is given (the instance requires verified addresses and sends
/// e-mail), a new address is not taken at once: it waits (`pendingEmail`) until the link
/// e-mailed to it is opened, and the old one stays in use.
pub async fn update(
    db: &Db,
    instance: &InstanceConfig,
    caller: &AuthenticatedUser,
    change: SettingsChange,
    verify_new_email: Option<&crate::emails::EmailContext>,
) -> AppResult<SettingsUpdated> {
    if let Some(display_name) = &change.display_name {
        check_text_length(display_name, 1, DISPLAY_NAME_MAX)
            .map_err(|error| invalid("displayName", error.to_string()))?;
    }
    if let Some(description) = change.description.as_deref().filter(|d| !d.is_empty()) {
        check_text_length(description, 3, DESCRIPTION_MAX)
            .map_err(|error| invalid("description", error.to_string()))?;
    }
    if let Some(email) = &change.email
        && !kinora_core::user::is_plausible_email(email)
    {
        return Err(invalid("email", "is not an e-mail address"));
    }
    if let Some(password) = &change.password {
        check_password(password)?;
    }
    let user = kinora_db::users::find_by_id(db.pool(), caller.user_id)
        .await?
        .ok_or(AppError::InvalidToken)?;
    if change.needs_current_password() {
        let current = change.current_password.as_deref().ok_or_else(|| {
            invalid(
                "currentPassword",
                "is needed to change the password or e-mail address",
            )
        })?;
        crate::passwords::check_current_password(current, &user.password_hash)?;
    }
    let before = find(db, user.id, instance).await?;
    let settings = apply(before.clone(), &change)?;
    let password_hash = change.password.as_deref().map(hash_password).transpose()?;
    let account = kinora_db::accounts::find_by_user(db.pool(), user.id)
        .await?
        .ok_or(AppError::NotFound("Account"))?;
    let now = now_millis();
    let mut tx = db.begin().await?;
    if settings != before {
        kinora_db::user_preferences::save(&mut tx, user.id, &settings, now).await?;
    }
    if let Some(hash) = &password_hash {
        kinora_db::users::set_password_hash(&mut tx, user.id, hash, now).await?;
    }
    if let Some(email) = &change.email
        && !email.eq_ignore_ascii_case(&user.email)
        && let Some(context) = verify_new_email
    {
        if kinora_db::users::find_by_login(&mut *tx, email)
            .await?
            .is_some_and(|other| other.id != user.id)
        {
            return Err(AppError::Conflict(
                "This e-mail address is already used.".to_owned(),
            ));
        }
        kinora_db::user_emails::set_pending(&mut tx, user.id, Some(email), now).await?;
        crate::emails::send_verification(&mut tx, context, &user, email, true).await?;
    } else if let Some(email) = &change.email
        && !email.eq_ignore_ascii_case(&user.email)
    {
        kinora_db::users::set_email(&mut tx, user.id, email, now)
            .await
            .map_err(|error| match error {
                DbError::Conflict(_) => {
                    AppError::Conflict("This e-mail address is already used.".to_owned())
                }
                other => AppError::Db(other),
            })?;
    }
    if change.display_name.is_some() || change.description.is_some() {
        let display_name = change
            .display_name
            .clone()
            .unwrap_or_else(|| account.display_name.clone());
        let description = match change.description.as_deref() {
            Some("") => None,
            Some(text) => Some(text.to_owned()),
            None => account.description.clone(),
        };
        if display_name != account.display_name || description != account.description {
            kinora_db::accounts::update_profile(
                &mut tx,
                account.id,
                &display_name,
                description.as_deref(),
                now,
            )
            .await?;
            crate::federation_events::queue(
                &mut tx,
                FederationEvent::ActorUpdated {
                    actor_id: account.actor_id,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(SettingsUpdated {
        history_turned_off: before.videos_history_enabled && !settings.videos_history_enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> UserPreferences {
        UserPreferences::defaults(INSTANCE_NSFW_POLICY)
    }

    #[test]
    fn a_change_sets_only_what_it_names() {
        let change = SettingsChange {
            nsfw_policy: Some("blur".into()),
            p2p_enabled: Some(false),
            video_languages: Some(vec!["fr".into(), "en".into(), "_unknown".into()]),
            ..SettingsChange::default()
        };
        let settings = apply(defaults(), &change).unwrap();
        assert_eq!(settings.nsfw_policy, NsfwPolicy::Blur);
        assert!(!settings.p2p_enabled);
        assert!(settings.auto_play_video);
        assert_eq!(
            settings.video_languages.as_deref(),
            Some(&["fr".to_owned(), "en".to_owned(), "_unknown".to_owned()][..])
        );
        let cleared = SettingsChange {
            video_languages: Some(Vec::new()),
            ..SettingsChange::default()
        };
        assert_eq!(apply(settings, &cleared).unwrap().video_languages, None);
    }

    #[test]
    fn wrong_values_name_their_field() {
        let cases = [
            SettingsChange {
                nsfw_policy: Some("sometimes".into()),
                ..SettingsChange::default()
            },
            SettingsChange {
                theme: Some("../../etc".into()),
                ..SettingsChange::default()
            },
            SettingsChange {
                video_languages: Some(vec!["xx-not".into()]),
                ..SettingsChange::default()
            },
            SettingsChange {
                video_languages: Some(vec!["en".into(); VIDEO_LANGUAGES_MAX + 1]),
                ..SettingsChange::default()
            },
            SettingsChange {
                language: Some("klingon".into()),
                ..SettingsChange::default()
            },
        ];
        let fields = [
            "nsfwPolicy",
            "theme",
            "videoLanguages",
            "videoLanguages",
            "language",
        ];
        for (change, expected) in cases.iter().zip(fields) {
            match apply(defaults(), change) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, expected),
                other => panic!("{change:?} gave {other:?}"),
            }
        }
    }
}
