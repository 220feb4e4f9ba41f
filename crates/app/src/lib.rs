//! Kinora's use cases, shared by the REST API, the command line and (later) the ActivityPub
//! inbox: creating users with their account and default channel, managing channels, the OAuth
//! password and refresh grants, videos and what viewers do with them (comments, ratings, views,
//! subscriptions), and the background work those changes start.
//!
//! Every use case that changes state writes its rows and the jobs that follow from them in one
//! transaction. This crate knows nothing of HTTP or ActivityPub. It may depend on `kinora-core`,
//! `kinora-db`, `kinora-jobs` and `kinora-storage`. Start reading at [`users::create_user`], then
//! [`auth`].

pub mod abuses;
pub mod actor_images;
pub mod actors;
pub mod auth;
pub mod backup;
pub mod blocklists;
pub mod captions;
pub mod channels;
pub mod comment_reviews;
pub mod comments;
mod config;
pub mod emails;
mod error;
pub mod federation_events;
pub mod history;
pub mod instance_follows;
pub mod instance_settings;
pub mod lives;
pub mod login_limits;
pub mod media;
pub mod media_urls;
pub mod mirrors;
pub mod moderation;
pub mod moves;
pub mod notifications;
pub mod passwords;
pub mod playlists;
pub mod quotas;
pub mod ratings;
pub mod registrations;
pub mod relays;
pub mod remote;
pub mod remote_search;
pub mod storage_migration;
pub mod subscriptions;
pub mod swarms;
pub mod user_admin;
pub mod user_bans;
pub mod user_exports;
pub mod user_imports;
pub mod user_settings;
pub mod users;
pub mod video_images;
pub mod video_schedules;
pub mod video_updates;
pub mod videos;
pub mod viewers;
pub mod views;
pub mod visibility;

pub use config::ModerationConfig;
pub use config::{AuthConfig, InstanceConfig, MAX_STUN_SERVERS, P2pConfig};
pub use error::{AppError, AppResult};
pub use instance_settings::SharedInstance;
/// The storage handle use cases write through (re-exported so the HTTP layer can hold one).
pub use kinora_storage::{
    ByteRange, GeneratedName, LocalStorage, Location, MediaStorage, StorageError, StorageKey,
};
