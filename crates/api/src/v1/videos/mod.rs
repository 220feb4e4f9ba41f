//! `/api/v1/videos`.

pub mod blacklist;
pub mod blacklist_list;
pub mod captions;
pub mod chapters;
pub mod comment_threads;
pub mod comments;
pub mod delete;
pub mod details;
pub mod get;
pub mod list;
pub mod list_params;
pub mod live;
pub mod many;
pub mod rate;
pub mod tables;
pub mod update;
pub mod upload;
pub mod upload_resumable;
pub mod views;

use std::path::Path;

use kinora_db::videos::VideoRow;

use crate::{ApiError, ApiState};

/// Finds a video by `{id}` (numeric id, UUID or short UUID) without asking whether the caller
/// may see it: for handlers whose use case asks that itself.
pub(crate) async fn find_video(state: &ApiState, id: &str) -> Result<VideoRow, ApiError> {
    kinora_app::videos::find_video(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Video"))
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
