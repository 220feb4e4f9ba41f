//! `POST /api/v1/videos/upload`: PeerTube's single-request multipart upload.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use kinora_app::videos::{self, VideoFields};
use serde_json::{Value, json};

use super::WorkDirectory;

#[path = "upload_content.rs"]
pub(crate) mod content;
use crate::extract::Auth;
use crate::{ApiError, ApiState};

fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// Streams `videofile` to disk (never into memory) once its first bytes show it is media
/// (`content`), reads the other fields, checks them, the channel, the quota and then the
/// content (415 when not media), then creates the video and queues its transcoding. Answers
/// `{"video":{"id","uuid","shortUUID"}}`.
pub async fn upload_video(
    State(state): State<ApiState>,
    Auth(user): Auth,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Json<Value>, ApiError> {
    let limits = *state.upload_limits;
    // The announced length bounds the file: refuse early what cannot fit.
    if let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        && length > limits.max_file_size + 1024 * 1024
    {
        return Err(kinora_app::AppError::TooLarge {
            code: "max_file_size_reached",
            message: format!(
                "The file is larger than the limit of {} bytes.",
                limits.max_file_size
            ),
        }
        .into());
    }
    let (_, path) = state.storage.local().create_work_directory()?;
    let work = WorkDirectory(path);
    let file_path = work.path().join("upload");
    let mut fields = serde_json::Map::new();
    let mut tags: Vec<Value> = Vec::new();
    let mut file: Option<(String, u64)> = None;
    // A file that is not media is read to its end but never written; the refusal is answered
    // after the other checks, so that a wrong channel or field is still named first.
    let mut refusal: Option<ApiError> = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| bad_request("malformed_body", error.body_text()))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "videofile" {
            if file.is_some() {
                return Err(ApiError::invalid_field(
                    "videofile",
                    "only one file may be sent",
                ));
            }
            let filename = field.file_name().unwrap_or("video").to_owned();
            // Nothing is written until the first bytes are known to be media.
            let mut gate = content::ContentGate::new();
            let target = file_path.clone();
            let mut output = content::LazyFile::new(move || tokio::fs::File::create(target));
            let mut written: u64 = 0;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|error| bad_request("body_interrupted", error.body_text()))?
            {
                written += chunk.len() as u64;
                if written > limits.max_file_size as u64 {
                    return Err(kinora_app::AppError::TooLarge {
                        code: "max_file_size_reached",
                        message: "The file is larger than the limit.".to_owned(),
                    }
                    .into());
                }
                if refusal.is_none() {
                    match gate.feed(chunk) {
                        Ok(bytes) => output.write(bytes).await?,
                        Err(error) => refusal = Some(error),
                    }
                }
            }
            if refusal.is_none() {
                match gate.finish(true) {
                    Ok(bytes) => {
                        output.write(bytes).await?;
                        output.sync().await?;
                    }
                    Err(error) => refusal = Some(error),
                }
            }
            file = Some((filename, written));
            continue;
        }
        if name == "thumbnailfile" || name == "previewfile" {
            // Custom images are not supported yet; drain and ignore.
            while field.chunk().await.ok().flatten().is_some() {}
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|error| bad_request("malformed_body", error.body_text()))?;
        if text.len() > 20_000 {
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
    fields.insert("tags".into(), Value::Array(tags));
    let fields: VideoFields = serde_json::from_value(Value::Object(fields)).map_err(|error| {
        let message = error.to_string();
        let field = message.split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::invalid_field(&field, message)
    })?;
    let Some((filename, size)) = file else {
        return Err(ApiError::invalid_field("videofile", "is required"));
    };
    videos::check_upload(&state.db, &user, &fields, size as i64, &limits).await?;
    if let Some(error) = refusal {
        return Err(error);
    }
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
        &file_path,
        &filename,
        size as i64,
    )
    .await?;
    Ok(Json(json!({
        "video": { "id": created.id, "uuid": created.uuid, "shortUUID": created.short_uuid }
    })))
}

/// Puts a multipart field into the JSON object it stands for: `scheduleUpdate[updateAt]` (as
/// PeerTube's web client flattens objects) goes into `{"scheduleUpdate": {"updateAt": …}}`.
pub(crate) fn insert_form_field(
    fields: &mut serde_json::Map<String, Value>,
    name: String,
    text: &str,
) {
    if let Some((outer, rest)) = name.split_once('[')
        && let Some(inner) = rest.strip_suffix(']')
        && !outer.is_empty()
        && !inner.is_empty()
        && !inner.contains(['[', ']'])
    {
        let entry = fields
            .entry(outer.to_owned())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(object) = entry {
            object.insert(inner.to_owned(), form_value(inner, text));
            return;
        }
    }
    let value = form_value(&name, text);
    fields.insert(name, value);
}

/// Multipart values are text: the numeric and boolean fields are typed as JSON would carry them.
pub(crate) fn form_value(name: &str, text: &str) -> Value {
    const NUMBERS: &[&str] = &[
        "channelId",
        "privacy",
        "category",
        "licence",
        "commentsPolicy",
        "latencyMode",
    ];
    const FLAGS: &[&str] = &[
        "nsfw",
        "downloadEnabled",
        "waitTranscoding",
        "commentsEnabled",
        "saveReplay",
        "permanentLive",
    ];
    // An empty value clears what may be cleared (PeerTube's `null`).
    const NULLABLE: &[&str] = &["category", "licence", "language", "originallyPublishedAt"];
    if NULLABLE.contains(&name) && text.trim().is_empty() {
        return Value::Null;
    }
    if NUMBERS.contains(&name)
        && let Ok(number) = text.trim().parse::<i64>()
    {
        return Value::from(number);
    }
    if FLAGS.contains(&name) {
        match text.trim() {
            "true" | "1" => return Value::Bool(true),
            "false" | "0" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::String(text.to_owned())
}
