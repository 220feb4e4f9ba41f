//! `POST /api/v1/videos/{id}/views`: a viewer watched the video; counted at most once per
//! viewer (the user, else the client's address) and hour, and among its current `viewers` for a
//! minute (`kinora_app::viewers`; a live's player posts again every few seconds). 204 whether counted or not. With
//! `currentTime` from a signed-in user, the position goes to their watch history
//! (`kinora_app::history`), as does `PUT /api/v1/videos/{id}/watching` (PeerTube's older route).

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
    kinora_app::views::record_view(&state.db, &state.viewers, viewer.as_ref(), address, &video)
        .await?;
    if let (Some(user), Some(time)) = (&viewer, body.current_time) {
        record_position(&state, user.user_id, video.id, time).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Keeps `seconds` (whole seconds, as PeerTube) as where `user_id` is in `video_id`.
async fn record_position(
    state: &ApiState,
    user_id: i64,
    video_id: i64,
    seconds: f64,
) -> Result<(), ApiError> {
    // A finite, non-negative f64 floors to an i64; the writer caps it at a day.
    let whole = seconds.floor().min(i64::MAX as f64) as i64;
    state
        .history
        .record(&state.db, user_id, video_id, whole)
        .await?;
    Ok(())
}

/// The body of `PUT /api/v1/videos/{id}/watching`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchingBody {
    /// Seconds into the video.
    pub current_time: Option<f64>,
}

/// Keeps the signed-in viewer's position in the video (history); 204.
pub async fn set_watching(
    State(state): State<ApiState>,
    crate::extract::Auth(viewer): crate::extract::Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<WatchingBody>,
) -> Result<StatusCode, ApiError> {
    let time = match body.current_time {
        Some(time) if time.is_finite() && time >= 0.0 => time,
        Some(_) => return Err(ApiError::invalid_field("currentTime", "must be 0 or more")),
        None => return Err(ApiError::invalid_field("currentTime", "is required")),
    };
    let video = crate::v1::find_visible_video(&state, &id, Some(&viewer)).await?;
    record_position(&state, viewer.user_id, video.id, time).await?;
    Ok(StatusCode::NO_CONTENT)
}
