//! `POST /api/v1/videos/{id}/views`: a viewer watched the video; counted at most once per
//! viewer (the user, else the client's address) and hour. 204 whether counted or not.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::extract::{ClientAddress, JsonOrForm, MaybeAuth};
use crate::v1::videos::find_video;
use crate::{ApiError, ApiState};

/// The body PeerTube's player sends; every field is optional here (its `sessionId` is
/// ignored: a viewer is the user or the address).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewBody {
    /// Seconds into the video.
    pub current_time: Option<f64>,
    /// `seek` or `watch`.
    pub view_event: Option<String>,
}

/// Counts the view.
pub async fn add_view(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<ViewBody>,
) -> Result<StatusCode, ApiError> {
    if body
        .current_time
        .is_some_and(|time| !time.is_finite() || time < 0.0)
    {
        return Err(ApiError::invalid_field("currentTime", "must be 0 or more"));
    }
    if let Some(event) = body.view_event.as_deref()
        && event != "seek"
        && event != "watch"
    {
        return Err(ApiError::invalid_field(
            "viewEvent",
            "must be seek or watch",
        ));
    }
    let video = find_video(&state, &id).await?;
    kinora_app::views::record_view(&state.db, viewer.as_ref(), address, &video).await?;
    Ok(StatusCode::NO_CONTENT)
}
