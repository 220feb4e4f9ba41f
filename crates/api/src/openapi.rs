//! `GET /api/v1/openapi.json`: an OpenAPI 3.0 document of Kinora's HTTP API, built from one
//! table of routes ([`ROUTES`], and [`moderation::ROUTES`] for reports, blocks, bans and mutes). A test sends a request to every route of the table and checks
//! the router knows it, so the document cannot name a route that does not exist.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use crate::ApiState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// Anyone; a bearer token may show more (e.g. the caller's private videos).
    OptionalToken,
    /// A bearer token is required.
    Token,
}

/// One documented route.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    /// `get`, `post`, `put` or `delete`.
    pub method: &'static str,
    /// The path with `{parameters}`.
    pub path: &'static str,
    /// The group it is listed under.
    pub tag: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The body's media types, if it takes one.
    pub body: &'static [&'static str],
    /// Query parameters it reads.
    pub query: &'static [&'static str],
}

const JSON: &[&str] = &["application/json", "application/x-www-form-urlencoded"];
const FORM: &[&str] = &["application/x-www-form-urlencoded"];
const MULTIPART: &[&str] = &["multipart/form-data"];
const EDIT: &[&str] = &[
    "multipart/form-data",
    "application/json",
    "application/x-www-form-urlencoded",
];
const PAGE: &[&str] = &["start", "count", "sort"];
/// What every video list reads (`v1/videos/list_params.rs`).
const VIDEO_LIST: &[&str] = &[
    "start",
    "count",
    "sort",
    "search",
    "isLocal",
    "categoryOneOf",
    "licenceOneOf",
    "languageOneOf",
    "tagsOneOf",
    "tagsAllOf",
    "nsfw",
    "isLive",
    "hasHLSFiles",
    "hasWebVideoFiles",
    "privacyOneOf",
    "skipCount",
    "host",
    "include",
    "autoTagOneOf",
    "excludeAlreadyWatched",
    "nsfwFlagsIncluded",
    "nsfwFlagsExcluded",
];
/// What the video search reads: [`VIDEO_LIST`] and the duration and date ranges.
const VIDEO_SEARCH: &[&str] = &joined::<28>(
    VIDEO_LIST,
    &[
        "durationMin",
        "durationMax",
        "startDate",
        "endDate",
        "originallyPublishedStartDate",
        "originallyPublishedEndDate",
    ],
);

