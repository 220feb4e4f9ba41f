//! The small read endpoints beside a video: `GET /api/v1/videos/{id}/description`,
//! `/captions` and `/chapters` (each under the video's visibility rule).

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::extract::MaybeAuth;
use crate::{ApiError, ApiState, json as shapes};

/// `{description}`: the whole Markdown description (the video JSON of lists truncates it).
pub async fn get_description(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = super::get::find_visible(&state, &id, viewer.as_ref()).await?;
    Ok(Json(json!({ "description": video.description })))
}

/// `{total, data}` of caption tracks: none yet (captions are not uploaded or generated).
pub async fn list_captions(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    super::get::find_visible(&state, &id, viewer.as_ref()).await?;
    Ok(Json(shapes::list(0, Vec::new())))
}

/// `{chapters:[{timecode, title}]}`, read from the description's timecoded lines.
pub async fn list_chapters(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = super::get::find_visible(&state, &id, viewer.as_ref()).await?;
    let chapters = kinora_core::chapters::chapters_from_description(
        video.description.as_deref().unwrap_or(""),
    );
    let chapters: Vec<Value> = chapters
        .into_iter()
        .map(|c| json!({ "timecode": c.timecode, "title": c.title }))
        .collect();
    Ok(Json(json!({ "chapters": chapters })))
}
