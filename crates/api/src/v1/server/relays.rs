//! `/api/v1/server/relays` (administrators): the relays this instance subscribes to
//! (FEP-ae0c). `GET` lists `{total, data: [{id, url, state, createdAt}]}`, `POST {url}`
//! subscribes (201 with the relay: `pending` until it answers), `DELETE /{id}` unsubscribes
//! (204; the relay gets an `Undo`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kinora_core::dates::iso_date;
use kinora_db::relays::RelayRow;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::json::list;
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// The body of `POST`.
#[derive(Debug, Default, Deserialize)]
pub struct AddRelayBody {
    /// The relay's inbox (Mastodon style) or actor (LitePub style).
    pub url: Option<String>,
}

fn relay_json(relay: &RelayRow) -> Value {
    json!({
        "id": relay.id,
        "url": relay.url,
        "state": relay.state,
        "style": relay.style,
        "actorUrl": relay.actor_url,
        "createdAt": iso_date(relay.created_at),
        "updatedAt": iso_date(relay.updated_at),
    })
}

/// `GET`: one page of the relays, oldest first.
pub async fn list_relays(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (start, count) = query.page()?;
    let (relays, total) = kinora_app::relays::list(&state.db, &user, start, count).await?;
    let data = relays.iter().map(relay_json).collect();
    Ok(Json(list(usize::try_from(total).unwrap_or(0), data)))
}

/// `POST {url}`: subscribes to a relay.
pub async fn add_relay(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<AddRelayBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !user.role.eq(&kinora_core::UserRole::Admin) {
        return Err(ApiError::forbidden(
            "Only administrators manage this instance's relays.",
        ));
    }
    let url = body
        .url
        .ok_or_else(|| ApiError::invalid_field("url", "is required"))?;
    let relay = kinora_app::relays::add(&state.db, state.remote.as_ref(), &user, &url).await?;
    Ok((StatusCode::CREATED, Json(relay_json(&relay))))
}

/// `DELETE /{id}`: unsubscribes from a relay.
pub async fn remove_relay(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: i64 = id
        .trim_end_matches('/')
        .parse()
        .map_err(|_| ApiError::not_found("Relay"))?;
    kinora_app::relays::remove(&state.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
