//! The relay rows of the OpenAPI table: the relays this instance subscribes to (FEP-ae0c),
//! managed by administrators.

use super::{Access, JSON, PAGE, RouteDoc};

/// The relay routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/api/v1/server/relays",
        "Federation",
        "The relays this instance subscribes to, with their state (administrators)",
        Token,
        &[],
        PAGE
    ),
    route!(
        "post",
        "/api/v1/server/relays",
        "Federation",
        "Subscribe to a relay: `url` is its inbox (Mastodon style) or its actor (LitePub style); administrators",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/server/relays/{id}",
        "Federation",
        "Unsubscribe from a relay (it gets an Undo of our Follow); administrators",
        Token
    ),
];
