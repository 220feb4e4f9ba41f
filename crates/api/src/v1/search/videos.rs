//! `GET /api/v1/search/videos?search=…`: public, published videos whose name or tags contain
//! the text (case-insensitive), in PeerTube's `sort`, `start` and `count`. Unlisted videos are
//! never found. A video's URL (`/w/<shortUUID>`, `/videos/watch/<uuid>`) finds that video,
//! fetched from its origin and imported when the viewer may (`[search.remote_uri]`).

use axum::extract::{Query, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::v1::videos::list::{ListQuery, answer_page, parse_page};
use axum::Json;
use axum::response::IntoResponse;
use kinora_app::auth::AuthenticatedUser;
use kinora_app::remote_search::SearchTarget;

use crate::{ApiError, ApiState, json as shapes};

/// Answers `{total, data}`.
pub async fn search_videos(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = parse_page(&query)?;
    let search = super::search_text(query.search.as_deref())?;
    if let Some(text) = search
        && let SearchTarget::Url(url) = super::target(&state, text)?
    {
        return answer_one(
            &state,
            viewer.as_ref(),
            &url,
            page.start == 0 && page.count > 0,
        )
        .await;
    }
    let filter = VideoFilter {
        search,
        muted_by: crate::v1::videos::list::muted_by(&state, viewer.as_ref()).await?,
        ..VideoFilter::default()
    };
    answer_page(&state, &filter, page).await
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
        data = crate::v1::videos::get::details_of_many(state, std::slice::from_ref(&video)).await?;
    }
    Ok(Json(shapes::list(data.len(), data)).into_response())
}
