//! The outbox fan-out: turns a [`FederationEvent`] (queued by a use case in the same
//! transaction as its change) into ActivityPub activities and their deliveries, stored in one
//! transaction with the end of the job, so each event is told exactly once, and then wakes the
//! delivery worker.
//!
//! Who hears of what, as PeerTube addresses it: a video's Create, Update and Delete go to the
//! followers of its account, its channel and the instance; a comment to the same audience of
//! its video (ours) or to the video's origin (a remote video, which passes it on); ratings and
//! views to the video's origin; follows and their answers to the other actor. Public videos
//! are also announced by their channel and the instance actor, delivered to the video's
//! followers (what Mastodon-like servers take in) and kept in those actors' outboxes (what
//! other instances read to back-fill).

use kinora_core::federation::FederationEvent;
use kinora_db::actors::ActorRow;
use kinora_db::videos::VideoRow;
use kinora_db::{Connection, now_millis};
use kinora_jobs::{JobContext, JobFailure};
use serde_json::{Value, json};

mod comments;
pub(crate) mod flags;
mod follows;
mod ld_sign;
mod moves;
mod playlists;
mod ratings;
mod relays;
mod rounds;
mod videos;

use comments::{comment_approved, comment_created, comment_deleted, forward};
use follows::{
    actor_updated, follow_accepted, follow_rejected, follow_requested, follow_undone,
    instance_follow_queued,
};
use videos::{
    redundancy_created, redundancy_removed, remote_viewed, video_changed, video_delete,
    video_rated, withdrawals,
};

use crate::Federation;
use crate::protocol::activities;
use crate::protocol::audience::Audience;
use crate::protocol::context::ContextType;
use crate::protocol::loader;
use crate::urls::host_and_port;

/// One activity to store and deliver.
struct Outgoing {
    body: Value,
    /// The signer (none: the instance actor).
    actor_id: Option<i64>,
    /// Listed in the actor's outbox collection.
    public: bool,
    inboxes: Vec<String>,
}

impl Outgoing {
    fn new(body: Value, actor_id: Option<i64>, public: bool, inboxes: Vec<String>) -> Self {
        Self {
            body,
            actor_id,
            public,
            inboxes,
        }
    }
}

/// A change to rows made in the same transaction as the activities.
enum Effect {
    /// `videos.federated`.
    Federated(i64, bool),
    /// `actor_follows.url` of a follow just sent.
    FollowUrl(i64, String),
    /// `video_playlists.federated`.
    PlaylistFederated(i64, bool),
}

/// What an event turned into.
#[derive(Default)]
struct Plan {
    outgoing: Vec<Outgoing>,
    effects: Vec<Effect>,
}

