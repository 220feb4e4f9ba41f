//! PeerTube's `VideoPlaylist` JSON: a page of playlists with their owners, channels and
//! lengths read in a few queries.

use kinora_core::playlist::{PlaylistPrivacy, kind_label};
use kinora_db::accounts::AccountRow;
use kinora_db::channels::ChannelRow;
use kinora_db::playlists::PlaylistRow;
use serde_json::{Value, json};

use super::{ACTOR_SUMMARY_FIELDS, account_with, channel_with, iso_date, keep_fields};
use crate::{ApiError, ApiState};

/// PeerTube's playlist thumbnail size (its video thumbnail's).
const THUMBNAIL_SIZE: (u32, u32) = (280, 157);

/// The ActivityPub id (and page URL base) of a playlist: ours derive it from the UUID.
pub fn playlist_url(state: &ApiState, row: &PlaylistRow) -> String {
    match &row.url {
        Some(url) => url.clone(),
        None => format!("{}/video-playlists/{}", state.public_url, row.uuid),
    }
}

/// The `VideoPlaylist` JSON of each row, in order.
pub async fn playlists(state: &ApiState, rows: &[PlaylistRow]) -> Result<Vec<Value>, ApiError> {
    let pool = state.db.pool();
    let accounts = super::accounts_by_id(state, rows.iter().map(|r| r.account_id)).await?;
    let channels = super::channels_by_id(state, rows.iter().filter_map(|r| r.channel_id)).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let lengths = kinora_db::playlists::element_counts(pool, &ids).await?;
    // Followers and avatars of the owners, as every other actor summary carries them.
    let account_refs: Vec<&AccountRow> = accounts.values().collect();
    let channel_refs: Vec<&ChannelRow> = channels.values().collect();
    let counts = crate::json::follower_counts(state, &account_refs, &channel_refs).await?;
    let mut data = Vec::with_capacity(rows.len());
    for row in rows {
        let account = accounts
            .get(&row.account_id)
            .ok_or_else(|| ApiError::not_found("Account"))?;
        let owner = keep_fields(account_with(state, account, &counts), ACTOR_SUMMARY_FIELDS);
        let channel = row
            .channel_id
            .and_then(|id| channels.get(&id))
            .map(|c| keep_fields(channel_with(state, c, None, &counts), ACTOR_SUMMARY_FIELDS));
        // What is here (a remote playlist's elements are capped), as PeerTube counts them.
        let length = lengths.get(&row.id).copied().unwrap_or(0);
        data.push(shape(state, row, owner, channel, length));
    }
    Ok(data)
}

/// One playlist's JSON.
pub async fn playlist(state: &ApiState, row: &PlaylistRow) -> Result<Value, ApiError> {
    let mut all = playlists(state, std::slice::from_ref(row)).await?;
    all.pop()
        .ok_or_else(|| ApiError::not_found("Video playlist"))
}

fn shape(
    state: &ApiState,
    row: &PlaylistRow,
    owner: Value,
    channel: Option<Value>,
    length: i64,
) -> Value {
    let base = &state.public_url;
    let thumbnail_path = row
        .thumbnail_file
        .as_ref()
        .map(|file| format!("/lazy-static/thumbnails/{file}"));
    // Ours only: a remote playlist's icon is shown once fetched and re-encoded here.
    let thumbnail_url = thumbnail_path.as_ref().map(|path| format!("{base}{path}"));
    let thumbnails: Vec<Value> = thumbnail_url
        .iter()
        .map(|url| {
            json!({
                "width": THUMBNAIL_SIZE.0,
                "height": THUMBNAIL_SIZE.1,
                "aspectRatio": "16:9",
                "fileUrl": url,
            })
        })
        .collect();
    let privacy = PlaylistPrivacy::from_id(row.privacy).unwrap_or(PlaylistPrivacy::Private);
    let embed_path = format!("/video-playlists/embed/{}", row.uuid);
    json!({
        "id": row.id,
        "uuid": row.uuid,
        "shortUUID": row.short_uuid,
        "isLocal": row.is_local(),
        "url": playlist_url(state, row),
        "displayName": row.display_name,
        "description": row.description,
        "privacy": { "id": privacy.id(), "label": privacy.label() },
        "thumbnailPath": thumbnail_path,
        "thumbnailUrl": thumbnail_url,
        "thumbnails": thumbnails,
        "videosLength": length,
        "type": { "id": row.kind, "label": kind_label(row.kind) },
        "embedPath": embed_path,
        "embedUrl": format!("{base}{embed_path}"),
        "createdAt": iso_date(row.created_at),
        "updatedAt": iso_date(row.updated_at),
        "ownerAccount": owner,
        "videoChannelPosition": row.video_channel_position,
        "videoChannel": channel,
    })
}
