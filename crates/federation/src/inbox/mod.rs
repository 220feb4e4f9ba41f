//! The inbox: [`route`] receives, checks and stores activities; [`process`] acts on each one
//! later, from the job queue (`Job::ProcessInbox`), by its type.
//!
//! Every handler takes its authority from the signer recorded with the activity, never from the
//! body: the actor that changes or deletes something must own it (or be its host's instance
//! actor where PeerTube allows that), objects are kept under the id of the origin they were
//! fetched from, and a forwarded activity only points at an object that is fetched again.

mod actors;
mod comments;
mod flags;
mod follows;
mod ld;
pub mod limits;
mod moves;
mod playlists;
mod reactions;
mod redundancy;
mod reply_approvals;
pub mod route;
mod signer;
mod videos;

pub(crate) use videos::store_with_comments;

pub(crate) use comments::store_fetched_note;
pub(crate) use videos::store_document as store_video_document;
pub(crate) use videos::store_with_comments as store_video;

use kinora_core::abuse::AbuseState;
use kinora_jobs::JobFailure;

use serde_json::Value;
use url::Url;

use crate::Federation;
use crate::resolve::ResolveError;
use route::{Envelope, http_url};

/// Why acting on an activity failed.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// Fetching something failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] kinora_db::DbError),
    /// Queueing follow-up work failed.
    #[error(transparent)]
    Job(#[from] kinora_jobs::JobError),
    /// A use case refused.
    #[error(transparent)]
    App(#[from] kinora_app::AppError),
    /// The activity cannot be acted on (bad shape, not allowed): dropped for good.
    #[error("{0}")]
    Refused(String),
}

impl From<kinora_db::SqlError> for ProcessError {
    fn from(error: kinora_db::SqlError) -> Self {
        ProcessError::Db(kinora_db::DbError::from(error))
    }
}

impl ProcessError {
    /// True when the activity itself is at fault (bad shape, not allowed, its objects refused
    /// or gone at their origin): it is dropped, logged below ERROR, never a dead letter.
    fn is_refusal(&self) -> bool {
        match self {
            ProcessError::Refused(_) => true,
            ProcessError::Resolve(error) => {
                !error.is_retryable() && !matches!(error, ResolveError::Db(_))
            }
            ProcessError::App(error) => matches!(
                error,
                kinora_app::AppError::Invalid { .. }
                    | kinora_app::AppError::NotFound(_)
                    | kinora_app::AppError::Forbidden(_)
                    | kinora_app::AppError::Refused { .. }
                    | kinora_app::AppError::Unsupported { .. }
                    | kinora_app::AppError::TooLarge { .. }
                    | kinora_app::AppError::Unprocessable(_)
                    | kinora_app::AppError::Conflict(_)
            ),
            ProcessError::Db(_) | ProcessError::Job(_) => false,
        }
    }

    /// True when only the remote side failed (unreachable, 5xx): worth retrying, but when the
    /// attempts are used up the activity is given up, not kept as a fault of ours.
    fn is_remote_trouble(&self) -> bool {
        matches!(self, ProcessError::Resolve(ResolveError::Client(error)) if error.is_retryable())
    }

    fn into_failure(self) -> JobFailure {
        let retryable = match &self {
            ProcessError::Resolve(error) => error.is_retryable(),
            ProcessError::Db(_) | ProcessError::Job(_) => true,
            ProcessError::App(error) => matches!(
                error,
                kinora_app::AppError::Db(_) | kinora_app::AppError::Job(_)
            ),
            ProcessError::Refused(_) => false,
        };
        if retryable {
            JobFailure::retryable(self.to_string())
        } else {
            JobFailure::permanent(self.to_string())
        }
    }
}

/// A refusal (the activity is dropped, not retried).
pub(crate) fn refused(reason: impl Into<String>) -> ProcessError {
    ProcessError::Refused(reason.into())
}

/// One stored activity being acted on.
pub(crate) struct Incoming {
    /// The stored row's id.
    pub row_id: i64,
    /// The activity.
    pub activity: Value,
    /// Its envelope (type, id, actor).
    pub envelope: Envelope,
    /// Who signed the request that brought it.
    pub signer: Url,
}

impl Incoming {
    /// True when the signer is the activity's actor (not a forward).
    pub fn signed_by_actor(&self) -> bool {
        self.signer == self.envelope.actor
    }

    /// The `object`: a string or an object.
    pub fn object(&self) -> Option<&Value> {
        self.activity.get("object")
    }

    /// The id of the `object` (its string, or its `id`).
    pub fn object_id(&self) -> Option<Url> {
        let object = self.object()?;
        http_url(Some(object.get("id").unwrap_or(object)))
    }

    /// The `type` of an embedded object.
    pub fn object_type(&self) -> Option<&str> {
        self.object()?.get("type").and_then(Value::as_str)
    }
}

/// Acts on the stored activity `activity_id` (a `Job::ProcessInbox`), on attempt `attempt` of
/// `max_attempts`. An activity refused for what it is ends the job (logged at INFO); a remote
/// that keeps failing is retried, then given up (WARN); only our own faults fail the job.
pub async fn process(
    federation: &Federation,
    activity_id: i64,
    attempt: i64,
    max_attempts: i64,
) -> Result<(), JobFailure> {
    let Some(row) = kinora_db::inbox::find(federation.db().pool(), activity_id)
        .await
        .map_err(|error| JobFailure::retryable(error.to_string()))?
    else {
        return Ok(());
    };
    let activity: Value = serde_json::from_str(&row.body)
        .map_err(|error| JobFailure::permanent(format!("stored activity: {error}")))?;
    let envelope = Envelope::read(&activity)
        .map_err(|refusal| JobFailure::permanent(format!("stored activity: {refusal:?}")))?;
    let signer = Url::parse(&row.signer_url)
        .map_err(|error| JobFailure::permanent(format!("stored signer: {error}")))?;
    let incoming = Incoming {
        row_id: row.id,
        activity,
        envelope,
        signer,
    };
    let result = dispatch(federation, &incoming).await;
    match result {
        Ok(()) => Ok(()),
        Err(error) if error.is_refusal() => {
            tracing::info!(activity = %incoming.envelope.id, kind = %incoming.envelope.kind,
                           reason = %error, "activity refused");
            Ok(())
        }
        Err(error) if error.is_remote_trouble() && attempt >= max_attempts => {
            tracing::warn!(activity = %incoming.envelope.id, kind = %incoming.envelope.kind,
                           reason = %error, attempt, "activity given up: its remote side keeps failing");
            Ok(())
        }
        Err(error) => Err(error.into_failure()),
    }
}

async fn dispatch(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if let Some(done) = crate::relays::inbound::dispatch(federation, incoming).await {
        return done;
    }
    let object_type = incoming.object_type().unwrap_or_default().to_owned();
    match (incoming.envelope.kind.as_str(), object_type.as_str()) {
        ("Follow", _) => follows::follow(federation, incoming).await,
        ("Accept", _) if flags::answers_flag(federation, incoming) => {
            flags::answered(federation, incoming, AbuseState::Accepted).await
        }
        ("Reject", _) if flags::answers_flag(federation, incoming) => {
            flags::answered(federation, incoming, AbuseState::Rejected).await
        }
        ("Accept", _) => follows::accepted(federation, incoming).await,
        ("Reject", _) => follows::rejected(federation, incoming).await,
        ("Undo", "Follow") => follows::undone(federation, incoming).await,
        ("Undo", "Like" | "Dislike") => reactions::undo_rating(federation, incoming).await,
        ("Undo", "Create") => redundancy::undo_create(federation, incoming).await,
        ("Undo", _) => Err(refused("nothing to undo for this object")),
        ("Create" | "Update", "CacheFile") => redundancy::cache_file(federation, incoming).await,
        ("Create" | "Update", "Note") => comments::note(federation, incoming).await,
        ("Create" | "Update", "Video") => videos::video(federation, incoming).await,
        ("Create" | "Update", "Playlist") => playlists::playlist(federation, incoming).await,
        ("Update", "Person" | "Group" | "Application" | "Service" | "Organization") => {
            actors::updated(federation, incoming).await
        }
        ("Create" | "Update", "") => {
            // An object given by reference only: what it is shows once fetched.
            videos::by_reference(federation, incoming).await
        }
        ("Delete", _) => actors::deleted_or(federation, incoming).await,
        ("Announce", _) => videos::announced(federation, incoming).await,
        ("Like", _) => reactions::rate(federation, incoming, "like").await,
        ("Dislike", _) => reactions::rate(federation, incoming, "dislike").await,
        ("View", _) => reactions::view(federation, incoming).await,
        ("ApproveReply", _) => reply_approvals::approved(federation, incoming).await,
        // PeerTube never sends it yet ("not implemented"); nothing to undo here either.
        ("RejectReply", _) => Ok(()),
        ("Flag", _) => flags::flag(federation, incoming).await,
        ("Move", _) => moves::moved(federation, incoming).await,
        (kind, _) => Err(refused(format!("{kind} activities are not handled"))),
    }
}
