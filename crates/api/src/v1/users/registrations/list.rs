//! `GET /api/v1/users/registrations`: staff list the sign-ups waiting for approval.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::registration_json;
use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// PeerTube's query.
#[derive(Debug, Deserialize)]
pub struct RegistrationQuery {
    start: Option<String>,
    count: Option<String>,
    search: Option<String>,
    sort: Option<String>,
}

/// `{total, data}` of waiting registrations, oldest first (`sort=-createdAt`: newest first).
pub async fn list_registrations(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Query(query): Query<RegistrationQuery>,
) -> Result<Json<Value>, ApiError> {
    let (start, count) =
        crate::v1::pagination::parse_page(query.start.as_deref(), query.count.as_deref())?;
    let newest_first = match query.sort.as_deref() {
        None | Some("createdAt" | "state" | "-state") => false,
        Some("-createdAt") => true,
        Some(_) => {
            return Err(ApiError::invalid_field(
                "sort",
                "must be createdAt, -createdAt, state or -state",
            ));
        }
    };
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_lowercase);
    let (total, users) = kinora_app::registrations::list(
        &state.db,
        &caller,
        search.as_deref(),
        newest_first,
        start,
        count,
    )
    .await?;
    let mut data = Vec::with_capacity(users.len());
    for user in &users {
        data.push(registration_json(&state, user).await?);
    }
    Ok(Json(json!({ "total": total, "data": data })))
}
