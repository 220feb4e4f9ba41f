//! `/api/v1/videos/live…`: PeerTube's lives — create one (`POST /videos/live`, multipart as
//! PeerTube documents it with its `thumbnailfile` and `previewfile`, or JSON as its web client
//! sends it), read and change its settings
//! (`GET|PUT /videos/live/{id}`), list its broadcasts (`GET /videos/live/{id}/sessions`) and
//! find the broadcast a replay came from (`GET /videos/{id}/live-session`).

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use kinora_app::lives::{self, LiveCreate, LiveImages, LiveInput};
use kinora_app::video_images::{VideoImage, render_image_in_background};
use kinora_db::video_lives::LiveSessionRow;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::find_video;
use super::upload::insert_form_field;
use crate::extract::{Auth, JsonOrForm, MaybeAuth};
use crate::json::iso_date;
use crate::{ApiError, ApiState};

/// The largest text field of a multipart create.
const MAX_FIELD_BYTES: usize = 20_000;

/// `POST /api/v1/videos/live`: creates a live waiting for its broadcaster. Answers
/// `{"video": {"id", "uuid", "shortUUID"}}`.
pub async fn create_live(
    State(state): State<ApiState>,
    Auth(user): Auth,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let (body, uploaded) = read_fields(&state, request).await?;
    let input = LiveCreate {
        video: typed(&body)?,
        live: typed(&body)?,
    };
    let mut images = LiveImages::default();
    for (kind, bytes) in uploaded {
        let jpeg = render_image_in_background(kind, bytes).await?;
        match kind {
            VideoImage::Thumbnail => images.thumbnail = Some(jpeg),
            VideoImage::Preview => images.preview = Some(jpeg),
        }
    }
    let created = lives::create(
        &state.db,
        &state.storage,
        &state.live,
        &state.moderation,
        &user,
        &input,
        images,
    )
    .await?;
    Ok(Json(json!({
        "video": { "id": created.id, "uuid": created.uuid, "shortUUID": created.short_uuid }
    })))
}

/// The fields of a create, from multipart (text fields typed as JSON would carry them;
/// `thumbnailfile` and `previewfile` read within the image size limit) or from JSON or a
/// URL-encoded form.
async fn read_fields(
    state: &ApiState,
    request: Request,
) -> Result<(Value, Vec<(VideoImage, Vec<u8>)>), ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !multipart {
        let JsonOrForm(body) = JsonOrForm::<Value>::from_request(request, state).await?;
        return match body {
            Value::Object(_) => Ok((body, Vec::new())),
            _ => Err(ApiError::invalid_field("body", "must be an object")),
        };
    }
    let malformed = |text: String| ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", text);
    let mut parts = Multipart::from_request(request, state)
        .await
        .map_err(|error| malformed(error.body_text()))?;
    let mut fields = serde_json::Map::new();
    let mut tags = Vec::new();
    let mut images = Vec::new();
    while let Some(mut field) = parts
        .next_field()
        .await
        .map_err(|error| malformed(error.body_text()))?
    {
        let name = field.name().unwrap_or("").to_owned();
        let image = match name.as_str() {
            "thumbnailfile" => Some(VideoImage::Thumbnail),
            "previewfile" => Some(VideoImage::Preview),
            _ => None,
        };
        if let Some(kind) = image {
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|error| malformed(error.body_text()))?
            {
                if bytes.len() + chunk.len() > state.upload_limits.max_image_size {
                    return Err(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("{name} is larger than the image size limit"),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            images.retain(|(earlier, _)| *earlier != kind);
            images.push((kind, bytes));
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|error| malformed(error.body_text()))?;
        if text.len() > MAX_FIELD_BYTES {
            return Err(ApiError::invalid_field(
                "body",
                format!("field {name:?} is too long"),
            ));
        }
        if name == "tags" || name == "tags[]" || (name.starts_with("tags[") && name.ends_with(']'))
        {
            tags.push(Value::String(text));
        } else if !name.is_empty() {
            insert_form_field(&mut fields, name, &text);
        }
    }
    if !tags.is_empty() {
        fields.insert("tags".into(), Value::Array(tags));
    }
    Ok((Value::Object(fields), images))
}

/// Reads one typed view of the body, naming the field that does not fit.
fn typed<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            return ApiError::invalid_field(field, "is required");
        }
        ApiError::invalid_field(if path == "." { "body" } else { &path }, message)
    })
}

/// `GET /api/v1/videos/live/{id}`: a live's settings; the stream key and RTMP URLs only for
/// its owner and staff.
pub async fn get_live(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = find_video(&state, &id).await?;
    let view = lives::view(&state.db, &video, viewer.as_ref()).await?;
    let live = &view.live;
    let mut body = json!({
        "saveReplay": live.save_replay == 1,
        "permanentLive": live.permanent_live == 1,
        "latencyMode": live.latency_mode,
        // No DVR (seeking back in a live) and no schedules yet.
        "dvrWindow": 0,
        "schedules": [],
    });
    if let Some(privacy) = live.replay_privacy {
        body["replaySettings"] = json!({ "privacy": privacy });
    }
    if view.private_information {
        body["streamKey"] = json!(live.stream_key);
        body["rtmpUrl"] = json!(state.live.rtmp_url(&state.public_url));
        body["rtmpsUrl"] = json!(state.live.rtmps_url(&state.public_url));
    }
    Ok(Json(body))
}

/// `PUT /api/v1/videos/live/{id}`: changes a waiting live's settings (204).
pub async fn update_live(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<Value>,
) -> Result<StatusCode, ApiError> {
    let input: LiveInput = typed(&body)?;
    let video = find_video(&state, &id).await?;
    lives::update(&state.db, &state.live, &user, &video, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/videos/live/{id}/sessions`: the live's broadcasts, newest first (its owner
/// and staff).
pub async fn list_sessions(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = find_video(&state, &id).await?;
    let sessions = lives::sessions(&state.db, &user, &video).await?;
    let mut data = Vec::with_capacity(sessions.len());
    for session in &sessions {
        data.push(session_json(&state, session).await?);
    }
    Ok(Json(json!({ "total": data.len(), "data": data })))
}

/// `GET /api/v1/videos/{id}/live-session`: the broadcast a replay came from.
pub async fn get_replay_session(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = find_video(&state, &id).await?;
    let session = lives::replay_session(&state.db, &video, viewer.as_ref()).await?;
    Ok(Json(session_json(&state, &session).await?))
}

/// PeerTube's `LiveVideoSession`.
async fn session_json(state: &ApiState, session: &LiveSessionRow) -> Result<Value, ApiError> {
    let replay = match session.replay_video_id {
        Some(id) => kinora_db::videos::find_by_id(state.db.pool(), id)
            .await?
            .map(|video| json!({ "id": video.id, "uuid": video.uuid, "shortUUID": video.short_uuid })),
        None => None,
    };
    Ok(json!({
        "id": session.id,
        "startDate": iso_date(session.started_at),
        "endDate": session.ended_at.map(iso_date),
        "error": session.error,
        "saveReplay": session.save_replay == 1,
        "endingProcessed": session.ending_processed == 1,
        "replayVideo": replay,
    }))
}
