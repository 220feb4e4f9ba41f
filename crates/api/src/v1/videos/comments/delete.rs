//! `DELETE /api/v1/videos/{id}/comments/{commentId}`: deletes a comment, leaving a tombstone so
//! its replies stay; 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::v1::pagination::parse_id;
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// Deletes the comment (its author, the video's owner or staff).
pub async fn delete_comment(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, comment_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let comment_id = parse_id("commentId", &comment_id)?;
    let video = find_video(&state, &id).await?;
    kinora_app::comments::delete(&state.db, &user, &video, comment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
