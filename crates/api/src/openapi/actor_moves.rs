//! The rows of the OpenAPI table for moving a channel or an account to another instance
//! (issue 17): aliases (`alsoKnownAs`) on the new actor, the move on the old one.

use super::{Access, JSON, RouteDoc};

/// The routes of aliases and moves, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/api/v1/video-channels/{name}/aliases",
        "Video channels",
        "The channel's aliases (`alsoKnownAs`): the channels that may move to it",
        Token
    ),
    route!(
        "post",
        "/api/v1/video-channels/{name}/aliases",
        "Video channels",
        "Add an alias: `uri` (`name@host`, a local name or an actor URL) names the channel that will move here",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/video-channels/{name}/aliases",
        "Video channels",
        "Remove the alias `uri` (its URL as listed, or its handle)",
        Token,
        &[],
        &["uri"]
    ),
    route!(
        "post",
        "/api/v1/video-channels/{name}/move",
        "Video channels",
        "Move the channel to `target` (`name@host`), which lists it among its aliases; `currentPassword` is required. Its followers are sent a Move and follow the target",
        Token,
        JSON
    ),
    route!(
        "get",
        "/api/v1/users/me/aliases",
        "My user",
        "The caller's account's aliases (`alsoKnownAs`): the accounts that may move to it",
        Token
    ),
    route!(
        "post",
        "/api/v1/users/me/aliases",
        "My user",
        "Add an alias to the caller's account: `uri` names the account that will move here",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/users/me/aliases",
        "My user",
        "Remove the alias `uri` from the caller's account",
        Token,
        &[],
        &["uri"]
    ),
    route!(
        "post",
        "/api/v1/users/me/move",
        "My user",
        "Move the caller's account to `target` (`name@host`), which lists it among its aliases; `currentPassword` is required",
        Token,
        JSON
    ),
];
