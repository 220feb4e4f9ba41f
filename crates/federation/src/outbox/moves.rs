//! The move of a local actor (issue 17): an Update of its document (now with `movedTo`) and a
//! `Move` to the target, both signed by the actor that moved, for its remote followers (each
//! follows the target in turn) and, through `address_relays`, the relays.

use super::*;
use crate::protocol::actors::followers_url;

/// The Update and the Move of the actor `actor_id`, which moved to `target_url` at `moved_at`.
pub(super) async fn actor_moved(
    federation: &Federation,
    actor_id: i64,
    target_url: &str,
    moved_at: i64,
) -> Result<Plan, FanOutError> {
    let Some(row) = actor(federation, actor_id).await? else {
        return Ok(Plan::default());
    };
    let url = federation.urls().actor(&row);
    let mut plan = follows::actor_updated(federation, actor_id).await?;
    let inboxes =
        kinora_db::follows::remote_follower_inboxes(federation.db().pool(), &[actor_id]).await?;
    let audience = Audience::public(&followers_url(&url));
    let body = activities::move_actor(&url, target_url, moved_at, &audience);
    plan.outgoing
        .push(Outgoing::new(body, Some(actor_id), true, inboxes));
    Ok(plan)
}
