//! `PUT /api/v1/videos/{id}/rate`: likes, dislikes or un-rates a video, `{rating}`; 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kinora_app::ratings::Rating;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// The body.
#[derive(Debug, Deserialize)]
pub struct RateBody {
    /// `like`, `dislike` or `none`.
    pub rating: String,
}

/// Records the rating; the video's counters follow.
pub async fn rate_video(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<RateBody>,
) -> Result<StatusCode, ApiError> {
    let rating = Rating::parse(&body.rating).ok_or_else(|| {
        ApiError::invalid_field("rating", "must be \"like\", \"dislike\" or \"none\"")
    })?;
    let video = find_video(&state, &id).await?;
    kinora_app::ratings::rate(&state.db, &user, &video, rating).await?;
    Ok(StatusCode::NO_CONTENT)
}
