//! The six mute routes, once for both scopes: `/api/v1/users/me/blocklist/…` (the caller's own
//! mutes, [`Mine`]) and `/api/v1/server/blocklist/…` (the instance's, staff only, [`Instance`]).
//! [`routes`] mounts them under a prefix, the scope named as their type parameter.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use kinora_app::blocklists::MuteScope;
use serde_json::Value;

use super::accounts::MuteAccountBody;
use super::servers::MuteServerBody;
use super::{accounts, servers};
use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// The six routes under `prefix` (`…/accounts`, `…/accounts/{account_name}`, `…/servers`,
/// `…/servers/{host}`), acting in `S`'s scope.
pub fn routes<S: Scope + Send + Sync + 'static>(prefix: &str) -> Router<ApiState> {
    Router::new()
        .route(
            &format!("{prefix}/accounts"),
            get(list_accounts::<S>).post(mute_account::<S>),
        )
        .route(
            &format!("{prefix}/accounts/{{account_name}}"),
            delete(unmute_account::<S>),
        )
        .route(
            &format!("{prefix}/servers"),
            get(list_servers::<S>).post(mute_server::<S>),
        )
        .route(
            &format!("{prefix}/servers/{{host}}"),
            delete(unmute_server::<S>),
        )
}

/// Whose mutes a route manages.
pub trait Scope {
    /// The scope the shared handlers act in.
    const SCOPE: MuteScope;
}

/// The caller's own mutes, hidden from them only.
pub struct Mine;
impl Scope for Mine {
    const SCOPE: MuteScope = MuteScope::Mine;
}

/// The instance's mutes, hidden from everyone and refused at the inbox.
pub struct Instance;
impl Scope for Instance {
    const SCOPE: MuteScope = MuteScope::Instance;
}

/// `GET …/accounts`: one page of muted accounts.
pub async fn list_accounts<S: Scope>(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    accounts::page(&state, &user, S::SCOPE, &query).await
}

/// `POST …/accounts {accountName}`: mutes an account.
pub async fn mute_account<S: Scope>(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<MuteAccountBody>,
) -> Result<StatusCode, ApiError> {
    accounts::mute(&state, &user, S::SCOPE, body).await
}

/// `DELETE …/accounts/{accountName}`: unmutes an account.
pub async fn unmute_account<S: Scope>(
    State(state): State<ApiState>,
    Auth(user): Auth,
    name: Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::unmute(&state, &user, S::SCOPE, name).await
}

/// `GET …/servers`: one page of muted servers.
pub async fn list_servers<S: Scope>(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    servers::page(&state, &user, S::SCOPE, &query).await
}

/// `POST …/servers {host}`: mutes a server.
pub async fn mute_server<S: Scope>(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<MuteServerBody>,
) -> Result<StatusCode, ApiError> {
    servers::mute(&state, &user, S::SCOPE, body).await
}

/// `DELETE …/servers/{host}`: unmutes a server.
pub async fn unmute_server<S: Scope>(
    State(state): State<ApiState>,
    Auth(user): Auth,
    host: Path<String>,
) -> Result<StatusCode, ApiError> {
    servers::unmute(&state, &user, S::SCOPE, host).await
}
