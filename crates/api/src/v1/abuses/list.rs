//! `GET /api/v1/abuses`: the reports, for moderators and administrators (`AdminAbuse`), with
//! PeerTube's filters (`id`, `state`, `filter`, `predefinedReason`, `search`,
//! `searchReporter`, `searchReportee`, `searchVideo`, `videoIs=deleted|blacklisted`) and `start`, `count`,
//! `sort` (`-id`, `-createdAt`, `-state`).

use axum::Json;
use axum::extract::{Query, State};
use serde_json::Value;

use super::AbuseQuery;
use crate::extract::Auth;
use crate::json::abuses::{AbuseView, abuses};
use crate::{ApiError, ApiState};

/// Answers the page.
pub async fn list_abuses(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<AbuseQuery>,
) -> Result<Json<Value>, ApiError> {
    kinora_app::abuses::ensure_moderator(&user)?;
    let filter = query.filter(true)?;
    let page = query.page()?;
    let (total, rows) =
        kinora_app::abuses::moderation::list_all(&state.db, &user, &filter, page).await?;
    let data = abuses(&state, &rows, AbuseView::Admin).await?;
    Ok(Json(serde_json::json!({ "total": total, "data": data })))
}
