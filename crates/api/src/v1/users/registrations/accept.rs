//! `POST /api/v1/users/registrations/{id}/accept`: staff accept a sign-up.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ModerationResponse;
use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// 204: the user may log in, and is told by e-mail (with `moderationResponse`) unless
/// `preventEmailDelivery`; 404 when no registration waits with this id; 403 for non-staff.
pub async fn accept_registration(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<ModerationResponse>,
) -> Result<StatusCode, ApiError> {
    let id = crate::v1::pagination::parse_id("registrationId", &id)?;
    let mut email = state.email_context();
    email.enabled &= !body.prevent_email_delivery.unwrap_or(false);
    kinora_app::registrations::accept(
        &state.db,
        &email,
        &caller,
        id,
        body.moderation_response.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
