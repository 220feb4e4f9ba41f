//! User archives (PeerTube ≥ 6.1's user export; `kinora_app::user_exports`):
//!
//! - `POST /api/v1/users/{userId}/exports/request {"withVideoFiles": bool}` → `{"export":
//!   {"id"}}`; one archive per user at a time (409 while one did not fail);
//! - `GET /api/v1/users/{userId}/exports` → `{"total", "data": [UserExport]}`, each complete one
//!   with a `privateDownloadUrl` valid 15 minutes;
//! - `DELETE /api/v1/users/{userId}/exports/{id}` → 204 (409 while it is being written);
//! - `GET /download/user-exports/{file}?token=…`: the ZIP, for whoever holds the link.
//!
//! The user themselves or an administrator; `[export] enabled = false` answers 400.

use axum::Json;
use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kinora_app::user_exports::{self, ExportView};
use kinora_core::dates::iso_date;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::{PageQuery, parse_id};
use crate::{ApiError, ApiState};

/// The body of `POST …/exports/request`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    /// Whether the videos' files go in the archive (required, as PeerTube).
    pub with_video_files: Option<Value>,
}

/// `withVideoFiles` as PeerTube reads it: a boolean, or its text in a form.
fn with_video_files(value: Option<&Value>) -> Result<bool, ApiError> {
    match value {
        Some(Value::Bool(value)) => Ok(*value),
        Some(Value::String(text)) if text == "true" || text == "1" => Ok(true),
        Some(Value::String(text)) if text == "false" || text == "0" => Ok(false),
        _ => Err(ApiError::invalid_field(
            "withVideoFiles",
            "should be a boolean".to_owned(),
        )),
    }
}

/// `POST /api/v1/users/{userId}/exports/request`.
pub async fn request_export(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(user_id): Path<String>,
    JsonOrForm(body): JsonOrForm<ExportRequest>,
) -> Result<Json<Value>, ApiError> {
    let user_id = parse_id("userId", &user_id)?;
    let with_files = with_video_files(body.with_video_files.as_ref())?;
    let id = user_exports::request(&state.db, &state.exports, &caller, user_id, with_files).await?;
    Ok(Json(json!({ "export": { "id": id } })))
}

fn export_json(view: &ExportView) -> Value {
    json!({
        "id": view.row.id,
        "state": {
            "id": view.row.state,
            "label": user_exports::state_label(view.row.state),
        },
        "size": view.row.size,
        "privateDownloadUrl": view.download_url,
        "createdAt": iso_date(view.row.created_at),
        "expiresOn": iso_date(view.expires_at),
    })
}

/// `GET /api/v1/users/{userId}/exports`.
pub async fn list_exports(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(user_id): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let user_id = parse_id("userId", &user_id)?;
    page.check_sort(&["-createdAt"])?;
    let (views, total) = user_exports::list(
        &state.db,
        &state.exports,
        &caller,
        user_id,
        &state.public_url,
        page.page()?,
    )
    .await?;
    let data: Vec<Value> = views.iter().map(export_json).collect();
    Ok(Json(json!({ "total": total, "data": data })))
}

/// `DELETE /api/v1/users/{userId}/exports/{id}`.
pub async fn delete_export(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let user_id = parse_id("userId", &user_id)?;
    let id = parse_id("id", &id)?;
    user_exports::delete(
        &state.db,
        &state.storage,
        &state.exports,
        &caller,
        user_id,
        id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /download/user-exports/{file}?token=…`: the archive, with ranges; 403 for a wrong or
/// expired link.
pub async fn download_export(
    State(state): State<ApiState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Response, ApiError> {
    let token = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| ApiError::forbidden("This download link is not valid"))?;
    let (location, key, _) = user_exports::open_download(&state.db, &file, &token).await?;
    let mut response = match state.storage.local_path(location, &key) {
        Some(path) => {
            crate::local_file::serve_local(
                path,
                "application/zip",
                request.method(),
                request.headers(),
            )
            .await?
        }
        None => {
            crate::object_proxy::proxy(&state.storage, location, &key, request.headers()).await?
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response.into_response())
}
