//! Muted accounts of a [`MuteScope`]: `GET` lists `{total, data: [{byAccount, blockedAccount,
//! createdAt}]}`, `POST {accountName}` mutes (`name` here or `name@host` known here; 204),
//! `DELETE …/{accountName}` unmutes (204).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use kinora_app::auth::AuthenticatedUser;
use kinora_app::blocklists::{MuteScope, owner_for};
use serde::Deserialize;
use serde_json::{Value, json};

use kinora_core::dates::iso_date;

use crate::json::list;
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// The body of `POST`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MuteAccountBody {
    /// `name` (here) or `name@host`.
    pub account_name: Option<String>,
}

/// One page of the muted accounts of `scope`.
pub async fn page(
    state: &ApiState,
    user: &AuthenticatedUser,
    scope: MuteScope,
    query: &PageQuery,
) -> Result<Json<Value>, ApiError> {
    let (descending, start, count) = super::page_of(query)?;
    let (owner, _) = owner_for(&state.db, user, scope).await?;
    let (total, rows) =
        kinora_db::blocklists::list_accounts(state.db.pool(), owner, descending, start, count)
            .await?;
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|row| [row.by_account_id, Some(row.target_account_id)])
        .flatten()
        .collect();
    let accounts = super::accounts_by_id(state, &ids).await?;
    let data = rows
        .iter()
        .map(|row| {
            let account = |id: Option<i64>| {
                id.and_then(|id| accounts.get(&id).cloned())
                    .unwrap_or(Value::Null)
            };
            json!({
                "byAccount": account(row.by_account_id),
                "blockedAccount": account(Some(row.target_account_id)),
                "createdAt": iso_date(row.created_at),
            })
        })
        .collect();
    Ok(Json(list(usize::try_from(total).unwrap_or(0), data)))
}

/// Mutes the account the body names.
pub async fn mute(
    state: &ApiState,
    user: &AuthenticatedUser,
    scope: MuteScope,
    body: MuteAccountBody,
) -> Result<StatusCode, ApiError> {
    let name = body
        .account_name
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| ApiError::invalid_field("accountName", "is required"))?;
    // Staff rights first: a user asking for the instance learns nothing of the account.
    owner_for(&state.db, user, scope).await?;
    let target = crate::v1::find_account(state, &name).await?;
    kinora_app::blocklists::mute_account(&state.db, user, scope, target.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unmutes the account named in the path.
pub async fn unmute(
    state: &ApiState,
    user: &AuthenticatedUser,
    scope: MuteScope,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    owner_for(&state.db, user, scope).await?;
    let target = crate::v1::find_account(state, &name).await?;
    kinora_app::blocklists::unmute_account(&state.db, user, scope, target.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
