//! `GET /api/v1/users`: the instance's users for staff, `{total, data}` of PeerTube's `User`,
//! filtered by `blocked` and `search`, with `start` and `count`.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::v1::pagination::parse_page;
use crate::{ApiError, ApiState};

/// The query string, read as text so bad values get a clear 400.
#[derive(Debug, Default, Deserialize)]
pub struct UserListQuery {
    blocked: Option<String>,
    search: Option<String>,
    start: Option<String>,
    count: Option<String>,
}

/// Lists users by id (staff only).
pub async fn list_users(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Query(query): Query<UserListQuery>,
) -> Result<Json<Value>, ApiError> {
    super::get::ensure_staff(&caller)?;
    let blocked = match query.blocked.as_deref() {
        None => None,
        Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => return Err(ApiError::invalid_field("blocked", "must be a boolean")),
    };
    let (start, count) = parse_page(query.start.as_deref(), query.count.as_deref())?;
    let (total, users) = kinora_db::users::list(
        state.db.pool(),
        &kinora_db::users::UserQuery {
            blocked,
            search: query.search.as_deref().filter(|s| !s.is_empty()),
            start,
            count,
        },
    )
    .await?;
    let mut data = Vec::with_capacity(users.len());
    for user in &users {
        data.push(super::get::user_json(&state, user).await?);
    }
    Ok(Json(json!({ "total": total, "data": data })))
}
