//! Moving a channel or an account to another instance (issue 17; `kinora_app::moves`):
//!
//! - `GET /api/v1/video-channels/{name}/aliases` and `/api/v1/users/me/aliases`:
//!   `{"aliases": [actor URL, …]}`, the actors this one says it also is (`alsoKnownAs`);
//! - `POST …/aliases {"uri": "old@host"}` adds one (the actor that will move here), answering
//!   the list; `DELETE …/aliases?uri=…` removes one;
//! - `POST /api/v1/video-channels/{name}/move` and `/api/v1/users/me/move`
//!   `{"target": "new@host", "currentPassword": "…"}`: moves to the target, which must list
//!   this actor among its aliases; answers `{"movedTo", "localFollowersMoved"}`.

use axum::Json;
use axum::extract::{Path, Query, State};
use kinora_app::login_limits::LoginKey;
use kinora_app::moves::Mover;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, ClientAddress, JsonOrForm};
use crate::v1::local_name;
use crate::{ApiError, ApiState};

/// The body of `POST …/aliases`, and the query of `DELETE …/aliases`.
#[derive(Debug, Default, Deserialize)]
pub struct AliasBody {
    /// `name@host`, a local name, or an actor URL.
    pub uri: Option<String>,
}

/// The body of `POST …/move`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveBody {
    /// The actor to move to: `name@host`, a local name, or an actor URL.
    pub target: Option<String>,
    /// The caller's password: a move cannot be undone, so a token alone does not do it.
    pub current_password: Option<String>,
    /// Whether the videos go too (not built yet: only `false` is taken).
    pub with_videos: Option<bool>,
}

fn aliases_json(aliases: Vec<String>) -> Json<Value> {
    Json(json!({ "aliases": aliases }))
}

fn required<'a>(value: &'a Option<String>, field: &'static str) -> Result<&'a str, ApiError> {
    value
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| ApiError::invalid_field(field, "is required".to_owned()))
}

fn channel<'a>(state: &ApiState, handle: &'a str) -> Result<Mover<'a>, ApiError> {
    local_name(state, handle)
        .map(Mover::Channel)
        .ok_or_else(|| ApiError::not_found("Video channel"))
}

async fn list(
    state: &ApiState,
    user: &kinora_app::auth::AuthenticatedUser,
    mover: Mover<'_>,
) -> Result<Json<Value>, ApiError> {
    Ok(aliases_json(
        kinora_app::moves::list_aliases(&state.db, user, mover).await?,
    ))
}

async fn add(
    state: &ApiState,
    user: &kinora_app::auth::AuthenticatedUser,
    mover: Mover<'_>,
    body: &AliasBody,
) -> Result<Json<Value>, ApiError> {
    let uri = required(&body.uri, "uri")?;
    let aliases = kinora_app::moves::add_alias(
        &state.db,
        &*state.remote,
        &state.public_url,
        user,
        mover,
        uri,
    )
    .await?;
    Ok(aliases_json(aliases))
}

async fn remove(
    state: &ApiState,
    user: &kinora_app::auth::AuthenticatedUser,
    mover: Mover<'_>,
    query: &AliasBody,
) -> Result<Json<Value>, ApiError> {
    let uri = required(&query.uri, "uri")?;
    let aliases =
        kinora_app::moves::remove_alias(&state.db, &state.public_url, user, mover, uri).await?;
    Ok(aliases_json(aliases))
}

async fn move_to(
    state: &ApiState,
    user: &kinora_app::auth::AuthenticatedUser,
    address: Option<std::net::IpAddr>,
    mover: Mover<'_>,
    body: &MoveBody,
) -> Result<Json<Value>, ApiError> {
    let target = required(&body.target, "target")?;
    let password = required(&body.current_password, "currentPassword")?;
    if body.with_videos == Some(true) {
        return Err(kinora_app::AppError::Unsupported {
            code: "move_with_videos_not_supported",
            message: "videos do not move with a channel yet: move it without them \
                      (withVideos: false); its followers go to the target"
                .to_owned(),
        }
        .into());
    }
    state
        .login_limiter
        .check(&state.db, &LoginKey::Account(user.user_id), address)
        .await?
        .map_err(ApiError::too_many_requests)?;
    kinora_app::moves::check_current_password(&state.db, user, password).await?;
    let done = kinora_app::moves::move_actor(
        &state.db,
        &*state.remote,
        &state.public_url,
        user,
        mover,
        target,
    )
    .await?;
    Ok(Json(json!({
        "movedTo": done.target_url,
        "localFollowersMoved": done.local_followers_moved,
    })))
}

/// `GET /api/v1/video-channels/{name}/aliases`.
pub async fn list_channel_aliases(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(handle): Path<String>,
) -> Result<Json<Value>, ApiError> {
    list(&state, &user, channel(&state, &handle)?).await
}

/// `POST /api/v1/video-channels/{name}/aliases {uri}`.
pub async fn add_channel_alias(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(handle): Path<String>,
    JsonOrForm(body): JsonOrForm<AliasBody>,
) -> Result<Json<Value>, ApiError> {
    add(&state, &user, channel(&state, &handle)?, &body).await
}

/// `DELETE /api/v1/video-channels/{name}/aliases?uri=…`.
pub async fn remove_channel_alias(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(handle): Path<String>,
    Query(query): Query<AliasBody>,
) -> Result<Json<Value>, ApiError> {
    remove(&state, &user, channel(&state, &handle)?, &query).await
}

/// `POST /api/v1/video-channels/{name}/move {target, currentPassword}`.
pub async fn move_channel(
    State(state): State<ApiState>,
    Auth(user): Auth,
    ClientAddress(address): ClientAddress,
    Path(handle): Path<String>,
    JsonOrForm(body): JsonOrForm<MoveBody>,
) -> Result<Json<Value>, ApiError> {
    move_to(&state, &user, address, channel(&state, &handle)?, &body).await
}

/// `GET /api/v1/users/me/aliases`.
pub async fn list_my_aliases(
    State(state): State<ApiState>,
    Auth(user): Auth,
) -> Result<Json<Value>, ApiError> {
    list(&state, &user, Mover::Account).await
}

/// `POST /api/v1/users/me/aliases {uri}`.
pub async fn add_my_alias(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<AliasBody>,
) -> Result<Json<Value>, ApiError> {
    add(&state, &user, Mover::Account, &body).await
}

/// `DELETE /api/v1/users/me/aliases?uri=…`.
pub async fn remove_my_alias(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<AliasBody>,
) -> Result<Json<Value>, ApiError> {
    remove(&state, &user, Mover::Account, &query).await
}

/// `POST /api/v1/users/me/move {target, currentPassword}`.
pub async fn move_me(
    State(state): State<ApiState>,
    Auth(user): Auth,
    ClientAddress(address): ClientAddress,
    JsonOrForm(body): JsonOrForm<MoveBody>,
) -> Result<Json<Value>, ApiError> {
    move_to(&state, &user, address, Mover::Account, &body).await
}

/// The routes above.
pub fn routes() -> axum::Router<ApiState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/video-channels/{name}/aliases",
            get(list_channel_aliases)
                .post(add_channel_alias)
                .delete(remove_channel_alias),
        )
        .route("/video-channels/{name}/move", post(move_channel))
        .route(
            "/users/me/aliases",
            get(list_my_aliases)
                .post(add_my_alias)
                .delete(remove_my_alias),
        )
        .route("/users/me/move", post(move_me))
}
