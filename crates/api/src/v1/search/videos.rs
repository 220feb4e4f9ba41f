//! `GET /api/v1/search/videos?search=…`: public, published videos whose name or tags contain
//! the text (case-insensitive), in PeerTube's `sort`, `start` and `count`. Unlisted videos are
//! never found.

use axum::extract::{Query, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::v1::videos::list::{ListQuery, answer_page, parse_page};
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn search_videos(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = parse_page(&query)?;
    let filter = VideoFilter {
        search: super::search_text(query.search.as_deref())?,
        muted_by: crate::v1::videos::list::muted_by(&state, viewer.as_ref()).await?,
        ..VideoFilter::default()
    };
    answer_page(&state, &filter, page).await
}
