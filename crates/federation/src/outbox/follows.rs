//! Plans for follows and their answers, and actor updates.

use super::*;
/// The Follow activity of `follower` for `following`, as it was (or will be) sent.
pub(super) fn follow_activity(
    federation: &Federation,
    follower: &ActorRow,
    following: &ActorRow,
) -> Value {
    let urls = federation.urls();
    activities::follow(&urls.actor(follower), &urls.actor(following), following.id)
}

/// Both ends of a follow, when both actors still exist.
async fn follow_ends(
    federation: &Federation,
    follower_id: i64,
    following_id: i64,
) -> Result<Option<(ActorRow, ActorRow)>, FanOutError> {
    let follower = actor(federation, follower_id).await?;
    let following = actor(federation, following_id).await?;
    Ok(follower.zip(following))
}

pub(super) async fn follow_requested(
    federation: &Federation,
    follow_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(follow) = kinora_db::follows::find_by_id(pool, follow_id).await? else {
        return Ok(Plan::default());
    };
    let Some((follower, following)) =
        follow_ends(federation, follow.follower_id, follow.following_id).await?
    else {
        return Ok(Plan::default());
    };
    let Some(inbox) = following.inbox_url.clone() else {
        return Ok(Plan::default());
    };
    // Followed again after an Undo: a Follow id not sent before (receivers skip ids they have
    // seen); the follow keeps it, and its Undo names it.
    let body = super::rounds::fresh(
        federation,
        follow_activity(federation, &follower, &following),
    )
    .await?;
    let url = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, Some(follower.id), false, vec![inbox])],
        effects: vec![Effect::FollowUrl(follow.id, url)],
    })
}

/// A follow queued while its instance could not be reached: looked up again (an error retries
/// the job, with its backoff); once found, the instance follows it, which queues the Follow.
pub(super) async fn instance_follow_queued(
    federation: &Federation,
    name: &str,
    host: &str,
) -> Result<Plan, FanOutError> {
    let actor = crate::resolve::actor_by_handle(federation, name, host).await?;
    kinora_app::instance_follows::follow_resolved(federation.db(), &[actor])
        .await
        .map_err(crate::FederationError::from)?;
    Ok(Plan::default())
}

/// The `Undo` of the Follow sent as `follow_url` (rebuilt with its first id when the follow
/// was undone before its Follow was sent).
pub(super) async fn follow_undone(
    federation: &Federation,
    follower_actor_id: i64,
    following_actor_id: i64,
    follow_url: &str,
) -> Result<Plan, FanOutError> {
    let Some((follower, following)) =
        follow_ends(federation, follower_actor_id, following_actor_id).await?
    else {
        return Ok(Plan::default());
    };
    let Some(inbox) = following.inbox_url.clone() else {
        return Ok(Plan::default());
    };
    let mut follow = follow_activity(federation, &follower, &following);
    if !follow_url.is_empty() {
        follow["id"] = json!(follow_url);
    }
    let follower_url = federation.urls().actor(&follower);
    let audience = Audience::direct(&federation.urls().actor(&following));
    let body = activities::undo(&follow, &follower_url, &audience, ContextType::Follow);
    // The id of an Undo names what it undoes: a second Undo of a later follow must not collide.
    let body = with_unique_id(body);
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, Some(follower.id), false, vec![inbox])],
        effects: Vec::new(),
    })
}

/// Gives an activity whose id would repeat (an Undo of a Follow that can happen again) a
/// fragment that makes it unique.
pub(super) fn with_unique_id(mut body: Value) -> Value {
    if let Some(id) = body.get("id").and_then(Value::as_str) {
        let unique = format!("{id}#{}", uuid::Uuid::new_v4().simple());
        body["id"] = json!(unique);
    }
    body
}

/// The Follow a remote actor sent (as stored), or one rebuilt from the follow's ends.
pub(super) fn received_follow(url: &str, follower: &str, following: &str) -> Value {
    json!({ "type": "Follow", "id": url, "actor": follower, "object": following })
}

pub(super) async fn follow_accepted(
    federation: &Federation,
    follow_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(follow) = kinora_db::follows::find_by_id(pool, follow_id).await? else {
        return Ok(Plan::default());
    };
    let Some((follower, following)) =
        follow_ends(federation, follow.follower_id, follow.following_id).await?
    else {
        return Ok(Plan::default());
    };
    let Some(inbox) = follower.inbox_url.clone() else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let following_url = urls.actor(&following);
    let follow_body = received_follow(
        follow.url.as_deref().unwrap_or_default(),
        &urls.actor(&follower),
        &following_url,
    );
    let body = activities::accept(urls, &following_url, &follow_body, follow.id);
    Ok(Plan {
        outgoing: vec![Outgoing::new(
            with_unique_id(body),
            Some(following.id),
            false,
            vec![inbox],
        )],
        effects: Vec::new(),
    })
}

pub(super) async fn follow_rejected(
    federation: &Federation,
    follower_actor_id: i64,
    following_actor_id: i64,
    follow_url: &str,
) -> Result<Plan, FanOutError> {
    let Some((follower, following)) =
        follow_ends(federation, follower_actor_id, following_actor_id).await?
    else {
        return Ok(Plan::default());
    };
    let Some(inbox) = follower.inbox_url.clone() else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let following_url = urls.actor(&following);
    let follow_body = received_follow(follow_url, &urls.actor(&follower), &following_url);
    let body = activities::reject(urls, &following_url, &follow_body, now_millis());
    Ok(Plan {
        outgoing: vec![Outgoing::new(
            with_unique_id(body),
            Some(following.id),
            false,
            vec![inbox],
        )],
        effects: Vec::new(),
    })
}

pub(super) async fn actor_updated(
    federation: &Federation,
    actor_id: i64,
) -> Result<Plan, FanOutError> {
    let Some(object) =
        loader::load_actor_object(federation.db(), federation.urls(), actor_id).await?
    else {
        return Ok(Plan::default());
    };
    let Some(row) = actor(federation, actor_id).await? else {
        return Ok(Plan::default());
    };
    let url = federation.urls().actor(&row);
    let inboxes =
        kinora_db::follows::remote_follower_inboxes(federation.db().pool(), &[actor_id]).await?;
    let audience = Audience::public(&crate::protocol::actors::followers_url(&url));
    let body = activities::update(&object, &url, &audience, now_millis(), ContextType::Actor);
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, Some(actor_id), false, inboxes)],
        effects: Vec::new(),
    })
}
