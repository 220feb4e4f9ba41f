//! `GET /api/v1/users/me/video-quota-used`: what the caller has used of their video quotas,
//! `{videoQuotaUsed, videoQuotaUsedDaily}` in bytes (uploads under way count with their
//! declared size, as they do when the quota is checked).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Answers the bytes used, in all and over the last 24 hours.
pub async fn get_video_quota_used(
    State(state): State<ApiState>,
    Auth(caller): Auth,
) -> Result<Json<Value>, ApiError> {
    let used = kinora_app::quotas::used(&state.db, caller.user_id).await?;
    Ok(Json(json!({
        "videoQuotaUsed": used.total,
        "videoQuotaUsedDaily": used.daily,
    })))
}
