//! `/api/v1/server`: the administrator's federation controls — what this instance follows
//! ([`following`]), who follows it ([`followers`]) and whose videos it mirrors
//! ([`redundancy`]).

pub mod followers;
pub mod following;
pub mod redundancy;
pub mod relays;
pub mod stats;

use kinora_db::actors::ActorRow;
use kinora_db::follows::FollowEntry;
use serde_json::{Value, json};

use crate::ApiState;
use crate::json::iso_date;

/// PeerTube's `Actor` of a follow listing.
fn actor_json(
    state: &ApiState,
    id: i64,
    name: &str,
    host: Option<&str>,
    url: Option<&str>,
    kind: &str,
) -> Value {
    let path = if kind == "Group" {
        "video-channels"
    } else {
        "accounts"
    };
    json!({
        "id": id,
        "url": url.map_or_else(|| format!("{}/{path}/{name}", state.public_url), str::to_owned),
        "name": name,
        "host": host.unwrap_or(state.host()),
        "avatars": [],
    })
}

/// PeerTube's `ActorFollow`: `ours` on one side, the entry's actor on the other.
pub(crate) fn follow_json(
    state: &ApiState,
    ours: &ActorRow,
    entry: &FollowEntry,
    we_follow: bool,
) -> Value {
    let us = actor_json(
        state,
        ours.id,
        &ours.preferred_username,
        None,
        None,
        &ours.kind,
    );
    let them = actor_json(
        state,
        entry.actor_id,
        &entry.preferred_username,
        entry.host.as_deref(),
        entry.url.as_deref(),
        &entry.kind,
    );
    let (follower, following) = if we_follow { (us, them) } else { (them, us) };
    json!({
        "id": entry.follow_id,
        "follower": follower,
        "following": following,
        "score": 1000,
        "state": entry.state,
        "createdAt": iso_date(entry.created_at),
        "updatedAt": iso_date(entry.created_at),
    })
}
