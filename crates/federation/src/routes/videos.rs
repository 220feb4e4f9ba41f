//! `/videos/watch/{id}` (the Video object), `/videos/watch/{id}/comments/{commentId}` (a Note
//! or Tombstone), a video's `comments`, `likes`, `dislikes` and `announces` collections, and
//! its `chapters` (PeerTube's `Chapters` document, which `hasParts` names).
//! `{id}` is a UUID, a short UUID or a numeric id. What an anonymous viewer may not see answers
//! 404; a remote video or comment answers a redirect to its id.

use axum::extract::{Path, RawQuery, State};
use kinora_app::visibility::can_view;
use kinora_db::videos::VideoRow;
use serde_json::Value;

use super::{Document, FederationState, RouteError, RouteResult, page_of};
use crate::protocol::collections::collection;
use crate::protocol::loader::{comment_id, comment_object_of, video_object_of};

/// Longest video id looked up (a UUID is 36 characters).
const MAX_ID: usize = 64;

/// Whether a remote video answers a redirect to its origin.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Remote {
    /// Its origin serves it (the video, its collections).
    Redirect,
    /// It is looked at here (comments written here on it).
    Keep,
}

/// The visible video `id` names; a redirect for a remote one when `remote` says so.
async fn find_video(
    state: &FederationState,
    id: &str,
    remote: Remote,
) -> Result<VideoRow, RouteError> {
    if id.is_empty()
        || id.len() > MAX_ID
        || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(RouteError::NotFound("Video"));
    }
    let video = kinora_app::videos::find_video(&state.db, id)
        .await?
        .ok_or(RouteError::NotFound("Video"))?;
    if let (Some(url), Remote::Redirect) = (&video.url, remote) {
        return Err(RouteError::Elsewhere(url.clone()));
    }
    if !can_view(&state.db, &video, None).await? {
        return Err(RouteError::NotFound("Video"));
    }
    Ok(video)
}

/// `GET /videos/watch/{id}`.
pub async fn video(State(state): State<FederationState>, Path(id): Path<String>) -> RouteResult {
    let video = find_video(&state, &id, Remote::Redirect).await?;
    let infohashes = crate::protocol::loader::video_infohashes(&state.db, &video).await?;
    video_object_of(&state.db, &state.urls, &state.storage, &video, &infohashes)
        .await?
        .map(Document)
        .ok_or(RouteError::NotFound("Video"))
}

/// `GET /videos/watch/{id}/comments/{commentId}`: a comment written here, on a local or a remote
/// video; one from elsewhere answers a redirect to its id.
pub async fn comment(
    State(state): State<FederationState>,
    Path((id, comment)): Path<(String, String)>,
) -> RouteResult {
    let video = find_video(&state, &id, Remote::Keep).await?;
    let comment_id: i64 = comment
        .parse()
        .map_err(|_| RouteError::NotFound("Comment"))?;
    let comment = kinora_db::comments::find_by_id(state.db.pool(), comment_id)
        .await?
        .filter(|comment| comment.video_id == video.id)
        .ok_or(RouteError::NotFound("Comment"))?;
    if let Some(url) = &comment.url {
        return Err(RouteError::Elsewhere(url.clone()));
    }
    comment_object_of(&state.db, &state.urls, &video, &comment)
        .await?
        .map(Document)
        .ok_or(RouteError::NotFound("Comment"))
}

/// `GET /videos/watch/{id}/{comments,likes,dislikes,announces,chapters}`.
pub async fn video_collection(
    State(state): State<FederationState>,
    Path((id, which)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> RouteResult {
    if which == "chapters" {
        let video = find_video(&state, &id, Remote::Redirect).await?;
        let federated = kinora_app::visibility::can_federate(&state.db, &video)
            .await
            .map_err(|error| RouteError::Internal(error.into()))?;
        if !federated {
            return Err(RouteError::NotFound("Video"));
        }
        let chapters = kinora_app::captions::chapters_of(&state.db, &video)
            .await
            .map_err(|error| RouteError::Internal(error.into()))?;
        return Ok(Document(crate::protocol::video::chapters_object(
            &state.urls,
            &video,
            &chapters,
        )));
    }
    if !matches!(
        which.as_str(),
        "comments" | "likes" | "dislikes" | "announces"
    ) {
        return Err(RouteError::NotFound("Collection"));
    }
    let page = page_of(query.as_deref())?;
    let video = find_video(&state, &id, Remote::Redirect).await?;
    let video_url = state.urls.video(&video.uuid);
    let base = format!("{video_url}/{which}");
    let (start, count) = page.window();
    let pool = state.db.pool();
    let (items, total): (Vec<String>, i64) = match which.as_str() {
        "comments" => {
            let (rows, total) =
                kinora_db::comments::list_of_video(pool, video.id, start, count).await?;
            let items = rows
                .iter()
                .map(|row| comment_id(&state.urls, &video, row))
                .collect();
            (items, total)
        }
        "announces" => {
            let (rows, total) =
                kinora_db::outbox::list_by_object(pool, &video_url, "Announce", start, count)
                    .await?;
            (rows.into_iter().map(|row| row.url).collect(), total)
        }
        rating => {
            // Likes of local accounts are listed by their activity ids; remote ones are
            // counted in totalItems only (their activity ids are not stored).
            let (kind, path) = if rating == "likes" {
                ("like", "likes")
            } else {
                ("dislike", "dislikes")
            };
            let (raters, total) =
                kinora_db::ratings::list_local_raters(pool, video.id, kind, start, count).await?;
            let items = raters
                .iter()
                .map(|rater| {
                    let actor = state
                        .urls
                        .local_actor(&rater.kind, &rater.preferred_username);
                    format!("{actor}/{path}/{}", video.id)
                })
                .collect();
            (items, total)
        }
    };
    let items = items.into_iter().map(Value::String).collect();
    Ok(Document(collection(&base, page, total, items)))
}
