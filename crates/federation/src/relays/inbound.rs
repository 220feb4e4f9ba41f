//! What relays send us. At the inbox ([`admit`]): an `Announce` from an actor that is no relay
//! of ours is refused before anything is fetched unless someone here follows the announcer or
//! someone on the object's instance; a relay we subscribed to but that has not
//! accepted (or has rejected us) may only answer our Follow or follow us back; an accepted
//! relay's `Announce` (or forwarded `Create`) of an object announced before — by any relay — is
//! acknowledged and dropped (one entry, one fetch), and a new one is taken only within the
//! relay's budget (`[federation] relay_max_pending_fetches` objects queued at once,
//! `relay_objects_per_hour`): past it the relay is answered 429 with `Retry-After` and nothing
//! is stored, so the queue and the memory stay bounded and nothing taken is lost. When the
//! activity is acted on ([`dispatch`]): the object is fetched from its origin (never taken
//! from the relay's copy; nothing from a muted server; no redirect to another host), must be a
//! public Video under the announced id, and joins the catalogue as remote, with the relay it
//! came through recorded in `relay_arrivals`.

use kinora_db::now_millis;
use kinora_db::relays::{Claim, RelayRow};
use serde_json::Value;
use url::Url;

use crate::Federation;
use crate::inbox::route::{Envelope, Refusal, http_url};
use crate::inbox::{Incoming, ProcessError};
use crate::protocol::parse::video::{RemotePrivacy, parse_video};
use crate::urls::{host_and_port, origin_of};

/// A relay's announce admitted at the inbox: its object is claimed in the transaction that
/// stores the activity.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// The relay.
    pub relay_id: i64,
    /// The announced object.
    pub object_url: String,
}

/// What the inbox does with an activity, as far as relays are concerned.
#[derive(Debug)]
pub enum Admission {
    /// Not a relay's announce: the inbox goes on as for anyone.
    Usual,
    /// A relay's announce of a new object, within its budget.
    Claim(Admitted),
    /// A relay's announce of an object announced before: acknowledged, nothing stored.
    Known,
}

/// Decides on an activity signed by `signer` (see the module header).
pub async fn admit(
    federation: &Federation,
    envelope: &Envelope,
    activity: &Value,
    signer: &Url,
) -> Result<Admission, Refusal> {
    let pool = federation.db().pool();
    let Some(relay) = kinora_db::relays::find_by_actor(pool, signer.as_str()).await? else {
        return stranger(federation, envelope, activity, signer).await;
    };
    if relay.state != "accepted" {
        return match envelope.kind.as_str() {
            "Accept" | "Reject" | "Follow" | "Undo" => Ok(Admission::Usual),
            _ => Err(Refusal::Forbidden(
                "this instance does not take activities from this relay".to_owned(),
            )),
        };
    }
    if !matches!(envelope.kind.as_str(), "Announce" | "Create") {
        return Ok(Admission::Usual);
    }
    let object = activity.get("object");
    let Some(object_url) = http_url(object.map(|o| o.get("id").unwrap_or(o))) else {
        return Err(Refusal::Bad(
            "the announce names no http(s) object".to_owned(),
        ));
    };
    if kinora_db::relays::object_known(pool, object_url.as_str()).await? {
        return Ok(Admission::Known);
    }
    let config = federation.config();
    let now = now_millis();
    let since = now - HOUR_MILLIS;
    let (pending, recent) = kinora_db::relays::usage(pool, relay.id, since).await?;
    if pending >= config.relay_max_pending_fetches as i64 {
        tracing::info!(relay = %relay.url, pending, "relay over its pending fetches");
        return Err(Refusal::TooMany(PENDING_RETRY_SECS));
    }
    if recent >= config.relay_objects_per_hour as i64 {
        let oldest = kinora_db::relays::oldest_since(pool, relay.id, since)
            .await?
            .unwrap_or(now);
        let wait_secs = ((oldest + HOUR_MILLIS - now).max(0) / 1000 + 1) as u64;
        tracing::info!(relay = %relay.url, recent, "relay over its hourly budget");
        return Err(Refusal::TooMany(wait_secs));
    }
    Ok(Admission::Claim(Admitted {
        relay_id: relay.id,
        object_url: object_url.to_string(),
    }))
}

/// An actor that is no relay of ours. Its `Announce` can bring a video only when someone here
/// follows the announcer or someone on the announced object's instance (the inbox would store a
/// video of nobody followed only from an accepted relay); otherwise it is refused (403) here,
/// before anything is fetched: a relay we do not follow (never subscribed, unsubscribed, not
/// yet accepted) cannot make this instance fetch.
async fn stranger(
    federation: &Federation,
    envelope: &Envelope,
    activity: &Value,
    signer: &Url,
) -> Result<Admission, Refusal> {
    if envelope.kind != "Announce" {
        return Ok(Admission::Usual);
    }
    let object = activity.get("object");
    let Some(object_url) = http_url(object.map(|o| o.get("id").unwrap_or(o))) else {
        return Ok(Admission::Usual); // refused when processed: nothing to fetch
    };
    if federation.urls().is_ours(object_url.as_str()) {
        return Ok(Admission::Usual); // one of our own: nothing is fetched
    }
    let host = host_and_port(&object_url).unwrap_or_default();
    let pool = federation.db().pool();
    if kinora_db::follows::followed_actor_or_host(pool, signer.as_str(), &host).await? {
        return Ok(Admission::Usual);
    }
    tracing::info!(announcer = %signer, object = %object_url,
                   "announce refused: neither a relay of ours nor followed here");
    Err(Refusal::Forbidden(
        "this instance takes announces only from the relays it subscribed to and the actors \
         it follows"
            .to_owned(),
    ))
}

