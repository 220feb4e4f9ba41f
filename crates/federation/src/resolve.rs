//! Finding remote actors and objects: from the database when known and fresh, otherwise
//! fetched from their origin through the one outbound client (signed as the instance actor)
//! and stored. WebFinger turns `name@host` into an actor URL.
//!
//! Authority comes from where a document was fetched: the client refuses an object whose `id`
//! is not on the origin it came from, and nothing on our own host is ever fetched or stored as
//! remote.

use kinora_db::actors::{ActorRow, RemoteActor};
use kinora_db::now_millis;
use serde_json::Value;
use url::Url;

use crate::Federation;
use crate::http_client::{ClientError, Fetched};
use crate::protocol::parse::actor::{ActorKind, RemoteActorDocument, parse_actor};
use crate::urls::host_and_port;

/// Remote actors are fetched again when older than this.
const ACTOR_FRESHNESS_MILLIS: i64 = 2 * 24 * 3600 * 1000;
/// Largest WebFinger answer read.
const WEBFINGER_MAX_BYTES: u64 = 64 * 1024;

/// Why a remote actor or object could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The remote request failed or was refused.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The document is not what was expected.
    #[error("{0}")]
    Invalid(String),
    /// It names this instance: nothing remote may claim our host.
    #[error("{0} is on this instance")]
    Ours(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] kinora_db::DbError),
}

impl From<kinora_db::SqlError> for ResolveError {
    fn from(error: kinora_db::SqlError) -> Self {
        ResolveError::Db(kinora_db::DbError::from(error))
    }
}

impl ResolveError {
    /// True when trying again later may help (network trouble, a 5xx, the database).
    pub fn is_retryable(&self) -> bool {
        match self {
            ResolveError::Client(error) => error.is_retryable(),
            ResolveError::Db(_) => true,
            ResolveError::Invalid(_) | ResolveError::Ours(_) => false,
        }
    }
}

/// Fetches a remote object, signed as the instance actor.
pub async fn fetch(federation: &Federation, url: &Url) -> Result<Fetched, ResolveError> {
    if federation.urls().is_ours(url.as_str()) {
        return Err(ResolveError::Ours(url.to_string()));
    }
    refuse_muted(federation, url).await?;
    Ok(federation
        .client()
        .fetch_object(url, Some(federation.instance_signer()))
        .await?)
}

/// Refuses what is on a server the instance muted, or is a muted account or its channel: it
/// is neither fetched nor taken from the database (nothing of theirs enters through a third
/// party's `Announce`, reply chain or forward).
async fn refuse_muted(federation: &Federation, url: &Url) -> Result<(), ResolveError> {
    if crate::mutes::is_muted(federation, url).await? {
        return Err(ResolveError::Invalid(format!(
            "{url} is on a server or of an account this instance muted"
        )));
    }
    Ok(())
}

/// The public key (PEM) of the actor that signed a request: the stored one unless `refresh`
/// or none is stored, else the actor is fetched again.
pub async fn signer_key(
    federation: &Federation,
    actor_url: &Url,
    refresh: bool,
) -> Result<String, ResolveError> {
    let actor = actor(federation, actor_url, refresh).await?;
    actor
        .public_key_pem
        .ok_or_else(|| ResolveError::Invalid(format!("{actor_url} has no public key")))
}

/// The remote actor at `url`: stored and fresh, or fetched (also when `refresh`) and stored
/// with its account (a Person) or channel (a Group, with its owner fetched too).
pub async fn actor(
    federation: &Federation,
    url: &Url,
    refresh: bool,
) -> Result<ActorRow, ResolveError> {
    if federation.urls().is_ours(url.as_str()) {
        return Err(ResolveError::Ours(url.to_string()));
    }
    refuse_muted(federation, url).await?;
    let known = kinora_db::actors::find_by_url(federation.db().pool(), url.as_str()).await?;
    if let Some(known) = &known
        && !refresh
        && is_fresh(known)
    {
        return Ok(known.clone());
    }
    let parsed = fetch_actor(federation, url).await?;
    if parsed.id != url.as_str() {
        // An actor we know cannot move to another id (ID-05); one served under another URL of
        // its origin is kept under the id it gives itself, which its activities will name,
        // once the document at that id says the same (ID-02).
        if known.is_some() {
            return Err(ResolveError::Invalid(format!(
                "{url} now claims to be {}",
                parsed.id
            )));
        }
        let claimed =
            Url::parse(&parsed.id).map_err(|error| ResolveError::Invalid(error.to_string()))?;
        let confirmed = fetch_actor(federation, &claimed).await?;
        if confirmed.id != parsed.id || confirmed.public_key != parsed.public_key {
            return Err(ResolveError::Invalid(format!(
                "{url} claims to be {}, which does not say the same",
                parsed.id
            )));
        }
        return store_actor(federation, &confirmed).await;
    }
    store_actor(federation, &parsed).await
}

