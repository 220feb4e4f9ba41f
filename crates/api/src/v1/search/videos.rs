//! `GET /api/v1/search/videos?search=…`: public, published videos whose name or tags contain
//! the text (case-insensitive), with PeerTube's `sort` (`-match` too), `start`, `count`, filters
//! and duration and date ranges (`videos/list_params.rs`). Unlisted videos are never found. A
//! video's URL (`/w/<shortUUID>`, `/videos/watch/<uuid>`) finds that video, fetched from its
//! origin and imported when the viewer may (`[search.remote_uri]`).

use axum::extract::{RawQuery, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::v1::videos::list::answer_page;
use crate::v1::videos::list_params::{ListKind, parse};
use axum::Json;
use axum::response::IntoResponse;
use kinora_app::auth::AuthenticatedUser;
use kinora_app::remote_search::SearchTarget;

use crate::{ApiError, ApiState, json as shapes};

/// Answers `{total, data}`.
pub async fn search_videos(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = parse(
        query.as_deref(),
        ListKind::Search,
        viewer.as_ref(),
        state.host(),
    )?;
    crate::v1::videos::list::follow_viewer_settings(&state, viewer.as_ref(), &mut params).await?;
    if let Some(text) = params.search.as_deref()
        && let SearchTarget::Url(url) = super::target(&state, text)?
    {
        return answer_one(
            &state,
            viewer.as_ref(),
            &url,
            params.page.start == 0 && params.page.count > 0,
        )
        .await;
    }
    let filter = VideoFilter {
        muted_by: crate::v1::videos::list::muted_by(&state, viewer.as_ref()).await?,
        ..params.filter()
    };
    answer_page(&state, &filter, params.page).await
}

/// The video a URL names, in a list of one (or none: unknown, not to be had, not visible to
/// the viewer, or `first` false when the page asked for starts past it).
async fn answer_one(
    state: &ApiState,
    viewer: Option<&AuthenticatedUser>,
    url: &url::Url,
    first: bool,
) -> Result<Response, ApiError> {
    let mut data = Vec::new();
    if let Some(video) = super::searcher(state, viewer).video(url).await?
        && first
        && kinora_app::visibility::can_view(&state.db, &video, viewer).await?
    {
        data = crate::v1::videos::get::list_items(state, std::slice::from_ref(&video)).await?;
    }
    Ok(Json(shapes::list(data.len(), data)).into_response())
}
