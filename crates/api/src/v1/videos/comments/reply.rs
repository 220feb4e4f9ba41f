//! `POST /api/v1/videos/{id}/comments/{commentId}`: replies to a comment, `{comment}`.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use super::{CommentBody, answer_comment};
use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_id;
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// Writes the reply; it joins the parent's thread.
pub async fn reply_to_comment(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, comment_id)): Path<(String, String)>,
    JsonOrForm(body): JsonOrForm<CommentBody>,
) -> Result<Json<Value>, ApiError> {
    let comment_id = parse_id("commentId", &comment_id)?;
    let video = find_video(&state, &id).await?;
    let reply =
        kinora_app::comments::reply(&state.db, &user, &video, comment_id, &body.text).await?;
    answer_comment(&state, &video, &reply).await
}
