//! Reads what a document needs from the database and builds it: the one call the fan-out and
//! the read routes make for a video, an actor or a comment. Each answers `None` for what must
//! not be federated: remote objects (their origin serves them), and anything the one visibility
//! rule hides from an anonymous viewer (private and internal videos and their comments).

use kinora_app::MediaStorage;
use kinora_app::visibility::{can_federate, can_view};
use kinora_db::Db;
use kinora_db::actors::ActorRow;
use kinora_db::comments::CommentRow;
use kinora_db::videos::VideoRow;
use serde_json::Value;

use kinora_app::actor_images::ActorImageKind;

use super::actors::{ActorIcon, add_move_fields, application, group, image_list, person};
use super::notes::{Mention, NoteParts, comment_object};
use super::video::{VideoMediaUrls, VideoParts, video_object};
use crate::FederationError;
use crate::urls::LocalUrls;

/// Most comments above a comment whose authors are mentioned (PeerTube follows 100 levels).
pub const MAX_THREAD_DEPTH: usize = 100;

/// The Video object of local video `video_id`, with `infohashes` as its HLS playlist's
/// `Infohash` tags; none when it is remote, gone, or not visible to everyone (private,
/// internal, not published yet).
pub async fn load_video_object(
    db: &Db,
    urls: &LocalUrls,
    storage: &MediaStorage,
    video_id: i64,
    infohashes: &[String],
) -> Result<Option<Value>, FederationError> {
    let Some(video) = kinora_db::videos::find_by_id(db.pool(), video_id).await? else {
        return Ok(None);
    };
    video_object_of(db, urls, storage, &video, infohashes).await
}

/// [`load_video_object`] for a video row already read.
pub async fn video_object_of(
    db: &Db,
    urls: &LocalUrls,
    storage: &MediaStorage,
    video: &VideoRow,
    infohashes: &[String],
) -> Result<Option<Value>, FederationError> {
    if !video.is_local() || !can_federate(db, video).await? {
        return Ok(None);
    }
    let pool = db.pool();
    let Some(channel) = kinora_db::channels::find_by_id(pool, video.channel_id).await? else {
        return Ok(None);
    };
    let Some(account) = kinora_db::accounts::find_by_id(pool, channel.account_id).await? else {
        return Ok(None);
    };
    let files = kinora_db::videos::list_files(pool, video.id).await?;
    let media = VideoMediaUrls::of(storage, video, &files, urls.base())?;
    let captions = kinora_db::video_captions::list_of(pool, video.id).await?;
    let live = if video.is_live == 1 {
        kinora_db::video_lives::find(pool, video.id).await?
    } else {
        None
    };
    Ok(video_object(
        urls,
        &VideoParts {
            video,
            channel: &channel,
            account: &account,
            files: &files,
            media: &media,
            infohashes,
            captions: &captions,
            live: live.as_ref(),
        },
    ))
}

/// The `Infohash` tags of a video's HLS playlist: its p2p-media-loader swarms, as PeerTube's
/// players (and ours) announce them.
pub async fn video_infohashes(db: &Db, video: &VideoRow) -> Result<Vec<String>, FederationError> {
    let files = kinora_db::videos::list_files(db.pool(), video.id).await?;
    let resolutions: Vec<i64> = files.iter().map(|f| f.resolution).collect();
    Ok(kinora_core::swarm::video_swarms(&video.uuid, &resolutions)
        .iter()
        .map(|swarm| swarm.info_hash_text().to_owned())
        .collect())
}

/// The actor document of local actor `actor_id` (Person, Group or Application); none when it
/// is remote or gone.
pub async fn load_actor_object(
    db: &Db,
    urls: &LocalUrls,
    actor_id: i64,
) -> Result<Option<Value>, FederationError> {
    let Some(actor) = kinora_db::actors::find_by_id(db.pool(), actor_id).await? else {
        return Ok(None);
    };
    actor_object_of(db, urls, &actor).await
}

/// [`load_actor_object`] for an actor row already read.
pub async fn actor_object_of(
    db: &Db,
    urls: &LocalUrls,
    actor: &ActorRow,
) -> Result<Option<Value>, FederationError> {
    if !actor.is_local() {
        return Ok(None);
    }
    let pool = db.pool();
    let images = kinora_db::actor_images::list_for_actor(pool, actor.id).await?;
    let urls_of = |kind: ActorImageKind| -> Vec<(String, i64, i64)> {
        images
            .iter()
            .filter(|row| row.kind == kind.db_kind())
            .map(|row| {
                let url = format!("{}{}", urls.base(), kind.path(&row.file_name));
                (url, row.width, row.height)
            })
            .collect()
    };
    let (avatars, banners) = (
        urls_of(ActorImageKind::Avatar),
        urls_of(ActorImageKind::Banner),
    );
    let document = match actor.kind.as_str() {
        "Person" => kinora_db::accounts::find_by_actor(pool, actor.id)
            .await?
            .map(|account| person(urls, &account, actor, &icons_of(&avatars))),
        "Group" => {
            let Some(channel) = kinora_db::channels::find_by_actor(pool, actor.id).await? else {
                return Ok(None);
            };
            let Some(owner) = kinora_db::accounts::find_by_id(pool, channel.account_id).await?
            else {
                return Ok(None);
            };
            let Some(owner_actor) = kinora_db::actors::find_by_id(pool, owner.actor_id).await?
            else {
                return Ok(None);
            };
            let mut document = group(urls, &channel, actor, &owner_actor, &icons_of(&avatars));
            if !banners.is_empty() {
                document["image"] = image_list(&icons_of(&banners));
            }
            Some(document)
        }
        "Application" => Some(application(urls, actor)),
        _ => None,
    };
    let Some(mut document) = document else {
        return Ok(None);
    };
    let mut connection = pool.acquire().await.map_err(kinora_db::DbError::from)?;
    let aliases = kinora_db::actor_aliases::list(&mut connection, actor.id).await?;
    add_move_fields(&mut document, &aliases, actor.moved_to_url.as_deref());
    Ok(Some(document))
}

