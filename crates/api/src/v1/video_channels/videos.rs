//! `GET /api/v1/video-channels/{name}/videos`: a channel's public, published videos, with
//! PeerTube's `sort`, `start`, `count` and filters (`videos/list_params.rs`).

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::v1::videos::list::answer_page;
use crate::v1::videos::list_params::{ListKind, parse};
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_channel_videos(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    Path(handle): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = parse(
        query.as_deref(),
        ListKind::Catalogue,
        viewer.as_ref(),
        state.host(),
    )?;
    crate::v1::videos::list::follow_viewer_settings(&state, viewer.as_ref(), &mut params).await?;
    let channel = crate::v1::find_channel(&state, &handle).await?;
    let filter = VideoFilter {
        channel_id: Some(channel.id),
        muted_by: crate::v1::videos::list::muted_by(&state, viewer.as_ref()).await?,
        ..params.filter()
    };
    answer_page(&state, &filter, params.page).await
}
