//! `PUT /api/v1/abuses/{id}`: a moderator sets a report's `state` (1 pending, 2 rejected,
//! 3 accepted) and/or `moderationComment`; 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kinora_app::abuses::moderation::AbuseChange;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// The body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAbuseBody {
    state: Option<i64>,
    moderation_comment: Option<String>,
}

/// Applies the change.
pub async fn update_abuse(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<UpdateAbuseBody>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id("id", &id)?;
    let change = AbuseChange {
        state: body.state,
        moderation_comment: body.moderation_comment,
    };
    kinora_app::abuses::moderation::update(&state.db, &user, id, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}
