//! Create and Update of remote playlists (PeerTube's `Playlist`), and their Delete.
//!
//! A playlist is believed only from its own origin (embedded in an activity its actor signed
//! there, or fetched from its id); its channel (`attributedTo`) must be on that origin too, and
//! a new one is taken in only when someone here follows that channel or its account. Its
//! elements are read page by page under a budget: at most [`REMOTE_ELEMENTS_MAX`] elements
//! and [`MAX_PAGES`] pages, whatever `totalItems` says, and at most [`MAX_VIDEO_FETCHES`]
//! videos not known here are fetched; elements whose video cannot be had are left out. The
//! elements are replaced whole, in one transaction. Its icon becomes our own thumbnail
//! ([`crate::playlist_icons`]).

use kinora_core::playlist::{KIND_REGULAR, PlaylistPrivacy, REMOTE_ELEMENTS_MAX};
use kinora_db::now_millis;
use kinora_db::playlists::{NewElement, NewPlaylist, PlaylistFields};
use serde_json::Value;
use url::Url;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::protocol::parse::playlist::{
    RemoteElement, RemotePlaylist, parse_element, parse_page, parse_playlist,
};
use crate::urls::{LocalObject, origin_of};

/// Most collection pages read for one playlist.
pub const MAX_PAGES: usize = 30;
/// Most unknown videos fetched for one playlist.
pub const MAX_VIDEO_FETCHES: usize = 20;

/// Create or Update of a Playlist.
pub async fn playlist(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    let object = super::videos::trusted_object(federation, incoming).await?;
    let parsed = parse_playlist(&object).map_err(|error| refused(error.to_string()))?;
    store(federation, &parsed, Some(&incoming.signer)).await?;
    Ok(())
}

