//! Plans for our playlists: a `Create` of the `Playlist` for the followers of its account, its
//! channel and the instance while it is public or unlisted in a channel (an `Update` once they
//! have it), a `Delete` once it is not, or is deleted, as PeerTube sends them.

use super::rounds::{in_round, rounds_stored};
use super::*;
use crate::protocol::playlist::{is_federated, playlist_object, playlist_url};

/// Create, Update or Delete of our playlist `playlist_id`, by what its followers have.
pub(super) async fn playlist_changed(
    federation: &Federation,
    playlist_id: i64,
) -> Result<Plan, FanOutError> {
    let db = federation.db();
    let Some(playlist) = kinora_db::playlists::find_by_id(db.pool(), playlist_id).await? else {
        return Ok(Plan::default());
    };
    if !playlist.is_local() {
        return Ok(Plan::default());
    }
    let Some(account) = kinora_db::accounts::find_by_id(db.pool(), playlist.account_id).await?
    else {
        return Ok(Plan::default());
    };
    let Some(account_actor) = actor(federation, account.actor_id).await? else {
        return Ok(Plan::default());
    };
    let channel_actor = match playlist.channel_id {
        Some(id) => match kinora_db::channels::find_by_id(db.pool(), id).await? {
            Some(channel) => Some(channel.actor_id),
            None => None,
        },
        None => None,
    };
    let mut recipients = vec![account_actor.id];
    recipients.extend(channel_actor);
    let inboxes = follower_inboxes(federation, &recipients).await?;
    let urls = federation.urls();
    let account_url = urls.actor(&account_actor);
    let url = playlist_url(urls, &playlist.uuid);
    // Each time followers were told to forget it, later activities get ids of their own.
    let round = rounds_stored(federation, &activities::delete(&url, &url, None)).await?;
    let mut plan = Plan::default();
    let object = if is_federated(&playlist) {
        playlist_object(
            db,
            urls,
            &playlist,
            crate::protocol::collections::Page::Summary,
        )
        .await?
    } else {
        None
    };
    match (object, playlist.federated != 0) {
        (Some(object), already) => {
            let followers = crate::protocol::actors::followers_url(&account_url);
            let audience = crate::protocol::playlist::audience(&playlist, &followers);
            let public = audience.is_public();
            let body = if already {
                activities::update(
                    &object,
                    &account_url,
                    &audience,
                    playlist.updated_at.max(now_millis()),
                    ContextType::Playlist,
                )
            } else {
                in_round(
                    activities::create(&object, &account_url, &audience, ContextType::Playlist),
                    round,
                )
            };
            plan.outgoing
                .push(Outgoing::new(body, Some(account_actor.id), public, inboxes));
            if !already {
                plan.effects
                    .push(Effect::PlaylistFederated(playlist.id, true));
            }
        }
        (None, true) => {
            let body = in_round(activities::delete(&url, &account_url, None), round);
            plan.outgoing
                .push(Outgoing::new(body, Some(account_actor.id), false, inboxes));
            plan.effects
                .push(Effect::PlaylistFederated(playlist.id, false));
        }
        (None, false) => {}
    }
    Ok(plan)
}

/// Delete of our deleted playlist for the followers of its account, channel and instance.
pub(super) async fn playlist_deleted(
    federation: &Federation,
    playlist_uuid: &str,
    account_actor_id: i64,
    channel_actor_id: i64,
) -> Result<Plan, FanOutError> {
    let inboxes = follower_inboxes(federation, &[account_actor_id, channel_actor_id]).await?;
    let signer = actor_url_or_instance(federation, account_actor_id).await?;
    let url = playlist_url(federation.urls(), playlist_uuid);
    let round = rounds_stored(federation, &activities::delete(&url, &url, None)).await?;
    let body = in_round(activities::delete(&url, &signer.0, None), round);
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, signer.1, true, inboxes)],
        effects: Vec::new(),
    })
}
