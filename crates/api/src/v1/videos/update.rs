//! `PUT /api/v1/videos/{id}`: the owner edits a video. PeerTube's web client sends
//! `multipart/form-data` (with `thumbnailfile` / `previewfile` images); JSON and URL-encoded
//! bodies are accepted too. Every field is checked before anything changes; 204.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use kinora_app::video_images::{MAX_IMAGE_BYTES, VideoImage};
use kinora_app::video_updates::VideoChanges;
use serde_json::Value;

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// Largest body of an edit: two images and the text fields.
pub const BODY_LIMIT: usize = 2 * MAX_IMAGE_BYTES + 1024 * 1024;

/// Applies the changes, then the images; 204.
pub async fn update_video(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    request: Request,
) -> Result<StatusCode, ApiError> {
    let video = super::get::find_visible(&state, &id, Some(&user)).await?;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let (changes, images) = if multipart {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|error| {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
            })?;
        read_multipart(multipart).await?
    } else {
        let JsonOrForm(changes) = JsonOrForm::<VideoChanges>::from_request(request, &state).await?;
        (changes, Vec::new())
    };
    // Images are checked (decoded) before the fields are written, so a bad image changes nothing.
    let mut rendered = Vec::with_capacity(images.len());
    for (kind, bytes) in images {
        let jpeg = kinora_app::video_images::render_image_in_background(kind, bytes).await?;
        rendered.push((kind, jpeg));
    }
    changes.validate()?;
    kinora_app::video_updates::update_video(&state.db, &state.storage, &user, &video, &changes)
        .await?;
    for (kind, jpeg) in rendered {
        kinora_app::video_images::replace_image(
            &state.db,
            &state.storage,
            &user,
            &video,
            kind,
            &jpeg,
        )
        .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Reads the text fields (typed as JSON would carry them) and the image files.
async fn read_multipart(
    mut multipart: Multipart,
) -> Result<(VideoChanges, Vec<(VideoImage, Vec<u8>)>), ApiError> {
    let mut fields = serde_json::Map::new();
    let mut tags: Option<Vec<Value>> = None;
    let mut images = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(|error| {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
    })? {
        let name = field.name().unwrap_or("").to_owned();
        let image = match name.as_str() {
            "thumbnailfile" => Some(VideoImage::Thumbnail),
            "previewfile" => Some(VideoImage::Preview),
            _ => None,
        };
        if let Some(kind) = image {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|error| {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
            })? {
                if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                    return Err(ApiError::invalid_field(
                        kind.field(),
                        format!("the image is larger than {MAX_IMAGE_BYTES} bytes"),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            images.push((kind, bytes));
            continue;
        }
        let text = field.text().await.map_err(|error| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
        })?;
        if text.len() > 20_000 {
            return Err(ApiError::invalid_field(
                &name,
                "is longer than any field may be",
            ));
        }
        if name == "tags" || name == "tags[]" || (name.starts_with("tags[") && name.ends_with(']'))
        {
            // An empty `tags` field says "no tags" (multipart cannot send an empty list).
            let list = tags.get_or_insert_with(Vec::new);
            if !text.is_empty() {
                list.push(Value::String(text));
            }
        } else if !name.is_empty() {
            super::upload::insert_form_field(&mut fields, name, &text);
        }
    }
    if let Some(tags) = tags {
        fields.insert("tags".into(), Value::Array(tags));
    }
    let changes: VideoChanges = serde_json::from_value(Value::Object(fields)).map_err(|error| {
        let message = error.to_string();
        let field = message.split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::invalid_field(&field, message)
    })?;
    Ok((changes, images))
}
