//! `POST /api/v1/users/{id}/block` (`{reason}`) and `POST /api/v1/users/{id}/unblock`: staff ban
//! a user or let them back in (PeerTube's rules, `kinora_app::user_bans`). Both answer 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// The body of a ban; the reason may be left out.
#[derive(Debug, Default, Deserialize)]
pub struct BanBody {
    reason: Option<String>,
}

/// Bans the user: they cannot log in, their tokens stop working, their videos are hidden.
pub async fn block_user(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<BanBody>,
) -> Result<StatusCode, ApiError> {
    super::get::ensure_staff(&caller)?;
    let id = parse_id("id", &id)?;
    kinora_app::user_bans::ban_user(&state.db, &caller, id, body.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lets the user back in.
pub async fn unblock_user(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::get::ensure_staff(&caller)?;
    let id = parse_id("id", &id)?;
    kinora_app::user_bans::unban_user(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
