//! `GET /api/v1/video-playlists/{id}/videos`: one page of a playlist's elements in order, as
//! PeerTube's `VideoPlaylistElement`s: each video the caller may see in the `Video` shape
//! (type 0); a deleted one (1), someone else's private one (2) or one hidden otherwise (3)
//! without it. Every video is asked [`kinora_app::visibility::can_view`].

use axum::Json;
use axum::extract::{Path, Query, State};
use kinora_core::playlist::ElementType;
use kinora_core::video::Privacy;
use kinora_db::playlists::ElementRow;
use kinora_db::videos::VideoRow;
use serde_json::{Value, json};

use crate::extract::MaybeAuth;
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_playlist_videos(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let playlist = super::find_visible(&state, &id, viewer.as_ref()).await?;
    let (start, count) = query.page()?;
    let (elements, total) =
        kinora_db::playlists::list_elements(state.db.pool(), playlist.id, start, count).await?;
    let mut shown: Vec<(ElementRow, Option<VideoRow>, ElementType)> =
        Vec::with_capacity(elements.len());
    for element in elements {
        let video = match element.video_id {
            Some(id) => kinora_db::videos::find_by_id(state.db.pool(), id).await?,
            None => None,
        };
        let kind = match &video {
            None => ElementType::Deleted,
            Some(video) => {
                if kinora_app::visibility::can_view(&state.db, video, viewer.as_ref()).await? {
                    ElementType::Regular
                } else if video.privacy == Privacy::Private.id() {
                    ElementType::Private
                } else {
                    ElementType::Unavailable
                }
            }
        };
        shown.push((element, video, kind));
    }
    let visible: Vec<VideoRow> = shown
        .iter()
        .filter(|(_, _, kind)| *kind == ElementType::Regular)
        .filter_map(|(_, video, _)| video.clone())
        .collect();
    let mut videos = crate::v1::videos::get::list_items(&state, &visible)
        .await?
        .into_iter();
    let data: Vec<Value> = shown
        .into_iter()
        .map(|(element, _, kind)| {
            let video = match kind {
                ElementType::Regular => videos.next(),
                _ => None,
            };
            json!({
                "id": element.id,
                "position": element.position,
                "startTimestamp": element.start_timestamp,
                "stopTimestamp": element.stop_timestamp,
                "type": kind.id(),
                "video": video,
            })
        })
        .collect();
    Ok(Json(json!({ "total": total, "data": data })))
}
