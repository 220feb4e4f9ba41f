//! The rows of the OpenAPI table for user archives (issue 17; PeerTube's user export and
//! import).

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
    route!(
        "post",
        "/api/v1/users/{id}/imports/import-resumable",
        "User Imports",
        "Open the resumable upload of an archive to import into the user's account \
         (`filename`; `X-Upload-Content-Length` and `X-Upload-Content-Type` headers): 201 and \
         `Location`; the user or an administrator; one import at a time (409); 413 beyond the \
         user's quota",
        Token,
        JSON
    ),
    route!(
        "put",
        "/api/v1/users/{id}/imports/import-resumable",
        "User Imports",
        "A chunk of the archive (`Content-Range`): 308 with `Range` until the last, then 204 \
         (the import is queued); 415 when the file is not a ZIP",
        Token,
        &[],
        &["upload_id"]
    ),
    route!(
        "delete",
        "/api/v1/users/{id}/imports/import-resumable",
        "User Imports",
        "Cancel the upload of an archive",
        Token,
        &[],
        &["upload_id"]
    ),
    route!(
        "get",
        "/api/v1/users/{id}/imports/latest",
        "User Imports",
        "The user's latest import: its state, `error`, and `resultSummary.stats` (success, \
         duplicates, errors of channels, videos, playlists, subscriptions)",
        Token
    ),
];
