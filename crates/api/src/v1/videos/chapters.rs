//! `GET` and `PUT /api/v1/videos/{id}/chapters`: PeerTube's `{chapters: [{timecode, title}]}`.
//! A video's chapters are those its owner set, else the timecodes of its description.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kinora_core::chapters::Chapter;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm, MaybeAuth};
use crate::{ApiError, ApiState};

/// `{chapters:[{timecode, title}]}`, by timecode.
pub async fn list_chapters(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = super::get::find_visible(&state, &id, viewer.as_ref()).await?;
    let chapters: Vec<Value> = kinora_app::captions::chapters_of(&state.db, &video)
        .await?
        .into_iter()
        .map(|c| json!({ "timecode": c.timecode, "title": c.title }))
        .collect();
    Ok(Json(json!({ "chapters": chapters })))
}

/// The body of `PUT`.
#[derive(Debug, Deserialize)]
pub struct ChaptersBody {
    /// The new chapters (an empty list removes them).
    chapters: Vec<ChapterBody>,
}

/// One chapter of the body.
#[derive(Debug, Deserialize)]
pub struct ChapterBody {
    timecode: i64,
    title: String,
}

/// Replaces the chapters; 204.
pub async fn replace_chapters(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<ChaptersBody>,
) -> Result<StatusCode, ApiError> {
    let video = super::get::find_visible(&state, &id, Some(&user)).await?;
    if body.chapters.len() > kinora_core::chapters::CHAPTERS_MAX {
        return Err(ApiError::invalid_field(
            "chapters",
            format!(
                "a video has at most {} chapters",
                kinora_core::chapters::CHAPTERS_MAX
            ),
        ));
    }
    let chapters = body
        .chapters
        .into_iter()
        .map(|c| Chapter {
            timecode: c.timecode,
            title: c.title,
        })
        .collect();
    kinora_app::captions::replace_chapters(&state.db, &user, &video, chapters).await?;
    Ok(StatusCode::NO_CONTENT)
}
