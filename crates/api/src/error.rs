//! Errors as `application/problem+json` (RFC 9457) with PeerTube's fields and a stable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kinora_app::AppError;
use serde_json::{Map, Value, json};

const PEERTUBE_ERROR_DOCS: &str =
    "https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/";

/// Seconds a client is asked to wait when the database is unavailable.
const DATABASE_RETRY_AFTER_SECS: u64 = 5;

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    /// PeerTube's own error code, when it has one for this case (sets `type` to its docs).
    peertube_code: bool,
    invalid_params: Option<Map<String, Value>>,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An error with a status, a stable code and a message for the client.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            peertube_code: false,
            invalid_params: None,
            retry_after_secs: None,
        }
    }

    /// Marks the code as one of PeerTube's, so `type` links to its documentation.
    fn peertube(mut self) -> Self {
        self.peertube_code = true;
        self
    }

    /// 400 for one invalid field, named in `invalid-params`.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut params = Map::new();
        params.insert(
            field.to_owned(),
            json!({ "type": "field", "msg": message, "path": field, "location": "body" }),
        );
        Self {
            invalid_params: Some(params),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_params",
                format!("Incorrect request parameters: {field}: {message}"),
            )
        }
    }

    /// 400 for one invalid query parameter, named in `invalid-params` (location `query`).
    pub fn invalid_query(parameter: &str, message: impl Into<String>) -> Self {
        let mut error = Self::invalid_field(parameter, message);
        if let Some(entry) = error
            .invalid_params
            .as_mut()
            .and_then(|params| params.get_mut(parameter))
        {
            entry["location"] = json!("query");
        }
        error
    }

    /// 404 for a thing that does not exist.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 401: no credentials were sent.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized_request",
            "Token is invalid",
        )
        .peertube()
    }

    /// 401: the bearer token is unknown, expired or revoked.
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Token is invalid",
        )
        .peertube()
    }

    /// 400: the OAuth request is malformed.
    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", detail).peertube()
    }

    /// 403 for a caller without the right.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// Adds `Retry-After` (whole seconds, at least 1) to this answer.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_secs = Some(seconds.max(1));
        self
    }

    /// 429 with the seconds to wait.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests, please try again later.",
            )
        }
    }

    /// 503: the database cannot be reached (down, restarting, or no connection free in time);
    /// the client may try again after `Retry-After`.
    pub fn database_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "The database is unavailable for a moment; try again shortly.",
        )
        .with_retry_after(DATABASE_RETRY_AFTER_SECS)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        if error.is_database_unavailable() {
            tracing::warn!(error = %error, "request failed: the database is unavailable");
            return ApiError::database_unavailable();
        }
        match error {
            AppError::Invalid { field, message } => ApiError::invalid_field(field, message),
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Forbidden(message) => ApiError::forbidden(message),
            AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            AppError::Refused { code, message } => {
                ApiError::new(StatusCode::FORBIDDEN, code, message)
            }
            AppError::Unsupported { code, message } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, message)
            }
            AppError::InvalidClient => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_client", error.to_string())
                    .peertube()
            }
            AppError::InvalidGrant(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_grant", error.to_string())
                    .peertube()
            }
            AppError::UnsupportedGrantType => ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                error.to_string(),
            )
            .peertube(),
            AppError::InvalidToken => ApiError::invalid_token(),
            AppError::TooLarge { code, message } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, message).peertube()
            }
            AppError::Unprocessable(message) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable_video",
                message,
            ),
            AppError::AccountUnavailable { code, message } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, message).peertube()
            }
            AppError::Remote(message) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "remote_failed", message)
            }
            AppError::RateLimited {
                message,
                retry_after_secs,
            } => ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
                .with_retry_after(retry_after_secs),
            AppError::Db(_) | AppError::Job(_) | AppError::Storage(_) | AppError::Internal(_) => {
                tracing::error!(error = %error, "request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "The server failed to handle the request; it has been logged.",
                )
            }
        }
    }
}

impl From<kinora_app::StorageError> for ApiError {
    fn from(error: kinora_app::StorageError) -> Self {
        AppError::Storage(error).into()
    }
}

impl From<kinora_db::DbError> for ApiError {
    fn from(error: kinora_db::DbError) -> Self {
        AppError::Db(error).into()
    }
}

impl From<kinora_db::SqlError> for ApiError {
    fn from(error: kinora_db::SqlError) -> Self {
        AppError::from(error).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        if self.peertube_code {
            body.insert(
                "type".into(),
                Value::String(format!("{PEERTUBE_ERROR_DOCS}{}", self.code)),
            );
        } else {
            body.insert("type".into(), Value::String("about:blank".into()));
            body.insert(
                "title".into(),
                Value::String(self.status.canonical_reason().unwrap_or("Error").into()),
            );
        }
        body.insert("detail".into(), Value::String(self.detail.clone()));
        body.insert("status".into(), Value::from(self.status.as_u16()));
        body.insert("code".into(), Value::String(self.code.into()));
        body.insert("error".into(), Value::String(self.detail));
        if let Some(params) = self.invalid_params {
            body.insert("invalid-params".into(), Value::Object(params));
        }
        let mut response = (self.status, Value::Object(body).to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json; charset=utf-8"),
        );
        if let Some(seconds) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
