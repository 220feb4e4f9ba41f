//! `DELETE /api/v1/abuses/{id}`: a moderator deletes a report (only this instance's copy); 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// Deletes the report.
pub async fn delete_abuse(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id("id", &id)?;
    kinora_app::abuses::moderation::delete(&state.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
