//! `GET /api/v1/videos/{id}/comment-threads`: one page of a video's threads,
//! `{total, totalNotDeletedComments, data:[VideoComment]}`, with PeerTube's `start`, `count` and
//! `sort` (`-createdAt`, `createdAt`, `-totalReplies`).

use axum::Json;
use axum::extract::{Path, Query, State};
use kinora_db::comments::{CommentRow, ThreadOrder};
use serde_json::{Value, json};

use crate::extract::MaybeAuth;
use crate::json::comments::{CommentContext, comment};
use crate::v1::pagination::PageQuery;
use crate::v1::videos::comments::load_accounts;
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

fn parse_sort(sort: Option<&str>) -> Result<ThreadOrder, ApiError> {
    match sort.unwrap_or("-createdAt") {
        "-createdAt" => Ok(ThreadOrder::NewestFirst),
        "createdAt" => Ok(ThreadOrder::OldestFirst),
        "-totalReplies" => Ok(ThreadOrder::MostReplies),
        other => Err(ApiError::invalid_field(
            "sort",
            format!("{other:?} is not -createdAt, createdAt or -totalReplies"),
        )),
    }
}

/// Answers the page.
pub async fn list_threads(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let order = parse_sort(query.sort.as_deref())?;
    let (start, count) = query.page()?;
    let video = find_video(&state, &id).await?;
    let page =
        kinora_app::comments::list_threads(&state.db, viewer.as_ref(), &video, order, start, count)
            .await?;
    let rows: Vec<&CommentRow> = page.threads.iter().map(|thread| &thread.comment).collect();
    let accounts = load_accounts(&state, &rows).await?;
    let context = CommentContext {
        state: &state,
        video: &video,
        accounts: &accounts,
    };
    let data: Vec<Value> = page
        .threads
        .iter()
        .map(|thread| {
            let replies = (thread.total_replies, thread.total_replies_from_video_author);
            comment(&context, &thread.comment, replies)
        })
        .collect();
    Ok(Json(json!({
        "total": page.total,
        "totalNotDeletedComments": page.total_not_deleted,
        "data": data,
    })))
}
