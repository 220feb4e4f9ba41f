//! `GET /api/v1/users/me/videos/{id}/rating`: the caller's rating of a video,
//! `{videoId, rating: "like"|"dislike"|"none"}`.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// Answers the rating.
pub async fn get_video_rating(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = find_video(&state, &id).await?;
    let rating = kinora_app::ratings::rating_of(&state.db, &user, &video).await?;
    Ok(Json(
        json!({ "videoId": video.id, "rating": rating.as_str() }),
    ))
}
