//! Linked Data signatures on the activities a relay (or any server) may pass on verbatim: the
//! `Create`, `Update` and `Announce` of public videos and comments, an actor's `Move`, and every
//! `Delete`, signed by their actor as Mastodon and PeerTube sign theirs, so a receiver can trust
//! them without fetching from us. Activities of another actor (forwards) keep the signature
//! they came with.
//!
//! A document that cannot be signed (canonicalization refused it) goes out unsigned, as it did
//! before: the HTTP signature is still there, and receivers fetch the object instead.

use std::collections::HashMap;
use std::time::SystemTime;

use serde_json::Value;

use super::{FanOutError, Outgoing, Plan};
use crate::Federation;
use crate::ld_signature;
use crate::signatures::{RequestSigner, key_owner_url};

/// Activity types that are signed.
const SIGNED_TYPES: &[&str] = &["Create", "Update", "Delete", "Announce", "Move"];

/// Signs each activity of `plan` that [`needs_signature`] says should be, with its actor's key.
pub(super) async fn sign_forwardable(
    federation: &Federation,
    plan: &mut Plan,
) -> Result<(), FanOutError> {
    let now = SystemTime::now();
    let mut signers: HashMap<i64, Option<RequestSigner>> = HashMap::new();
    for outgoing in &mut plan.outgoing {
        if !needs_signature(outgoing) {
            continue;
        }
        let actor_id = outgoing
            .actor_id
            .unwrap_or_else(|| federation.instance_actor_id());
        let signer = match signers.entry(actor_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(load_signer(federation, actor_id).await?)
            }
        };
        let Some(signer) = signer else {
            continue;
        };
        // Only the activity's own actor signs it.
        let actor = outgoing.body.get("actor").and_then(Value::as_str);
        let owner = key_owner_url(&signer.key_id).ok();
        if actor.is_none() || owner.as_ref().map(url::Url::as_str) != actor {
            continue;
        }
        if let Err(error) = ld_signature::sign(&mut outgoing.body, signer, now) {
            tracing::warn!(%error, activity = ?outgoing.body.get("id"),
                           "outbox: the activity goes out without a Linked Data signature");
        }
    }
    Ok(())
}

/// True for a `Create`, `Update`, `Announce` or `Move` listed publicly, and for any `Delete`, that
/// carries no signature yet.
fn needs_signature(outgoing: &Outgoing) -> bool {
    let kind = outgoing
        .body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    SIGNED_TYPES.contains(&kind)
        && (outgoing.public || kind == "Delete")
        && outgoing.body.get("signature").is_none()
}

/// The signer of a local actor, none when it has no key (a deleted actor).
async fn load_signer(
    federation: &Federation,
    actor_id: i64,
) -> Result<Option<RequestSigner>, FanOutError> {
    if actor_id == federation.instance_actor_id() {
        return Ok(Some(federation.instance_signer().clone()));
    }
    let pool = federation.db().pool();
    let Some(actor) = kinora_db::actors::find_by_id(pool, actor_id).await? else {
        return Ok(None);
    };
    let Some(private) = kinora_db::actors::find_private_key(pool, actor_id).await? else {
        return Ok(None);
    };
    let key_id = crate::urls::key_id(&federation.urls().actor(&actor));
    match RequestSigner::from_pem(key_id, &private) {
        Ok(signer) => Ok(Some(signer)),
        Err(error) => {
            tracing::warn!(%error, actor_id, "outbox: the actor's key cannot sign");
            Ok(None)
        }
    }
}
