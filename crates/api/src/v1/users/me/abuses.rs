//! `GET /api/v1/users/me/abuses`: the reports the caller filed (`UserAbuse`), filtered by
//! `id`, `state` and `search`, with `start`, `count` and `sort`.

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::json::abuses::{AbuseView, abuses};
use crate::v1::abuses::AbuseQuery;
use crate::{ApiError, ApiState};

/// Answers the page.
pub async fn list_my_abuses(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<AbuseQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = query.filter(false)?;
    let page = query.page()?;
    let (total, rows) =
        kinora_app::abuses::moderation::list_mine(&state.db, &user, &filter, page).await?;
    let data = abuses(&state, &rows, AbuseView::User).await?;
    Ok(Json(json!({ "total": total, "data": data })))
}
