//! Create, Update and Announce of videos, and objects given by reference.
//!
//! A video is stored only under the id of the origin it came from: embedded in an activity its
//! actor signed on that same origin, or fetched from it. Its channel (the `Group` of
//! `attributedTo`) must be on that origin too. Videos are taken in only from actors someone here
//! follows (a channel, its account, or its instance), and an Update must come from the video's
//! owner: its account, its channel, or its instance's actor.

use kinora_db::actors::ActorRow;
use kinora_db::now_millis;
use serde_json::Value;
use url::Url;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::protocol::parse::video::{RemoteVideoObject, parse_video};
use crate::urls::{INSTANCE_ACTOR, origin_of};

/// The object of an activity: embedded when its actor signed it on the object's own origin,
/// otherwise fetched from its id (never believed from the body).
pub(crate) async fn trusted_object(
    federation: &Federation,
    incoming: &Incoming,
) -> Result<Value, ProcessError> {
    let id = incoming
        .object_id()
        .ok_or_else(|| refused("the activity has no object id"))?;
    let embedded = incoming.object().filter(|o| o.is_object());
    match embedded {
        Some(object)
            if incoming.signed_by_actor() && origin_of(&id) == origin_of(&incoming.signer) =>
        {
            Ok(object.clone())
        }
        _ => Ok(crate::resolve::fetch(federation, &id).await?.object),
    }
}

