//! The outbox fan-out: turns a [`FederationEvent`] (queued by a use case in the same
//! transaction as its change) into ActivityPub activities and their deliveries, stored in one
//! transaction with the end of the job, so each event is told exactly once, and then wakes the
//! delivery worker.
//!
//! Who hears of what, as PeerTube addresses it: a video's Create, Update and Delete go to the
//! followers of its account, its channel and the instance; a comment to the same audience of
//! its video (ours) or to the video's origin (a remote video, which passes it on); ratings and
//! views to the video's origin; follows and their answers to the other actor. Public videos
//! are also announced by their channel and the instance actor in those actors' outboxes (no
//! extra delivery), which is what other instances read to back-fill.

use kinora_core::federation::FederationEvent;
use kinora_db::actors::ActorRow;
use kinora_db::videos::VideoRow;
use kinora_db::{Connection, now_millis};
use kinora_jobs::{JobContext, JobFailure};
use serde_json::{Value, json};

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
    let name = event.name();
    let plan = plan(federation, event)
        .await
        .map_err(|error| JobFailure::retryable(format!("{name}: {error}")))?;
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
            let body = activities::delete(&federation.urls().video(&video_uuid), &signer.0, None);
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
        FederationEvent::RemoteVideoViewed { video_id } => {
            remote_viewed(federation, video_id).await
        }
        FederationEvent::FollowRequested { follow_id } => {
            follow_requested(federation, follow_id).await
        }
        FederationEvent::FollowUndone {
            follower_actor_id,
            following_actor_id,
            ..
        } => follow_undone(federation, follower_actor_id, following_actor_id).await,
        FederationEvent::FollowAccepted { follow_id } => {
            follow_answered(federation, follow_id, true).await
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

/// Create, Update or Delete of a local video, by what its followers already have.
async fn video_changed(federation: &Federation, video_id: i64) -> Result<Plan, FanOutError> {
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
    let inboxes = follower_inboxes(federation, &[account.id, channel.id]).await?;
    let hashes = loader::video_infohashes(federation.db(), &video).await?;
    let object =
        loader::video_object_of(federation.db(), urls, federation.storage(), &video, &hashes)
            .await?;
    let followers = crate::protocol::actors::followers_url(&account_url);
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
                activities::create(&object, &account_url, &audience, ContextType::Video)
            };
            plan.outgoing
                .push(Outgoing::new(body, Some(account.id), public, inboxes));
            if !already {
                plan.effects.push(Effect::Federated(video.id, true));
                if public {
                    // The channel and the instance share it in their outboxes (read when
                    // another instance back-fills after a follow).
                    let video_url = urls.video(&video.uuid);
                    for sharer in [&channel, &instance_actor(federation).await?] {
                        let sharer_url = urls.actor(sharer);
                        let audience =
                            Audience::public(&crate::protocol::actors::followers_url(&sharer_url));
                        let body =
                            activities::announce(&sharer_url, sharer.id, &video_url, &audience);
                        plan.outgoing
                            .push(Outgoing::new(body, Some(sharer.id), true, Vec::new()));
                    }
                }
            }
        }
        (None, true) => {
            // No longer for everyone (made private, or unpublished): followers forget it.
            let body = activities::delete(&urls.video(&video.uuid), &account_url, None);
            plan.outgoing
                .push(Outgoing::new(body, Some(account.id), false, inboxes));
            plan.effects.push(Effect::Federated(video.id, false));
        }
        (None, false) => {}
    }
    Ok(plan)
}

async fn instance_actor(federation: &Federation) -> Result<ActorRow, FanOutError> {
    actor(federation, federation.instance_actor_id())
        .await?
        .ok_or(FanOutError::Federation(
            crate::FederationError::AddressRefused("the instance actor is missing".into()),
        ))
}

