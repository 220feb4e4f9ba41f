//! `GET /api/v1/accounts/{name}/videos`: an account's public, published videos, in PeerTube's
//! `sort`, `start` and `count`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::v1::find_account;
use crate::v1::videos::list::{ListQuery, answer_page, parse_page};
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_account_videos(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    Path(handle): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = parse_page(&query)?;
    let account = find_account(&state, &handle).await?;
    let filter = VideoFilter {
        account_id: Some(account.id),
        muted_by: crate::v1::videos::list::muted_by(&state, viewer.as_ref()).await?,
        ..VideoFilter::default()
    };
    answer_page(&state, &filter, page).await
}
