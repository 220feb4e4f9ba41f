//! `POST /api/v1/videos/{id}/comments/{commentId}/approve`: publishes a comment held for review
//! (PeerTube >= 6.2); 204. The video's owner and moderators may; a comment not held is a 400,
//! a deleted one a 409.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::v1::pagination::parse_id;
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// Approves the comment.
pub async fn approve_comment(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, comment_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let comment_id = parse_id("commentId", &comment_id)?;
    let video = find_video(&state, &id).await?;
    kinora_app::comment_reviews::approve(&state.db, &user, &video, comment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
