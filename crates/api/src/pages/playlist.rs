//! `/w/p/{id}` and `/videos/watch/playlist/{id}`: a playlist's page (and
//! `/video-playlists/embed/{id}`, its embed). The head names the
//! playlist (title, OpenGraph with PeerTube's `og:platform`), and for clients that run no
//! JavaScript (generic extractors such as yt-dlp's) a `<noscript>` lists each video an
//! anonymous visitor may see as an HTML5 `<video>` with its HLS playlist, in order. A private
//! playlist, or one that does not exist, is a 404 with the bare title.

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{escape, meta_name, meta_property, plain_head, render};
use crate::ApiState;
use crate::security_headers::PageKind;

/// Most videos listed in the `<noscript>`.
const NOSCRIPT_VIDEOS: i64 = 100;

/// The playlist page.
pub(super) async fn playlist_page(
    State(state): State<ApiState>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let (head, status) = page_head(&state, &id).await;
    let mut response = render(&state, PageKind::App, &head, status);
    super::vary_on_accept(&mut response);
    response
}

/// `/video-playlists/embed/{id}`: the playlist's embeddable player (the embed page, meant to be
/// framed by other sites), with the same head as its page.
pub(super) async fn playlist_embed_page(
    State(state): State<ApiState>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let (head, status) = page_head(&state, &id).await;
    render(&state, PageKind::Embed, &head, status)
}

/// The head of a playlist's page or embed, and its status (404 when hidden or unknown).
async fn page_head(state: &ApiState, id: &str) -> (String, StatusCode) {
    match playlist_head(state, id).await {
        Ok(Some(head)) => (head, StatusCode::OK),
        Ok(None) => (plain_head(state, None), StatusCode::NOT_FOUND),
        Err(error) => {
            tracing::error!(%error, "reading a playlist for its page failed");
            (plain_head(state, None), StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

async fn playlist_head(state: &ApiState, id: &str) -> Result<Option<String>, kinora_app::AppError> {
    let Some(playlist) = kinora_app::playlists::find(&state.db, id).await? else {
        return Ok(None);
    };
    if !kinora_app::playlists::can_view(&state.db, &playlist, None).await? {
        return Ok(None);
    }
    let site = state.instance.current().name.clone();
    let url = format!("{}/w/p/{}", state.public_url, playlist.short_uuid);
    let mut tags = vec![
        format!(
            "<title>{} - {}</title>",
            escape(&playlist.display_name),
            escape(&site)
        ),
        meta_name("application-name", &site),
        meta_property("og:platform", "PeerTube"),
        meta_property("og:type", "website"),
        meta_property("og:site_name", &site),
        meta_property("og:title", &playlist.display_name),
        meta_property("og:url", &url),
        format!("<link rel=\"canonical\" href=\"{}\">", escape(&url)),
    ];
    if let Some(description) = &playlist.description {
        tags.push(meta_property("og:description", description));
        tags.push(meta_name("description", description));
    }
    let (elements, _) =
        kinora_db::playlists::list_elements(state.db.pool(), playlist.id, 0, NOSCRIPT_VIDEOS)
            .await?;
    let mut videos = Vec::new();
    for element in elements {
        let Some(video_id) = element.video_id else {
            continue;
        };
        let Some(video) = kinora_db::videos::find_by_id(state.db.pool(), video_id).await? else {
            continue;
        };
        if !kinora_app::visibility::can_view(&state.db, &video, None).await? {
            continue;
        }
        let Some(master) = &video.hls_master_file else {
            continue;
        };
        if !video.is_local() {
            continue;
        }
        let base = kinora_app::media::hls_base_url(&state.storage, &video, &state.public_url)?;
        videos.push(format!(
            "<video controls preload=\"none\" title=\"{}\"><source src=\"{}\" \
             type=\"application/x-mpegURL\"></video>",
            escape(&video.name),
            escape(&format!("{base}/{master}")),
        ));
    }
    if !videos.is_empty() {
        tags.push(format!("<noscript>{}</noscript>", videos.join("")));
    }
    Ok(Some(tags.join("\n    ")))
}
