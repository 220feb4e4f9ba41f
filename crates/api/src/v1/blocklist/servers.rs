//! Muted servers of a [`MuteScope`]: `GET` lists `{total, data: [{byAccount, blockedServer:
//! {host}, createdAt}]}`, `POST {host}` mutes (204), `DELETE …/{host}` unmutes (204).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use kinora_app::auth::AuthenticatedUser;
use kinora_app::blocklists::{MuteScope, owner_for, parse_host};
use kinora_core::dates::iso_date;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::json::list;
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// The body of `POST`.
#[derive(Debug, Deserialize)]
pub struct MuteServerBody {
    /// `name` or `name:port`.
    pub host: Option<String>,
}

/// One page of the muted servers of `scope`.
pub async fn page(
    state: &ApiState,
    user: &AuthenticatedUser,
    scope: MuteScope,
    query: &PageQuery,
) -> Result<Json<Value>, ApiError> {
    let (descending, start, count) = super::page_of(query)?;
    let (owner, _) = owner_for(&state.db, user, scope).await?;
    let (total, rows) =
        kinora_db::blocklists::list_servers(state.db.pool(), owner, descending, start, count)
            .await?;
    let ids: Vec<i64> = rows.iter().filter_map(|row| row.by_account_id).collect();
    let accounts = super::accounts_by_id(state, &ids).await?;
    let data = rows
        .iter()
        .map(|row| {
            json!({
                "byAccount": row.by_account_id.and_then(|id| accounts.get(&id).cloned()),
                "blockedServer": { "host": row.host },
                "createdAt": iso_date(row.created_at),
            })
        })
        .collect();
    Ok(Json(list(usize::try_from(total).unwrap_or(0), data)))
}

/// Mutes the server the body names.
pub async fn mute(
    state: &ApiState,
    user: &AuthenticatedUser,
    scope: MuteScope,
    body: MuteServerBody,
) -> Result<StatusCode, ApiError> {
    owner_for(&state.db, user, scope).await?;
    let host = body
        .host
        .ok_or_else(|| ApiError::invalid_field("host", "is required"))?;
    let host = parse_host("host", &host)?;
    kinora_app::blocklists::mute_server(&state.db, user, scope, &host, state.host()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unmutes the server named in the path.
pub async fn unmute(
    state: &ApiState,
    user: &AuthenticatedUser,
    scope: MuteScope,
    Path(host): Path<String>,
) -> Result<StatusCode, ApiError> {
    owner_for(&state.db, user, scope).await?;
    let host = parse_host("host", &host)?;
    kinora_app::blocklists::unmute_server(&state.db, user, scope, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}
