//! `POST /api/v1/users/registrations/{id}/reject`: staff decline a sign-up.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ModerationResponse;
use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// 204: the waiting user and its account are deleted (the name is free again), and the
/// requester is told by e-mail (with `moderationResponse`) unless `preventEmailDelivery`; 404
/// when no registration waits with this id; 403 for non-staff.
pub async fn reject_registration(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<ModerationResponse>,
) -> Result<StatusCode, ApiError> {
    let id = crate::v1::pagination::parse_id("registrationId", &id)?;
    kinora_app::registrations::reject(
        &state.db,
        &state.storage,
        &state.email_context(),
        &caller,
        id,
        body.moderation_response.as_deref(),
        !body.prevent_email_delivery.unwrap_or(false),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
