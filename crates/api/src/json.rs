//! PeerTube's JSON shapes for accounts, channels and users; comments in [`comments`].

pub mod abuses;
pub mod actor_images;
pub mod comments;
pub mod notifications;
pub mod playlists;

use std::collections::HashMap;

use kinora_app::actor_images::ActorImageKind;
use kinora_db::accounts::AccountRow;
use kinora_db::actor_images::ActorImageRow;
use kinora_db::channels::ChannelRow;
use serde_json::{Value, json};

use crate::{ApiError, ApiState};

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
    /// `followersCount`.
    followers: i64,
    /// Its stored avatars and banners.
    images: &'a [ActorImageRow],
}

fn actor(state: &ApiState, actor: ActorFields<'_>) -> Value {
    let avatars = actor_images::images(state, actor.images, ActorImageKind::Avatar);
    let banners = actor_images::images(state, actor.images, ActorImageKind::Banner);
    json!({
        "url": actor.url.map_or_else(|| format!("{}/{}/{}", state.public_url, actor.path, actor.name), str::to_owned),
        "name": actor.name,
        "host": actor.host.unwrap_or(state.host()),
        "avatars": avatars,
        "banners": banners,
        "id": actor.id,
        "hostRedundancyAllowed": false,
        "followingCount": 0,
        "followersCount": actor.followers,
        "createdAt": iso_date(actor.created_at),
        "updatedAt": iso_date(actor.updated_at),
        "displayName": actor.display_name,
        "description": actor.description,
    })
}

/// What the JSON of accounts and channels shows beyond their rows, by actor id: their
/// `followersCount` and their avatars and banners.
#[derive(Debug, Default)]
pub struct ActorFacts {
    followers: HashMap<i64, i64>,
    images: HashMap<i64, Vec<ActorImageRow>>,
}

impl ActorFacts {
    fn followers(&self, actor_id: i64) -> i64 {
        self.followers.get(&actor_id).copied().unwrap_or(0)
    }

    fn images(&self, actor_id: i64) -> &[ActorImageRow] {
        self.images.get(&actor_id).map_or(&[], Vec::as_slice)
    }
}

/// The [`ActorFacts`] of accounts and channels: `followersCount` as PeerTube counts an actor's
/// accepted follows (remote actors that follow it and, for a channel, the accounts here
/// subscribed to it; users here follow channels only), and their images.
pub async fn follower_counts(
    state: &ApiState,
    accounts: &[&AccountRow],
    channels: &[&ChannelRow],
) -> Result<ActorFacts, ApiError> {
    let actors: Vec<(i64, Option<i64>)> = accounts
        .iter()
        .map(|a| (a.actor_id, None))
        .chain(channels.iter().map(|c| (c.actor_id, Some(c.id))))
        .collect();
    let ids: Vec<i64> = actors.iter().map(|(id, _)| *id).collect();
    Ok(ActorFacts {
        followers: kinora_db::follows::followers_counts(state.db.pool(), &actors).await?,
        images: kinora_db::actor_images::list_of(state.db.pool(), &ids).await?,
    })
}

/// An account (`GET /api/v1/accounts/{name}`).
pub async fn account(state: &ApiState, row: &AccountRow) -> Result<Value, ApiError> {
    let counts = follower_counts(state, &[row], &[]).await?;
    Ok(account_with(state, row, &counts))
}

/// A channel (`GET /api/v1/video-channels/{name}`), with its owner when given.
pub async fn channel(
    state: &ApiState,
    row: &ChannelRow,
    owner: Option<&AccountRow>,
) -> Result<Value, ApiError> {
    let counts = follower_counts(state, owner.as_slice(), &[row]).await?;
    Ok(channel_with(state, row, owner, &counts))
}

/// Adds Kinora's `movedTo` (beyond PeerTube's shape) to one account's or channel's JSON when
/// its actor moved to another: where its followers went (issue 17).
pub async fn add_moved_to(
    state: &ApiState,
    value: &mut Value,
    actor_id: i64,
) -> Result<(), ApiError> {
    if let Some(target) = kinora_db::actors::find_by_id(state.db.pool(), actor_id)
        .await?
        .and_then(|actor| actor.moved_to_url)
    {
        value["movedTo"] = json!(target);
    }
    Ok(())
}

/// An account, its `followersCount` taken from `counts` (of [`follower_counts`]).
pub fn account_with(state: &ApiState, row: &AccountRow, counts: &ActorFacts) -> Value {
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
            followers: counts.followers(row.actor_id),
            images: counts.images(row.actor_id),
        },
    );
    if let Some(user_id) = row.user_id {
        value["userId"] = json!(user_id);
    }
    value
}