/// Fetches and parses the actor document at `url` (its id must be on the origin it came from).
async fn fetch_actor(
    federation: &Federation,
    url: &Url,
) -> Result<RemoteActorDocument, ResolveError> {
    let fetched = fetch(federation, url).await?;
    parse_actor(&fetched.object, Some(fetched.final_url.as_str()))
        .map_err(|error| ResolveError::Invalid(error.to_string()))
}

/// Whether a stored remote actor has a key and was fetched recently enough to be believed.
fn is_fresh(actor: &ActorRow) -> bool {
    actor.public_key_pem.is_some()
        && actor
            .fetched_at
            .is_some_and(|at| now_millis() - at < ACTOR_FRESHNESS_MILLIS)
}

/// The stored public key (PEM) of the remote actor at `url`, with whether it is fresh (a stale
/// one is fetched again before it is believed, unless fetching is not allowed right now).
pub async fn stored_key(
    federation: &Federation,
    url: &Url,
) -> Result<Option<(String, bool)>, ResolveError> {
    if federation.urls().is_ours(url.as_str()) {
        return Err(ResolveError::Ours(url.to_string()));
    }
    let known = kinora_db::actors::find_by_url(federation.db().pool(), url.as_str()).await?;
    Ok(known.and_then(|actor| {
        let fresh = is_fresh(&actor);
        actor.public_key_pem.map(|key| (key, fresh))
    }))
}

/// The kind an actor is stored as: instance actors, bots and organisations are all
/// `Application`s here.
fn stored_kind(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Person => "Person",
        ActorKind::Group => "Group",
        ActorKind::Application | ActorKind::Service | ActorKind::Organization => "Application",
    }
}

/// Stores a parsed remote actor with its account or channel.
async fn store_actor(
    federation: &Federation,
    parsed: &RemoteActorDocument,
) -> Result<ActorRow, ResolveError> {
    if federation.urls().is_ours(&parsed.id) {
        return Err(ResolveError::Ours(parsed.id.clone()));
    }
    let id_url =
        Url::parse(&parsed.id).map_err(|error| ResolveError::Invalid(error.to_string()))?;
    let kind = stored_kind(parsed.kind);
    // A channel's owner is stored first (a channel row needs its account).
    let owner = match (kind, parsed.attributed_to.first()) {
        ("Group", Some(owner)) => {
            let owner =
                Url::parse(owner).map_err(|error| ResolveError::Invalid(error.to_string()))?;
            if crate::urls::origin_of(&owner) != crate::urls::origin_of(&id_url) {
                return Err(ResolveError::Invalid(
                    "a channel's owner must be on the channel's instance".into(),
                ));
            }
            let owner = Box::pin(actor(federation, &owner, false)).await?;
            let account = kinora_db::accounts::find_by_actor(federation.db().pool(), owner.id)
                .await?
                .ok_or_else(|| {
                    ResolveError::Invalid("a channel's owner must be a Person".into())
                })?;
            Some(account.id)
        }
        _ => None,
    };
    let now = now_millis();
    let db = federation.db();
    let mut tx = db.begin().await?;
    let id = kinora_db::actors::upsert_remote(
        &mut tx,
        &RemoteActor {
            kind,
            preferred_username: &parsed.preferred_username,
            host: &parsed.host,
            url: &parsed.id,
            inbox_url: &parsed.inbox,
            shared_inbox_url: parsed.shared_inbox.as_deref(),
            outbox_url: parsed.outbox.as_deref(),
            followers_url: parsed.followers.as_deref(),
            key_id: parsed.public_key.as_ref().map(|key| key.id.as_str()),
            public_key_pem: parsed.public_key.as_ref().map(|key| key.pem.as_str()),
            avatar_url: parsed.icon_url.as_deref(),
        },
        now,
    )
    .await?;
    match (kind, owner) {
        ("Person", _) => {
            kinora_db::accounts::upsert_remote(
                &mut tx,
                id,
                &parsed.name,
                parsed.summary.as_deref(),
                now,
            )
            .await?;
        }
        ("Group", Some(account_id)) => {
            kinora_db::channels::upsert_remote(
                &mut tx,
                id,
                account_id,
                &kinora_db::channels::ChannelChange {
                    display_name: &parsed.name,
                    description: parsed.summary.as_deref(),
                    support: parsed.support.as_deref(),
                },
                now,
            )
            .await?;
        }
        _ => {}
    }
    // What it says of its moves: the aliases a Move to it is checked against, and where it
    // says it went.
    kinora_db::actor_aliases::replace(&mut tx, id, &parsed.also_known_as, now).await?;
    kinora_db::actors::set_moved_to(&mut tx, id, parsed.moved_to.as_deref()).await?;
    tx.commit().await?;
    crate::actor_images::refresh(federation, id, parsed).await;
    kinora_db::actors::find_by_id(db.pool(), id)
        .await?
        .ok_or_else(|| ResolveError::Invalid("the actor vanished".into()))
}