/// The inboxes that hear of a comment on `video`: for ours, its followers; for a remote one, its
/// origin (channel and account), which passes it on; plus the author of the comment replied to
/// when that is someone else, elsewhere.
async fn comment_inboxes(
    federation: &Federation,
    video: &VideoRow,
    parent_id: Option<i64>,
) -> Result<Vec<String>, FanOutError> {
    let pool = federation.db().pool();
    let mut inboxes = Vec::new();
    if let Some((account, channel)) = owners(federation, video).await? {
        if video.is_local() {
            inboxes = follower_inboxes(federation, &[account.id, channel.id]).await?;
        } else {
            for owner in [&channel, &account] {
                if let Some(inbox) = owner.delivery_inbox() {
                    inboxes.push(inbox.to_owned());
                }
            }
        }
    }
    if let Some(parent_id) = parent_id
        && let Some(parent) = kinora_db::comments::find_by_id(pool, parent_id).await?
        && let Some(author) = parent.account_id
        && let Some(author) = kinora_db::accounts::find_by_id(pool, author).await?
        && let Some(author) = actor(federation, author.actor_id).await?
        && let Some(inbox) = author.delivery_inbox()
    {
        inboxes.push(inbox.to_owned());
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

async fn comment_created(federation: &Federation, comment_id: i64) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(comment) = kinora_db::comments::find_by_id(pool, comment_id).await? else {
        return Ok(Plan::default());
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await? else {
        return Ok(Plan::default());
    };
    // A local video's comments go out only while followers have the video.
    if video.is_local() && video.federated == 0 {
        return Ok(Plan::default());
    }
    let Some(author) = comment.account_id else {
        return Ok(Plan::default());
    };
    let Some(author) = kinora_db::accounts::find_by_id(pool, author).await? else {
        return Ok(Plan::default());
    };
    let Some(object) =
        loader::comment_object_of(federation.db(), federation.urls(), &video, &comment).await?
    else {
        return Ok(Plan::default());
    };
    let author_url = federation.urls().account(&author.name);
    let followers = crate::protocol::actors::followers_url(&author_url);
    let audience = Audience::of_video(video.privacy, &followers).unwrap_or_default();
    let inboxes = comment_inboxes(federation, &video, comment.in_reply_to_id).await?;
    let body = activities::create(&object, &author_url, &audience, ContextType::Comment);
    Ok(Plan {
        outgoing: vec![Outgoing::new(
            body,
            Some(author.actor_id),
            audience.is_public(),
            inboxes,
        )],
        effects: Vec::new(),
    })
}

async fn comment_deleted(
    federation: &Federation,
    comment_id: i64,
    author_actor_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(comment) = kinora_db::comments::find_by_id(pool, comment_id).await? else {
        return Ok(Plan::default());
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await? else {
        return Ok(Plan::default());
    };
    if video.is_local() && video.federated == 0 {
        return Ok(Plan::default());
    }
    let (author_url, signer) = actor_url_or_instance(federation, author_actor_id).await?;
    let inboxes = comment_inboxes(federation, &video, comment.in_reply_to_id).await?;
    let url = federation.urls().comment(&video.uuid, comment.id);
    let body = activities::delete(&url, &author_url, None);
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, signer, false, inboxes)],
        effects: Vec::new(),
    })
}

/// The inbox of a remote video's origin (its channel's, shared where there is one).
async fn origin_inbox(
    federation: &Federation,
    video: &VideoRow,
) -> Result<Option<(ActorRow, String)>, FanOutError> {
    let Some((_, channel)) = owners(federation, video).await? else {
        return Ok(None);
    };
    let inbox = channel.delivery_inbox().map(str::to_owned);
    Ok(inbox.map(|inbox| (channel, inbox)))
}

async fn video_rated(
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
    let mut plan = Plan::default();
    if let Some(previous) = previous.as_deref().and_then(build) {
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
            current,
            Some(account.actor_id),
            false,
            vec![inbox],
        ));
    }
    Ok(plan)
}

