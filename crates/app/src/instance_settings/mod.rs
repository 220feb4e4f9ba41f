//! The instance settings that may change at run time (PeerTube's "custom configuration"): the
//! name, descriptions, rules, who may register and the default quotas of `[instance]`.
//!
//! Readers hold a [`SharedInstance`] and take the current settings with
//! [`SharedInstance::current`], an atomically swapped snapshot ([`arc_swap`]): a change is seen
//! by the next request, without a restart. What an administrator changed is stored as JSON in
//! `custom_config` (`kinora_db::custom_config`) and laid over the file's `[instance]` values at
//! start ([`SharedInstance::load`]) and read again now and then ([`SharedInstance::refresh`],
//! for servers sharing one database); [`reset`] forgets it. Start reading at [`update`].

use std::sync::Arc;

use arc_swap::ArcSwap;
use kinora_core::RegistrationMode;
use kinora_db::Db;
use serde_json::{Map, Value};

use crate::auth::AuthenticatedUser;
use crate::{AppResult, InstanceConfig};

mod validate;

pub use validate::{
    CHANNELS_MAX, LIST_MAX, NAME_MAX, QUOTA_MAX, SHORT_DESCRIPTION_MAX, TEXT_MAX, validate,
};

/// The `[instance]` keys an administrator may change at run time, as stored.
pub const EDITABLE_KEYS: &[&str] = &[
    "name",
    "short_description",
    "description",
    "terms",
    "code_of_conduct",
    "moderation_information",
    "administrator",
    "creation_reason",
    "maintenance_lifetime",
    "business_model",
    "hardware_information",
    "languages",
    "categories",
    "registration",
    "signup_requires_email_verification",
    "default_video_quota",
    "default_video_quota_daily",
    "max_channels_per_user",
    "transcoding_resolutions",
    "player_auto_play",
];

/// The file's `[instance]` section and the settings in force, shared by every reader.
#[derive(Clone)]
pub struct SharedInstance {
    inner: Arc<Inner>,
}

struct Inner {
    file: InstanceConfig,
    current: ArcSwap<InstanceConfig>,
    writes: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for SharedInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedInstance")
            .field("current", &self.current())
            .finish_non_exhaustive()
    }
}

impl SharedInstance {
    /// The file's values, nothing changed at run time (tests, commands that only read).
    pub fn new(file: InstanceConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                current: ArcSwap::from_pointee(file.clone()),
                file,
                writes: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The file's values with the administrator's stored changes laid over them.
    pub async fn load(db: &Db, file: InstanceConfig) -> AppResult<Self> {
        let shared = Self::new(file);
        shared.refresh(db).await?;
        Ok(shared)
    }

    /// The settings in force now (a snapshot: later changes do not alter it).
    pub fn current(&self) -> Arc<InstanceConfig> {
        self.inner.current.load_full()
    }

    /// The configuration file's `[instance]` values.
    pub fn file(&self) -> &InstanceConfig {
        &self.inner.file
    }

    /// Reads the stored changes again (another server process may have written them).
    pub async fn refresh(&self, db: &Db) -> AppResult<()> {
        let _writing = self.inner.writes.lock().await;
        let stored = kinora_db::custom_config::read(db.pool()).await?;
        let settings = match stored {
            Some(text) => overlay(&self.inner.file, &text),
            None => self.inner.file.clone(),
        };
        self.inner.current.store(Arc::new(settings));
        Ok(())
    }
}

/// What an administrator asks to change; `None` keeps the value in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    /// The instance's name.
    pub name: Option<String>,
    /// One line about the instance.
    pub short_description: Option<String>,
    /// The long description.
    pub description: Option<String>,
    /// The rules.
    pub terms: Option<String>,
    /// The code of conduct.
    pub code_of_conduct: Option<String>,
    /// How moderation works.
    pub moderation_information: Option<String>,
    /// Who runs the instance.
    pub administrator: Option<String>,
    /// Why it was made.
    pub creation_reason: Option<String>,
    /// How long it is meant to run.
    pub maintenance_lifetime: Option<String>,
    /// How it is paid for.
    pub business_model: Option<String>,
    /// Its machine.
    pub hardware_information: Option<String>,
    /// Language codes.
    pub languages: Option<Vec<String>>,
    /// Category ids.
    pub categories: Option<Vec<i64>>,
    /// Who may register.
    pub registration: Option<RegistrationMode>,
    /// Whether new users verify their address first.
    pub signup_requires_email_verification: Option<bool>,
    /// Default quota of new users, bytes (-1: none).
    pub default_video_quota: Option<i64>,
    /// Default daily quota of new users, bytes (-1: none).
    pub default_video_quota_daily: Option<i64>,
    /// Most channels per user.
    pub max_channels_per_user: Option<i64>,
    /// The standard resolutions new uploads are transcoded to below their own.
    pub transcoding_resolutions: Option<Vec<u32>>,
    /// Whether videos start by themselves for visitors and users who never chose.
    pub player_auto_play: Option<bool>,
}

