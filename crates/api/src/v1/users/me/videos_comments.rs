//! `GET /api/v1/users/me/videos/comments`: comments on the caller's videos, newest first
//! (PeerTube >= 6.2, "List comments on user's videos"): the video owner's moderation queue with
//! `isHeldForReview=true`. `{total, data:[VideoCommentForOwnerOrAdmin]}`, with PeerTube's
//! `start`, `count`, `search`, `searchAccount`, `searchVideo`, `videoId`, `videoChannelId` and
//! `isHeldForReview`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use kinora_app::comment_reviews::MyVideosCommentsQuery;
use kinora_db::comments::CommentRow;
use kinora_db::videos::VideoRow;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::json::comments::{CommentContext, for_owner};
use crate::v1::pagination::parse_page;
use crate::v1::videos::comments::load_accounts;
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// The query, read as text so bad values get a clear 400.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyVideosCommentsParams {
    start: Option<String>,
    count: Option<String>,
    sort: Option<String>,
    search: Option<String>,
    search_account: Option<String>,
    search_video: Option<String>,
    video_id: Option<String>,
    video_channel_id: Option<String>,
    is_held_for_review: Option<String>,
}

fn parse_bool(field: &str, value: Option<&str>) -> Result<Option<bool>, ApiError> {
    match value {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(ApiError::invalid_field(
            field,
            format!("{other:?} is not a boolean"),
        )),
    }
}

/// Answers the page.
pub async fn list_my_videos_comments(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(params): Query<MyVideosCommentsParams>,
) -> Result<Json<Value>, ApiError> {
    let (start, count) = parse_page(params.start.as_deref(), params.count.as_deref())?;
    if let Some(sort) = params.sort.as_deref()
        && sort != "-createdAt"
    {
        return Err(ApiError::invalid_field(
            "sort",
            format!("{sort:?} is not -createdAt"),
        ));
    }
    let held_for_review = parse_bool("isHeldForReview", params.is_held_for_review.as_deref())?;
    let channel_id = match params.video_channel_id.as_deref() {
        None => None,
        Some(text) => Some(crate::v1::pagination::parse_filter_id(
            "videoChannelId",
            text,
        )?),
    };
    let video = match params.video_id.as_deref() {
        None => None,
        Some(id) => Some(find_video(&state, id).await?),
    };
    let query = MyVideosCommentsQuery {
        held_for_review,
        video: video.as_ref(),
        channel_id,
        search: params.search.as_deref().filter(|text| !text.is_empty()),
        search_account: params.search_account.as_deref().filter(|t| !t.is_empty()),
        search_video: params.search_video.as_deref().filter(|t| !t.is_empty()),
    };
    let (total, rows) =
        kinora_app::comment_reviews::list_on_my_videos(&state.db, &user, &query, start, count)
            .await?;
    let row_refs: Vec<&CommentRow> = rows.iter().collect();
    let accounts = load_accounts(&state, &row_refs).await?;
    let mut videos: HashMap<i64, VideoRow> = HashMap::new();
    for row in &rows {
        if !videos.contains_key(&row.video_id)
            && let Some(video) =
                kinora_db::videos::find_by_id(state.db.pool(), row.video_id).await?
        {
            videos.insert(row.video_id, video);
        }
    }
    let data: Vec<Value> = rows
        .iter()
        .filter_map(|row| {
            let video = videos.get(&row.video_id)?;
            let context = CommentContext {
                state: &state,
                video,
                accounts: &accounts,
            };
            Some(for_owner(&context, row))
        })
        .collect();
    Ok(Json(json!({ "total": total, "data": data })))
}
