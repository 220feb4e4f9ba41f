//! `/api/v1/videos`.

pub mod comment_threads;
pub mod comments;
pub mod delete;
pub mod details;
pub mod get;
pub mod list;
pub mod rate;
pub mod tables;
pub mod update;
pub mod upload;
pub mod upload_resumable;
pub mod views;

use std::path::Path;

use axum::body::Body;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use kinora_db::videos::VideoRow;

use crate::{ApiError, ApiState};

/// Finds a video by `{id}` (numeric id, UUID or short UUID) without asking whether the caller
/// may see it: for handlers whose use case asks that itself.
pub(crate) async fn find_video(state: &ApiState, id: &str) -> Result<VideoRow, ApiError> {
    kinora_app::videos::find_video(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Video"))
}

/// Streams a request body to `file`, refusing more than `limit` bytes; returns the byte count.
/// Data reaches the disk (fsync) before this returns.
pub(crate) async fn write_body(
    body: Body,
    file: &mut tokio::fs::File,
    limit: u64,
) -> Result<u64, ApiError> {
    let mut stream = body.into_data_stream();
    let mut written: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "body_interrupted",
                format!("The upload was interrupted: {error}"),
            )
        })?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "max_file_size_reached",
                "The upload is larger than announced or allowed.",
            ));
        }
        file.write_all(&chunk).await.map_err(storage_error)?;
    }
    file.flush().await.map_err(storage_error)?;
    file.sync_data().await.map_err(storage_error)?;
    Ok(written)
}

pub(crate) fn storage_error(error: std::io::Error) -> ApiError {
    tracing::error!(%error, "writing an upload failed");
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "storage_error",
        "The server could not store the upload.",
    )
}

/// Removes a working directory when dropped (an upload that failed leaves nothing behind).
pub(crate) struct WorkDirectory(pub std::path::PathBuf);

impl WorkDirectory {
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDirectory {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
