//! The OpenAPI rows of the instance's own pages: About, statistics and the run-time
//! configuration.

use super::{Access, JSON, RouteDoc};

/// The routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/api/v1/config/about",
        "Config",
        "What the instance says about itself (name, descriptions, rules, moderation, administrators)",
        Public
    ),
    route!(
        "get",
        "/api/v1/config/custom",
        "Config",
        "The instance configuration, PeerTube's CustomConfig (administrators)",
        Token
    ),
    route!(
        "put",
        "/api/v1/config/custom",
        "Config",
        "Change the settings that may change at run time (administrators); in force at once",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/config/custom",
        "Config",
        "Go back to the configuration file's values (administrators)",
        Token
    ),
    route!(
        "get",
        "/api/v1/server/stats",
        "Stats",
        "The instance's statistics (users, videos, views, comments, follows, reports)",
        Public
    ),
];
