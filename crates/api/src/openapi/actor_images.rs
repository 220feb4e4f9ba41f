//! The OpenAPI rows of avatars and banners (accounts and channels).

use super::{Access, MULTIPART, RouteDoc};

/// The routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "post",
        "/api/v1/users/me/avatar/pick",
        "My User",
        "Replace my avatar (multipart avatarfile: PNG, JPEG, WebP or GIF, re-encoded as JPEG in 1500, 600, 120 and 48 px squares)",
        Token,
        MULTIPART
    ),
    route!(
        "delete",
        "/api/v1/users/me/avatar",
        "My User",
        "Remove my avatar",
        Token
    ),
    route!(
        "post",
        "/api/v1/video-channels/{name}/avatar/pick",
        "Video Channels",
        "Replace a channel's avatar (multipart avatarfile; its owner or an administrator)",
        Token,
        MULTIPART
    ),
    route!(
        "delete",
        "/api/v1/video-channels/{name}/avatar",
        "Video Channels",
        "Remove a channel's avatar",
        Token
    ),
    route!(
        "post",
        "/api/v1/video-channels/{name}/banner/pick",
        "Video Channels",
        "Replace a channel's banner (multipart bannerfile, re-encoded as JPEG in 1920x317 and 600x100)",
        Token,
        MULTIPART
    ),
    route!(
        "delete",
        "/api/v1/video-channels/{name}/banner",
        "Video Channels",
        "Remove a channel's banner",
        Token
    ),
];
