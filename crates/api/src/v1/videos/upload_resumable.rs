//! `/api/v1/videos/upload-resumable`: PeerTube's resumable upload (the node-uploadx protocol).
//!
//! `POST` opens a session after checking the fields, the channel, the size and the quota
//! (before any byte arrives) and answers 201 with a `Location`. Each `PUT` carries
//! `Content-Range: bytes <start>-<end>/<total>`; bytes reach the disk before the offset is
//! recorded, so a crash never acknowledges bytes it lost. A chunk at the wrong offset gets 409
//! with the authoritative `Range`; `bytes */<total>` probes the offset; the last chunk creates
//! the video (200). One request writes a session at a time, whichever process it reaches: the
//! claim is in the database (`upload_lease.rs`), and a second writer gets 423. `DELETE` cancels (204). Sessions are the uploader's only: another user's
//! upload id is unknown (404).

use std::io::SeekFrom;

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kinora_app::StorageKey;
use kinora_app::videos::{self, VideoFields};
use kinora_db::now_millis;
use kinora_db::uploads::{NewUpload, UploadRow};
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncSeekExt;
use uuid::Uuid;

use super::storage_error;
use super::upload::content::{ContentGate, Expected, drain, write_checked};

#[path = "upload_lease.rs"]
pub(crate) mod lease;
use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};
use lease::WriterLease;

/// The `upload_id` query parameter.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    upload_id: Option<String>,
}

/// The init body: the video fields plus the file name.
#[derive(Debug, Deserialize)]
pub struct InitRequest {
    #[serde(flatten)]
    fields: VideoFields,
    filename: String,
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Opens a session.
pub async fn init_upload(
    State(state): State<ApiState>,
    Auth(user): Auth,
    headers: HeaderMap,
    JsonOrForm(request): JsonOrForm<InitRequest>,
) -> Result<Response, ApiError> {
    let (declared, content_type, filename) = announced(&headers, &request.filename)?;
    let limits = *state.upload_limits;
    videos::check_upload(&state.db, &user, &request.fields, declared, &limits).await?;
    let metadata = serde_json::to_string(&request.fields)
        .map_err(|error| kinora_app::AppError::Internal(error.to_string()))?;
    let session = Announced {
        channel_id: request.fields.channel_id,
        declared,
        content_type: &content_type,
        filename: &filename,
        metadata: &metadata,
        purpose: None,
    };
    open_session(&state, &user, &session, "/api/v1/videos/upload-resumable").await
}

/// What an init announces: the size, the type and name of the file, and what it is for.
pub(crate) struct Announced<'a> {
    /// The channel the session belongs to (a user import: the user's first).
    pub(crate) channel_id: i64,
    /// `X-Upload-Content-Length`.
    pub(crate) declared: i64,
    /// `X-Upload-Content-Type`.
    pub(crate) content_type: &'a str,
    /// The client's file name.
    pub(crate) filename: &'a str,
    /// The video fields, or what an import needs, JSON.
    pub(crate) metadata: &'a str,
    /// `None` for a video, [`kinora_db::uploads::USER_IMPORT`].
    pub(crate) purpose: Option<&'static str>,
}

/// The size, type and name an init announces, checked.
pub(crate) fn announced(
    headers: &HeaderMap,
    filename: &str,
) -> Result<(i64, String, String), ApiError> {
    let declared: i64 = header_text(headers, "x-upload-content-length")
        .ok_or_else(|| ApiError::invalid_field("X-Upload-Content-Length", "header is required"))?
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_field("X-Upload-Content-Length", "must be a byte count"))?;
    let content_type = header_text(headers, "x-upload-content-type")
        .ok_or_else(|| ApiError::invalid_field("X-Upload-Content-Type", "header is required"))?
        .to_owned();
    if content_type.len() > 255 {
        return Err(ApiError::invalid_field(
            "X-Upload-Content-Type",
            "is too long",
        ));
    }
    let filename: String = filename.chars().take(255).collect();
    if filename.trim().is_empty() {
        return Err(ApiError::invalid_field("filename", "is required"));
    }
    if declared <= 0 {
        return Err(ApiError::invalid_field(
            "X-Upload-Content-Length",
            "must be positive",
        ));
    }
    Ok((declared, content_type, filename))
}

