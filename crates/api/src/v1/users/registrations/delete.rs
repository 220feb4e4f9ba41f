//! `DELETE /api/v1/users/registrations/{id}`: staff remove a waiting sign-up without telling
//! the requester.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// 204 once removed (the waiting user and its account are deleted); 404 when none waits.
pub async fn delete_registration(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = crate::v1::pagination::parse_id("registrationId", &id)?;
    kinora_app::registrations::reject(
        &state.db,
        &state.storage,
        &state.email_context(),
        &caller,
        id,
        None,
        false,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
