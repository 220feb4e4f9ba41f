//! `/api/v1/accounts`.

pub mod get;
pub mod video_channels;
pub mod video_playlists;
pub mod videos;
