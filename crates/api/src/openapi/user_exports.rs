//! The rows of the OpenAPI table for user archives (issue 17; PeerTube's user export).

use super::{Access, JSON, RouteDoc};

/// The archive routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "post",
        "/api/v1/users/{id}/exports/request",
        "User Exports",
        "Ask for an archive of the user's data (`withVideoFiles`: with each video's original), \
         in PeerTube's format; the user or an administrator; one at a time (409)",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/users/{id}/exports",
        "User Exports",
        "The user's archives with their state; a complete one has a `privateDownloadUrl` \
         valid 15 minutes",
        Token,
        &[],
        &["start", "count", "sort"]
    ),
    route!(
        "delete",
        "/api/v1/users/{id}/exports/{export_id}",
        "User Exports",
        "Delete an archive and its file (409 while it is being written)",
        Token
    ),
    route!(
        "get",
        "/download/user-exports/{file}",
        "User Exports",
        "The archive (`application/zip`, with Range) for whoever holds the signed link; 403 for \
         a wrong or expired `token`",
        Public,
        &[],
        &["token"]
    ),
];
