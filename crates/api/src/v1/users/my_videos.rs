//! `GET /api/v1/users/me/videos`: the caller's own videos, whatever their privacy or state
//! (newest first by default), so creators can follow transcoding and edit or delete them.

use axum::extract::{Query, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::extract::Auth;
use crate::v1::videos::list::{ListQuery, answer_page, parse_page};
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_my_videos(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let mut page = parse_page(&query)?;
    if query_has_no_sort(&query) {
        page.order = kinora_db::video_lists::VideoOrder::CreatedAt;
    }
    let account = kinora_db::accounts::find_by_user(state.db.pool(), user.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Account"))?;
    let filter = VideoFilter {
        account_id: Some(account.id),
        search: query.search.as_deref().filter(|s| !s.is_empty()),
        include_hidden: true,
        ..VideoFilter::default()
    };
    answer_page(&state, &filter, page).await
}

fn query_has_no_sort(query: &ListQuery) -> bool {
    query.sort.is_none()
}
