//! The signer's key for an inbox request: the stored one while fresh, else fetched; fetched
//! once more when the stored one does not verify (the actor may have rotated it). Fetches go
//! through [`InboxLimits`](super::limits::InboxLimits): a stream of requests signed with a
//! wrong key costs one fetch per interval, not one per request (SIG-09).
//!
//! Why a fetch failed is logged here and never told to the sender: an unauthenticated request
//! must not learn what a host name resolves to or how our network answers.

use std::time::SystemTime;

use axum::http::{HeaderMap, Method};
use url::Url;

use super::limits::KeyFetch;
use super::route::Refusal;
use crate::Federation;
use crate::resolve::ResolveError;
use crate::signatures::{SignatureError, VerifyPolicy, verify_request};

/// What an inbox request brought, for checking its signature.
pub(super) struct SignedRequest<'a> {
    pub method: &'a Method,
    pub target: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub policy: &'a VerifyPolicy,
    pub now: SystemTime,
}

impl SignedRequest<'_> {
    fn verify(&self, key: &str) -> Result<(), SignatureError> {
        verify_request(
            self.method,
            self.target,
            self.headers,
            self.body,
            key,
            self.policy,
            self.now,
        )
    }
}

/// Checks the request's signature with `signer`'s key.
pub(super) async fn verify_signer(
    federation: &Federation,
    request: &SignedRequest<'_>,
    signer: &Url,
) -> Result<(), Refusal> {
    check_with_key(federation, signer, |key| request.verify(key)).await
}

/// Runs `check` with `owner`'s public key (PEM): the stored one while fresh, else fetched
/// (within the limits); fetched once more when the stored one fails `check`.
pub(super) async fn check_with_key<T, E: std::fmt::Display>(
    federation: &Federation,
    owner: &Url,
    check: impl Fn(&str) -> Result<T, E>,
) -> Result<T, Refusal> {
    let limits = federation.inbox_limits();
    let stored = crate::resolve::stored_key(federation, owner)
        .await
        .map_err(|error| key_refusal(owner, error))?;
    let (key, just_fetched) = match stored {
        Some((key, true)) => (key, false),
        stale => {
            if limits.allow_key_fetch(owner, KeyFetch::Missing) {
                (fetch_key(federation, owner).await?, true)
            } else if let Some((key, _)) = stale {
                (key, false)
            } else {
                return Err(Refusal::Unsigned(
                    "the signer's key could not be fetched; try again later".to_owned(),
                ));
            }
        }
    };
    let first = match check(&key) {
        Ok(checked) => return Ok(checked),
        Err(error) => error,
    };
    if just_fetched || !limits.allow_key_fetch(owner, KeyFetch::Refetch) {
        return Err(unsigned(first));
    }
    let fresh = fetch_key(federation, owner).await?;
    if fresh == key {
        return Err(unsigned(first));
    }
    check(&fresh).map_err(unsigned)
}

fn unsigned(error: impl std::fmt::Display) -> Refusal {
    Refusal::Unsigned(error.to_string())
}

/// Fetches `signer`'s key (the fetch was allowed), recording a failure with the limits.
async fn fetch_key(federation: &Federation, signer: &Url) -> Result<String, Refusal> {
    crate::resolve::signer_key(federation, signer, true)
        .await
        .map_err(|error| {
            federation.inbox_limits().fetch_failed(signer);
            key_refusal(signer, error)
        })
}

/// The refusal for a key that could not be had: the reason stays in the log.
fn key_refusal(signer: &Url, error: ResolveError) -> Refusal {
    match error {
        ResolveError::Db(error) => Refusal::from(error),
        ResolveError::Ours(_) => Refusal::Unsigned(
            "a request from another server cannot be signed by one of our actors".to_owned(),
        ),
        other => {
            tracing::info!(signer = %signer, error = %other, "inbox: the signer's key could not be had");
            Refusal::Unsigned("the signer's key could not be fetched from its host".to_owned())
        }
    }
}
