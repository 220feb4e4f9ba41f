//! Serving a file that lives in S3 through the server: one byte range passed to the bucket,
//! the answer streamed back with its status, `Content-Range` and `ETag` (the caller sets the
//! cache headers, as for local files). Used for every file not linked straight to a public bucket (private videos,
//! kinds not configured public), after the caller's visibility check.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kinora_app::{ByteRange, Location, MediaStorage, StorageError, StorageKey};

use crate::ApiError;

/// Streams `key` (or the one range the request headers ask for) from S3.
pub(crate) async fn proxy(
    storage: &MediaStorage,
    location: Location,
    key: &StorageKey,
    request: &HeaderMap,
) -> Result<Response, ApiError> {
    let range = request
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(ByteRange::parse_header);
    let body = match storage.read_s3(location, key, range).await {
        Ok(body) => body,
        Err(StorageError::NotFound { .. }) => return Err(ApiError::not_found("File")),
        Err(StorageError::RangeNotSatisfiable { .. }) => {
            let size = storage.size(location, key).await?.unwrap_or(0);
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(response);
        }
        Err(error) => return Err(error.into()),
    };
    let etag = body.etag().map(str::to_owned);
    let not_modified = etag.as_deref().is_some_and(|etag| {
        request
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .split(',')
                    .any(|tag| tag.trim() == etag || tag.trim() == "*")
            })
    });
    let mut headers = HeaderMap::new();
    if let Some(value) = etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if not_modified {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(key.content_type()),
    );
    headers.insert(header::CONTENT_LENGTH, body.content_length().into());
    let status = match body
        .content_range()
        .and_then(|value| HeaderValue::from_str(value).ok())
    {
        Some(content_range) if range.is_some() => {
            headers.insert(header::CONTENT_RANGE, content_range);
            StatusCode::PARTIAL_CONTENT
        }
        _ => StatusCode::OK,
    };
    Ok((status, headers, Body::from_stream(body.into_stream())).into_response())
}