/// `first` then `second`, as one array of exactly `N` names (checked when compiling).
const fn joined<const N: usize>(
    first: &[&'static str],
    second: &[&'static str],
) -> [&'static str; N] {
    assert!(
        first.len() + second.len() == N,
        "N is the sum of both lengths"
    );
    let mut names = [""; N];
    let mut index = 0;
    while index < first.len() {
        names[index] = first[index];
        index += 1;
    }
    let mut next = 0;
    while next < second.len() {
        names[index + next] = second[next];
        next += 1;
    }
    names
}

macro_rules! route {
    ($method:literal, $path:literal, $tag:literal, $summary:literal, $access:ident) => {
        route!($method, $path, $tag, $summary, $access, &[], &[])
    };
    ($method:literal, $path:literal, $tag:literal, $summary:literal, $access:ident, $body:expr) => {
        route!($method, $path, $tag, $summary, $access, $body, &[])
    };
    ($method:literal, $path:literal, $tag:literal, $summary:literal, $access:ident, $body:expr, $query:expr) => {
        RouteDoc {
            method: $method,
            path: $path,
            tag: $tag,
            summary: $summary,
            access: Access::$access,
            body: $body,
            query: $query,
        }
    };
}

mod account_emails;
mod actor_images;
mod actor_moves;
mod captions;
mod downloads;
mod instance_pages;
mod lives;
mod moderation;
mod my_user;
mod playlists;
mod relays;
mod user_exports;

/// Every documented route: [`ROUTES`], then the moderation routes of [`moderation::ROUTES`]
/// and the relay routes of [`relays::ROUTES`], the caption and chapter routes of
/// [`captions::ROUTES`].
fn all_routes() -> impl Iterator<Item = &'static RouteDoc> {
    ROUTES
        .iter()
        .chain(moderation::ROUTES)
        .chain(relays::ROUTES)
        .chain(captions::ROUTES)
        .chain(instance_pages::ROUTES)
        .chain(playlists::ROUTES)
        .chain(playlists::DOCUMENT_ROUTES)
        .chain(actor_images::ROUTES)
        .chain(my_user::ROUTES)
        .chain(downloads::ROUTES)
        .chain(account_emails::ROUTES)
        .chain(actor_moves::ROUTES)
        .chain(user_exports::ROUTES)
        .chain(lives::ROUTES)
}

/// Every route of the API but moderation's, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/api/v1/config",
        "Config",
        "The instance's public configuration",
        Public
    ),
    route!(
        "get",
        "/api/v1/openapi.json",
        "Config",
        "This document",
        Public
    ),
    route!(
        "get",
        "/api/v1/oauth-clients/local",
        "Session",
        "The local OAuth client (only for the instance's own host)",
        Public
    ),
    route!(
        "post",
        "/api/v1/users/token",
        "Session",
        "Log in (password grant) or refresh a token",
        Public,
        FORM
    ),
    route!(
        "post",
        "/api/v1/users/revoke-token",
        "Session",
        "Log out: revoke the token",
        Token
    ),
    route!(
        "post",
        "/api/v1/users",
        "Users",
        "Create a user (administrators)",
        Token,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/register",
        "Users",
        "Register (when registration is open or by approval)",
        Public,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/registrations/{id}/accept",
        "Users",
        "Accept a registration request; the user is told by e-mail with `moderationResponse` unless `preventEmailDelivery`",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/users/me",
        "My user",
        "The caller's user, account and channels",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/videos",
        "My user",
        "The caller's videos, every privacy and state",
        Token,
        &[],
        VIDEO_LIST
    ),
    route!(
        "get",
        "/api/v1/users/me/videos/{id}/rating",
        "My user",
        "The caller's rating of a video",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/subscriptions",
        "My subscriptions",
        "Channels the caller follows",
        Token,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/users/me/subscriptions",
        "My subscriptions",
        "Follow a channel (`uri`: name@host)",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/users/me/subscriptions/exist",
        "My subscriptions",
        "Whether the caller follows each of `uris`",
        Token,
        &[],
        &["uris"]
    ),
    route!(
        "get",
        "/api/v1/users/me/subscriptions/videos",
        "My subscriptions",
        "Videos of the channels the caller follows",
        Token,
        &[],
        PAGE
    ),
    route!(
        "get",
        "/api/v1/users/me/subscriptions/{subscriptionHandle}",
        "My subscriptions",
        "A channel the caller follows",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/video-quota-used",
        "My user",
        "Bytes used of the caller's video quotas, in all and over the last 24 hours",
        Token
    ),
    route!(
        "delete",
        "/api/v1/users/me/subscriptions/{subscriptionHandle}",
        "My subscriptions",
        "Stop following a channel",
        Token
    ),
    route!(
        "get",
        "/api/v1/accounts/{name}",
        "Accounts",
        "An account",
        Public
    ),
    route!(
        "get",
        "/api/v1/accounts/{name}/videos",
        "Accounts",
        "An account's public videos",
        Public,
        &[],
        VIDEO_LIST
    ),
    route!(
        "get",
        "/api/v1/accounts/{name}/video-channels",
        "Accounts",
        "An account's channels",
        Public
    ),
    route!(
        "post",
        "/api/v1/video-channels",
        "Video channels",
        "Create a channel",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/video-channels/{name}",
        "Video channels",
        "A channel",
        Public
    ),
    route!(
        "put",
        "/api/v1/video-channels/{name}",
        "Video channels",
        "Update a channel (its owner)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/video-channels/{name}",
        "Video channels",
        "Delete a channel (its owner; not the last one)",
        Token
    ),
    route!(
        "get",
        "/api/v1/video-channels/{name}/videos",
        "Video channels",
        "A channel's public videos",
        Public,
        &[],
        VIDEO_LIST
    ),
    route!(
        "get",
        "/api/v1/videos",
        "Videos",
        "Public videos of the instance",
        Public,
        &[],
        VIDEO_LIST
    ),
    route!(
        "get",
        "/api/v1/videos/categories",
        "Videos",
        "Video categories: an object from id to label",
        Public
    ),
    route!(
        "get",
        "/api/v1/videos/licences",
        "Videos",
        "Video licences: an object from id to label",
        Public
    ),
    route!(
        "get",
        "/api/v1/videos/languages",
        "Videos",
        "Video languages: an object from code to English name",
        Public
    ),
    route!(
        "get",
        "/api/v1/videos/privacies",
        "Videos",
        "Video privacies: an object from id to label",
        Public
    ),
    route!(
        "post",
        "/api/v1/videos/upload",
        "Video upload",
        "Upload a video in one request",
        Token,
        MULTIPART
    ),
    route!(
        "post",
        "/api/v1/videos/upload-resumable",
        "Video upload",
        "Start a resumable upload",
        Token,
        JSON
    ),
    route!(
        "put",
        "/api/v1/videos/upload-resumable",
        "Video upload",
        "Send a chunk of a resumable upload (Content-Range)",
        Token,
        &["application/octet-stream"],
        &["upload_id"]
    ),
    route!(
        "delete",
        "/api/v1/videos/upload-resumable",
        "Video upload",
        "Cancel a resumable upload",
        Token,
        &[],
        &["upload_id"]
    ),
    route!(
        "get",
        "/api/v1/videos/{id}",
        "Videos",
        "A video (id, UUID or short UUID)",
        OptionalToken
    ),
    route!(
        "put",
        "/api/v1/videos/{id}",
        "Videos",
        "Update a video (its owner), with an optional thumbnailfile or previewfile",
        Token,
        EDIT
    ),
    route!(
        "delete",
        "/api/v1/videos/{id}",
        "Videos",
        "Delete a video and all its files (its owner)",
        Token
    ),
    route!(
        "get",
        "/api/v1/videos/{id}/description",
        "Videos",
        "A video's whole description",
        OptionalToken
    ),
    route!(
        "get",
        "/api/v1/videos/{id}/storyboards",
        "Videos",
        "A video's storyboard sprite",
        OptionalToken
    ),
    route!(
        "put",
        "/api/v1/videos/{id}/rate",
        "Video rates",
        "Like, dislike or clear the caller's rating",
        Token,
        JSON
    ),
    route!(
        "post",
        "/api/v1/videos/{id}/views",
        "Videos",
        "Count a view (once per viewer per window)",
        OptionalToken,
        JSON
    ),
    route!(
        "get",
        "/api/v1/videos/{id}/comment-threads",
        "Video comments",
        "Comment threads of a video",
        OptionalToken,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/videos/{id}/comment-threads",
        "Video comments",
        "Start a comment thread",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/videos/{id}/comment-threads/{threadId}",
        "Video comments",
        "A comment thread with its replies",
        OptionalToken
    ),
    route!(
        "post",
        "/api/v1/videos/{id}/comments/{commentId}",
        "Video comments",
        "Reply to a comment",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/videos/{id}/comments/{commentId}",
        "Video comments",
        "Delete a comment (a tombstone stays for its replies)",
        Token
    ),
    route!(
        "post",
        "/api/v1/videos/{id}/comments/{commentId}/approve",
        "Video comments",
        "Approve a comment held for review (video owner or moderators)",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/videos/comments",
        "Video comments",
        "Comments on the caller's videos (the review queue with isHeldForReview=true)",
        Token,
        &[],
        &[
            "start",
            "count",
            "sort",
            "search",
            "searchAccount",
            "searchVideo",
            "videoId",
            "videoChannelId",
            "isHeldForReview"
        ]
    ),
    route!(
        "post",
        "/api/v1/bulk/remove-comments-of",
        "Video comments",
        "Remove every comment of an account, on the caller's videos or the whole instance",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/search/videos",
        "Search",
        "Search public videos by name and tags, or one video by its URL (fetched from its instance when search.remote_uri allows the caller)",
        Public,
        &[],
        VIDEO_SEARCH
    ),
    route!(
        "get",
        "/api/v1/search/video-channels",
        "Search",
        "Search local channels by name, or one channel by handle (name@host) or URL (fetched from its instance when search.remote_uri allows the caller)",
        Public,
        &[],
        &["search", "start", "count"]
    ),
    route!(
        "get",
        "/feeds/videos.xml",
        "Feeds",
        "RSS 2.0 (or Atom with format=atom) of public videos",
        Public,
        &[],
        &["videoChannelId", "accountId", "format"]
    ),
    route!(
        "get",
        "/feeds/videos.atom",
        "Feeds",
        "Atom feed of public videos",
        Public,
        &[],
        &["videoChannelId", "accountId"]
    ),
    route!(
        "get",
        "/services/oembed",
        "Feeds",
        "oEmbed (JSON) for a watch page URL",
        Public,
        &[],
        &["url", "format", "maxwidth", "maxheight"]
    ),
    route!(
        "get",
        "/static/streaming-playlists/hls/{videoUUID}/{file}",
        "Static files",
        "HLS playlists, fragmented MP4 and segment hashes (Range)",
        OptionalToken
    ),
    route!(
        "get",
        "/static/redundancy/hls/{videoUUID}/{file}",
        "Static files",
        "This instance's mirror of a remote video's HLS files (Range)",
        OptionalToken
    ),
    route!(
        "get",
        "/lazy-static/{kind}/{file}",
        "Static files",
        "Thumbnails, previews, storyboards, torrents, avatars and banners",
        OptionalToken
    ),
    route!(
        "get",
        "/download/torrents/{file}",
        "Static files",
        "A torrent file, as an attachment",
        OptionalToken
    ),
    route!(
        "get",
        "/download/original-video-files/{videoUUID}",
        "Static files",
        "The uploaded file (its owner and staff)",
        Token
    ),
    route!(
        "get",
        "/tracker/announce",
        "Peer-to-peer",
        "The HTTP BitTorrent tracker (BEP 3; bencoded answers)",
        Public,
        &[],
        &[
            "info_hash",
            "peer_id",
            "port",
            "left",
            "event",
            "numwant",
            "compact"
        ]
    ),
    route!(
        "get",
        "/tracker/socket",
        "Peer-to-peer",
        "The WebTorrent WebSocket tracker (upgrade to a WebSocket)",
        Public
    ),
    route!(
        "get",
        "/api/v1/server/following",
        "Federation",
        "Instances, channels and accounts this instance follows",
        Public,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/server/following",
        "Federation",
        "Follow instances (`hosts`) and channels or accounts (`handles`); administrators",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/server/following/{hostOrHandle}",
        "Federation",
        "Stop following an instance or a handle; administrators",
        Token
    ),
    route!(
        "get",
        "/api/v1/server/followers",
        "Federation",
        "Who follows this instance",
        Public,
        &[],
        PAGE
    ),
    route!(
        "delete",
        "/api/v1/server/followers/{handle}",
        "Federation",
        "Remove a follower of this instance (it is sent a Reject); administrators",
        Token
    ),
    route!(
        "put",
        "/api/v1/server/redundancy/{host}",
        "Federation",
        "Mirror the videos of a followed instance here (`redundancyAllowed`); administrators",
        Token,
        JSON
    ),
    route!(
        "get",
        "/.well-known/webfinger",
        "Discovery",
        "WebFinger for local accounts, channels and the instance actor",
        Public,
        &[],
        &["resource"]
    ),
    route!(
        "get",
        "/.well-known/host-meta",
        "Discovery",
        "Host metadata (XRD) with the WebFinger template",
        Public
    ),
    route!(
        "get",
        "/.well-known/nodeinfo",
        "Discovery",
        "Where the NodeInfo document is",
        Public
    ),
    route!(
        "get",
        "/nodeinfo/2.0.json",
        "Discovery",
        "NodeInfo 2.0 (software kinora, usage counts)",
        Public
    ),
    route!(
        "get",
        "/accounts/{name}",
        "ActivityPub",
        "An account's Person, or the instance's Application at /accounts/peertube (Accept: application/activity+json; browsers are sent to /a/{name})",
        Public
    ),
    route!(
        "get",
        "/accounts/{name}/outbox",
        "ActivityPub",
        "An account's public Create and Announce activities (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/accounts/{name}/followers",
        "ActivityPub",
        "An account's accepted followers (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/accounts/{name}/following",
        "ActivityPub",
        "An account's accepted follows (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/video-channels/{name}",
        "ActivityPub",
        "A channel's Group (Accept: application/activity+json; browsers are sent to /c/{name})",
        Public
    ),
    route!(
        "get",
        "/video-channels/{name}/outbox",
        "ActivityPub",
        "A channel's public Create and Announce activities (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/video-channels/{name}/followers",
        "ActivityPub",
        "A channel's accepted followers (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/video-channels/{name}/following",
        "ActivityPub",
        "A channel's accepted follows (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/videos/watch/{id}",
        "ActivityPub",
        "A video's Video object (Accept: application/activity+json; browsers get the watch page)",
        Public
    ),
    route!(
        "get",
        "/videos/watch/{id}/comments",
        "ActivityPub",
        "A video's comments (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/videos/watch/{id}/likes",
        "ActivityPub",
        "A video's likes (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/videos/watch/{id}/dislikes",
        "ActivityPub",
        "A video's dislikes (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/videos/watch/{id}/announces",
        "ActivityPub",
        "A video's announces (shares) (OrderedCollection, 10 items a page)",
        Public,
        &[],
        &["page"]
    ),
    route!(
        "get",
        "/videos/watch/{id}/comments/{commentId}",
        "ActivityPub",
        "A comment's Note, or its Tombstone once deleted",
        Public
    ),
];

