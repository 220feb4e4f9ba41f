//! `/api/v1/users`.

pub mod create;
pub mod me;
pub mod my_videos;
pub mod register;
pub mod registrations;
pub mod revoke_token;
pub mod token;
