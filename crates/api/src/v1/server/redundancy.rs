//! `PUT /api/v1/server/redundancy/{host}` `{redundancyAllowed}`: whether the videos of a followed
//! instance are mirrored here (administrators). Allowing it mirrors the videos already known;
//! disallowing it removes our copies and tells their origins.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// The body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedundancyBody {
    /// Mirror this instance's videos.
    pub redundancy_allowed: bool,
}

/// Sets the instance's redundancy.
pub async fn set_redundancy(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(host): Path<String>,
    JsonOrForm(body): JsonOrForm<RedundancyBody>,
) -> Result<StatusCode, ApiError> {
    kinora_app::instance_follows::set_redundancy(
        &state.db,
        &state.storage,
        &user,
        &host,
        body.redundancy_allowed,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
