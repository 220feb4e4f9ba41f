//! The playlist rows of the OpenAPI table (PeerTube's video playlists, issue 18).

use super::{Access, JSON, PAGE, RouteDoc};

/// What a playlist form may be sent as (multipart carries `thumbnailfile`).
const PLAYLIST_FORM: &[&str] = &[
    "multipart/form-data",
    "application/json",
    "application/x-www-form-urlencoded",
];
/// What playlist lists read.
const PLAYLIST_LIST: &[&str] = &["start", "count", "sort", "playlistType"];
/// What an account's playlist list reads.
const ACCOUNT_PLAYLIST_LIST: &[&str] = &["start", "count", "sort", "playlistType", "search"];
/// What the playlist search reads.
const PLAYLIST_SEARCH: &[&str] = &["search", "start", "count", "sort", "host"];

/// The playlist routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/api/v1/video-playlists",
        "Video Playlists",
        "Public playlists (in a channel) of this instance and the remote ones it knows",
        Public,
        &[],
        PLAYLIST_LIST
    ),
    route!(
        "post",
        "/api/v1/video-playlists",
        "Video Playlists",
        "Create a playlist (`displayName`, `description`, `privacy`, `videoChannelId`, `thumbnailfile`); a public one needs a channel",
        Token,
        PLAYLIST_FORM
    ),
    route!(
        "get",
        "/api/v1/video-playlists/privacies",
        "Video Playlists",
        "Playlist privacy labels by id",
        Public
    ),
    route!(
        "get",
        "/api/v1/video-playlists/{playlistId}",
        "Video Playlists",
        "A playlist by id, UUID or short UUID (a private one for its owner only)",
        OptionalToken
    ),
    route!(
        "put",
        "/api/v1/video-playlists/{playlistId}",
        "Video Playlists",
        "Edit a playlist (its owner; not a Watch later)",
        Token,
        PLAYLIST_FORM
    ),
    route!(
        "delete",
        "/api/v1/video-playlists/{playlistId}",
        "Video Playlists",
        "Delete a playlist (its owner or staff; not a Watch later)",
        Token
    ),
    route!(
        "get",
        "/api/v1/video-playlists/{playlistId}/videos",
        "Video Playlists",
        "A playlist's elements in order, each video the caller may see in the Video shape",
        OptionalToken,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/video-playlists/{playlistId}/videos",
        "Video Playlists",
        "Append a video the caller may see (`videoId`, `startTimestamp`, `stopTimestamp`); at most 5,000 per playlist",
        Token,
        JSON
    ),
    route!(
        "post",
        "/api/v1/video-playlists/{playlistId}/videos/reorder",
        "Video Playlists",
        "Move `reorderLength` elements from `startPosition` to after `insertAfterPosition`",
        Token,
        JSON
    ),
    route!(
        "put",
        "/api/v1/video-playlists/{playlistId}/videos/{playlistElementId}",
        "Video Playlists",
        "Set an element's `startTimestamp` and `stopTimestamp`",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/video-playlists/{playlistId}/videos/{playlistElementId}",
        "Video Playlists",
        "Remove an element",
        Token
    ),
    route!(
        "get",
        "/api/v1/accounts/{name}/video-playlists",
        "Video Playlists",
        "An account's public playlists (all of them, Watch later included, for its owner)",
        OptionalToken,
        &[],
        ACCOUNT_PLAYLIST_LIST
    ),
    route!(
        "get",
        "/api/v1/video-channels/{name}/video-playlists",
        "Video Playlists",
        "A channel's public playlists (all of them for its owner)",
        OptionalToken,
        &[],
        PLAYLIST_LIST
    ),
    route!(
        "post",
        "/api/v1/video-channels/{name}/video-playlists/reorder",
        "Video Playlists",
        "Move `reorderLength` of the channel's playlists from `startPosition` to after `insertAfterPosition` (their `videoChannelPosition`)",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/users/me/video-playlists/videos-exist",
        "Video Playlists",
        "Where each of `videoIds` is in the caller's playlists",
        Token,
        &[],
        &["videoIds"]
    ),
    route!(
        "get",
        "/api/v1/search/video-playlists",
        "Search",
        "Public playlists whose name contains `search`",
        Public,
        &[],
        PLAYLIST_SEARCH
    ),
];

/// The playlist documents of ActivityPub and the playlist pages.
pub const DOCUMENT_ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/video-playlists/{playlistId}",
        "ActivityPub",
        "A playlist's Playlist object (`?page=N`: a page of its element ids; Accept: application/activity+json)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/video-playlists/{playlistId}/videos/{playlistElementId}",
        "ActivityPub",
        "A PlaylistElement: the video's id, its position and timestamps (Accept: application/activity+json)",
        Public
    ),
    route!(
        "get",
        "/w/p/{playlistId}",
        "Pages",
        "A playlist's page (its videos as HTML5 video elements for clients without JavaScript)",
        Public
    ),
    route!(
        "get",
        "/videos/watch/playlist/{playlistId}",
        "Pages",
        "A playlist's page, PeerTube's older URL",
        Public
    ),
];