impl SettingsChange {
    /// `current` with this change applied.
    fn apply(self, current: &InstanceConfig) -> InstanceConfig {
        let mut next = current.clone();
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(value) = self.$field { next.$field = value; } )* };
        }
        set!(
            name,
            short_description,
            description,
            terms,
            code_of_conduct,
            moderation_information,
            administrator,
            creation_reason,
            maintenance_lifetime,
            business_model,
            hardware_information,
            languages,
            categories,
            registration,
            signup_requires_email_verification,
            default_video_quota,
            default_video_quota_daily,
            max_channels_per_user,
            transcoding_resolutions,
            player_auto_play
        );
        next
    }
}

/// Changes the settings (administrators only): checks every field, stores the result and puts
/// it in force at once. A refused change stores and changes nothing.
pub async fn update(
    db: &Db,
    shared: &SharedInstance,
    user: &AuthenticatedUser,
    change: SettingsChange,
) -> AppResult<Arc<InstanceConfig>> {
    user.ensure_admin("see and change the instance's configuration")?;
    let _writing = shared.inner.writes.lock().await;
    let next = change.apply(&shared.current());
    validate(&next)?;
    kinora_db::custom_config::write(db.pool(), &stored_json(&next)).await?;
    let next = Arc::new(next);
    shared.inner.current.store(next.clone());
    tracing::info!(by = %user.username, "instance settings changed");
    Ok(next)
}

/// Forgets every run-time change (administrators only): the file's values apply again at once.
pub async fn reset(
    db: &Db,
    shared: &SharedInstance,
    user: &AuthenticatedUser,
) -> AppResult<Arc<InstanceConfig>> {
    user.ensure_admin("see and change the instance's configuration")?;
    let _writing = shared.inner.writes.lock().await;
    kinora_db::custom_config::delete(db.pool()).await?;
    let file = Arc::new(shared.inner.file.clone());
    shared.inner.current.store(file.clone());
    tracing::info!(by = %user.username, "instance settings reset to the configuration file");
    Ok(file)
}

/// The editable keys of `settings`, as stored.
fn stored_json(settings: &InstanceConfig) -> String {
    let Ok(Value::Object(all)) = serde_json::to_value(settings) else {
        unreachable!("InstanceConfig serializes to an object")
    };
    let editable: Map<String, Value> = all
        .into_iter()
        .filter(|(key, _)| EDITABLE_KEYS.contains(&key.as_str()))
        .collect();
    Value::Object(editable).to_string()
}

/// The file's values with the stored editable keys laid over them. Stored JSON that cannot be
/// read (written by another version, say) is logged and the file's values are kept.
fn overlay(file: &InstanceConfig, stored: &str) -> InstanceConfig {
    let Ok(Value::Object(mut merged)) = serde_json::to_value(file) else {
        unreachable!("InstanceConfig serializes to an object")
    };
    match serde_json::from_str::<Map<String, Value>>(stored) {
        Ok(changes) => {
            for (key, value) in changes {
                if EDITABLE_KEYS.contains(&key.as_str()) {
                    merged.insert(key, value);
                }
            }
        }
        Err(error) => {
            tracing::error!(%error, "the stored instance settings are not JSON; using the file's");
            return file.clone();
        }
    }
    match serde_json::from_value::<InstanceConfig>(Value::Object(merged)) {
        Ok(settings) if validate(&settings).is_ok() => settings,
        Ok(_) | Err(_) => {
            tracing::error!("the stored instance settings are not valid; using the file's");
            file.clone()
        }
    }
}

#[cfg(test)]
mod tests;
