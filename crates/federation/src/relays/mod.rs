//! Relays (FEP-ae0c): checking a relay URL before it is subscribed to ([`probe`]), and what
//! an accepted relay sends us ([`inbound`]): the inbox admits its announces within the relay's
//! budget ([`inbound::admit`]), and the processing job fetches each announced object from its
//! origin. The Follow, its Undo and the relays as extra recipients of our public activities
//! are planned in `outbox/relays.rs`; a relay refusing our Follow at its inbox is recorded by
//! the delivery worker through [`follow_refused`].

pub mod inbound;

use kinora_app::AppError;
use kinora_app::remote::{RelayStyle, RelayTarget};
use kinora_db::now_millis;
use kinora_db::relays::RelayRow;
use url::{Host, Url};

use crate::Federation;
use crate::http_client::refusal_reason;

fn invalid(message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: "url",
        message: message.into(),
    }
}

/// Checks the relay URL `text` under the outbound client's rules (scheme, credentials, the
/// addresses its host resolves to) and finds what it names: a path ending in `/inbox` is a
/// Mastodon-style relay's inbox, anything else the actor of a LitePub relay, fetched now.
pub async fn probe(federation: &Federation, text: &str) -> Result<RelayTarget, AppError> {
    let mut url = Url::parse(text).map_err(|_| invalid(format!("{text:?} is not a URL")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(format!("{text:?} is not an http(s) URL")));
    }
    url.set_fragment(None);
    if federation.urls().is_ours(url.as_str()) {
        return Err(invalid("a relay cannot be this instance"));
    }
    federation
        .client()
        .check_url(&url)
        .map_err(|error| invalid(format!("{url} may not be reached: {error}")))?;
    check_addresses(federation, &url).await?;
    let follow_url = format!(
        "{}/relay-follows/{}",
        federation.urls().instance_actor(),
        uuid::Uuid::new_v4()
    );
    if url.path().ends_with("/inbox") {
        return Ok(RelayTarget {
            url: url.to_string(),
            style: RelayStyle::Mastodon,
            inbox_url: url.to_string(),
            actor_url: None,
            follow_url,
        });
    }
    let actor = crate::resolve::actor(federation, &url, true)
        .await
        .map_err(|error| {
            invalid(format!(
                "{url} is neither a relay inbox nor an actor: {error}"
            ))
        })?;
    let inbox = actor
        .delivery_inbox()
        .ok_or_else(|| invalid(format!("the relay actor {url} has no inbox")))?
        .to_owned();
    let actor_url = actor.url.clone().unwrap_or_else(|| url.to_string());
    Ok(RelayTarget {
        url: url.to_string(),
        style: RelayStyle::Litepub,
        inbox_url: inbox,
        actor_url: Some(actor_url),
        follow_url,
    })
}

/// Refuses a host that resolves only to addresses the outbound client may not connect to (the
/// client checks again at every connection; this gives the administrator a clear 400 now).
async fn check_addresses(federation: &Federation, url: &Url) -> Result<(), AppError> {
    let Some(Host::Domain(name)) = url.host() else {
        return Ok(()); // an IP literal: `check_url` judged it
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<_> = tokio::net::lookup_host((name, port))
        .await
        .map_err(|_| invalid(format!("{name} could not be resolved")))?
        .map(|address| address.ip())
        .collect();
    if addresses.is_empty() {
        return Err(invalid(format!("{name} could not be resolved")));
    }
    let allow_private = federation.config().allow_private_addresses;
    for address in &addresses {
        if let Some(reason) = refusal_reason(*address, allow_private) {
            return Err(invalid(format!(
                "{name} resolves to {address}, which is {reason}: this instance may not reach it"
            )));
        }
    }
    Ok(())
}

/// The accepted relay whose actor is `actor`, if any.
pub async fn accepted_relay(
    federation: &Federation,
    actor: &Url,
) -> Result<Option<RelayRow>, kinora_db::DbError> {
    Ok(
        kinora_db::relays::find_by_actor(federation.db().pool(), actor.as_str())
            .await?
            .filter(|relay| relay.state == "accepted"),
    )
}

/// Our Follow of a relay was refused at its inbox (a 4xx: an allow-list, a restricted relay):
/// the relay is marked `rejected`. Anything else delivered is left alone.
pub async fn follow_refused(db: &kinora_db::Db, body: &str) -> Result<(), kinora_db::DbError> {
    let pool = db.pool();
    let Ok(activity) = serde_json::from_str::<serde_json::Value>(body) else {
        return Ok(());
    };
    if activity.get("type").and_then(|t| t.as_str()) != Some("Follow") {
        return Ok(());
    }
    let Some(id) = activity.get("id").and_then(|i| i.as_str()) else {
        return Ok(());
    };
    if let Some(relay) = kinora_db::relays::find_by_follow_url(pool, id).await?
        && relay.state == "pending"
    {
        let actor = relay.actor_url.clone().unwrap_or_default();
        kinora_db::relays::set_state(pool, relay.id, "rejected", &actor, now_millis()).await?;
        tracing::info!(relay = %relay.url, "relay refused our follow");
    }
    Ok(())
}
