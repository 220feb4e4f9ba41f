//! `/api/v1/users`.

pub mod ask_reset_password;
pub mod ask_send_verify_email;
pub mod block;
pub mod create;
pub mod delete;
pub mod exports;
pub mod get;
pub mod imports;
pub mod list;
pub mod me;
pub mod my_videos;
pub mod register;
pub mod registrations;
pub mod reset_password;
pub mod revoke_token;
pub mod token;
pub mod update;
pub mod verify_email;
