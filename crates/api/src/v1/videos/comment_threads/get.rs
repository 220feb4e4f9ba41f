//! `GET /api/v1/videos/{id}/comment-threads/{threadId}`: a thread as a tree,
//! `{comment, children:[{comment, children:[…]}]}`, bounded in size and depth.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::extract::MaybeAuth;
use crate::json::comments::{CommentContext, tree};
use crate::v1::pagination::parse_id;
use crate::v1::videos::comments::load_accounts;
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// Answers the tree; `{comment: null, children: []}` when the video's comments are off.
pub async fn get_thread(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path((id, thread_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let thread_id = parse_id("threadId", &thread_id)?;
    let video = find_video(&state, &id).await?;
    let Some(thread) =
        kinora_app::comments::thread(&state.db, viewer.as_ref(), &video, thread_id).await?
    else {
        return Ok(Json(json!({ "comment": null, "children": [] })));
    };
    let rows: Vec<_> = std::iter::once(&thread.root)
        .chain(&thread.replies)
        .collect();
    let accounts = load_accounts(&state, &rows).await?;
    let context = CommentContext {
        state: &state,
        video: &video,
        accounts: &accounts,
    };
    Ok(Json(tree(&context, &thread.root, &thread.replies)))
}
