//! The caller's notifications (`kinora_app::notifications`):
//! - `GET /api/v1/users/me/notifications`: `start`, `count`, `sort` (`-createdAt`, the default,
//!   or `createdAt`), `unread`, `typeOneOf`; `{total, data}` with an `ETag`, so that a page
//!   polling its unread count (`unread=true&count=0`) is answered `304` while nothing changed;
//! - `POST …/read` (`{ids}`), `POST …/read-all`: 204;
//! - `PUT /api/v1/users/me/notification-settings`: any of PeerTube's settings, each `0`–`3`; 204.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kinora_db::notifications::NotificationQuery;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_page;
use crate::{ApiError, ApiState};

/// Reads the list's query: repeated `typeOneOf` (or `typeOneOf[]`) values.
fn parse_query(raw: Option<&str>) -> Result<NotificationQuery, ApiError> {
    let mut start = None;
    let mut count = None;
    let mut query = NotificationQuery::default();
    let mut kinds = Vec::new();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match key.trim_end_matches("[]") {
            "start" => start = Some(value.into_owned()),
            "count" => count = Some(value.into_owned()),
            "sort" => match value.as_ref() {
                "createdAt" => query.oldest_first = true,
                "-createdAt" => query.oldest_first = false,
                other => {
                    return Err(ApiError::invalid_field(
                        "sort",
                        format!("{other:?} is not createdAt or -createdAt"),
                    ));
                }
            },
            "unread" => {
                query.unread = match value.as_ref() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    other => {
                        return Err(ApiError::invalid_field(
                            "unread",
                            format!("{other:?} is not true or false"),
                        ));
                    }
                }
            }
            "typeOneOf" => {
                let kind = value
                    .parse::<i64>()
                    .ok()
                    .filter(|id| (1..=22).contains(id))
                    .ok_or_else(|| {
                        ApiError::invalid_field(
                            "typeOneOf",
                            format!("{value:?} is not a notification type (1 to 22)"),
                        )
                    })?;
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            _ => {}
        }
    }
    let (start, count) = parse_page(start.as_deref(), count.as_deref())?;
    query.start = start;
    query.count = count;
    query.kinds = (!kinds.is_empty()).then_some(kinds);
    Ok(query)
}

/// Answers one page, or 304 when the client's `If-None-Match` names it.
pub async fn list_notifications(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = parse_query(raw.as_deref())?;
    let (total, rows) = kinora_app::notifications::page(&state.db, &caller, &query).await?;
    let data = crate::json::notifications::notifications(&state, &rows).await?;
    let body = serde_json::to_vec(&crate::json::list(
        usize::try_from(total).unwrap_or(0),
        data,
    ))
    .map_err(|error| {
        kinora_app::AppError::Internal(format!("cannot write notifications: {error}"))
    })?;
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "application/json")],
            Bytes::from(body),
        )
            .into_response()
    };
    let response_headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    // Kept by the browser, always asked again: a poll costs a 304 while nothing changed.
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

/// The body of `…/read`.
#[derive(Debug, Deserialize)]
pub struct ReadRequest {
    ids: Option<Vec<i64>>,
}

/// Marks the notifications named read; 204.
pub async fn read_notifications(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    JsonOrForm(request): JsonOrForm<ReadRequest>,
) -> Result<StatusCode, ApiError> {
    let ids = request
        .ids
        .ok_or_else(|| ApiError::invalid_field("ids", "is required"))?;
    kinora_app::notifications::mark_read(&state.db, &caller, &ids).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every notification read; 204.
pub async fn read_all_notifications(
    State(state): State<ApiState>,
    Auth(caller): Auth,
) -> Result<StatusCode, ApiError> {
    kinora_app::notifications::mark_all_read(&state.db, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the settings named; 204.
pub async fn update_notification_settings(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    JsonOrForm(body): JsonOrForm<Map<String, Value>>,
) -> Result<StatusCode, ApiError> {
    let changes: Vec<(String, Value)> = body.into_iter().collect();
    kinora_app::notifications::update_settings(&state.db, &caller, &changes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's settings as PeerTube's `notificationSettings` object (for `GET /users/me`).
pub async fn settings_json(state: &ApiState, user_id: i64) -> Result<Value, ApiError> {
    let settings = kinora_app::notifications::settings(&state.db, user_id).await?;
    Ok(Value::Object(
        settings
            .into_iter()
            .map(|(name, value)| (name.to_owned(), Value::from(value)))
            .collect(),
    ))
}
