//! `/video-playlists/{id}` (the Playlist object, `?page=N` its pages of element ids) and
//! `/video-playlists/{id}/videos/{elementId}` (a PlaylistElement). `{id}` is a UUID, a short
//! UUID or a numeric id. A private playlist, one outside a channel, or an element whose video
//! may not federate answers 404; a remote playlist answers a redirect to its id.

use axum::extract::{Path, RawQuery, State};
use kinora_db::playlists::PlaylistRow;

use super::{Document, FederationState, RouteError, RouteResult, page_of};
use crate::protocol::playlist::{element_object, playlist_object};

/// Longest playlist id looked up (a UUID is 36 characters).
const MAX_ID: usize = 64;

async fn find_playlist(state: &FederationState, id: &str) -> Result<PlaylistRow, RouteError> {
    if id.is_empty()
        || id.len() > MAX_ID
        || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(RouteError::NotFound("Playlist"));
    }
    let playlist = kinora_app::playlists::find(&state.db, id)
        .await?
        .ok_or(RouteError::NotFound("Playlist"))?;
    if let Some(url) = &playlist.url {
        return Err(RouteError::Elsewhere(url.clone()));
    }
    Ok(playlist)
}

/// `GET /video-playlists/{id}`.
pub async fn playlist(
    State(state): State<FederationState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> RouteResult {
    let page = page_of(query.as_deref())?;
    let playlist = find_playlist(&state, &id).await?;
    playlist_object(&state.db, &state.urls, &playlist, page)
        .await?
        .map(Document)
        .ok_or(RouteError::NotFound("Playlist"))
}

/// `GET /video-playlists/{id}/videos/{elementId}`.
pub async fn element(
    State(state): State<FederationState>,
    Path((id, element)): Path<(String, String)>,
) -> RouteResult {
    let playlist = find_playlist(&state, &id).await?;
    let element_id: i64 = element
        .parse()
        .map_err(|_| RouteError::NotFound("Playlist element"))?;
    let element = kinora_db::playlists::find_element(state.db.pool(), playlist.id, element_id)
        .await?
        .ok_or(RouteError::NotFound("Playlist element"))?;
    element_object(&state.db, &state.urls, &playlist, &element)
        .await?
        .map(Document)
        .ok_or(RouteError::NotFound("Playlist element"))
}
