//! `GET /api/v1/users/me/subscriptions`: the channels the caller follows, latest first,
//! `{total, data:[VideoChannel]}` with `start`, `count` and `sort` (`-createdAt`, the default,
//! `createdAt`, `-id`, `id`).

use axum::Json;
use axum::extract::{Query, State};
use serde_json::Value;

use crate::extract::Auth;
use crate::json::{channel, list};
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// Answers one page.
pub async fn list_subscriptions(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    // PeerTube's sorts of subscriptions: by id or by date, which follow the same order here.
    query.check_sort(&["-createdAt", "createdAt", "-id", "id"])?;
    let oldest_first = matches!(query.sort.as_deref(), Some("createdAt" | "id"));
    let page = query.page()?;
    let (total, channels) =
        kinora_app::subscriptions::list_channels(&state.db, &user, page, oldest_first).await?;
    let mut data = Vec::with_capacity(channels.len());
    for row in &channels {
        let owner = kinora_db::accounts::find_by_id(state.db.pool(), row.account_id).await?;
        data.push(channel(&state, row, owner.as_ref()).await?);
    }
    Ok(Json(list(usize::try_from(total).unwrap_or(0), data)))
}