async fn remote_viewed(federation: &Federation, video_id: i64) -> Result<Plan, FanOutError> {
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

/// The Follow activity of `follower` for `following`, as it was (or will be) sent.
fn follow_activity(federation: &Federation, follower: &ActorRow, following: &ActorRow) -> Value {
    let urls = federation.urls();
    activities::follow(&urls.actor(follower), &urls.actor(following), following.id)
}

async fn follow_requested(federation: &Federation, follow_id: i64) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(follow) = kinora_db::follows::find_by_id(pool, follow_id).await? else {
        return Ok(Plan::default());
    };
    let (Some(follower), Some(following)) = (
        actor(federation, follow.follower_id).await?,
        actor(federation, follow.following_id).await?,
    ) else {
        return Ok(Plan::default());
    };
    let Some(inbox) = following.inbox_url.clone() else {
        return Ok(Plan::default());
    };
    let body = follow_activity(federation, &follower, &following);
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

async fn follow_undone(
    federation: &Federation,
    follower_actor_id: i64,
    following_actor_id: i64,
) -> Result<Plan, FanOutError> {
    let (Some(follower), Some(following)) = (
        actor(federation, follower_actor_id).await?,
        actor(federation, following_actor_id).await?,
    ) else {
        return Ok(Plan::default());
    };
    let Some(inbox) = following.inbox_url.clone() else {
        return Ok(Plan::default());
    };
    let follow = follow_activity(federation, &follower, &following);
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
fn with_unique_id(mut body: Value) -> Value {
    if let Some(id) = body.get("id").and_then(Value::as_str) {
        let unique = format!("{id}#{}", uuid::Uuid::new_v4().simple());
        body["id"] = json!(unique);
    }
    body
}

/// The Follow a remote actor sent (as stored), or one rebuilt from the follow's ends.
fn received_follow(url: &str, follower: &str, following: &str) -> Value {
    json!({ "type": "Follow", "id": url, "actor": follower, "object": following })
}

async fn follow_answered(
    federation: &Federation,
    follow_id: i64,
    _accepted: bool,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(follow) = kinora_db::follows::find_by_id(pool, follow_id).await? else {
        return Ok(Plan::default());
    };
    let (Some(follower), Some(following)) = (
        actor(federation, follow.follower_id).await?,
        actor(federation, follow.following_id).await?,
    ) else {
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

async fn follow_rejected(
    federation: &Federation,
    follower_actor_id: i64,
    following_actor_id: i64,
    follow_url: &str,
) -> Result<Plan, FanOutError> {
    let (Some(follower), Some(following)) = (
        actor(federation, follower_actor_id).await?,
        actor(federation, following_actor_id).await?,
    ) else {
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

async fn actor_updated(federation: &Federation, actor_id: i64) -> Result<Plan, FanOutError> {
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

/// Passes a remote actor's activity about one of our videos on to the video's followers, as
/// received (receivers fetch its object from its origin; the other instances' own copies are
/// not sent back to where it came from).
async fn forward(
    federation: &Federation,
    inbox_activity_id: i64,
    video_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(row) = kinora_db::inbox::find(pool, inbox_activity_id).await? else {
        return Ok(Plan::default());
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, video_id).await? else {
        return Ok(Plan::default());
    };
    if !video.is_local() || video.federated == 0 {
        return Ok(Plan::default());
    }
    let Some((account, channel)) = owners(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let from = url::Url::parse(&row.signer_url)
        .ok()
        .and_then(|u| host_and_port(&u));
    let inboxes: Vec<String> = follower_inboxes(federation, &[account.id, channel.id])
        .await?
        .into_iter()
        .filter(|inbox| url::Url::parse(inbox).ok().and_then(|u| host_and_port(&u)) != from)
        .collect();
    let mut body: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
    if body.is_null() {
        return Ok(Plan::default());
    }
    // Stored under its own key (the original id belongs to its author's instance).
    let original = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut outgoing = Outgoing::new(Value::Null, None, false, inboxes);
    body["id"] = json!(original);
    outgoing.body = body;
    Ok(Plan {
        outgoing: vec![outgoing],
        effects: Vec::new(),
    })
}

async fn redundancy_created(
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
