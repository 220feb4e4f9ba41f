//! A forwarded activity (signed over HTTP by another server than its actor's, a relay for
//! instance) is believed as its actor's own when it carries a Linked Data signature that
//! verifies with the actor's key — fetched through the same key cache and limits as HTTP
//! signers' keys. Only the `Create`, `Update`, `Delete` and `Announce` the inbox takes as
//! forwards qualify, and what is kept is the signature's trusted view
//! ([`crate::ld_signature::verify`]). Anything short of that (no signature, another creator,
//! an unknown context, a document whose JSON could say more than its signed statements, a
//! modified body, a wrong key) leaves the activity as it was: a forward, whose object is
//! fetched from its origin.

use serde_json::Value;

use super::route::Envelope;
use super::signer::check_with_key;
use crate::Federation;
use crate::ld_signature;
use crate::signatures::parse_public_key_pem;

/// The activity to store instead of `activity`, as its actor's own, when its Linked Data
/// signature verifies; none otherwise (the reason is logged).
pub(super) async fn verified_forward(
    federation: &Federation,
    activity: &Value,
    envelope: &Envelope,
) -> Option<(Value, Envelope)> {
    activity.get("signature")?;
    match ld_signature::creator_actor(activity) {
        Ok(creator) if creator == envelope.actor => {}
        Ok(creator) => {
            tracing::info!(activity = %envelope.id, %creator,
                           "inbox: the Linked Data signature is not by the activity's actor");
            return None;
        }
        Err(error) => {
            tracing::info!(activity = %envelope.id, %error, "inbox: Linked Data signature unread");
            return None;
        }
    }
    // Nothing is fetched for a document that could not be trusted anyway.
    if let Err(error) = ld_signature::check_shape(activity) {
        tracing::info!(activity = %envelope.id, %error, "inbox: Linked Data signature not checked");
        return None;
    }
    let checked = check_with_key(federation, &envelope.actor, |pem| {
        let key = parse_public_key_pem(pem).map_err(|error| error.to_string())?;
        ld_signature::verify(activity, &key).map_err(|error| error.to_string())
    })
    .await;
    let trusted = match checked {
        Ok(trusted) => trusted,
        Err(refusal) => {
            tracing::info!(activity = %envelope.id, reason = ?refusal,
                           "inbox: Linked Data signature not verified");
            return None;
        }
    };
    let trusted = without_stale_signature(activity, trusted);
    let trusted_envelope = Envelope::read(&trusted).ok()?;
    (trusted_envelope.id == envelope.id
        && trusted_envelope.actor == envelope.actor
        && trusted_envelope.kind == envelope.kind)
        .then_some((trusted, trusted_envelope))
}

/// The trusted view keeps the signature only when it is the whole activity (passed on, it
/// still verifies); a view with parts dropped is passed on unsigned.
fn without_stale_signature(original: &Value, mut trusted: Value) -> Value {
    if &trusted != original
        && let Value::Object(map) = &mut trusted
    {
        map.remove("signature");
    }
    trusted
}