/// Stores a remote playlist and its elements (read under the budget). `signer` (when the
/// playlist came in an activity) must be on its origin. Returns its id.
pub async fn store(
    federation: &Federation,
    parsed: &RemotePlaylist,
    signer: Option<&Url>,
) -> Result<i64, ProcessError> {
    let id = Url::parse(&parsed.id).map_err(|error| refused(error.to_string()))?;
    if federation.urls().is_ours(&parsed.id) {
        return Err(refused("a remote playlist cannot claim our host"));
    }
    if let Some(signer) = signer
        && origin_of(signer) != origin_of(&id)
        && !is_instance_actor_of_origin(signer, &id)
    {
        return Err(refused("a playlist is sent by its own instance"));
    }
    let channel_url = Url::parse(&parsed.channel).map_err(|error| refused(error.to_string()))?;
    if origin_of(&channel_url) != origin_of(&id) {
        return Err(refused("the playlist's channel is not on its instance"));
    }
    let channel_actor = crate::resolve::actor(federation, &channel_url, false).await?;
    let pool = federation.db().pool();
    let channel = kinora_db::channels::find_by_actor(pool, channel_actor.id)
        .await?
        .ok_or_else(|| refused("the playlist's attributedTo is not a channel"))?;
    let existing = kinora_db::playlists::find_by_url(pool, &parsed.id).await?;
    if existing.is_none() {
        let account_actor = match kinora_db::accounts::find_by_id(pool, channel.account_id).await? {
            Some(account) => kinora_db::actors::find_by_id(pool, account.actor_id).await?,
            None => None,
        };
        let mut actors = vec![&channel_actor];
        actors.extend(account_actor.as_ref());
        if !super::videos::followed_here(federation, &actors).await? {
            return Err(refused("nobody here follows the playlist's channel"));
        }
    }
    let elements = read_elements(federation, parsed, &id).await;
    let privacy = if parsed.public {
        PlaylistPrivacy::Public
    } else {
        PlaylistPrivacy::Unlisted
    };
    let now = now_millis();
    let db = federation.db();
    let mut tx = db.begin().await?;
    let playlist_id = match &existing {
        Some(existing) => {
            kinora_db::playlists::update(
                &mut *tx,
                existing.id,
                &PlaylistFields {
                    channel_id: Some(channel.id),
                    display_name: &parsed.name,
                    description: parsed.description.as_deref(),
                    privacy: privacy.id(),
                    remote_thumbnail_url: parsed.icon.as_deref(),
                    remote_total: Some(parsed.total),
                },
                parsed.updated.unwrap_or(now),
            )
            .await?;
            existing.id
        }
        None => {
            let uuid = match parsed.uuid {
                Some(uuid)
                    if kinora_db::playlists::find_by_uuid(&mut *tx, &uuid.to_string())
                        .await?
                        .is_none() =>
                {
                    uuid
                }
                _ => uuid::Uuid::new_v4(),
            };
            kinora_db::playlists::insert(
                &mut tx,
                &NewPlaylist {
                    uuid: &uuid.to_string(),
                    short_uuid: &kinora_core::video::short_uuid(&uuid),
                    account_id: channel.account_id,
                    channel_id: Some(channel.id),
                    display_name: &parsed.name,
                    description: parsed.description.as_deref(),
                    privacy: privacy.id(),
                    kind: KIND_REGULAR,
                    url: Some(&parsed.id),
                    remote_thumbnail_url: parsed.icon.as_deref(),
                    remote_total: Some(parsed.total),
                },
                parsed.published.unwrap_or(now),
            )
            .await?
        }
    };
    match parsed.channel_position {
        Some(position) => {
            kinora_db::playlist_positions::set(&mut tx, playlist_id, Some(position)).await?
        }
        None if existing.is_none() => {
            kinora_db::playlist_positions::place_last(&mut tx, playlist_id, Some(channel.id))
                .await?
        }
        None => {}
    }
    kinora_db::playlists::clear_elements(&mut tx, playlist_id).await?;
    for (element, video_id) in &elements {
        kinora_db::playlists::append(
            &mut tx,
            playlist_id,
            &NewElement {
                video_id: *video_id,
                start_timestamp: element.start,
                stop_timestamp: element.stop,
                url: Some(&element.id),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    crate::playlist_icons::refresh(
        federation,
        playlist_id,
        existing.as_ref(),
        parsed.icon.as_deref(),
    )
    .await;
    tracing::info!(playlist = %parsed.id, elements = elements.len(), announced = parsed.total,
                   "remote playlist stored");
    Ok(playlist_id)
}

fn is_instance_actor_of_origin(signer: &Url, object: &Url) -> bool {
    origin_of(object).is_some_and(|origin| {
        signer.as_str() == format!("{origin}/accounts/{}", crate::urls::INSTANCE_ACTOR)
    })
}

/// What the budget allows of a playlist's elements, in order, each with its video here. A
/// page or an element that cannot be read ends the reading or is skipped; nothing here fails
/// the activity.
async fn read_elements(
    federation: &Federation,
    parsed: &RemotePlaylist,
    playlist_url: &Url,
) -> Vec<(RemoteElement, i64)> {
    let mut found = Vec::new();
    let mut video_fetches = 0;
    let mut next_page = parsed.first.clone();
    let mut pages = 0;
    let mut seen_elements = 0;
    while let Some(page_ref) = next_page.take() {
        if pages >= MAX_PAGES || seen_elements >= REMOTE_ELEMENTS_MAX {
            break;
        }
        pages += 1;
        let page_value = match &page_ref {
            Value::String(url) => match fetch_same_origin(federation, url, playlist_url).await {
                Some(value) => value,
                None => break,
            },
            Value::Object(_) => page_ref.clone(),
            _ => break,
        };
        let Ok(page) = parse_page(&page_value) else {
            break;
        };
        for item in page.items {
            if seen_elements >= REMOTE_ELEMENTS_MAX {
                break;
            }
            seen_elements += 1;
            let element_value = match &item {
                Value::String(url) => {
                    match fetch_same_origin(federation, url, playlist_url).await {
                        Some(value) => value,
                        None => continue,
                    }
                }
                Value::Object(_) => item,
                _ => continue,
            };
            let Ok(element) = parse_element(&element_value) else {
                continue;
            };
            let same_origin = Url::parse(&element.id)
                .ok()
                .is_some_and(|url| origin_of(&url) == origin_of(playlist_url));
            if !same_origin {
                continue;
            }
            if let Some(video) = video_of(federation, &element.video, &mut video_fetches).await {
                found.push((element, video));
            }
        }
        next_page = page.next.map(Value::String);
    }
    found
}

/// Fetches `url` when it is on the playlist's origin.
async fn fetch_same_origin(federation: &Federation, url: &str, origin: &Url) -> Option<Value> {
    let url = Url::parse(url).ok()?;
    if origin_of(&url) != origin_of(origin) {
        return None;
    }
    crate::resolve::fetch(federation, &url)
        .await
        .ok()
        .map(|fetched| fetched.object)
}

/// The id here of the video `url` names: ours, a remote one already stored, or one fetched
/// (within the budget) and stored.
async fn video_of(federation: &Federation, url: &str, fetches: &mut usize) -> Option<i64> {
    let pool = federation.db().pool();
    if let Some(LocalObject::Video(uuid)) = federation.urls().parse(url) {
        let video = kinora_app::videos::find_video(federation.db(), &uuid)
            .await
            .ok()??;
        return Some(video.id);
    }
    if let Ok(Some(video)) = kinora_db::remote_videos::find_by_url(pool, url).await {
        return Some(video.id);
    }
    if *fetches >= MAX_VIDEO_FETCHES {
        return None;
    }
    *fetches += 1;
    let parsed_url = Url::parse(url).ok()?;
    let fetched = crate::resolve::fetch(federation, &parsed_url).await.ok()?;
    let parsed = crate::protocol::parse::video::parse_video(
        &fetched.object,
        Some(fetched.final_url.as_str()),
    )
    .ok()?;
    super::videos::store_with_comments(federation, &parsed, false)
        .await
        .ok()
}

/// Delete of a remote playlist by its origin.
pub async fn deleted(
    federation: &Federation,
    incoming: &Incoming,
    object: &Url,
    confirmed: bool,
) -> Result<bool, ProcessError> {
    let pool = federation.db().pool();
    let Some(playlist) = kinora_db::playlists::find_by_url(pool, object.as_str()).await? else {
        return Ok(false);
    };
    if !confirmed && origin_of(&incoming.signer) != origin_of(object) {
        return Err(refused("only its instance may delete a playlist"));
    }
    let db = federation.db();
    let mut tx = db.begin().await?;
    let thumbnail = kinora_db::playlists::delete(&mut tx, playlist.id).await?;
    tx.commit().await?;
    kinora_app::playlists::delete_thumbnail(federation.storage(), thumbnail).await;
    tracing::info!(playlist = %object, "remote playlist deleted");
    Ok(true)
}
