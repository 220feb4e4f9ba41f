//! `GET /api/v1/videos`: the instance's public, published videos, `{total, data}`, with
//! PeerTube's `sort`, `start`, `count`, `isLocal`, `search` and filters (`list_params.rs`).
//! Unlisted, private and internal videos are never listed (they are reachable by UUID only, for
//! whoever may see them), except by staff asking for them with `privacyOneOf`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use kinora_db::video_lists::{VideoFilter, VideoPage};

use crate::{ApiError, ApiState, json as shapes};

pub(crate) fn parse_number(
    field: &str,
    value: Option<&str>,
    default: i64,
) -> Result<i64, ApiError> {
    match value {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| ApiError::invalid_field(field, format!("{text:?} is not an integer"))),
    }
}

/// One page of videos matching `filter`, each in the `VideoDetails` shape: `{total, data}`,
/// in one set of queries for the whole page. Lists of published public videos are answered
/// from [`ListCache`](crate::list_cache::ListCache) while the data has not changed.
pub(crate) async fn answer_page(
    state: &ApiState,
    filter: &VideoFilter<'_>,
    page: VideoPage,
) -> Result<Response, ApiError> {
    let pool = state.db.pool();
    let by_privacy = filter.filters.is_some_and(|f| f.is_personal());
    if filter.include_hidden || by_privacy {
        // The owner's own list, or staff's by privacy: computed each time, never kept.
        let (total, rows) = kinora_db::video_lists::list(pool, filter, page).await?;
        let data = super::get::list_items(state, &rows).await?;
        return Ok(Json(shapes::list(usize::try_from(total).unwrap_or(0), data)).into_response());
    }
    let cache = &state.list_cache;
    let version = kinora_db::video_lists::version(pool).await?;
    let list_key = format!("{filter:?}");
    let page_key = format!("{list_key} {page:?}");
    let body = match cache.page(version, &page_key) {
        Some(body) => body,
        None => {
            let flight = cache.flight(&page_key);
            let _computing = flight.lock().await;
            // Kept meanwhile by the request that held the lock?
            match cache.page(version, &page_key) {
                Some(body) => body,
                None => {
                    let body = compute_page(state, filter, page, version, list_key).await?;
                    cache.keep_page(version, page_key, body.clone());
                    body
                }
            }
        }
    };
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

/// The JSON of a page not kept: its rows, its total (kept, or told by a short page, or
/// counted) and the rest of each item.
async fn compute_page(
    state: &ApiState,
    filter: &VideoFilter<'_>,
    page: VideoPage,
    version: i64,
    list_key: String,
) -> Result<Bytes, ApiError> {
    let pool = state.db.pool();
    let rows = kinora_db::video_lists::page(pool, filter, page).await?;
    let total = match state.list_cache.total(version, &list_key) {
        Some(total) => total,
        None => {
            let total = match total_from_page(page, rows.len()) {
                Some(total) => total,
                None => kinora_db::video_lists::count(pool, filter).await?,
            };
            state.list_cache.keep_total(version, list_key, total);
            total
        }
    };
    let data = super::get::list_items(state, &rows).await?;
    let json = shapes::list(usize::try_from(total).unwrap_or(0), data);
    let body = serde_json::to_vec(&json).map_err(|error| {
        kinora_app::AppError::Internal(format!("cannot write a list page: {error}"))
    })?;
    Ok(Bytes::from(body))
}

/// The total a page tells by itself: one that is not full and not past the end is the last.
fn total_from_page(page: VideoPage, rows: usize) -> Option<i64> {
    let rows = i64::try_from(rows).ok()?;
    (rows < page.count && (rows > 0 || page.start == 0)).then_some(page.start + rows)
}

/// The viewer's account when it mutes something (its lists are then filtered and cached for
/// it alone); `None` for anonymous viewers and those who mute nothing, who share the cache.
pub(crate) async fn muted_by(
    state: &ApiState,
    viewer: Option<&kinora_app::auth::AuthenticatedUser>,
) -> Result<Option<i64>, ApiError> {
    Ok(match viewer {
        Some(user) => {
            kinora_db::blocklists::muting_account_of_user(state.db.pool(), user.user_id).await?
        }
        None => None,
    })
}

/// Applies a signed-in viewer's NSFW policy to `params` (when the query has no `nsfw`).
pub(crate) async fn follow_viewer_settings(
    state: &ApiState,
    viewer: Option<&kinora_app::auth::AuthenticatedUser>,
    params: &mut super::list_params::ListParams,
) -> Result<(), ApiError> {
    if let Some(viewer) = viewer
        && !params.nsfw_given
    {
        let settings =
            kinora_app::user_settings::find(&state.db, viewer.user_id, &state.instance.current())
                .await?;
        params.follow_nsfw_policy(settings.nsfw_policy);
    }
    Ok(())
}

/// Answers one page of the list.
pub async fn list_videos(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = super::list_params::parse(
        query.as_deref(),
        super::list_params::ListKind::Catalogue,
        viewer.as_ref(),
        state.host(),
    )?;
    follow_viewer_settings(&state, viewer.as_ref(), &mut params).await?;
    let filter = VideoFilter {
        muted_by: muted_by(&state, viewer.as_ref()).await?,
        ..params.filter()
    };
    answer_page(&state, &filter, params.page).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinora_db::video_lists::VideoOrder;

    #[test]
    fn only_a_short_page_tells_the_total() {
        let page = |start, count| VideoPage {
            order: VideoOrder::PublishedAt,
            descending: true,
            start,
            count,
        };
        assert_eq!(total_from_page(page(0, 15), 3), Some(3));
        assert_eq!(total_from_page(page(0, 15), 0), Some(0));
        assert_eq!(total_from_page(page(30, 15), 4), Some(34));
        // Full, or past the end: the count is needed.
        assert_eq!(total_from_page(page(0, 15), 15), None);
        assert_eq!(total_from_page(page(30, 15), 0), None);
        assert_eq!(total_from_page(page(0, 0), 0), None);
    }
}
