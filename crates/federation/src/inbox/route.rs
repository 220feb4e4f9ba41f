//! `POST /inbox`, `/accounts/{name}/inbox`, `/video-channels/{name}/inbox`: receive an
//! activity.
//!
//! In order, each step refusing what fails it before any later work is done: the body's size
//! (413), its JSON shape and depth (400), the signature's form, signed headers, Host, Date
//! window and Digest over the received bytes (401, before any key is fetched), the signer's key
//! (fetched through the guarded client when unknown, fetched once more when the stored one does
//! not verify, within limits: [`super::signer`]), the signature (401); the signer's host's rate
//! (429 with `Retry-After`, [`super::limits`]); then the activity's id and actor must be on the same
//! origin, and the actor must be the signer (a forwarded activity — actor on another host — is
//! kept only as a pointer to its object, which is fetched from its origin later, unless its
//! actor's Linked Data signature vouches for it: [`super::ld`]). The raw
//! activity is stored, deduplicated by its id, with its processing job, in one transaction;
//! the answer is 202 at once.

use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::signer::{SignedRequest, verify_signer};
use crate::Federation;
use crate::json::{JsonError, JsonLimits, parse_activity_json};
use crate::problem::problem;
use crate::signatures::{SignatureError, check_request, key_owner_url};

/// Receives one activity.
pub async fn receive(State(federation): State<Federation>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let limit = federation.config().inbox_max_body_bytes;
    // A body announced larger than the limit is refused before a byte of it is read.
    if declared_length(&parts.headers).is_some_and(|length| length > limit as u64) {
        return too_large(limit);
    }
    let bytes = match read_body(body, limit).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    match accept(&federation, &parts.method, &target, &parts.headers, &bytes).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// Reads at most `limit` bytes of the body; more is a 413 (nothing is parsed).
async fn read_body(body: Body, limit: usize) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))
}

/// The `Content-Length` of a request, when it has a readable one.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(axum::http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The 413 of a body over `limit` bytes; the connection is closed after it, since the rest of
/// the body is not read.
fn too_large(limit: usize) -> Response {
    let mut response = problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        &format!("An inbox accepts at most {limit} bytes."),
    );
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// Why an inbox request was refused.
#[derive(Debug)]
pub enum Refusal {
    /// 400 with a reason.
    Bad(String),
    /// 401: the signature does not hold.
    Unsigned(String),
    /// 403: signed, but not allowed to say this.
    Forbidden(String),
    /// 413.
    TooLarge,
    /// 429: the sender's host posted more than its limit; try again after these seconds.
    TooMany(u64),
    /// 503: the database failed; the sender retries.
    Unavailable,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Bad(reason) => problem(StatusCode::BAD_REQUEST, "bad_activity", &reason),
            Refusal::Unsigned(reason) => {
                problem(StatusCode::UNAUTHORIZED, "bad_signature", &reason)
            }
            Refusal::Forbidden(reason) => problem(StatusCode::FORBIDDEN, "forbidden", &reason),
            Refusal::TooLarge => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "The activity is too large.",
            ),
            Refusal::TooMany(wait_secs) => {
                let mut response = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_activities",
                    "Your host sent more activities than this inbox takes; try again later.",
                );
                response.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(wait_secs),
                );
                response
            }
            Refusal::Unavailable => problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Try again later.",
            ),
        }
    }
}

impl From<kinora_db::DbError> for Refusal {
    fn from(error: kinora_db::DbError) -> Self {
        tracing::warn!(%error, "inbox: database failed");
        Refusal::Unavailable
    }
}

impl From<kinora_db::SqlError> for Refusal {
    fn from(error: kinora_db::SqlError) -> Self {
        Refusal::from(kinora_db::DbError::from(error))
    }
}

fn unsigned(error: SignatureError) -> Refusal {
    Refusal::Unsigned(error.to_string())
}

