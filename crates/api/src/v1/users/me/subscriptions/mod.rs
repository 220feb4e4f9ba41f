//! `/api/v1/users/me/subscriptions`: the channels the caller follows, following and unfollowing
//! them by handle, which of some handles are followed, and the videos of those channels.
//!
//! Handles are `name` or `name@host`; a remote channel is fetched from its instance and followed
//! there.

pub mod create;
pub mod delete;
pub mod exist;
pub mod get;
pub mod list;
pub mod videos;

use kinora_app::remote::Handle;

use crate::{ApiError, ApiState};

/// The channel a handle names: `name` (here) or `name@host`; text that is no handle is a 400.
pub(crate) fn channel_handle<'a>(state: &ApiState, uri: &'a str) -> Result<Handle<'a>, ApiError> {
    Handle::parse(uri, state.host()).ok_or_else(|| {
        ApiError::invalid_field("uri", "must be a channel handle: name or name@host")
    })
}
