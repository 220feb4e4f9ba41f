//! `GET /api/v1/oauth-clients/local`: the credentials of the instance's own OAuth client.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

use crate::{ApiError, ApiState};

/// Answers `{client_id, client_secret}`. As PeerTube does, refuses requests whose `Host` is not
/// the instance's public host (a client behind a rewriting proxy would get tokens for the
/// wrong audience).
pub async fn get_local_client(
    State(state): State<ApiState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if !host.eq_ignore_ascii_case(state.host()) {
        return Err(ApiError::forbidden(format!(
            "Getting client tokens for host {host} is forbidden"
        )));
    }
    let client = kinora_app::auth::local_client(&state.db).await?;
    Ok(Json(json!({
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    })))
}
