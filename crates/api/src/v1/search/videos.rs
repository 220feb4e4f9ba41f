//! `GET /api/v1/search/videos?search=…`: public, published videos whose name or tags contain
//! the text (case-insensitive), with PeerTube's `sort` (`-match` too), `start`, `count`, filters
//! and duration and date ranges (`videos/list_params.rs`). Unlisted videos are never found.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::v1::videos::list::answer_page;
use crate::v1::videos::list_params::{ListKind, parse};
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn search_videos(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = parse(query.as_deref(), ListKind::Search, viewer.as_ref())?;
    let filter = VideoFilter {
        muted_by: crate::v1::videos::list::muted_by(&state, viewer.as_ref()).await?,
        ..params.filter()
    };
    answer_page(&state, &filter, params.page).await
}
