//! `/api/v1/server/blocklist/accounts` and `/api/v1/server/blocklist/servers`: the instance's mutes (administrators and moderators only), hidden from everyone and refused at the inbox (the handlers are shared with the other
//! scope in [`crate::v1::blocklist`]).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kinora_app::blocklists::MuteScope;
use serde_json::Value;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::blocklist::accounts::MuteAccountBody;
use crate::v1::blocklist::servers::MuteServerBody;
use crate::v1::blocklist::{accounts, servers};
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

const SCOPE: MuteScope = MuteScope::Instance;

/// `GET …/accounts`: one page of muted accounts.
pub async fn list_accounts(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    accounts::page(&state, &user, SCOPE, &query).await
}

/// `POST …/accounts {accountName}`: mutes an account.
pub async fn mute_account(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<MuteAccountBody>,
) -> Result<StatusCode, ApiError> {
    accounts::mute(&state, &user, SCOPE, body).await
}

/// `DELETE …/accounts/{accountName}`: unmutes an account.
pub async fn unmute_account(
    State(state): State<ApiState>,
    Auth(user): Auth,
    name: Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::unmute(&state, &user, SCOPE, name).await
}

/// `GET …/servers`: one page of muted servers.
pub async fn list_servers(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    servers::page(&state, &user, SCOPE, &query).await
}

/// `POST …/servers {host}`: mutes a server.
pub async fn mute_server(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<MuteServerBody>,
) -> Result<StatusCode, ApiError> {
    servers::mute(&state, &user, SCOPE, body).await
}

/// `DELETE …/servers/{host}`: unmutes a server.
pub async fn unmute_server(
    State(state): State<ApiState>,
    Auth(user): Auth,
    host: Path<String>,
) -> Result<StatusCode, ApiError> {
    servers::unmute(&state, &user, SCOPE, host).await
}
