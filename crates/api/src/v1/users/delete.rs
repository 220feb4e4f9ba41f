//! `DELETE /api/v1/users/{id}`: staff delete a user with their account, channels, videos (and
//! files) and comments; other instances are told the actors are gone. 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// Deletes the user (administrators any user, moderators plain users; never oneself or `root`).
pub async fn delete_user(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::get::ensure_staff(&caller)?;
    let id = parse_id("id", &id)?;
    kinora_app::user_bans::delete_user(&state.db, &state.storage, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
