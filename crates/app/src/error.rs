//! The one error type of the use cases.

use kinora_db::DbError;
use kinora_jobs::JobError;

/// Why a use case refused or failed. The HTTP layer maps each variant to a status and a stable
/// code; the messages are safe to show to the client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field of the input is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field's name as the client sent it.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller may not do this, for a reason with its own stable code (HTTP 403).
    #[error("{message}")]
    Refused {
        /// The stable code (`comments_disabled`, …).
        code: &'static str,
        /// What the user is told.
        message: String,
    },
    /// The request is well formed but cannot be served as asked, for a reason with its own
    /// stable code (HTTP 400).
    #[error("{message}")]
    Unsupported {
        /// The stable code (`remote_handle_not_supported`, …).
        code: &'static str,
        /// What the user is told.
        message: String,
    },
    /// The upload is larger than the quota or the size limit allows (HTTP 413).
    #[error("{message}")]
    TooLarge {
        /// PeerTube's error code (`quota_reached`, `max_file_size_reached`).
        code: &'static str,
        /// What the user is told.
        message: String,
    },
    /// The uploaded file is not a video Kinora can process (HTTP 422).
    #[error("{0}")]
    Unprocessable(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] kinora_storage::StorageError),
    /// The change conflicts with existing state.
    #[error("{0}")]
    Conflict(String),
    /// OAuth: the client id or secret is wrong.
    #[error("Invalid client: client is invalid")]
    InvalidClient,
    /// OAuth: the credentials or refresh token are wrong, expired or reused.
    #[error("Invalid grant: {0}")]
    InvalidGrant(&'static str),
    /// OAuth: the grant type is not supported.
    #[error("Unsupported grant type: `grant_type` is invalid")]
    UnsupportedGrantType,
    /// The bearer token is unknown, expired or revoked.
    #[error("Token is invalid")]
    InvalidToken,
    /// The account exists but may not log in yet or any more.
    #[error("{message}")]
    AccountUnavailable {
        /// PeerTube's error code (`account_waiting_for_approval`, `access_denied`).
        code: &'static str,
        /// What the user is told.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The job queue failed.
    #[error(transparent)]
    Job(#[from] JobError),
    /// Something that should not happen happened.
    #[error("internal error: {0}")]
    Internal(String),
    /// Another instance could not be reached, or answered with something unusable.
    #[error("remote instance: {0}")]
    Remote(String),
    /// The caller did this too often lately (HTTP 429 with `Retry-After`).
    #[error("{message}")]
    RateLimited {
        /// What the user is told.
        message: String,
        /// Seconds until it may be done again.
        retry_after_secs: u64,
    },
}

impl AppError {
    /// Whether the database could not be reached (see [`DbError::is_unavailable`]): the
    /// request may succeed if tried again shortly.
    pub fn is_database_unavailable(&self) -> bool {
        match self {
            AppError::Db(error) | AppError::Job(JobError::Db(error)) => error.is_unavailable(),
            _ => false,
        }
    }
}

impl From<sqlx_error::Error> for AppError {
    fn from(error: sqlx_error::Error) -> Self {
        AppError::Db(DbError::from(error))
    }
}

/// Lets `?` turn sqlx errors from transactions into [`AppError`].
mod sqlx_error {
    pub use kinora_db::SqlError as Error;
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;