const HOUR_MILLIS: i64 = 3600 * 1000;
/// What a relay over its pending fetches is told to wait.
const PENDING_RETRY_SECS: u64 = 30;

/// Claims an admitted object in the inbox's transaction: false when another announce of it
/// got there first (then nothing is stored).
pub async fn claim(
    connection: &mut kinora_db::Connection,
    admitted: &Admitted,
) -> Result<bool, kinora_db::DbError> {
    let claim = kinora_db::relays::claim_object(
        connection,
        admitted.relay_id,
        &admitted.object_url,
        now_millis(),
    )
    .await?;
    Ok(claim == Claim::Claimed)
}

/// Acts on what relays send: answers to our relay Follows, and the announces and updates of
/// accepted relays. `None` for anything else (handled as from anyone).
pub(crate) async fn dispatch(
    federation: &Federation,
    incoming: &Incoming,
) -> Option<Result<(), ProcessError>> {
    let kind = incoming.envelope.kind.as_str();
    if matches!(kind, "Accept" | "Reject") {
        return match answered_relay(federation, incoming).await {
            Ok(Some(relay)) => Some(answered(federation, incoming, &relay, kind).await),
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        };
    }
    if !matches!(kind, "Announce" | "Create" | "Update") {
        return None;
    }
    let relay = match crate::relays::accepted_relay(federation, &incoming.signer).await {
        Ok(Some(relay)) => relay,
        Ok(None) => return None,
        Err(error) => return Some(Err(error.into())),
    };
    Some(match kind {
        "Update" => updated(federation, incoming).await,
        _ => announced(federation, incoming, &relay).await,
    })
}

/// The relay whose Follow (by its id: embedded, or the object itself) an Accept or Reject
/// answers, when the answer comes from the relay's own origin.
async fn answered_relay(
    federation: &Federation,
    incoming: &Incoming,
) -> Result<Option<RelayRow>, ProcessError> {
    let Some(follow_id) = incoming.object_id() else {
        return Ok(None);
    };
    let Some(relay) =
        kinora_db::relays::find_by_follow_url(federation.db().pool(), follow_id.as_str()).await?
    else {
        return Ok(None);
    };
    let relay_origin = Url::parse(&relay.inbox_url)
        .ok()
        .and_then(|u| origin_of(&u));
    if !incoming.signed_by_actor() || origin_of(&incoming.signer) != relay_origin {
        return Err(crate::inbox::refused(
            "only the relay may answer its follow",
        ));
    }
    Ok(Some(relay))
}

/// The relay accepted or rejected our Follow: its state, and its actor (the signer).
async fn answered(
    federation: &Federation,
    incoming: &Incoming,
    relay: &RelayRow,
    kind: &str,
) -> Result<(), ProcessError> {
    let state = if kind == "Accept" {
        "accepted"
    } else {
        "rejected"
    };
    kinora_db::relays::set_state(
        federation.db().pool(),
        relay.id,
        state,
        incoming.signer.as_str(),
        now_millis(),
    )
    .await?;
    tracing::info!(relay = %relay.url, state, "relay answered our follow");
    Ok(())
}

/// An announce admitted at the inbox: the object is fetched from its origin and stored; the
/// claim ends `stored` or `refused` either way (only our own faults are retried).
async fn announced(
    federation: &Federation,
    incoming: &Incoming,
    relay: &RelayRow,
) -> Result<(), ProcessError> {
    let Some(id) = incoming.object_id() else {
        return Err(crate::inbox::refused("the announce has no object"));
    };
    let pool = federation.db().pool();
    match ingest(federation, &id).await {
        Ok(video_id) => {
            kinora_db::relays::finish_object(pool, id.as_str(), "stored").await?;
            kinora_db::relays::record_arrival(pool, video_id, relay, now_millis()).await?;
            Ok(())
        }
        Err(ProcessError::Db(error)) => Err(ProcessError::Db(error)),
        Err(ProcessError::Job(error)) => Err(ProcessError::Job(error)),
        Err(error) => {
            kinora_db::relays::finish_object(pool, id.as_str(), "refused").await?;
            tracing::info!(relay = %relay.url, object = %id, reason = %error, "relayed object not taken");
            Ok(())
        }
    }
}

/// Fetches the object `id` from its origin and stores it as a remote video.
async fn ingest(federation: &Federation, id: &Url) -> Result<i64, ProcessError> {
    use crate::inbox::refused;
    if federation.urls().is_ours(id.as_str()) {
        return Err(refused("one of our own objects"));
    }
    let fetched = crate::resolve::fetch(federation, id).await?;
    if origin_of(&fetched.final_url) != origin_of(id) {
        return Err(refused("the origin redirected to another host"));
    }
    if fetched.object.get("type").and_then(Value::as_str) != Some("Video") {
        return Err(refused("only videos are taken from relays"));
    }
    let parsed = parse_video(&fetched.object, Some(fetched.final_url.as_str()))
        .map_err(|error| refused(error.to_string()))?;
    if parsed.id != id.as_str() {
        return Err(refused("the object's id is not the announced one"));
    }
    if parsed.privacy != RemotePrivacy::Public {
        return Err(refused("the video is not public"));
    }
    crate::inbox::store_video(federation, &parsed, false).await
}

/// A relay forwarded an Update: a video already here is fetched again from its origin (its
/// copy there is the truth); anything else is ignored.
async fn updated(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    let Some(id) = incoming.object_id() else {
        return Ok(());
    };
    if kinora_db::remote_videos::find_by_url(federation.db().pool(), id.as_str())
        .await?
        .is_none()
    {
        return Ok(());
    }
    ingest(federation, &id).await.map(|_| ())
}
