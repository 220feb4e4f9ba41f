//! `POST /api/v1/video-channels/{name}/avatar/pick` (multipart `avatarfile`),
//! `POST …/banner/pick` (`bannerfile`) and `DELETE …/avatar`, `DELETE …/banner`: a channel's
//! pictures, changed by its owner or an administrator.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use kinora_app::actor_images::{self, ActorImageKind};
use serde_json::Value;

use crate::extract::Auth;
use crate::v1::local_name;
use crate::v1::users::me::avatar::read_image;
use crate::{ApiError, ApiState};

async fn pick(
    state: ApiState,
    caller: kinora_app::auth::AuthenticatedUser,
    handle: String,
    kind: ActorImageKind,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let name = local_name(&state, &handle).ok_or_else(|| ApiError::not_found("Video channel"))?;
    // Who may change the channel is checked before the image is read.
    kinora_app::channels::ensure_managed(&state.db, &caller, name).await?;
    let rendered = read_image(&state, kind, request).await?;
    let rows =
        actor_images::set_channel_image(&state.db, &state.storage, &caller, name, kind, &rendered)
            .await?;
    let mut answer = serde_json::Map::new();
    answer.insert(
        kind.directory().to_owned(),
        Value::Array(crate::json::actor_images::images(&state, &rows, kind)),
    );
    Ok(Json(Value::Object(answer)))
}

async fn remove(
    state: ApiState,
    caller: kinora_app::auth::AuthenticatedUser,
    handle: String,
    kind: ActorImageKind,
) -> Result<StatusCode, ApiError> {
    let name = local_name(&state, &handle).ok_or_else(|| ApiError::not_found("Video channel"))?;
    actor_images::remove_channel_image(&state.db, &state.storage, &caller, name, kind).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the channel's avatar; answers `{ "avatars": [...] }`.
pub async fn pick_avatar(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(handle): Path<String>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    pick(state, caller, handle, ActorImageKind::Avatar, request).await
}

/// Replaces the channel's banner; answers `{ "banners": [...] }`.
pub async fn pick_banner(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(handle): Path<String>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    pick(state, caller, handle, ActorImageKind::Banner, request).await
}

/// Removes the channel's avatar; 204.
pub async fn delete_avatar(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(handle): Path<String>,
) -> Result<StatusCode, ApiError> {
    remove(state, caller, handle, ActorImageKind::Avatar).await
}

/// Removes the channel's banner; 204.
pub async fn delete_banner(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(handle): Path<String>,
) -> Result<StatusCode, ApiError> {
    remove(state, caller, handle, ActorImageKind::Banner).await
}