/// Opens a checked session and answers 201 with its `Location` under `base`.
pub(crate) async fn open_session(
    state: &ApiState,
    user: &kinora_app::auth::AuthenticatedUser,
    session: &Announced<'_>,
    base: &str,
) -> Result<Response, ApiError> {
    let limits = *state.upload_limits;
    let open = kinora_db::uploads::count_open_by_user(state.db.pool(), user.user_id).await?;
    if open >= limits.max_open_uploads_per_user {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_open_uploads",
            format!(
                "At most {} unfinished uploads at a time.",
                limits.max_open_uploads_per_user
            ),
        ));
    }
    let upload_id = Uuid::new_v4();
    let now = now_millis();
    // Create the (empty) bytes file first, so a session row always has one.
    let path = state
        .storage
        .local()
        .prepare(&StorageKey::resumable_upload(upload_id))?;
    tokio::fs::File::create(&path)
        .await
        .map_err(storage_error)?;
    let mut tx = state.db.begin().await?;
    kinora_db::uploads::insert(
        &mut tx,
        &NewUpload {
            upload_id: &upload_id.to_string(),
            user_id: user.user_id,
            channel_id: session.channel_id,
            declared_size: session.declared,
            content_type: session.content_type,
            filename: session.filename,
            metadata: session.metadata,
            expires_at: now + limits.resumable_idle_secs * 1000,
            purpose: session.purpose,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let location = format!("{base}?upload_id={upload_id}");
    Ok((StatusCode::CREATED, [(header::LOCATION, location)]).into_response())
}

async fn find_session(
    state: &ApiState,
    user_id: i64,
    query: &UploadQuery,
) -> Result<(Uuid, UploadRow), ApiError> {
    let text = query
        .upload_id
        .as_deref()
        .ok_or_else(|| ApiError::invalid_field("upload_id", "is required"))?;
    let upload_id = Uuid::parse_str(text).map_err(|_| ApiError::not_found("Upload"))?;
    let row = kinora_db::uploads::find_for_user(state.db.pool(), &upload_id.to_string(), user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Upload"))?;
    Ok((upload_id, row))
}

/// The 308 answer: how many bytes the server holds.
fn resume_incomplete(received: i64) -> Response {
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    if received > 0
        && let Ok(value) = HeaderValue::from_str(&format!("bytes=0-{}", received - 1))
    {
        headers.insert(header::RANGE, value);
    }
    response
}

fn conflict(received: i64, message: &str) -> Response {
    let mut response =
        ApiError::new(StatusCode::CONFLICT, "upload_offset_mismatch", message).into_response();
    if received > 0
        && let Ok(value) = HeaderValue::from_str(&format!("bytes=0-{}", received - 1))
    {
        response.headers_mut().insert(header::RANGE, value);
    }
    response
}

/// `Content-Range: bytes <start>-<end>/<total>` or `bytes */<total>`.
enum ContentRange {
    Chunk { start: i64, end: i64, total: i64 },
    Probe { total: i64 },
}

fn parse_content_range(text: &str) -> Option<ContentRange> {
    let rest = text.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let total: i64 = total.trim().parse().ok()?;
    if range.trim() == "*" {
        return Some(ContentRange::Probe { total });
    }
    let (start, end) = range.split_once('-')?;
    let (start, end): (i64, i64) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    (start >= 0 && end >= start).then_some(ContentRange::Chunk { start, end, total })
}

/// Receives a chunk (or answers a probe); the last chunk creates the video.
pub async fn put_chunk(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<UploadQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let mut body = Some(body);
    let answer = receive_chunk(&state, user.user_id, &query, &parts.headers, &mut body).await;
    // A body left unread (a refusal, a finished session) is read and dropped, so the client
    // hears the answer on a connection that stays usable.
    if let Some(body) = body.take() {
        drain(body, state.upload_limits.max_file_size.max(0) as u64).await;
    }
    answer
}

async fn receive_chunk(
    state: &ApiState,
    user_id: i64,
    query: &UploadQuery,
    headers: &HeaderMap,
    body: &mut Option<Body>,
) -> Result<Response, ApiError> {
    let (upload_id, session) = find_session(state, user_id, query).await?;
    if let Some(video_id) = session.video_id {
        return finished(state, video_id).await;
    }
    let range = header_text(headers, "content-range")
        .and_then(parse_content_range)
        .ok_or_else(|| {
            ApiError::invalid_field(
                "Content-Range",
                "must be bytes <start>-<end>/<total> or bytes */<total>",
            )
        })?;
    let (start, end) = match range {
        ContentRange::Probe { total } if total == session.declared_size => {
            return Ok(resume_incomplete(session.received_size));
        }
        ContentRange::Chunk { start, end, total } if total == session.declared_size => (start, end),
        _ => {
            return Err(ApiError::invalid_field(
                "Content-Range",
                format!(
                    "the total must be the announced size, {}",
                    session.declared_size
                ),
            ));
        }
    };
    if end >= session.declared_size {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "max_file_size_reached",
            "The chunk goes beyond the announced size.",
        ));
    }
    if start != session.received_size {
        return Ok(conflict(
            session.received_size,
            "The chunk does not start where the upload stands.",
        ));
    }
    // Nothing touches the file without the session's claim (UP-04, `upload_lease.rs`).
    let mut lease = WriterLease::claim(&state.db, session.id, start).await?;
    let body = body.take().unwrap_or_default();
    let outcome = write_chunk(state, &session, upload_id, (start, end), body, &mut lease).await;
    if let Err(error) = lease.release().await {
        tracing::warn!(
            code = error.code(),
            "releasing an upload claim failed; it will expire"
        );
    }
    match outcome? {
        Some(received) => Ok(resume_incomplete(received)),
        None => complete(state, session, upload_id).await,
    }
}

