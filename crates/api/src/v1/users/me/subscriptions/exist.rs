//! `GET /api/v1/users/me/subscriptions/exist?uris=a@host&uris=b@host`: which handles the caller
//! follows, `{"a@host": true, "b@host": false}`. Remote handles are never followed yet.

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Map, Value};

use super::channel_handle;
use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Most handles one request may ask about.
const MAX_URIS: usize = 100;

/// Answers the map.
pub async fn subscriptions_exist(
    State(state): State<ApiState>,
    Auth(user): Auth,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = query.unwrap_or_default();
    let uris: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == "uris" || key == "uris[]")
        .map(|(_, value)| value.into_owned())
        .collect();
    if uris.is_empty() {
        return Err(ApiError::invalid_field("uris", "is required"));
    }
    if uris.len() > MAX_URIS {
        return Err(ApiError::invalid_field(
            "uris",
            format!("at most {MAX_URIS} handles"),
        ));
    }
    let mut handles = Vec::with_capacity(uris.len());
    for uri in &uris {
        handles.push(Some(channel_handle(&state, uri)?));
    }
    let answers = kinora_app::subscriptions::which_subscribed(&state.db, &user, &handles).await?;
    let map: Map<String, Value> = uris
        .into_iter()
        .zip(answers)
        .map(|(uri, followed)| (uri, Value::Bool(followed)))
        .collect();
    Ok(Json(Value::Object(map)))
}
