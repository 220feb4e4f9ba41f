//! `/api/v1/server/followers`: who follows this instance. `GET` lists them; an administrator
//! removes one with `DELETE /{handle}` (it is told with a `Reject`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kinora_app::remote::Handle;
use kinora_db::follows::Side;
use serde_json::Value;

use crate::extract::Auth;
use crate::json::list;
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// Lists the instance's followers.
pub async fn list_followers(
    State(state): State<ApiState>,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    query.check_sort(&["-createdAt", "createdAt"])?;
    let (start, count) = query.page()?;
    let (ours, entries, total) =
        kinora_app::instance_follows::list(&state.db, Side::Followers, start, count).await?;
    let data = entries
        .iter()
        .map(|entry| super::follow_json(&state, &ours, entry, false))
        .collect();
    Ok(Json(list(total as usize, data)))
}

/// Removes a follower.
pub async fn remove_follower(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(handle): Path<String>,
) -> Result<StatusCode, ApiError> {
    let handle = Handle::parse(&handle, state.host())
        .filter(|h| h.host.is_some())
        .ok_or_else(|| ApiError::invalid_field("handle", "is not a remote handle"))?;
    kinora_app::instance_follows::remove_follower(&state.db, &user, handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
