//! The rows of the OpenAPI table for a user's own settings and watch history, and staff editing
//! a user (PeerTube's `My User`, `My History` and `Users` operations).

use super::{Access, JSON, RouteDoc};

/// `beforeDate` of the history's removal: JSON, a form, or multipart as PeerTube documents it.
const TEXT_FIELDS: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// The routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "put",
        "/api/v1/users/me",
        "My user",
        "Change the caller's settings (NSFW policy, P2P, autoplay, history, video languages, theme), display name and description, or password and e-mail address (these two with `currentPassword`)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/users/me",
        "My user",
        "Delete the caller's own user with their account, channels, videos and comments; other instances are told (root cannot)",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/notifications",
        "My Notifications",
        "The caller's notifications, newest first (`sort=createdAt`: oldest), `unread`, `typeOneOf`; with an ETag (304 while nothing changed)",
        Token,
        &[],
        &["start", "count", "sort", "unread", "typeOneOf"]
    ),
    route!(
        "post",
        "/api/v1/users/me/notifications/read",
        "My Notifications",
        "Mark notifications read (`ids`, at most 100)",
        Token,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/me/notifications/read-all",
        "My Notifications",
        "Mark every notification read",
        Token
    ),
    route!(
        "put",
        "/api/v1/users/me/notification-settings",
        "My Notifications",
        "Change notification settings: any of PeerTube's, each 0 (none), 1 (web), 2 (e-mail) or 3 (both)",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/users/me/history/videos",
        "My History",
        "The videos the caller watched, the latest first, each with `userHistory.currentTime`",
        Token,
        &[],
        &["start", "count", "search"]
    ),
    route!(
        "delete",
        "/api/v1/users/me/history/videos/{videoId}",
        "My History",
        "Forget one video of the caller's history",
        Token
    ),
    route!(
        "post",
        "/api/v1/users/me/history/videos/remove",
        "My History",
        "Forget the caller's history, or what was watched before `beforeDate`",
        Token,
        TEXT_FIELDS
    ),
    route!(
        "put",
        "/api/v1/videos/{id}/watching",
        "Video",
        "Keep the caller's position in a video (`currentTime`, seconds; PeerTube's older route, `POST /api/v1/videos/{id}/views` does the same)",
        Token,
        JSON
    ),
    route!(
        "put",
        "/api/v1/users/{id}",
        "Users",
        "Change a user's role, quotas, e-mail address or password (administrators any user, moderators plain users; root keeps its role)",
        Token,
        JSON
    ),
];
