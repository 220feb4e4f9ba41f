//! `/api/v1/users`.

pub mod block;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod me;
pub mod my_videos;
pub mod register;
pub mod registrations;
pub mod revoke_token;
pub mod token;
pub mod update;
