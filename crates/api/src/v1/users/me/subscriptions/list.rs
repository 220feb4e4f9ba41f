//! `GET /api/v1/users/me/subscriptions`: the channels the caller follows, latest first,
//! `{total, data:[VideoChannel]}` with `start` and `count`.

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
    query.check_sort(&["-createdAt"])?;
    let (start, count) = query.page()?;
    let (total, channels) =
        kinora_app::subscriptions::list_channels(&state.db, &user, start, count).await?;
    let mut data = Vec::with_capacity(channels.len());
    for row in &channels {
        let owner = kinora_db::accounts::find_by_id(state.db.pool(), row.account_id).await?;
        data.push(channel(&state, row, owner.as_ref()).await?);
    }
    Ok(Json(list(usize::try_from(total).unwrap_or(0), data)))
}