/// Stored images (their URL, width and height) as an actor's `icon` or `image` entries: JPEGs
/// the server encoded.
fn icons_of(list: &[(String, i64, i64)]) -> Vec<ActorIcon<'_>> {
    list.iter()
        .map(|(url, width, height)| ActorIcon {
            url,
            media_type: "image/jpeg",
            width: u32::try_from(*width).unwrap_or(0),
            height: u32::try_from(*height).unwrap_or(0),
        })
        .collect()
}

/// The ActivityPub id of any video: derived for local ones, stored for remote ones.
pub fn video_id(urls: &LocalUrls, video: &VideoRow) -> String {
    video.url.clone().unwrap_or_else(|| urls.video(&video.uuid))
}

/// The ActivityPub id of any comment on `video`: derived for ours, stored for remote ones.
pub fn comment_id(urls: &LocalUrls, video: &VideoRow, comment: &CommentRow) -> String {
    comment
        .url
        .clone()
        .unwrap_or_else(|| urls.comment(&video.uuid, comment.id))
}

/// The actor of an account, if both still exist.
async fn account_actor(
    db: &Db,
    account_id: Option<i64>,
) -> Result<Option<ActorRow>, FederationError> {
    let Some(account_id) = account_id else {
        return Ok(None);
    };
    let Some(account) = kinora_db::accounts::find_by_id(db.pool(), account_id).await? else {
        return Ok(None);
    };
    Ok(kinora_db::actors::find_by_id(db.pool(), account.actor_id).await?)
}

/// The Note (or Tombstone) of comment `comment_id`, written here on a local or remote video;
/// none when the comment came from elsewhere, is gone, or its video is not visible to everyone.
pub async fn load_comment_object(
    db: &Db,
    urls: &LocalUrls,
    comment_id_here: i64,
) -> Result<Option<Value>, FederationError> {
    let pool = db.pool();
    let Some(comment) = kinora_db::comments::find_by_id(pool, comment_id_here).await? else {
        return Ok(None);
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await? else {
        return Ok(None);
    };
    comment_object_of(db, urls, &video, &comment).await
}

/// [`load_comment_object`] for rows already read (`comment` is on `video`).
pub async fn comment_object_of(
    db: &Db,
    urls: &LocalUrls,
    video: &VideoRow,
    comment: &CommentRow,
) -> Result<Option<Value>, FederationError> {
    if comment.url.is_some() || comment.video_id != video.id || !can_view(db, video, None).await? {
        return Ok(None);
    }
    // Held for review on one of our videos: nobody else may see it yet.
    if comment.is_held() && video.is_local() {
        return Ok(None);
    }
    let pool = db.pool();
    let mut in_reply_to = video_id(urls, video);
    let mut mentions = Vec::new();
    let mut parent_id = comment.in_reply_to_id;
    let mut first = true;
    for _ in 0..MAX_THREAD_DEPTH {
        let Some(id) = parent_id else {
            break;
        };
        let Some(parent) = kinora_db::comments::find_by_id(pool, id).await? else {
            break;
        };
        if first {
            in_reply_to = comment_id(urls, video, &parent);
            first = false;
        }
        if let Some(actor) = account_actor(db, parent.account_id).await? {
            let href = urls.actor(&actor);
            if !mentions.iter().any(|m: &Mention| m.href == href) {
                let host = actor.host.clone().unwrap_or_else(|| urls.host().to_owned());
                mentions.push(Mention {
                    href,
                    name: format!("@{}@{host}", actor.preferred_username),
                });
            }
        }
        parent_id = parent.in_reply_to_id;
    }
    let author = account_actor(db, comment.account_id)
        .await?
        .map(|actor| urls.actor(&actor));
    let id = urls.comment(&video.uuid, comment.id);
    Ok(Some(comment_object(&NoteParts {
        comment,
        id: &id,
        in_reply_to: &in_reply_to,
        author: author.as_deref(),
        mentions: &mentions,
    })))
}
