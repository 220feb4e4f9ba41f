//! `GET /services/oembed?url=…`: the oEmbed (1.0, JSON) answer for a watch page URL of this
//! instance (`/w/{id}` or `/videos/watch/{id}`), under the same visibility rule as the page: a
//! video an anonymous visitor may not see is not found.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::pages::escape;
use crate::{ApiError, ApiState};

/// The query string.
#[derive(Debug, Default, Deserialize)]
pub struct OEmbedQuery {
    url: Option<String>,
    format: Option<String>,
    maxwidth: Option<String>,
    maxheight: Option<String>,
}

/// The player's default size.
const WIDTH: i64 = 560;
const HEIGHT: i64 = 315;

/// The video id of a watch URL on this instance.
fn video_id_of<'a>(state: &ApiState, url: &'a str) -> Option<&'a str> {
    let path = url.strip_prefix(&*state.public_url)?;
    let path = path.split(['?', '#']).next()?;
    let id = path
        .strip_prefix("/w/")
        .or_else(|| path.strip_prefix("/videos/watch/"))?;
    let id = id.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

fn bound(field: &str, value: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match value {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| n.min(default))
            .ok_or_else(|| ApiError::invalid_field(field, format!("{text:?} is not a size"))),
    }
}

/// Answers the embed description.
pub async fn oembed(
    State(state): State<ApiState>,
    Query(query): Query<OEmbedQuery>,
) -> Result<Json<Value>, ApiError> {
    if let Some(format) = query.format.as_deref()
        && format != "json"
    {
        // The oEmbed specification's answer for a format the provider does not offer.
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "format_not_supported",
            "Only the json format is offered.",
        ));
    }
    let url = query
        .url
        .as_deref()
        .ok_or_else(|| ApiError::invalid_field("url", "is required"))?;
    let id = video_id_of(&state, url)
        .ok_or_else(|| ApiError::invalid_field("url", "is not a video page of this instance"))?;
    let video = crate::v1::find_visible_video(&state, id, None).await?;
    let width = bound("maxwidth", query.maxwidth.as_deref(), WIDTH)?;
    let height = bound("maxheight", query.maxheight.as_deref(), HEIGHT)?;
    let channel = kinora_db::channels::find_by_id(state.db.pool(), video.channel_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Video channel"))?;
    let embed = format!("{}/videos/embed/{}", state.public_url, video.uuid);
    let html = format!(
        r#"<iframe width="{width}" height="{height}" sandbox="allow-same-origin allow-scripts allow-popups" title="{}" src="{}" frameborder="0" allowfullscreen></iframe>"#,
        escape(&video.name),
        escape(&embed)
    );
    let mut answer = json!({
        "type": "video",
        "version": "1.0",
        "html": html,
        "width": width,
        "height": height,
        "title": video.name,
        "author_name": channel.display_name,
        "author_url": format!("{}/c/{}", state.public_url, channel.name),
        "provider_name": state.instance.current().name,
        "provider_url": state.public_url.to_string(),
    });
    if let Some(file) = &video.preview_file {
        answer["thumbnail_url"] =
            json!(format!("{}/lazy-static/previews/{file}", state.public_url));
        answer["thumbnail_width"] = json!(850);
        answer["thumbnail_height"] = json!(480);
    }
    Ok(Json(answer))
}
