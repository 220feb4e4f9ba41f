//! The small read endpoint beside a video: `GET /api/v1/videos/{id}/description` (under the
//! video's visibility rule). Captions are `captions.rs`, chapters `chapters.rs`.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::extract::MaybeAuth;
use crate::{ApiError, ApiState};

/// `{description}`: the whole Markdown description (the video JSON of lists truncates it).
pub async fn get_description(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = super::get::find_visible(&state, &id, viewer.as_ref()).await?;
    Ok(Json(json!({ "description": video.description })))
}
