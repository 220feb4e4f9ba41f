//! The rows of the OpenAPI table for lives (issue 20; PeerTube's live videos).

use super::{Access, JSON, RouteDoc};

/// A live's create takes PeerTube's multipart form, or JSON as its web client sends.
const CREATE: &[&str] = &[
    "multipart/form-data",
    "application/json",
    "application/x-www-form-urlencoded",
];

/// The live routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "post",
        "/api/v1/videos/live",
        "Live Videos",
        "Create a live in one of the caller's channels, waiting for its broadcaster (state 4); \
         403 `live_not_enabled`, `live_not_allowing_replay`, `max_instance_lives_limit_reached` \
         or `max_user_lives_limit_reached` as the `[live]` section decides",
        Token,
        CREATE
    ),
    route!(
        "get",
        "/api/v1/videos/live/{id}",
        "Live Videos",
        "A live's settings; its stream key and RTMP URL for its owner and staff only",
        OptionalToken
    ),
    route!(
        "put",
        "/api/v1/videos/live/{id}",
        "Live Videos",
        "Change a live's settings while it waits for its broadcaster (owner or staff); 400 \
         `live_already_started` once it is on the air",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/videos/live/{id}/sessions",
        "Live Videos",
        "The live's broadcasts, newest first (owner or staff)",
        Token
    ),
    route!(
        "get",
        "/api/v1/videos/{id}/live-session",
        "Live Videos",
        "The broadcast a replay was made of (404 for a video that is not a replay)",
        OptionalToken
    ),
];