/// Checks and stores one activity.
pub async fn accept(
    federation: &Federation,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    let limits = JsonLimits {
        max_bytes: federation.config().inbox_max_body_bytes,
        ..JsonLimits::default()
    };
    let activity = parse_activity_json(body, &limits).map_err(|error| match error {
        JsonError::TooLarge { .. } => Refusal::TooLarge,
        other => Refusal::Bad(other.to_string()),
    })?;
    let envelope = Envelope::read(&activity)?;
    let now = SystemTime::now();
    let policy = federation.verify_policy();
    // Everything but the key first: a request that fails anyway costs no fetch.
    let signature = check_request(method, headers, body, &policy, now).map_err(unsigned)?;
    let signer = key_owner_url(&signature.key_id).map_err(unsigned)?;
    if federation.urls().is_ours(signer.as_str()) {
        return Err(Refusal::Unsigned(
            "a request from another server cannot be signed by one of our actors".to_owned(),
        ));
    }
    // A muted server or account is refused before anything is fetched on its behalf, and so
    // is an activity it wrote that another server forwards.
    if crate::mutes::is_muted(federation, &signer).await?
        || (envelope.actor != signer && crate::mutes::is_muted(federation, &envelope.actor).await?)
    {
        return Err(Refusal::Forbidden(
            "this instance does not take activities from this server or account".to_owned(),
        ));
    }
    let request = SignedRequest {
        method,
        target,
        headers,
        body,
        policy: &policy,
        now,
    };
    verify_signer(federation, &request, &signer).await?;
    // The signer's host is known now: it may not flood the inbox (FD-05).
    let host = crate::urls::host_and_port(&signer).unwrap_or_default();
    if let Err(wait_secs) = federation.inbox_limits().admit_activity(&host) {
        tracing::info!(%host, "inbox: host over its rate limit");
        return Err(Refusal::TooMany(wait_secs));
    }
    if envelope.kind == "Flag"
        && let Err(wait_secs) = federation.inbox_limits().admit_flag(&host)
    {
        tracing::info!(%host, "inbox: host over its limit of Flags");
        return Err(Refusal::TooMany(wait_secs));
    }
    // Authority: the activity speaks for its actor, who is the signer, or it was forwarded and
    // will only be believed through its object fetched from the origin.
    let same_origin =
        |a: &url::Url, b: &url::Url| crate::urls::origin_of(a) == crate::urls::origin_of(b);
    if !same_origin(&envelope.id, &envelope.actor) {
        return Err(Refusal::Forbidden(
            "the activity's id is not on its actor's host".to_owned(),
        ));
    }
    if federation.urls().is_ours(envelope.actor.as_str()) {
        return Err(Refusal::Forbidden(
            "an activity from another server cannot be by one of our actors".to_owned(),
        ));
    }
    if envelope.actor != signer && !envelope.forwardable() {
        return Err(Refusal::Forbidden(
            "the activity's actor is not the one who signed it".to_owned(),
        ));
    }
    let relayed = crate::relays::inbound::admit(federation, &envelope, &activity, &signer).await?;
    // A forward that its actor signed (Linked Data signature) is the actor's own; what a relay
    // we follow brings is fetched from its origin instead (relays::inbound).
    let mut signer = signer;
    let mut envelope = envelope;
    let mut trusted_body = None;
    if matches!(relayed, crate::relays::inbound::Admission::Usual)
        && envelope.actor != signer
        && let Some((trusted, trusted_envelope)) =
            super::ld::verified_forward(federation, &activity, &envelope).await
    {
        signer = trusted_envelope.actor.clone();
        envelope = trusted_envelope;
        trusted_body = Some(trusted.to_string());
    }
    let text = match &trusted_body {
        Some(trusted) => trusted.as_str(),
        None => {
            std::str::from_utf8(body).map_err(|_| Refusal::Bad("the body is not UTF-8".into()))?
        }
    };
    let db = federation.db();
    let mut tx = db.begin().await?;
    match &relayed {
        crate::relays::inbound::Admission::Usual => {}
        crate::relays::inbound::Admission::Known => return Ok(()),
        crate::relays::inbound::Admission::Claim(admitted) => {
            if !crate::relays::inbound::claim(&mut tx, admitted).await? {
                return Ok(()); // announced meanwhile: nothing more to store
            }
        }
    }
    let stored = kinora_db::inbox::insert(
        &mut tx,
        envelope.id.as_str(),
        signer.as_str(),
        text,
        kinora_db::now_millis(),
    )
    .await?;
    if stored.is_none() && !matches!(relayed, crate::relays::inbound::Admission::Usual) {
        return Ok(()); // the same activity again: its claim is not kept
    }
    if let Some(activity_id) = stored {
        kinora_jobs::enqueue(&mut tx, &kinora_jobs::Job::ProcessInbox { activity_id })
            .await
            .map_err(|error| {
                tracing::warn!(%error, "inbox: queueing failed");
                Refusal::Unavailable
            })?;
    }
    tx.commit().await?;
    metrics::counter!("kinora_inbox_activities_total", "type" => envelope.kind.clone())
        .increment(1);
    Ok(())
}

/// The parts of an activity the inbox checks before storing it.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// `type`.
    pub kind: String,
    /// `id`.
    pub id: url::Url,
    /// `actor` (a string or an object with an `id`).
    pub actor: url::Url,
    /// The type of `object` when it is embedded.
    pub object_kind: Option<String>,
}

/// Activities that are accepted when forwarded (signed by another server than their actor's):
/// their object is then fetched from its origin, never taken from the body.
const FORWARDABLE: &[&str] = &["Create", "Update", "Delete", "Announce"];

impl Envelope {
    /// Reads the envelope; an activity without an http(s) `id`, `actor` or a `type` is a 400.
    pub fn read(activity: &Value) -> Result<Self, Refusal> {
        let kind = activity
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty() && t.len() <= 64)
            .ok_or_else(|| Refusal::Bad("the activity has no type".into()))?
            .to_owned();
        let id = http_url(activity.get("id"))
            .ok_or_else(|| Refusal::Bad("the activity has no http(s) id".into()))?;
        let actor = http_url(activity.get("actor").map(|a| a.get("id").unwrap_or(a)))
            .ok_or_else(|| Refusal::Bad("the activity has no http(s) actor".into()))?;
        let object_kind = activity
            .get("object")
            .and_then(|o| o.get("type"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Self {
            kind,
            id,
            actor,
            object_kind,
        })
    }

    fn forwardable(&self) -> bool {
        FORWARDABLE.contains(&self.kind.as_str())
    }
}

/// An http(s) URL from a JSON string.
pub fn http_url(value: Option<&Value>) -> Option<url::Url> {
    let text = value?.as_str()?;
    if text.len() > 2048 {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then_some(url)
}

/// The inbox routes (shared, per account, per channel), with the federation layer's state.
pub fn router(federation: Federation) -> axum::Router {
    axum::Router::new()
        .route("/inbox", axum::routing::post(receive))
        .route("/accounts/{name}/inbox", axum::routing::post(receive))
        .route("/video-channels/{name}/inbox", axum::routing::post(receive))
        .with_state(federation)
}