/// The actor URL WebFinger gives for `name@host` (its `self` link of an ActivityPub type).
pub async fn webfinger(
    federation: &Federation,
    name: &str,
    host: &str,
) -> Result<Url, ResolveError> {
    let resource = format!("acct:{name}@{host}");
    let mut url = Url::parse(&format!(
        "{}://{host}/.well-known/webfinger",
        federation.remote_scheme()
    ))
    .map_err(|error| ResolveError::Invalid(format!("bad host {host:?}: {error}")))?;
    url.query_pairs_mut().append_pair("resource", &resource);
    let mut body = Vec::new();
    federation
        .client()
        .download(
            &url,
            WEBFINGER_MAX_BYTES,
            &["application/jrd+json", "application/json"],
            &mut body,
        )
        .await?;
    let answer: Value =
        crate::json::parse_activity_json(&body, &crate::json::JsonLimits::default())
            .map_err(|error| ResolveError::Invalid(format!("WebFinger answer: {error}")))?;
    let link = answer
        .get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|link| {
            link.get("rel").and_then(Value::as_str) == Some("self")
                && link.get("type").and_then(Value::as_str).is_some_and(|t| {
                    t.starts_with("application/activity+json")
                        || t.starts_with("application/ld+json")
                })
        })
        .and_then(|link| link.get("href"))
        .and_then(Value::as_str)
        .ok_or_else(|| ResolveError::Invalid(format!("WebFinger has no actor for {resource}")))?;
    let actor = Url::parse(link).map_err(|error| ResolveError::Invalid(error.to_string()))?;
    // The actor must live on the host that answered for it.
    if host_and_port(&actor).as_deref() != Some(host) {
        return Err(ResolveError::Invalid(format!(
            "WebFinger of {host} names an actor on another host: {actor}"
        )));
    }
    Ok(actor)
}

/// The remote actor `name@host`: stored when known and fresh, else found by WebFinger (a
/// handle of ours is refused there).
pub async fn actor_by_handle(
    federation: &Federation,
    name: &str,
    host: &str,
) -> Result<ActorRow, ResolveError> {
    if let Some(known) =
        kinora_db::actors::find_remote_by_name(federation.db().pool(), name, host).await?
        && known
            .fetched_at
            .is_some_and(|at| now_millis() - at < ACTOR_FRESHNESS_MILLIS)
    {
        return Ok(known);
    }
    actor_by_handle_fresh(federation, name, host).await
}

/// The remote actor `name@host`, found by WebFinger and fetched from its origin even when
/// stored and fresh.
pub async fn actor_by_handle_fresh(
    federation: &Federation,
    name: &str,
    host: &str,
) -> Result<ActorRow, ResolveError> {
    if host.eq_ignore_ascii_case(federation.urls().host()) {
        return Err(ResolveError::Ours(format!("{name}@{host}")));
    }
    let url = webfinger(federation, name, host).await?;
    actor(federation, &url, true).await
}
