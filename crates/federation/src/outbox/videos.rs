//! Plans for videos: Create, Update or Delete of ours for their followers, ratings and views of
//! remote ones for their origin, and our mirrors announced to it and withdrawn.

use super::rounds::{fresh, in_round, last_sent, rounds_stored};
use super::*;

/// Create, Update or Delete of a local video, by what its followers already have; a public
/// video is also announced by its channel and the instance actor, delivered to the same
/// followers (as PeerTube does: servers such as Mastodon take a video in only from an actor
/// their users follow, the channel, and ignore the account's Create).
///
/// A video made private (or internal) again is deleted from its followers, and given back to
/// them with a new Create and new Announces when it is public or unlisted again: each time it
/// was withdrawn, later activities about it get ids of their own ([`withdrawals`]), since a
/// receiver skips an activity id it has already seen.
pub(super) async fn video_changed(
    federation: &Federation,
    video_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(video) = kinora_db::videos::find_by_id(pool, video_id).await? else {
        return Ok(Plan::default());
    };
    if !video.is_local() {
        return Ok(Plan::default());
    }
    let Some((account, channel)) = owners(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let account_url = urls.actor(&account);
    let video_url = urls.video(&video.uuid);
    let inboxes = follower_inboxes(federation, &[account.id, channel.id]).await?;
    let hashes = loader::video_infohashes(federation.db(), &video).await?;
    let object =
        loader::video_object_of(federation.db(), urls, federation.storage(), &video, &hashes)
            .await?;
    let followers = crate::protocol::actors::followers_url(&account_url);
    let round = withdrawals(federation, &video_url).await?;
    let mut plan = Plan::default();
    match (object, video.federated != 0) {
        (Some(object), already) => {
            let audience = Audience::of_video(video.privacy, &followers).unwrap_or_default();
            let public = audience.is_public();
            let body = if already {
                activities::update(
                    &object,
                    &account_url,
                    &audience,
                    video.updated_at.max(now_millis()),
                    ContextType::Video,
                )
            } else {
                in_round(
                    activities::create(&object, &account_url, &audience, ContextType::Video),
                    round,
                )
            };
            plan.outgoing.push(Outgoing::new(
                body,
                Some(account.id),
                public,
                inboxes.clone(),
            ));
            if !already {
                plan.effects.push(Effect::Federated(video.id, true));
            }
            if public {
                // Once per round (an Announce already stored is skipped): also when an
                // unlisted video becomes public. They are listed in the sharers' outboxes too,
                // which other instances read to back-fill after a follow.
                for sharer in [&channel, &instance_actor(federation).await?] {
                    let sharer_url = urls.actor(sharer);
                    let audience =
                        Audience::public(&crate::protocol::actors::followers_url(&sharer_url));
                    let body = in_round(
                        activities::announce(&sharer_url, sharer.id, &video_url, &audience),
                        round,
                    );
                    plan.outgoing
                        .push(Outgoing::new(body, Some(sharer.id), true, inboxes.clone()));
                }
            }
        }
        (None, true) => {
            // No longer for everyone (made private, or unpublished): followers forget it.
            let body = video_delete(&video_url, &account_url, round);
            plan.outgoing
                .push(Outgoing::new(body, Some(account.id), false, inboxes));
            plan.effects.push(Effect::Federated(video.id, false));
        }
        (None, false) => {}
    }
    Ok(plan)
}

/// `Delete` of a local video for its followers, the `round`-th time it is withdrawn.
pub(super) fn video_delete(video_url: &str, actor_url: &str, round: u64) -> Value {
    in_round(activities::delete(video_url, actor_url, None), round)
}

/// How many times followers were told to forget the local video `video_url`: its Deletes
/// stored so far (`<video>/delete`, then `<video>/delete/1`, …), found by their ids.
pub(super) async fn withdrawals(
    federation: &Federation,
    video_url: &str,
) -> Result<u64, FanOutError> {
    rounds_stored(federation, &activities::delete(video_url, video_url, None)).await
}

pub(super) async fn instance_actor(federation: &Federation) -> Result<ActorRow, FanOutError> {
    actor(federation, federation.instance_actor_id())
        .await?
        .ok_or(FanOutError::Missing("the instance actor"))
}

/// The inbox of a remote video's origin (its channel's, shared where there is one).
pub(super) async fn origin_inbox(
    federation: &Federation,
    video: &VideoRow,
) -> Result<Option<(ActorRow, String)>, FanOutError> {
    let Some((_, channel)) = owners(federation, video).await? else {
        return Ok(None);
    };
    let inbox = channel.delivery_inbox().map(str::to_owned);
    Ok(inbox.map(|inbox| (channel, inbox)))
}

pub(super) async fn video_rated(
    federation: &Federation,
    account_id: i64,
    video_id: i64,
    previous: Option<String>,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(video) = kinora_db::videos::find_by_id(pool, video_id).await? else {
        return Ok(Plan::default());
    };
    if video.is_local() {
        // Followers get the new counts (PeerTube sends an Update of the video).
        return if video.federated != 0 {
            video_changed(federation, video_id).await
        } else {
            Ok(Plan::default())
        };
    }
    let Some(account) = kinora_db::accounts::find_by_id(pool, account_id).await? else {
        return Ok(Plan::default());
    };
    let Some((origin, inbox)) = origin_inbox(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let video_url = loader::video_id(federation.urls(), &video);
    let account_url = federation.urls().account(&account.name);
    let audience = Audience::direct(&federation.urls().actor(&origin));
    let rating = kinora_db::ratings::find(pool, account.id, video.id).await?;
    let build = |kind: &str| match kind {
        "like" => Some(activities::like(
            &account_url,
            &video_url,
            video.id,
            &audience,
        )),
        "dislike" => Some(activities::dislike(
            &account_url,
            &video_url,
            video.id,
            &audience,
        )),
        _ => None,
    };
    // A rating can be taken back and given again: each Like or Dislike gets an id not sent
    // before (a receiver skips ids it has seen), and an Undo names the one that was sent.
    let mut plan = Plan::default();
    if let Some(previous) = previous.as_deref().and_then(build) {
        let previous = last_sent(federation, previous).await?;
        let body = activities::undo(&previous, &account_url, &audience, ContextType::Rate);
        plan.outgoing.push(Outgoing::new(
            body,
            Some(account.actor_id),
            false,
            vec![inbox.clone()],
        ));
    }
    if let Some(current) = rating.as_deref().and_then(build) {
        plan.outgoing.push(Outgoing::new(
            fresh(federation, current).await?,
            Some(account.actor_id),
            false,
            vec![inbox],
        ));
    }
    Ok(plan)
}

pub(super) async fn remote_viewed(
    federation: &Federation,
    video_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(video) = kinora_db::videos::find_by_id(pool, video_id).await? else {
        return Ok(Plan::default());
    };
    let Some((origin, inbox)) = origin_inbox(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let viewer = uuid::Uuid::new_v4().simple().to_string();
    let audience = Audience::direct(&urls.actor(&origin));
    let body = activities::view(
        &urls.instance_actor(),
        &loader::video_id(urls, &video),
        video.id,
        &viewer,
        &audience,
    );
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, None, false, vec![inbox])],
        effects: Vec::new(),
    })
}

