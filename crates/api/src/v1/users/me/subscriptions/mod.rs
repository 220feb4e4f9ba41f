//! `/api/v1/users/me/subscriptions`: the channels the caller follows, following and unfollowing
//! them by handle, which of some handles are followed, and the videos of those channels.
//!
//! Handles are `name` or `name@host`; only this instance's channels can be followed until
//! federation can fetch remote ones.

pub mod create;
pub mod delete;
pub mod exist;
pub mod get;
pub mod list;
pub mod videos;

use axum::http::StatusCode;

use crate::{ApiError, ApiState};

/// The local channel name a handle names; a remote handle, or one that is no handle, is a 400.
pub(crate) fn local_channel_name<'a>(state: &ApiState, uri: &'a str) -> Result<&'a str, ApiError> {
    let uri = uri.trim();
    let well_formed = !uri.is_empty()
        && uri.len() <= 300
        && uri.matches('@').count() <= 1
        && !uri.starts_with('@')
        && !uri.ends_with('@');
    if !well_formed {
        return Err(ApiError::invalid_field(
            "uri",
            "must be a channel handle: name or name@host",
        ));
    }
    crate::v1::local_name(state, uri).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "remote_handle_not_supported",
            format!(
                "{uri} is on another instance; following remote channels needs federation, \
                 which this instance does not offer yet"
            ),
        )
    })
}