/// Writes one chunk under `lease` and moves the offset; answers the new offset, or `None`
/// when the file is complete.
async fn write_chunk(
    state: &ApiState,
    session: &UploadRow,
    upload_id: Uuid,
    (start, end): (i64, i64),
    body: Body,
    lease: &mut WriterLease,
) -> Result<Option<i64>, ApiError> {
    let path = state
        .storage
        .local()
        .path(&StorageKey::resumable_upload(upload_id));
    let expected = if session.purpose.as_deref() == Some(kinora_db::uploads::USER_IMPORT) {
        Expected::Zip
    } else {
        Expected::Media
    };
    let mut gate = ContentGate::at_offset(&path, start as u64, expected).await?;
    let open = || async {
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .await?;
        // Bytes past the recorded offset were never acknowledged: drop them.
        file.set_len(start as u64).await?;
        file.seek(SeekFrom::Start(start as u64)).await?;
        Ok(file)
    };
    let expected = (end - start + 1) as u64;
    let whole_at = (session.declared_size - start) as u64;
    let written = match write_checked(body, &mut gate, lease, expected, whole_at, open).await {
        Err(refusal) if refusal.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            // Not media: the session ends here, with its file.
            discard(state, session, upload_id).await?;
            return Err(refusal);
        }
        other => other?,
    };
    // A short chunk keeps what arrived, durably, so the client resumes from there.
    let received = start + written as i64;
    advance(state, session, lease.token(), received).await?;
    Ok((received < session.declared_size || written != expected).then_some(received))
}

async fn advance(
    state: &ApiState,
    session: &UploadRow,
    writer: &str,
    received: i64,
) -> Result<(), ApiError> {
    let now = now_millis();
    let expires = now + state.upload_limits.resumable_idle_secs * 1000;
    let moved = kinora_db::uploads::advance(
        state.db.pool(),
        session.id,
        writer,
        session.received_size,
        received,
        expires,
        now,
    )
    .await?;
    if moved {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            "upload_offset_mismatch",
            "The upload moved on meanwhile.",
        ))
    }
}

async fn complete(
    state: &ApiState,
    session: UploadRow,
    upload_id: Uuid,
) -> Result<Response, ApiError> {
    if session.purpose.as_deref() == Some(kinora_db::uploads::USER_IMPORT) {
        return crate::v1::users::imports::complete(state, &session, upload_id).await;
    }
    let fields: VideoFields = serde_json::from_str(&session.metadata)
        .map_err(|error| kinora_app::AppError::Internal(error.to_string()))?;
    let path = state
        .storage
        .local()
        .path(&StorageKey::resumable_upload(upload_id));
    let instance = state.instance.current();
    let policy = videos::UploadPolicy {
        moderation: &state.moderation,
        transcoding_resolutions: &instance.transcoding_resolutions,
    };
    let created = videos::create_from_upload(
        &state.db,
        &state.storage,
        &policy,
        &fields,
        &path,
        &session.filename,
        session.declared_size,
    )
    .await?;
    let mut tx = state.db.begin().await?;
    kinora_db::uploads::set_video(&mut tx, session.id, created.id).await?;
    tx.commit().await?;
    Ok(Json(json!({
        "video": { "id": created.id, "uuid": created.uuid, "shortUUID": created.short_uuid }
    }))
    .into_response())
}

async fn finished(state: &ApiState, video_id: i64) -> Result<Response, ApiError> {
    let video = kinora_db::videos::find_by_id(state.db.pool(), video_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Video"))?;
    Ok(Json(json!({
        "video": { "id": video.id, "uuid": video.uuid, "shortUUID": video.short_uuid }
    }))
    .into_response())
}

/// Deletes an unfinished session and its bytes.
async fn discard(state: &ApiState, session: &UploadRow, upload_id: Uuid) -> Result<(), ApiError> {
    kinora_db::uploads::delete(state.db.pool(), session.id).await?;
    state
        .storage
        .local()
        .delete(&StorageKey::resumable_upload(upload_id))?;
    Ok(())
}

/// Cancels a session (or clears a finished one): 204.
pub async fn cancel_upload(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<UploadQuery>,
    _body: Body,
) -> Result<StatusCode, ApiError> {
    let (upload_id, session) = find_session(&state, user.user_id, &query).await?;
    if session.video_id.is_none() {
        discard(&state, &session, upload_id).await?;
    } else {
        kinora_db::uploads::delete(state.db.pool(), session.id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert!(matches!(
            parse_content_range("bytes 0-9/100"),
            Some(ContentRange::Chunk {
                start: 0,
                end: 9,
                total: 100
            })
        ));
        assert!(matches!(
            parse_content_range("bytes */100"),
            Some(ContentRange::Probe { total: 100 })
        ));
        assert!(parse_content_range("bytes 9-0/100").is_none());
        assert!(parse_content_range("bytes -1-5/100").is_none());
        assert!(parse_content_range("items 0-9/100").is_none());
        assert!(parse_content_range("bytes 0-9/x").is_none());
    }
}
