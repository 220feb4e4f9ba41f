//! The moderation rows of the OpenAPI table: abuse reports, video blocks, user bans and
//! deletion, mutes (per user and per instance) and their status.

use super::{Access, JSON, PAGE, RouteDoc};

/// The moderation routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "post",
        "/api/v1/abuses",
        "Abuses",
        "Report a video, a comment or an account",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/abuses",
        "Abuses",
        "List abuse reports (moderators and administrators)",
        Token,
        &[],
        &[
            "start",
            "count",
            "sort",
            "id",
            "state",
            "filter",
            "predefinedReason",
            "search",
            "searchReporter",
            "searchReportee",
            "searchVideo",
            "videoIs"
        ]
    ),
    route!(
        "put",
        "/api/v1/abuses/{id}",
        "Abuses",
        "Change an abuse report's state or moderation comment (moderators)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/abuses/{id}",
        "Abuses",
        "Delete an abuse report (moderators)",
        Token
    ),
    route!(
        "get",
        "/api/v1/abuses/{id}/messages",
        "Abuses",
        "The messages between a report's reporter and the moderators",
        Token
    ),
    route!(
        "post",
        "/api/v1/abuses/{id}/messages",
        "Abuses",
        "Write to the reporter or the moderators of a report",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/abuses/{id}/messages/{messageId}",
        "Abuses",
        "Delete a message of a report's conversation",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/abuses",
        "Abuses",
        "The abuse reports the caller filed",
        Token,
        &[],
        &["start", "count", "sort", "id", "state", "search"]
    ),
    route!(
        "get",
        "/api/v1/videos/blacklist",
        "Video blocks",
        "Blocked videos (staff)",
        Token,
        &[],
        &["type", "search", "start", "count", "sort"]
    ),
    route!(
        "post",
        "/api/v1/videos/{id}/blacklist",
        "Video blocks",
        "Block a video (staff; `reason`, `unfederate`)",
        Token,
        JSON
    ),
    route!(
        "put",
        "/api/v1/videos/{id}/blacklist",
        "Video blocks",
        "Change a block's reason (staff)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/videos/{id}/blacklist",
        "Video blocks",
        "Unblock a video (staff)",
        Token
    ),
    route!(
        "get",
        "/api/v1/users",
        "Users",
        "Users (staff)",
        Token,
        &[],
        &["blocked", "search", "start", "count"]
    ),
    route!(
        "get",
        "/api/v1/users/{id}",
        "Users",
        "A user (staff)",
        Token
    ),
    route!(
        "delete",
        "/api/v1/users/{id}",
        "Users",
        "Delete a user with their channels, videos and comments (staff)",
        Token
    ),
    route!(
        "post",
        "/api/v1/users/{id}/block",
        "Users",
        "Ban a user (staff; `reason`)",
        Token,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/{id}/unblock",
        "Users",
        "Let a banned user back in (staff)",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/blocklist/accounts",
        "My blocklist",
        "Accounts muted: the caller's list",
        Token,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/users/me/blocklist/accounts",
        "My blocklist",
        "Mute an account (`accountName`: name or name@host)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/users/me/blocklist/accounts/{accountName}",
        "My blocklist",
        "Unmute an account",
        Token
    ),
    route!(
        "get",
        "/api/v1/users/me/blocklist/servers",
        "My blocklist",
        "Servers muted: the caller's list",
        Token,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/users/me/blocklist/servers",
        "My blocklist",
        "Mute a server (`host`)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/users/me/blocklist/servers/{host}",
        "My blocklist",
        "Unmute a server",
        Token
    ),
    route!(
        "get",
        "/api/v1/server/blocklist/accounts",
        "Server blocklist",
        "Accounts muted: the instance's (moderators) list",
        Token,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/server/blocklist/accounts",
        "Server blocklist",
        "Mute an account (`accountName`: name or name@host)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/server/blocklist/accounts/{accountName}",
        "Server blocklist",
        "Unmute an account",
        Token
    ),
    route!(
        "get",
        "/api/v1/server/blocklist/servers",
        "Server blocklist",
        "Servers muted: the instance's (moderators) list",
        Token,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/server/blocklist/servers",
        "Server blocklist",
        "Mute a server (`host`)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/server/blocklist/servers/{host}",
        "Server blocklist",
        "Unmute a server",
        Token
    ),
    route!(
        "get",
        "/api/v1/blocklist/status",
        "My blocklist",
        "Whether accounts and hosts are muted by the caller and by the instance",
        OptionalToken,
        &[],
        &["accounts", "hosts"]
    ),
];