/// Create or Update of a Video.
pub async fn video(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    let object = trusted_object(federation, incoming).await?;
    let parsed = parse_video(&object, None).map_err(|error| refused(error.to_string()))?;
    let id = Url::parse(&parsed.id).map_err(|error| refused(error.to_string()))?;
    let existing =
        kinora_db::remote_videos::find_by_url(federation.db().pool(), &parsed.id).await?;
    if let Some(existing) = &existing {
        // Only the owner changes a video (AZ-01), whatever the activity says it is.
        ensure_owner(federation, &incoming.signer, existing.channel_id, &id).await?;
    } else if incoming.signed_by_actor() && origin_of(&id) != origin_of(&incoming.signer) {
        return Err(refused("a video is announced by its own instance"));
    }
    let video_id = store_with_comments(federation, &parsed, existing.is_none()).await?;
    if existing.is_none() {
        // A video pushed to us as new (not one fetched while back-filling a channel): the local
        // subscribers of its channel are told when it is public and published.
        let mut tx = federation.db().begin().await?;
        kinora_db::notifications::on_video_published(&mut tx, video_id, now_millis()).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Refuses `signer` unless it owns the stored video of `channel_id` (AZ-01): the channel, its
/// account, or the instance actor of the video's origin.
pub(crate) async fn ensure_owner(
    federation: &Federation,
    signer: &Url,
    channel_id: i64,
    video_id: &Url,
) -> Result<(), ProcessError> {
    let pool = federation.db().pool();
    let channel = kinora_db::channels::find_by_id(pool, channel_id)
        .await?
        .ok_or_else(|| refused("the video's channel is gone"))?;
    let account = kinora_db::accounts::find_by_id(pool, channel.account_id).await?;
    let owners = [channel.url.clone(), account.and_then(|a| a.url)];
    let instance_actor =
        origin_of(video_id).map(|origin| format!("{origin}/accounts/{INSTANCE_ACTOR}"));
    let allowed = owners.iter().flatten().any(|url| url == signer.as_str())
        || instance_actor.as_deref() == Some(signer.as_str());
    if allowed {
        Ok(())
    } else {
        Err(refused(format!("{signer} does not own {video_id}")))
    }
}

/// Whether some local actor follows one of `actors` (accepted or pending: a Create may arrive
/// before the Accept). Only local actors follow remote ones here.
pub(crate) async fn followed_here(
    federation: &Federation,
    actors: &[&ActorRow],
) -> Result<bool, ProcessError> {
    for actor in actors {
        let (entries, _) = kinora_db::follows::list(
            federation.db().pool(),
            actor.id,
            kinora_db::follows::Side::Followers,
            true,
            0,
            1,
        )
        .await?;
        if !entries.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The channel of a remote video: the first entry of `attributedTo` that is a Group on the
/// video's origin.
async fn channel_of(
    federation: &Federation,
    parsed: &RemoteVideoObject,
    video_url: &Url,
) -> Result<(ActorRow, kinora_db::channels::ChannelRow), ProcessError> {
    for candidate in parsed.channel_candidates() {
        let Ok(url) = Url::parse(candidate) else {
            continue;
        };
        if origin_of(&url) != origin_of(video_url) {
            continue;
        }
        let actor = crate::resolve::actor(federation, &url, false).await?;
        if let Some(channel) =
            kinora_db::channels::find_by_actor(federation.db().pool(), actor.id).await?
        {
            return Ok((actor, channel));
        }
    }
    Err(refused("the video has no channel on its instance"))
}

/// Stores a remote video (its channel and account fetched when new). A new video is taken only
/// when `require_follow` finds a local follower of its channel, account or instance. Queues its
/// mirror when its instance is mirrored here. Returns the video's id.
pub(crate) async fn store(
    federation: &Federation,
    parsed: &RemoteVideoObject,
    require_follow: bool,
) -> Result<i64, ProcessError> {
    if federation.urls().is_ours(&parsed.id) {
        return Err(refused("a remote video cannot claim our host"));
    }
    let video_url = Url::parse(&parsed.id).map_err(|error| refused(error.to_string()))?;
    let (channel_actor, channel) = channel_of(federation, parsed, &video_url).await?;
    let pool = federation.db().pool();
    let host = channel_actor.host.clone().unwrap_or_default();
    if require_follow {
        let account_actor = match kinora_db::accounts::find_by_id(pool, channel.account_id).await? {
            Some(account) => kinora_db::actors::find_by_id(pool, account.actor_id).await?,
            None => None,
        };
        let instance = kinora_db::actors::find_remote_by_name(pool, INSTANCE_ACTOR, &host).await?;
        let candidates: Vec<&ActorRow> = [
            Some(&channel_actor),
            account_actor.as_ref(),
            instance.as_ref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !followed_here(federation, &candidates).await? {
            return Err(refused("nobody here follows this video's channel"));
        }
    }
    let (likes, dislikes) = counts(federation, parsed, &video_url).await;
    let chapters = remote_chapters(federation, parsed, &video_url).await;
    let files_json = kinora_core::remote::RemoteFile::to_json(&parsed.media.files);
    let trackers_json =
        serde_json::to_string(&parsed.media.trackers).unwrap_or_else(|_| "[]".into());
    let tags_json = parsed.tags_json();
    let short_uuid = parsed.short_uuid();
    let db = federation.db();
    let mut tx = db.begin().await?;
    let stored = kinora_db::remote_videos::upsert(
        &mut tx,
        &kinora_db::remote_videos::RemoteVideo {
            url: &parsed.id,
            uuid: &parsed.uuid,
            short_uuid: &short_uuid,
            channel_id: channel.id,
            name: &parsed.name,
            description: parsed.description.as_deref(),
            support: parsed.support.as_deref(),
            privacy: parsed.privacy.id(),
            category: parsed.category,
            licence: parsed.licence,
            language: parsed.language.as_deref(),
            nsfw: parsed.sensitive,
            comments_policy: parsed.comments_policy,
            download_enabled: parsed.download_enabled,
            tags_json: &tags_json,
            duration: parsed.duration,
            views: parsed.views,
            likes,
            dislikes,
            published_at: parsed.published,
            updated_at: parsed.updated,
            // A live's state says whether it waits, is on the air or ended; any other video
            // is shown as published, as before.
            state: match (parsed.is_live, parsed.state) {
                (true, state @ (1 | 4 | 5)) => state,
                (true, _) => 4,
                (false, _) => 1,
            },
            is_live: parsed.is_live,
            media: kinora_db::remote_videos::RemoteMedia {
                playlist_url: parsed.media.playlist_url.as_deref(),
                segments_sha256_url: parsed.media.segments_sha256_url.as_deref(),
                thumbnail_url: Some(parsed.thumbnail.url.as_str()),
                preview_url: parsed.preview.as_ref().map(|p| p.url.as_str()),
                files_json: &files_json,
                tracker_urls_json: &trackers_json,
            },
        },
        now_millis(),
    )
    .await?;
    let (video_id, created) = (stored.id, stored.created);
    if !stored.applied {
        // Activities about one video can be processed out of order: an object older than the
        // one stored changes nothing (its captions and chapters are older too).
        tracing::info!(video = %parsed.id, "an older version of the video ignored");
        return Ok(video_id);
    }
    let captions: Vec<(&str, &str)> = parsed
        .captions
        .iter()
        .map(|c| (c.language.as_str(), c.url.as_str()))
        .collect();
    kinora_db::video_captions::replace_remote(&mut tx, video_id, &captions, now_millis()).await?;
    if let Some(chapters) = &chapters {
        let rows: Vec<(i64, &str)> = chapters
            .iter()
            .map(|c| (c.timecode, c.title.as_str()))
            .collect();
        kinora_db::video_chapters::replace(&mut tx, video_id, &rows).await?;
    }
    let mirrored = kinora_db::deliveries::find_host(&mut *tx, &host)
        .await?
        .is_some_and(|h| h.redundancy_allowed != 0);
    if mirrored {
        kinora_jobs::enqueue(&mut tx, &kinora_jobs::Job::MirrorVideo { video_id }).await?;
    }
    tx.commit().await?;
    tracing::info!(video = %parsed.id, created, "remote video stored");
    Ok(video_id)
}

/// A video's chapters, read from its `hasParts` document at its origin (through the guarded
/// client); `None` when it names none there or the document cannot be read (the chapters
/// known stay).
async fn remote_chapters(
    federation: &Federation,
    parsed: &RemoteVideoObject,
    video_url: &Url,
) -> Option<Vec<kinora_core::chapters::Chapter>> {
    let url = Url::parse(parsed.chapters_url.as_deref()?).ok()?;
    if origin_of(&url) != origin_of(video_url) {
        return None;
    }
    let fetched = crate::resolve::fetch(federation, &url).await.ok()?;
    Some(crate::protocol::parse::captions::parse_chapters(
        &fetched.object,
    ))
}

/// A video's likes and dislikes: given in its collections, or read from them at its origin
/// (PeerTube links the collections; their `totalItems` are the counts). Unreadable counts are
/// zero.
async fn counts(
    federation: &Federation,
    parsed: &RemoteVideoObject,
    video_url: &Url,
) -> (i64, i64) {
    let mut totals = [0, 0];
    for (slot, collection) in [&parsed.likes, &parsed.dislikes].into_iter().enumerate() {
        if let Some(total) = collection.total_items {
            totals[slot] = total;
            continue;
        }
        let Some(url) = collection.url.as_deref().and_then(|u| Url::parse(u).ok()) else {
            continue;
        };
        if origin_of(&url) != origin_of(video_url) {
            continue;
        }
        if let Ok(fetched) = crate::resolve::fetch(federation, &url).await {
            totals[slot] = fetched
                .object
                .get("totalItems")
                .and_then(Value::as_i64)
                .filter(|n| *n >= 0)
                .unwrap_or(0);
        }
    }
    (totals[0], totals[1])
}

/// [`store`], then, for a video new here, the comments written on it before it reached us
/// (read from its `comments` collection at its origin, within budgets). Comments met while
/// resolving a reply chain store their video with [`store`] alone, so this never recurses.
pub(crate) async fn store_with_comments(
    federation: &Federation,
    parsed: &RemoteVideoObject,
    require_follow: bool,
) -> Result<i64, ProcessError> {
    let known = kinora_db::remote_videos::find_by_url(federation.db().pool(), &parsed.id)
        .await?
        .is_some();
    let video_id = store(federation, parsed, require_follow).await?;
    if !known
        && let (Ok(video_url), Some(comments)) = (
            Url::parse(&parsed.id),
            parsed
                .comments
                .url
                .as_deref()
                .and_then(|u| Url::parse(u).ok()),
        )
        && origin_of(&comments) == origin_of(&video_url)
    {
        crate::backfill::fetch_comments(federation, &comments).await;
    }
    Ok(video_id)
}

/// Parses and stores a Video document already known to come from its origin.
pub(crate) async fn store_document(
    federation: &Federation,
    document: &Value,
    require_follow: bool,
) -> Result<i64, ProcessError> {
    let parsed = parse_video(document, None).map_err(|error| refused(error.to_string()))?;
    store_with_comments(federation, &parsed, require_follow).await
}

/// Create or Update whose object is only an id: fetched, then handled by what it is.
pub async fn by_reference(
    federation: &Federation,
    incoming: &Incoming,
) -> Result<(), ProcessError> {
    let id = incoming
        .object_id()
        .ok_or_else(|| refused("the activity has no object"))?;
    let fetched = crate::resolve::fetch(federation, &id).await?;
    match fetched.object.get("type").and_then(Value::as_str) {
        Some("Video") => {
            let parsed = parse_video(&fetched.object, Some(fetched.final_url.as_str()))
                .map_err(|error| refused(error.to_string()))?;
            let existing =
                kinora_db::remote_videos::find_by_url(federation.db().pool(), &parsed.id).await?;
            if let Some(existing) = &existing {
                ensure_owner(
                    federation,
                    &incoming.signer,
                    existing.channel_id,
                    &fetched.final_url,
                )
                .await?;
            }
            store_with_comments(federation, &parsed, existing.is_none()).await?;
            Ok(())
        }
        Some("Note") => super::comments::store_fetched_note(federation, &fetched.object).await,
        Some("Playlist") => {
            let parsed = crate::protocol::parse::playlist::parse_playlist(&fetched.object)
                .map_err(|error| refused(error.to_string()))?;
            super::playlists::store(federation, &parsed, None).await?;
            Ok(())
        }
        other => Err(refused(format!("{other:?} objects are not handled"))),
    }
}

/// Announce of a video: fetched from its origin (the embedded copy is never believed) and
/// stored when the announcer or the video's channel is followed here.
pub async fn announced(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("an Announce must be signed by its actor"));
    }
    let id = incoming
        .object_id()
        .ok_or_else(|| refused("the Announce has no object"))?;
    if federation.urls().is_ours(id.as_str()) {
        return Ok(()); // one of our own videos shared back: nothing to take in
    }
    let fetched = crate::resolve::fetch(federation, &id).await?;
    if fetched.object.get("type").and_then(Value::as_str) != Some("Video") {
        return Err(refused("only videos are taken from an Announce"));
    }
    let parsed = parse_video(&fetched.object, Some(fetched.final_url.as_str()))
        .map_err(|error| refused(error.to_string()))?;
    let announcer = crate::resolve::actor(federation, &incoming.signer, false).await?;
    let follows_announcer = followed_here(federation, &[&announcer]).await?;
    store_with_comments(federation, &parsed, !follows_announcer).await?;
    Ok(())
}
