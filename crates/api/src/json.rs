//! PeerTube's JSON shapes for accounts, channels and users; comments in [`comments`].

pub mod comments;

use kinora_db::accounts::AccountRow;
use kinora_db::channels::ChannelRow;
use serde_json::{Value, json};

use crate::ApiState;

/// Epoch milliseconds as PeerTube writes dates: `2024-01-01T00:00:00.000Z`.
pub use kinora_core::dates::iso_date;

/// What accounts and channels share: PeerTube's actor fields.
struct ActorFields<'a> {
    path: &'static str,
    id: i64,
    name: &'a str,
    host: Option<&'a str>,
    url: Option<&'a str>,
    display_name: &'a str,
    description: Option<&'a str>,
    created_at: i64,
    updated_at: i64,
}

fn actor(state: &ApiState, actor: ActorFields<'_>) -> Value {
    json!({
        "url": actor.url.map_or_else(|| format!("{}/{}/{}", state.public_url, actor.path, actor.name), str::to_owned),
        "name": actor.name,
        "host": actor.host.unwrap_or(state.host()),
        "avatars": [],
        "banners": [],
        "id": actor.id,
        "hostRedundancyAllowed": false,
        "followingCount": 0,
        "followersCount": 0,
        "createdAt": iso_date(actor.created_at),
        "updatedAt": iso_date(actor.updated_at),
        "displayName": actor.display_name,
        "description": actor.description,
    })
}

/// An account (`GET /api/v1/accounts/{name}`).
pub fn account(state: &ApiState, row: &AccountRow) -> Value {
    let mut value = actor(
        state,
        ActorFields {
            path: "accounts",
            id: row.id,
            name: &row.name,
            host: row.host.as_deref(),
            url: row.url.as_deref(),
            display_name: &row.display_name,
            description: row.description.as_deref(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        },
    );
    if let Some(user_id) = row.user_id {
        value["userId"] = json!(user_id);
    }
    value
}

/// A channel (`GET /api/v1/video-channels/{name}`), with its owner when given.
pub fn channel(state: &ApiState, row: &ChannelRow, owner: Option<&AccountRow>) -> Value {
    let mut value = actor(
        state,
        ActorFields {
            path: "video-channels",
            id: row.id,
            name: &row.name,
            host: row.host.as_deref(),
            url: row.url.as_deref(),
            display_name: &row.display_name,
            description: row.description.as_deref(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        },
    );
    value["support"] = json!(row.support);
    value["isLocal"] = json!(row.host.is_none());
    if let Some(owner) = owner {
        value["ownerAccount"] = account(state, owner);
    }
    value
}

/// A list answer: `{ "total": n, "data": [...] }`.
pub fn list(total: usize, data: Vec<Value>) -> Value {
    json!({ "total": total, "data": data })
}
