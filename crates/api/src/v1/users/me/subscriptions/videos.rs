//! `GET /api/v1/users/me/subscriptions/videos`: public, published videos of the channels the
//! caller follows, newest first, `{total, data}` in the shape of `GET /api/v1/videos`.

use axum::Json;
use axum::extract::{Query, State};
use serde_json::Value;

use crate::extract::Auth;
use crate::json::list;
use crate::v1::pagination::PageQuery;
use crate::v1::videos::get::list_items;
use crate::{ApiError, ApiState};

/// Answers one page.
pub async fn list_subscription_videos(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    query.check_sort(&["-publishedAt"])?;
    let (start, count) = query.page()?;
    let (total, videos) =
        kinora_app::subscriptions::list_videos(&state.db, &user, start, count).await?;
    let data = list_items(&state, &videos).await?;
    Ok(Json(list(usize::try_from(total).unwrap_or(0), data)))
}
