//! Importing a user archive (PeerTube ≥ 6.1's user import; `kinora_app::user_imports`):
//!
//! - `POST /api/v1/users/{userId}/imports/import-resumable {"filename"}` with
//!   `X-Upload-Content-Length` and `X-Upload-Content-Type`: opens a resumable upload of the
//!   ZIP (201 and `Location`); `PUT …?upload_id=` sends its chunks (308 until the last, then
//!   204: the import is queued); `DELETE …?upload_id=` cancels it. The file must be a ZIP
//!   (415 otherwise) and fit the user's video quota;
//! - `GET /api/v1/users/{userId}/imports/latest` → `{"id", "state": {"id", "label"},
//!   "createdAt", "resultSummary"}`.
//!
//! The user themselves or an administrator; one import at a time (409).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kinora_app::StorageKey;
use kinora_core::dates::iso_date;
use kinora_db::uploads::UploadRow;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_id;
use crate::v1::videos::upload_resumable::{self, Announced, UploadQuery};
use crate::{ApiError, ApiState};

/// The init body.
#[derive(Debug, Default, Deserialize)]
pub struct ImportInit {
    /// The archive's file name (shown only).
    pub filename: Option<String>,
}

/// What an import session keeps until its last byte: whose account it goes into.
#[derive(Debug, serde::Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportTarget {
    user_id: i64,
}

/// `POST /api/v1/users/{userId}/imports/import-resumable`.
pub async fn init_import(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    JsonOrForm(body): JsonOrForm<ImportInit>,
) -> Result<Response, ApiError> {
    let user_id = parse_id("userId", &user_id)?;
    let target = kinora_app::user_imports::target_user(&state.db, &caller, user_id).await?;
    let filename = body.filename.unwrap_or_else(|| "archive.zip".to_owned());
    let (declared, content_type, filename) = upload_resumable::announced(&headers, &filename)?;
    kinora_app::user_imports::ensure_none_running(&state.db, target.id).await?;
    // The videos of the archive count against the user's quota: an archive larger than what
    // is left cannot fit.
    kinora_app::quotas::check(
        &state.db,
        target.id,
        target.video_quota,
        target.video_quota_daily,
        declared,
    )
    .await?;
    let account = kinora_db::accounts::find_by_user(state.db.pool(), target.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Account"))?;
    let channel = kinora_db::channels::list_by_account(state.db.pool(), account.id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("Video channel"))?;
    let metadata = serde_json::to_string(&ImportTarget { user_id: target.id })
        .map_err(|error| kinora_app::AppError::Internal(error.to_string()))?;
    let session = Announced {
        channel_id: channel.id,
        declared,
        content_type: &content_type,
        filename: &filename,
        metadata: &metadata,
        purpose: Some(kinora_db::uploads::USER_IMPORT),
    };
    let base = format!("/api/v1/users/{}/imports/import-resumable", target.id);
    upload_resumable::open_session(&state, &caller, &session, &base).await
}

/// `PUT /api/v1/users/{userId}/imports/import-resumable?upload_id=`: the video route's, whose
/// last chunk ends in [`complete`].
pub async fn put_import_chunk(
    state: State<ApiState>,
    auth: Auth,
    Path(_user_id): Path<String>,
    query: Query<UploadQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    upload_resumable::put_chunk(state, auth, query, request).await
}

/// `DELETE /api/v1/users/{userId}/imports/import-resumable?upload_id=`.
pub async fn cancel_import(
    state: State<ApiState>,
    auth: Auth,
    Path(_user_id): Path<String>,
    query: Query<UploadQuery>,
    body: Body,
) -> Result<StatusCode, ApiError> {
    upload_resumable::cancel_upload(state, auth, query, body).await
}

/// The last byte of an import's upload arrived: the archive is stored and its import queued
/// (204); the session ends.
pub(crate) async fn complete(
    state: &ApiState,
    session: &UploadRow,
    upload_id: Uuid,
) -> Result<Response, ApiError> {
    let target: ImportTarget = serde_json::from_str(&session.metadata)
        .map_err(|error| kinora_app::AppError::Internal(error.to_string()))?;
    let path = state
        .storage
        .local()
        .path(&StorageKey::resumable_upload(upload_id));
    let accepted =
        kinora_app::user_imports::accept(&state.db, &state.storage, target.user_id, &path).await;
    kinora_db::uploads::delete(state.db.pool(), session.id).await?;
    let _ = state
        .storage
        .local()
        .delete(&StorageKey::resumable_upload(upload_id));
    accepted?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/users/{userId}/imports/latest`.
pub async fn latest_import(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user_id = parse_id("userId", &user_id)?;
    let row = kinora_app::user_imports::latest(&state.db, &caller, user_id).await?;
    let summary = row
        .summary
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    Ok(Json(json!({
        "id": row.id,
        "state": {
            "id": row.state,
            "label": kinora_app::user_exports::state_label(row.state),
        },
        "createdAt": iso_date(row.created_at),
        "error": row.error,
        "resultSummary": summary,
    })))
}
