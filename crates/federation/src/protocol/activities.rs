//! Activities with PeerTube's ids (`lib/activitypub/url.ts`): `<object>/activity` for Create,
//! `<object>/updates/<date>` for Update, `<object>/delete`, `<activity>/undo`,
//! `<follower>/follows/<followingId>`, `/accepts/follows/<followId>`,
//! `/rejects/follows/<date>`, `<actor>/likes/<videoId>` (and `dislikes`),
//! `<video>/announces/<actorId>`, `<actor>/views/videos/<videoId>/<viewer>`, and Mastodon's `<actor>#moves/<date>` for Move. Each comes with
//! the `@context` of what it carries; an embedded object carries none.

use kinora_core::dates::iso_date;
use serde_json::{Value, json};

use super::audience::Audience;
use super::context::{ContextType, with_context, without_context};
use crate::urls::LocalUrls;

fn id_of(document: &Value) -> &str {
    document.get("id").and_then(Value::as_str).unwrap_or("")
}

/// An activity of `kind` by `actor` on `object`, addressed to `audience` when given.
fn activity(
    kind: &str,
    id: String,
    actor: &str,
    object: Value,
    audience: Option<&Audience>,
    context: ContextType,
) -> Value {
    let mut activity = json!({ "type": kind, "id": id, "actor": actor, "object": object });
    if let Some(audience) = audience {
        audience.apply(&mut activity);
    }
    with_context(activity, context)
}

/// The object embedded in an activity: without its `@context`, with the activity's audience.
fn embedded(object: &Value, audience: &Audience) -> Value {
    let mut object = without_context(object.clone());
    audience.apply(&mut object);
    object
}

/// `Create` of `object` (a Video, Note or CacheFile built here) by `actor`.
pub fn create(object: &Value, actor: &str, audience: &Audience, context: ContextType) -> Value {
    activity(
        "Create",
        format!("{}/activity", id_of(object)),
        actor,
        embedded(object, audience),
        Some(audience),
        context,
    )
}

/// `Update` of `object` by `actor`, made at `updated_at` (epoch milliseconds; the id names it).
pub fn update(
    object: &Value,
    actor: &str,
    audience: &Audience,
    updated_at: i64,
    context: ContextType,
) -> Value {
    activity(
        "Update",
        format!("{}/updates/{}", id_of(object), iso_date(updated_at)),
        actor,
        embedded(object, audience),
        Some(audience),
        context,
    )
}

/// `Delete` of the object `object_url` by `actor`.
pub fn delete(object_url: &str, actor: &str, audience: Option<&Audience>) -> Value {
    activity(
        "Delete",
        format!("{object_url}/delete"),
        actor,
        json!(object_url),
        audience,
        ContextType::Delete,
    )
}

/// `Move` of the actor `actor` (also its `object`) to `target` (Mastodon's, FEP-7628), made at
/// `moved_at` (epoch milliseconds; the id, `<actor>#moves/<moved_at>`, names it).
pub fn move_actor(actor: &str, target: &str, moved_at: i64, audience: &Audience) -> Value {
    let mut body = activity(
        "Move",
        format!("{actor}#moves/{moved_at}"),
        actor,
        json!(actor),
        Some(audience),
        ContextType::Actor,
    );
    body["target"] = json!(target);
    body
}

/// `Follow` of `following` by `follower`; `following_id` is the followed actor's id here.
pub fn follow(follower: &str, following: &str, following_id: i64) -> Value {
    activity(
        "Follow",
        format!("{follower}/follows/{following_id}"),
        follower,
        json!(following),
        None,
        ContextType::Follow,
    )
}

/// `Accept` by `actor` of the follow `follow` (the Follow activity, stored as `follow_id`).
pub fn accept(urls: &LocalUrls, actor: &str, follow: &Value, follow_id: i64) -> Value {
    activity(
        "Accept",
        format!("{}/accepts/follows/{follow_id}", urls.base()),
        actor,
        without_context(follow.clone()),
        None,
        ContextType::Accept,
    )
}

/// `Reject` by `actor` of the Follow activity `follow`, refused at `at` (epoch milliseconds).
pub fn reject(urls: &LocalUrls, actor: &str, follow: &Value, at: i64) -> Value {
    activity(
        "Reject",
        format!("{}/rejects/follows/{}", urls.base(), iso_date(at)),
        actor,
        without_context(follow.clone()),
        None,
        ContextType::Reject,
    )
}

/// `Undo` of `undone` (a Follow, Like, Dislike, Announce or Create{CacheFile} built here) by
/// `actor`; `context` is the undone activity's.
pub fn undo(undone: &Value, actor: &str, audience: &Audience, context: ContextType) -> Value {
    activity(
        "Undo",
        format!("{}/undo", id_of(undone)),
        actor,
        without_context(undone.clone()),
        Some(audience),
        context,
    )
}

fn rate(
    kind: &str,
    path: &str,
    actor: &str,
    video: &str,
    video_id: i64,
    audience: &Audience,
) -> Value {
    activity(
        kind,
        format!("{actor}/{path}/{video_id}"),
        actor,
        json!(video),
        Some(audience),
        ContextType::Rate,
    )
}

/// `Like` of the video `video` (numbered `video_id` here) by `actor`.
pub fn like(actor: &str, video: &str, video_id: i64, audience: &Audience) -> Value {
    rate("Like", "likes", actor, video, video_id, audience)
}

/// `Dislike` (PeerTube's) of the video `video` (numbered `video_id` here) by `actor`.
pub fn dislike(actor: &str, video: &str, video_id: i64, audience: &Audience) -> Value {
    rate("Dislike", "dislikes", actor, video, video_id, audience)
}

/// `Announce` of the video `video` by `actor` (numbered `actor_id` here).
pub fn announce(actor: &str, actor_id: i64, video: &str, audience: &Audience) -> Value {
    activity(
        "Announce",
        format!("{video}/announces/{actor_id}"),
        actor,
        json!(video),
        Some(audience),
        ContextType::Announce,
    )
}

/// `View` of the video `video` (numbered `video_id` here) by `actor` (the instance actor), for
/// one counted view; `viewer` tells views apart (a random id).
pub fn view(actor: &str, video: &str, video_id: i64, viewer: &str, audience: &Audience) -> Value {
    activity(
        "View",
        format!("{actor}/views/videos/{video_id}/{viewer}"),
        actor,
        json!(video),
        Some(audience),
        ContextType::View,
    )
}

/// The id of this instance's mirror of a video's HLS files.
pub fn cache_file_id(urls: &LocalUrls, video_uuid: &str) -> String {
    format!(
        "{}/redundancy/streaming-playlists/hls/{video_uuid}",
        urls.base()
    )
}

/// The `CacheFile` object of a mirror (`id`, from [`cache_file_id`]) of the video `video`
/// whose HLS master playlist is served at `playlist_url`, until `expires_at` (epoch ms).
pub fn cache_file(id: &str, video: &str, playlist_url: &str, expires_at: Option<i64>) -> Value {
    with_context(
        json!({
            "id": id,
            "type": "CacheFile",
            "object": video,
            "expires": expires_at.map(iso_date),
            "url": {
                "type": "Link",
                "mediaType": "application/x-mpegURL",
                "href": playlist_url,
            },
        }),
        ContextType::CacheFile,
    )
}
