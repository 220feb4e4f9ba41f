//! Plans for relays (FEP-ae0c): the instance actor's Follow of a relay — of the public
//! audience at a Mastodon-style relay's inbox, of the relay's actor for a LitePub one — and its
//! Undo; and [`address_relays`], which adds the accepted relays' inboxes to our public
//! activities: the Create or Update of a public video or comment, the Delete of an object
//! whose public activities went to the relays before, and the Move of an actor (nothing else
//! of ours reaches them).

use super::*;
use crate::protocol::context::ContextType;

/// The Follow of the relay `relay_id` by the instance actor, under the id stored with it.
pub(super) async fn relay_follow(
    federation: &Federation,
    relay_id: i64,
) -> Result<Plan, FanOutError> {
    let Some(relay) = kinora_db::relays::find_by_id(federation.db().pool(), relay_id).await? else {
        return Ok(Plan::default());
    };
    let followed = match (relay.style.as_str(), relay.actor_url.as_deref()) {
        ("litepub", Some(actor)) => actor.to_owned(),
        _ => kinora_app::relays::PUBLIC.to_owned(),
    };
    let body = follow_body(federation, &relay.follow_url, &followed);
    Ok(Plan {
        outgoing: vec![Outgoing::new(
            body,
            Some(federation.instance_actor_id()),
            false,
            vec![relay.inbox_url],
        )],
        effects: Vec::new(),
    })
}

fn follow_body(federation: &Federation, follow_url: &str, followed: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Follow",
        "id": follow_url,
        "actor": federation.urls().instance_actor(),
        "object": followed,
    })
}

/// The Undo of our Follow `follow_url` of `followed`, for the relay's inbox.
pub(super) fn relay_undone(
    federation: &Federation,
    inbox_url: String,
    followed: &str,
    follow_url: &str,
) -> Plan {
    let follow = follow_body(federation, follow_url, followed);
    let actor = federation.urls().instance_actor();
    let audience = Audience::direct(followed);
    let body = super::follows::with_unique_id(activities::undo(
        &follow,
        &actor,
        &audience,
        ContextType::Follow,
    ));
    Plan {
        outgoing: vec![Outgoing::new(
            body,
            Some(federation.instance_actor_id()),
            false,
            vec![inbox_url],
        )],
        effects: Vec::new(),
    }
}

/// Adds the accepted relays' inboxes to the activities of `plan` that relays carry.
pub(super) async fn address_relays(
    federation: &Federation,
    plan: &mut Plan,
) -> Result<(), FanOutError> {
    if plan.outgoing.is_empty() {
        return Ok(());
    }
    let pool = federation.db().pool();
    let relays = kinora_db::relays::accepted_inboxes(pool).await?;
    if relays.is_empty() {
        return Ok(());
    }
    for outgoing in &mut plan.outgoing {
        let body = &outgoing.body;
        let object = body.get("object");
        let Some(object_url) = object
            .and_then(|o| o.as_str().or_else(|| o.get("id").and_then(Value::as_str)))
            .map(str::to_owned)
        else {
            continue;
        };
        let relayed = match body.get("type").and_then(Value::as_str) {
            Some("Create" | "Update") => {
                let object_type = object.and_then(|o| o.get("type")).and_then(Value::as_str);
                let carried = matches!(object_type, Some("Video" | "Note")) && is_public(body);
                if carried {
                    kinora_db::relays::mark_published(pool, &object_url, now_millis()).await?;
                }
                carried
            }
            Some("Delete") => kinora_db::relays::was_published(pool, &object_url).await?,
            // A moved actor tells the relays too (as Mastodon's MoveDistributionWorker).
            Some("Move") => true,
            _ => false,
        };
        if relayed {
            for inbox in &relays {
                if !outgoing.inboxes.contains(inbox) {
                    outgoing.inboxes.push(inbox.clone());
                }
            }
        }
    }
    Ok(())
}

/// Whether an activity is addressed to the public (in `to` or `cc`).
fn is_public(body: &Value) -> bool {
    ["to", "cc"].iter().any(|field| match body.get(*field) {
        Some(Value::Array(items)) => items
            .iter()
            .any(|item| item.as_str() == Some(kinora_app::relays::PUBLIC)),
        Some(Value::String(item)) => item == kinora_app::relays::PUBLIC,
        _ => false,
    })
}
