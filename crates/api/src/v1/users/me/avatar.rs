//! `POST /api/v1/users/me/avatar/pick` (multipart `avatarfile`) and
//! `DELETE /api/v1/users/me/avatar`: the caller's account avatar. The multipart reading shared
//! with the channels' avatar and banner routes is [`read_image`].

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use kinora_app::actor_images::{self, ActorImageKind, RenderedImage};
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// The most an image request's body may carry, whatever `uploads.max_image_size` says: the
/// largest configurable image and the multipart framing.
pub const BODY_LIMIT: usize = MAX_CONFIGURABLE_IMAGE + 64 * 1024;
/// The largest `uploads.max_image_size` in force (a larger setting counts as this).
pub const MAX_CONFIGURABLE_IMAGE: usize = 16 * 1024 * 1024;

/// Replaces the caller's avatar; answers `{ "avatars": [...] }`.
pub async fn pick_my_avatar(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let rendered = read_image(&state, ActorImageKind::Avatar, request).await?;
    let rows = actor_images::set_my_avatar(&state.db, &state.storage, &caller, &rendered).await?;
    Ok(Json(
        json!({ "avatars": crate::json::actor_images::images(&state, &rows, ActorImageKind::Avatar) }),
    ))
}

/// Removes the caller's avatar; 204.
pub async fn delete_my_avatar(
    State(state): State<ApiState>,
    Auth(caller): Auth,
) -> Result<StatusCode, ApiError> {
    actor_images::remove_my_avatar(&state.db, &state.storage, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The largest image file accepted now.
fn max_image_bytes(state: &ApiState) -> usize {
    state
        .upload_limits
        .max_image_size
        .min(MAX_CONFIGURABLE_IMAGE)
}

fn too_large(max: usize) -> ApiError {
    kinora_app::AppError::TooLarge {
        code: "max_file_size_reached",
        message: format!("The image is larger than {max} bytes"),
    }
    .into()
}

/// Reads the `kind`'s file field of a multipart request (at most `uploads.max_image_size`
/// bytes: a larger declared body is refused before it is read, a larger field as soon as it
/// passes the limit) and renders its sizes. Nothing is stored here.
pub(crate) async fn read_image(
    state: &ApiState,
    kind: ActorImageKind,
    request: Request,
) -> Result<Vec<RenderedImage>, ApiError> {
    let max = max_image_bytes(state);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > (max + 64 * 1024) as u64) {
        return Err(too_large(max));
    }
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::invalid_field(
            kind.field(),
            "send the image as multipart/form-data",
        ));
    }
    let malformed = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(max)
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
        }
    };
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|error| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
        })?;
    let mut bytes: Option<Vec<u8>> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        if field.name() != Some(kind.field()) || bytes.is_some() {
            continue;
        }
        let mut read = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            if read.len() + chunk.len() > max {
                return Err(too_large(max));
            }
            read.extend_from_slice(&chunk);
        }
        bytes = Some(read);
    }
    let bytes =
        bytes.ok_or_else(|| ApiError::invalid_field(kind.field(), "the file is missing"))?;
    Ok(actor_images::render_in_background(kind, bytes, max).await?)
}
