//! `GET /api/v1/videos/{id}/captions`, `PUT` and `DELETE /api/v1/videos/{id}/captions/{lang}`:
//! PeerTube's caption tracks. The upload is the multipart field `captionfile` (a `.vtt` or
//! `.srt` file, at most 20 MB), checked and rewritten as WebVTT by `kinora_app::captions`;
//! the list answers PeerTube's `VideoCaption` objects.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use kinora_app::captions::{CAPTIONS_PATH, caption_playlist_url, caption_url, check_language};
use kinora_core::captions::MAX_CAPTION_BYTES;
use kinora_core::dates::iso_date;
use kinora_db::video_captions::CaptionRow;
use serde_json::{Value, json};

use crate::extract::{Auth, MaybeAuth};
use crate::{ApiError, ApiState, json as shapes};

/// Largest body of a caption upload: the file and the multipart framing.
pub const BODY_LIMIT: usize = MAX_CAPTION_BYTES + 64 * 1024;

/// PeerTube's `VideoCaption` of one caption.
pub fn caption_json(caption: &CaptionRow, origin: &str) -> Value {
    let label = kinora_core::labels::language_label(&caption.language).unwrap_or("Unknown");
    json!({
        "language": { "id": caption.language, "label": label },
        "automaticallyGenerated": false,
        "captionPath": caption
            .file_name
            .as_ref()
            .map(|name| format!("{CAPTIONS_PATH}/{name}")),
        "fileUrl": caption_url(caption, origin),
        "m3u8Url": caption_playlist_url(caption, origin),
        "updatedAt": iso_date(caption.updated_at),
    })
}

/// `{total, data}` of the video's captions, by language.
pub async fn list_captions(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = super::get::find_visible(&state, &id, viewer.as_ref()).await?;
    let captions = kinora_db::video_captions::list_of(state.db.pool(), video.id).await?;
    let data: Vec<Value> = captions
        .iter()
        .map(|caption| caption_json(caption, &state.public_url))
        .collect();
    Ok(Json(shapes::list(data.len(), data)))
}

/// Adds or replaces the caption in `lang`; 204.
pub async fn put_caption(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, language)): Path<(String, String)>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<StatusCode, ApiError> {
    let video = super::get::find_visible(&state, &id, Some(&user)).await?;
    check_language(&language)?;
    let mut multipart = multipart.map_err(|error| {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
    })?;
    let bytes = read_caption_file(&mut multipart).await?;
    kinora_app::captions::put_caption(&state.db, &state.storage, &user, &video, &language, &bytes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The bytes of the `captionfile` field (a `.vtt` or `.srt` name when one is given), at most
/// [`MAX_CAPTION_BYTES`].
async fn read_caption_file(multipart: &mut Multipart) -> Result<Vec<u8>, ApiError> {
    let malformed = |error: axum::extract::multipart::MultipartError| -> ApiError {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return too_large();
        }
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", error.body_text())
    };
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        if field.name() != Some("captionfile") {
            continue;
        }
        if let Some(file_name) = field.file_name() {
            let extension = file_name
                .rsplit_once('.')
                .map(|(_, extension)| extension.to_ascii_lowercase());
            if !matches!(extension.as_deref(), Some("vtt" | "srt")) {
                return Err(ApiError::invalid_field(
                    "captionfile",
                    "must be a .vtt or .srt file",
                ));
            }
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            if bytes.len() + chunk.len() > MAX_CAPTION_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(ApiError::invalid_field("captionfile", "is required"))
}

fn too_large() -> ApiError {
    ApiError::invalid_field(
        "captionfile",
        format!("the caption file is larger than {MAX_CAPTION_BYTES} bytes"),
    )
}

/// Deletes the caption in `lang`; 204.
pub async fn delete_caption(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, language)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let video = super::get::find_visible(&state, &id, Some(&user)).await?;
    kinora_app::captions::delete_caption(&state.db, &state.storage, &user, &video, &language)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