/// Why a fan-out failed.
#[derive(Debug, thiserror::Error)]
enum FanOutError {
    #[error(transparent)]
    Db(#[from] kinora_db::DbError),
    #[error(transparent)]
    Federation(#[from] crate::FederationError),
    #[error(transparent)]
    Job(#[from] kinora_jobs::JobError),
    /// A row the fan-out needs is not in the database.
    #[error("{0} is missing")]
    Missing(&'static str),
    /// A remote actor could not be looked up (yet).
    #[error(transparent)]
    Resolve(#[from] crate::resolve::ResolveError),
}

impl From<kinora_db::SqlError> for FanOutError {
    fn from(error: kinora_db::SqlError) -> Self {
        FanOutError::Db(kinora_db::DbError::from(error))
    }
}

/// Runs one `Job::Federate`.
pub async fn fan_out(
    federation: &Federation,
    context: &JobContext,
    event: FederationEvent,
) -> Result<(), JobFailure> {
    if let Some(gathered) = ratings::gather(federation, context, &event).await {
        return gathered;
    }
    let name = event.name();
    let mut plan = plan(federation, event)
        .await
        .map_err(|error| JobFailure::retryable(format!("{name}: {error}")))?;
    ld_sign::sign_forwardable(federation, &mut plan)
        .await
        .map_err(|error| JobFailure::retryable(format!("{name}: {error}")))?;
    relays::address_relays(federation, &mut plan)
        .await
        .map_err(|error| JobFailure::retryable(format!("{name}: relays: {error}")))?;
    commit(federation, context, plan)
        .await
        .map_err(|error| JobFailure::retryable(format!("{name}: {error}")))?;
    federation.wake_delivery();
    Ok(())
}

async fn commit(
    federation: &Federation,
    context: &JobContext,
    plan: Plan,
) -> Result<(), FanOutError> {
    let db = federation.db();
    let now = now_millis();
    let mut tx = db.begin().await?;
    for outgoing in &plan.outgoing {
        store(federation, &mut tx, outgoing, now).await?;
    }
    for effect in &plan.effects {
        match effect {
            Effect::Federated(video_id, federated) => {
                kinora_db::videos::set_federated(&mut tx, *video_id, *federated).await?
            }
            Effect::FollowUrl(follow_id, url) => {
                kinora_db::follows::set_url(&mut tx, *follow_id, url).await?
            }
            Effect::PlaylistFederated(playlist_id, federated) => {
                kinora_db::playlists::set_federated(&mut tx, *playlist_id, *federated).await?
            }
        }
    }
    context.complete_in(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores an activity (an id already stored — the same event run twice — is skipped) and
/// queues it for each remote inbox.
async fn store(
    federation: &Federation,
    tx: &mut Connection,
    outgoing: &Outgoing,
    now: i64,
) -> Result<(), FanOutError> {
    let url = outgoing
        .body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kinora_db::outbox::find_by_url(&mut *tx, url)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let kind = outgoing
        .body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let object = outgoing.body.get("object");
    let object_url = object
        .and_then(|o| o.as_str().or_else(|| o.get("id").and_then(Value::as_str)))
        .map(str::to_owned);
    let id = kinora_db::outbox::insert(
        tx,
        &kinora_db::outbox::NewActivity {
            url,
            actor_id: outgoing.actor_id,
            kind,
            object_url: object_url.as_deref(),
            public: outgoing.public,
            body: &outgoing.body.to_string(),
        },
        now,
    )
    .await?;
    let inboxes: Vec<(String, String)> = outgoing
        .inboxes
        .iter()
        .filter(|inbox| !federation.urls().is_ours(inbox))
        .filter_map(|inbox| {
            let parsed = url::Url::parse(inbox).ok()?;
            Some((host_and_port(&parsed)?, inbox.clone()))
        })
        .collect();
    kinora_db::deliveries::insert_many(tx, id, &inboxes, now).await?;
    Ok(())
}

async fn plan(federation: &Federation, event: FederationEvent) -> Result<Plan, FanOutError> {
    match event {
        FederationEvent::VideoChanged { video_id } => video_changed(federation, video_id).await,
        FederationEvent::VideoDeleted {
            video_uuid,
            account_actor_id,
            channel_actor_id,
        } => {
            let inboxes =
                follower_inboxes(federation, &[account_actor_id, channel_actor_id]).await?;
            let signer = actor_url_or_instance(federation, account_actor_id).await?;
            let video_url = federation.urls().video(&video_uuid);
            let round = withdrawals(federation, &video_url).await?;
            let body = video_delete(&video_url, &signer.0, round);
            Ok(Plan {
                outgoing: vec![Outgoing::new(body, signer.1, true, inboxes)],
                effects: Vec::new(),
            })
        }
        FederationEvent::CommentCreated { comment_id } => {
            comment_created(federation, comment_id).await
        }
        FederationEvent::CommentDeleted {
            comment_id,
            author_actor_id,
        } => comment_deleted(federation, comment_id, author_actor_id).await,
        FederationEvent::VideoRated {
            account_id,
            video_id,
            previous,
        } => video_rated(federation, account_id, video_id, previous).await,
        // Gathered by `ratings::gather` before any plan is made.
        FederationEvent::VideoRatingsChanged { .. } => Ok(Plan::default()),
        FederationEvent::VideoRatingsDue { video_id, .. } => {
            ratings::ratings_due(federation, video_id).await
        }
        FederationEvent::RemoteVideoViewed { video_id } => {
            remote_viewed(federation, video_id).await
        }
        FederationEvent::FollowRequested { follow_id } => {
            follow_requested(federation, follow_id).await
        }
        FederationEvent::InstanceFollowQueued { name, host } => {
            instance_follow_queued(federation, &name, &host).await
        }
        FederationEvent::FollowUndone {
            follower_actor_id,
            following_actor_id,
            follow_url,
        } => {
            follow_undone(
                federation,
                follower_actor_id,
                following_actor_id,
                &follow_url,
            )
            .await
        }
        FederationEvent::FollowAccepted { follow_id } => {
            follow_accepted(federation, follow_id).await
        }
        FederationEvent::FollowRejected {
            follower_actor_id,
            following_actor_id,
            follow_url,
        } => {
            follow_rejected(
                federation,
                follower_actor_id,
                following_actor_id,
                &follow_url,
            )
            .await
        }
        FederationEvent::ActorUpdated { actor_id } => actor_updated(federation, actor_id).await,
        FederationEvent::ActorMoved {
            actor_id,
            target_url,
            moved_at,
        } => moves::actor_moved(federation, actor_id, &target_url, moved_at).await,
        FederationEvent::ActorDeleted {
            actor_kind,
            actor_name,
            inboxes,
        } => {
            let url = federation.urls().local_actor(&actor_kind, &actor_name);
            let body = activities::delete(&url, &url, None);
            Ok(Plan {
                outgoing: vec![Outgoing::new(body, None, false, inboxes)],
                effects: Vec::new(),
            })
        }
        FederationEvent::ActivityForwarded {
            inbox_activity_id,
            video_id,
        } => forward(federation, inbox_activity_id, video_id).await,
        FederationEvent::RedundancyCreated { redundancy_id } => {
            redundancy_created(federation, redundancy_id).await
        }
        FederationEvent::RedundancyRemoved {
            video_id,
            cache_file_url,
        } => redundancy_removed(federation, video_id, &cache_file_url).await,
        FederationEvent::CommentApproved { comment_id } => {
            comment_approved(federation, comment_id).await
        }
        FederationEvent::AbuseReported { abuse_id } => {
            flags::abuse_reported(federation, abuse_id).await
        }
        FederationEvent::AbuseStateChanged { abuse_id } => {
            flags::abuse_state_changed(federation, abuse_id).await
        }
        FederationEvent::RelayFollowRequested { relay_id } => {
            relays::relay_follow(federation, relay_id).await
        }
        FederationEvent::RelayUndone {
            inbox_url,
            followed,
            follow_url,
        } => Ok(relays::relay_undone(
            federation,
            inbox_url,
            &followed,
            &follow_url,
        )),
        FederationEvent::PlaylistChanged { playlist_id } => {
            playlists::playlist_changed(federation, playlist_id).await
        }
        FederationEvent::PlaylistDeleted {
            playlist_uuid,
            account_actor_id,
            channel_actor_id,
        } => {
            playlists::playlist_deleted(
                federation,
                &playlist_uuid,
                account_actor_id,
                channel_actor_id,
            )
            .await
        }
    }
}

/// The URL and id of a local actor, or the instance actor's when it is gone.
async fn actor_url_or_instance(
    federation: &Federation,
    actor_id: i64,
) -> Result<(String, Option<i64>), FanOutError> {
    match kinora_db::actors::find_by_id(federation.db().pool(), actor_id).await? {
        Some(actor) => Ok((federation.urls().actor(&actor), Some(actor.id))),
        None => Ok((federation.urls().instance_actor(), None)),
    }
}

async fn actor(federation: &Federation, actor_id: i64) -> Result<Option<ActorRow>, FanOutError> {
    Ok(kinora_db::actors::find_by_id(federation.db().pool(), actor_id).await?)
}

/// The inboxes of the remote followers of these actors and of the instance actor.
async fn follower_inboxes(
    federation: &Federation,
    actor_ids: &[i64],
) -> Result<Vec<String>, FanOutError> {
    let mut ids = actor_ids.to_vec();
    ids.push(federation.instance_actor_id());
    Ok(kinora_db::follows::remote_follower_inboxes(federation.db().pool(), &ids).await?)
}

/// The account actor and channel actor of a video.
async fn owners(
    federation: &Federation,
    video: &VideoRow,
) -> Result<Option<(ActorRow, ActorRow)>, FanOutError> {
    let pool = federation.db().pool();
    let Some(channel) = kinora_db::channels::find_by_id(pool, video.channel_id).await? else {
        return Ok(None);
    };
    let Some(account) = kinora_db::accounts::find_by_id(pool, channel.account_id).await? else {
        return Ok(None);
    };
    let account_actor = actor(federation, account.actor_id).await?;
    let channel_actor = actor(federation, channel.actor_id).await?;
    Ok(account_actor.zip(channel_actor))
}
