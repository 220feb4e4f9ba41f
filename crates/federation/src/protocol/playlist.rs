//! PeerTube's `Playlist` and `PlaylistElement` objects for our playlists.
//!
//! A playlist is served (and sent to followers) while it is public or unlisted and in a
//! channel: an `OrderedCollection`-like `Playlist` naming its size and first page, with its
//! name, description, UUID, dates, its channel in `attributedTo` and its thumbnail as `icon`;
//! pages list the ids of its elements, each a `PlaylistElement` with the video's id, position
//! and timestamps. Elements whose video may not federate are left out of the pages.

use kinora_core::playlist::PlaylistPrivacy;
use kinora_db::Db;
use kinora_db::playlists::{ElementRow, PlaylistRow};
use serde_json::{Value, json};

use super::audience::{Audience, PUBLIC};
use super::collections::{Page, collection};
use super::context::{ContextType, with_context};
use crate::FederationError;
use crate::urls::LocalUrls;

/// PeerTube's playlist thumbnail size.
const ICON_SIZE: (u32, u32) = (280, 157);

/// The ActivityPub id of one of our playlists.
pub fn playlist_url(urls: &LocalUrls, uuid: &str) -> String {
    format!("{}/video-playlists/{uuid}", urls.base())
}

/// The ActivityPub id of an element of one of our playlists.
pub fn element_url(playlist_url: &str, element_id: i64) -> String {
    format!("{playlist_url}/videos/{element_id}")
}

/// Whether our playlist is for other instances: public or unlisted, in a channel.
pub fn is_federated(playlist: &PlaylistRow) -> bool {
    playlist.is_local()
        && playlist.channel_id.is_some()
        && playlist.privacy != PlaylistPrivacy::Private.id()
}

/// PeerTube's audience of a playlist by its owner: `to` the public collection (public), or
/// `to` the followers and `cc` the public collection (unlisted).
pub fn audience(playlist: &PlaylistRow, followers: &str) -> Audience {
    if playlist.privacy == PlaylistPrivacy::Public.id() {
        Audience::public(followers)
    } else {
        Audience {
            to: vec![followers.to_owned()],
            cc: vec![PUBLIC.to_owned()],
        }
    }
}

/// The owner account's and channel's actor URLs of our playlist.
async fn owner_urls(
    db: &Db,
    urls: &LocalUrls,
    playlist: &PlaylistRow,
) -> Result<Option<(String, String)>, FederationError> {
    let pool = db.pool();
    let Some(channel_id) = playlist.channel_id else {
        return Ok(None);
    };
    let Some(channel) = kinora_db::channels::find_by_id(pool, channel_id).await? else {
        return Ok(None);
    };
    let Some(account) = kinora_db::accounts::find_by_id(pool, playlist.account_id).await? else {
        return Ok(None);
    };
    Ok(Some((
        urls.account(&account.name),
        urls.channel(&channel.name),
    )))
}

/// The `Playlist` document of our playlist for `page` (the summary or one page of element
/// ids), with its `@context`; `None` when it is not for other instances.
pub async fn playlist_object(
    db: &Db,
    urls: &LocalUrls,
    playlist: &PlaylistRow,
    page: Page,
) -> Result<Option<Value>, FederationError> {
    if !is_federated(playlist) {
        return Ok(None);
    }
    let Some((account_url, channel_url)) = owner_urls(db, urls, playlist).await? else {
        return Ok(None);
    };
    let url = playlist_url(urls, &playlist.uuid);
    let total = kinora_db::playlists::count_elements(db.pool(), playlist.id).await?;
    if let Page::Number(_) = page {
        let (offset, count) = page.window();
        let (rows, _) =
            kinora_db::playlists::list_elements(db.pool(), playlist.id, offset, count).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            if federated_video(db, &row).await?.is_some() {
                items.push(json!(element_url(&url, row.id)));
            }
        }
        return Ok(Some(collection(&url, page, total, items)));
    }
    let mut document = json!({
        "id": url,
        "type": "Playlist",
        "totalItems": total,
        "name": playlist.display_name,
        "content": playlist.description,
        "uuid": playlist.uuid,
        "published": kinora_core::dates::iso_date(playlist.created_at),
        "updated": kinora_core::dates::iso_date(playlist.updated_at),
        "attributedTo": [channel_url],
    });
    if let Some(position) = playlist.video_channel_position {
        document["videoChannelPosition"] = json!(position);
    }
    if total > 0 {
        document["first"] = json!(format!("{url}?page=1"));
    }
    if let Some(file) = &playlist.thumbnail_file {
        document["icon"] = json!({
            "type": "Image",
            "url": format!("{}/lazy-static/thumbnails/{file}", urls.base()),
            "mediaType": "image/jpeg",
            "width": ICON_SIZE.0,
            "height": ICON_SIZE.1,
        });
    }
    let followers = crate::protocol::actors::followers_url(&account_url);
    audience(playlist, &followers).apply(&mut document);
    Ok(Some(with_context(document, ContextType::Playlist)))
}

/// The element's video when it may be shown to other instances (ours: `can_federate`;
/// a remote one: what an anonymous visitor may see).
async fn federated_video(
    db: &Db,
    element: &ElementRow,
) -> Result<Option<kinora_db::videos::VideoRow>, FederationError> {
    let Some(video_id) = element.video_id else {
        return Ok(None);
    };
    let Some(video) = kinora_db::videos::find_by_id(db.pool(), video_id).await? else {
        return Ok(None);
    };
    let shown = if video.is_local() {
        kinora_app::visibility::can_federate(db, &video).await?
    } else {
        kinora_app::visibility::can_view(db, &video, None).await?
    };
    Ok(shown.then_some(video))
}

/// The `PlaylistElement` document of an element of our playlist; `None` when the playlist or
/// the element's video is not for other instances.
pub async fn element_object(
    db: &Db,
    urls: &LocalUrls,
    playlist: &PlaylistRow,
    element: &ElementRow,
) -> Result<Option<Value>, FederationError> {
    if !is_federated(playlist) {
        return Ok(None);
    }
    let Some(video) = federated_video(db, element).await? else {
        return Ok(None);
    };
    let mut document = json!({
        "id": element_url(&playlist_url(urls, &playlist.uuid), element.id),
        "type": "PlaylistElement",
        "url": super::loader::video_id(urls, &video),
        "position": element.position,
    });
    if let Some(start) = element.start_timestamp {
        document["startTimestamp"] = json!(start);
    }
    if let Some(stop) = element.stop_timestamp {
        document["stopTimestamp"] = json!(stop);
    }
    Ok(Some(with_context(document, ContextType::Playlist)))
}
