//! `POST /api/v1/videos/{id}/comment-threads`: starts a thread, `{comment}`.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::videos::comments::{CommentBody, answer_comment};
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// Writes the thread's root comment.
pub async fn create_thread(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<CommentBody>,
) -> Result<Json<Value>, ApiError> {
    let video = find_video(&state, &id).await?;
    let root = kinora_app::comments::create_thread(&state.db, &user, &video, &body.text).await?;
    answer_comment(&state, &video, &root).await
}
