//! `/api/v1/video-channels`.

pub mod create;
pub mod delete;
pub mod get;
pub mod images;
pub mod update;
pub mod video_playlists;
pub mod videos;