pub(super) async fn redundancy_created(
    federation: &Federation,
    redundancy_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(mirror) = kinora_db::redundancies::find_by_id(pool, redundancy_id).await? else {
        return Ok(Plan::default());
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, mirror.video_id).await? else {
        return Ok(Plan::default());
    };
    let Some((origin, inbox)) = origin_inbox(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    // PeerTube's CacheFile links the mirror's HLS directory, its redundancies[].baseUrl.
    let object = activities::cache_file(
        &mirror.url,
        &loader::video_id(urls, &video),
        &mirror.base_url,
        mirror.expires_at,
    );
    let audience = Audience::direct(&urls.actor(&origin));
    let body = activities::create(
        &object,
        &urls.instance_actor(),
        &audience,
        ContextType::CacheFile,
    );
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, None, false, vec![inbox])],
        effects: Vec::new(),
    })
}

/// `Undo{Create{CacheFile}}` for the origin of a video we stopped mirroring.
pub(super) async fn redundancy_removed(
    federation: &Federation,
    video_id: i64,
    cache_file_url: &str,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(video) = kinora_db::videos::find_by_id(pool, video_id).await? else {
        return Ok(Plan::default());
    };
    let Some((origin, inbox)) = origin_inbox(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let object = activities::cache_file(
        cache_file_url,
        &loader::video_id(urls, &video),
        &crate::mirror::mirror_base_url(federation, &video.uuid),
        None,
    );
    let audience = Audience::direct(&urls.actor(&origin));
    let actor = urls.instance_actor();
    let created = activities::create(&object, &actor, &audience, ContextType::CacheFile);
    let body = activities::undo(&created, &actor, &audience, ContextType::CacheFile);
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, None, false, vec![inbox])],
        effects: Vec::new(),
    })
}
