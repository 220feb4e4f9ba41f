//! The `kinora` binary's library: configuration, the HTTP server and its layers, the
//! background workers, and the command-line commands.
//!
//! This is the composition root: it may depend on every Kinora crate except `kinora-media`
//! (the server never links libav). Start reading at [`config::Config`], then [`http::router`]
//! (how the routers and tower layers fit together), then [`serve::run`].

pub mod backup_command;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod connections;
pub mod emails;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod metrics_listener;
pub mod request_id;
pub mod scheduled_backups;
pub mod security_headers;
pub mod seeding;
pub mod serve;
pub mod storage_command;
pub mod torrents;
pub mod tracker_http;
pub mod tracker_shared;
pub mod tracker_socket;
pub mod transcoders;