/// A channel with its owner when given, `followersCount`s taken from `counts` (of
/// [`follower_counts`]).
pub fn channel_with(
    state: &ApiState,
    row: &ChannelRow,
    owner: Option<&AccountRow>,
    counts: &ActorFacts,
) -> Value {
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
            followers: counts.followers(row.actor_id),
            images: counts.images(row.actor_id),
        },
    );
    value["support"] = json!(row.support);
    value["isLocal"] = json!(row.host.is_none());
    if let Some(owner) = owner {
        value["ownerAccount"] = account_with(state, owner, counts);
    }
    value
}

/// A list answer: `{ "total": n, "data": [...] }`.
pub fn list(total: usize, data: Vec<Value>) -> Value {
    json!({ "total": total, "data": data })
}

/// The fields of PeerTube's `Video` (with its optional `VideoAdditionalAttributes`), the
/// shape lists that embed a video use (blocks, …), where a `VideoDetails` would say more.
const VIDEO_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "shortUUID",
    "createdAt",
    "updatedAt",
    "publishedAt",
    "originallyPublishedAt",
    "category",
    "licence",
    "language",
    "privacy",
    "description",
    "truncatedDescription",
    "duration",
    "isLocal",
    "name",
    "aspectRatio",
    "isLive",
    "thumbnailPath",
    "thumbnailUrl",
    "previewPath",
    "previewUrl",
    "thumbnails",
    "embedPath",
    "embedUrl",
    "url",
    "views",
    "viewers",
    "downloads",
    "likes",
    "dislikes",
    "comments",
    "nsfw",
    "nsfwFlags",
    "nsfwSummary",
    "account",
    "channel",
    "userHistory",
    "waitTranscoding",
    "state",
    "scheduledUpdate",
    "blacklisted",
    "blacklistedReason",
    "blockedOwner",
    "blockedServer",
    "files",
    "streamingPlaylists",
    "tags",
];

/// The accounts of `ids` (repeats allowed), by id, in one query.
pub(crate) async fn accounts_by_id(
    state: &ApiState,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, AccountRow>, ApiError> {
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(kinora_db::accounts::find_by_ids(state.db.pool(), &ids)
        .await?
        .into_iter()
        .map(|account| (account.id, account))
        .collect())
}

/// The channels of `ids` (repeats allowed), by id, in one query.
pub(crate) async fn channels_by_id(
    state: &ApiState,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, ChannelRow>, ApiError> {
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(kinora_db::channels::find_by_ids(state.db.pool(), &ids)
        .await?
        .into_iter()
        .map(|channel| (channel.id, channel))
        .collect())
}

/// The fields of PeerTube's `AccountSummary` and `VideoChannelSummary`.
const ACTOR_SUMMARY_FIELDS: &[&str] = &["id", "name", "displayName", "url", "host", "avatars"];

/// Keeps of `value` (an object) only the fields named in `fields`.
fn keep_fields(value: Value, fields: &[&str]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(key, _)| fields.contains(&key.as_str()))
                .collect(),
        ),
        other => other,
    }
}

/// PeerTube's `Video` from our `VideoDetails` JSON: the details-only fields left out, and the
/// account and channel as summaries.
pub fn video_of_details(details: Value) -> Value {
    let mut video = keep_fields(details, VIDEO_FIELDS);
    for actor in ["account", "channel"] {
        if let Some(value) = video.get_mut(actor) {
            *value = keep_fields(value.take(), ACTOR_SUMMARY_FIELDS);
        }
    }
    video
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_of_details_keeps_peertubes_video_fields_and_actor_summaries() {
        let details = json!({
            "id": 1, "name": "clip", "support": "s", "commentsPolicy": {"id": 1},
            "downloadEnabled": true, "trackerUrls": [], "files": [],
            "account": {"id": 2, "name": "a", "displayName": "A", "url": "u", "host": "h",
                        "avatars": [], "createdAt": "d", "followersCount": 3},
            "channel": {"id": 3, "name": "c", "displayName": "C", "url": "u", "host": "h",
                        "avatars": [], "support": "s", "isLocal": true},
        });
        let video = video_of_details(details);
        assert_eq!(
            video,
            json!({
                "id": 1, "name": "clip", "files": [],
                "account": {"id": 2, "name": "a", "displayName": "A", "url": "u", "host": "h",
                            "avatars": []},
                "channel": {"id": 3, "name": "c", "displayName": "C", "url": "u", "host": "h",
                            "avatars": []},
            })
        );
    }
}