fn operation(route: &RouteDoc) -> Value {
    let mut parameters: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    parameters.extend(route.query.iter().map(|name| {
        json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" } })
    }));
    let mut operation = json!({
        "tags": [route.tag],
        "summary": route.summary,
        "parameters": parameters,
        "responses": {
            "2XX": { "description": "Success" },
            "4XX": {
                "description": "Refused: the problem says why (`invalid-params` names the fields)",
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
            }
        }
    });
    if !route.body.is_empty() {
        let content: Map<String, Value> = route
            .body
            .iter()
            .map(|media| {
                (
                    (*media).to_owned(),
                    json!({ "schema": { "type": "object" } }),
                )
            })
            .collect();
        operation["requestBody"] = json!({ "content": content });
    }
    match route.access {
        Access::Public => {}
        Access::OptionalToken => operation["security"] = json!([{}, { "OAuth2": [] }]),
        Access::Token => operation["security"] = json!([{ "OAuth2": [] }]),
    }
    operation
}

/// The document for an instance at `public_url`.
pub fn document(public_url: &str) -> Value {
    let mut paths = Map::new();
    for route in all_routes() {
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method] = operation(route);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Kinora API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "PeerTube-compatible REST API of a Kinora instance. Errors are application/problem+json with a stable `code`.",
            "license": { "name": "AGPL-3.0-or-later" }
        },
        "servers": [{ "url": public_url }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "OAuth2": {
                    "type": "oauth2",
                    "flows": { "password": { "tokenUrl": "/api/v1/users/token", "refreshUrl": "/api/v1/users/token", "scopes": {} } }
                }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": { "type": "string" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                        "code": { "type": "string" },
                        "invalid-params": { "type": "object" }
                    }
                }
            }
        }
    })
}

/// Answers the document.
pub async fn get_openapi(State(state): State<ApiState>) -> Json<Value> {
    Json(document(&state.public_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_once_with_its_path_parameters() {
        let doc = document("http://localhost:9000");
        let mut seen = std::collections::HashSet::new();
        for route in all_routes() {
            assert!(
                seen.insert((route.method, route.path)),
                "{} {} twice",
                route.method,
                route.path
            );
            let op = &doc["paths"][route.path][route.method];
            let braces = route.path.matches('{').count();
            let path_params = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .count();
            assert_eq!(braces, path_params, "{}", route.path);
        }
        assert_eq!(doc["openapi"], "3.0.3");
    }
}
