//! `POST /api/v1/users/token`: the OAuth password and refresh-token grants.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kinora_app::AppError;
use kinora_app::auth::{self, TokenPair};
use serde::Deserialize;
use serde_json::json;

use crate::extract::{ClientAddress, OAuthForm};
use crate::login_limiter::LoginKey;
use crate::{ApiError, ApiState};

/// The form fields of a token request (`response_type` and `scope` are accepted and ignored).
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

/// Issues a token pair in PeerTube's shape, with `Cache-Control: no-store`.
pub async fn issue_token(
    State(state): State<ApiState>,
    ClientAddress(address): ClientAddress,
    OAuthForm(request): OAuthForm<TokenRequest>,
) -> Result<Response, ApiError> {
    let (Some(client_id), Some(client_secret)) = (&request.client_id, &request.client_secret)
    else {
        return Err(ApiError::from(AppError::InvalidClient));
    };
    auth::check_client(&state.db, client_id, client_secret).await?;
    let pair = match request.grant_type.as_deref() {
        None => return Err(ApiError::invalid_request("Missing parameter: `grant_type`")),
        Some("password") => {
            let username = request
                .username
                .as_deref()
                .ok_or_else(|| ApiError::invalid_request("Missing parameter: `username`"))?;
            let password = request
                .password
                .as_deref()
                .ok_or_else(|| ApiError::invalid_request("Missing parameter: `password`"))?;
            let key = login_key(&state, username).await?;
            state
                .login_limiter
                .check(&state.db, &key, address)
                .await?
                .map_err(ApiError::too_many_requests)?;
            if password.len() > kinora_core::user::PASSWORD_MAX * 4 {
                return Err(ApiError::invalid_field("password", "is too long"));
            }
            auth::password_grant(&state.db, &state.auth, username, password)
                .await?
                .0
        }
        Some("refresh_token") => {
            let refresh_token = request
                .refresh_token
                .as_deref()
                .ok_or_else(|| ApiError::invalid_request("Missing parameter: `refresh_token`"))?;
            auth::refresh_grant(&state.db, &state.auth, refresh_token).await?
        }
        Some(_) => return Err(ApiError::from(AppError::UnsupportedGrantType)),
    };
    Ok(token_response(pair))
}

/// The per-account limiter key of a login: the account it names, by username or e-mail alike,
/// else the name itself.
async fn login_key(state: &ApiState, login: &str) -> Result<LoginKey, ApiError> {
    Ok(
        match kinora_db::users::find_by_login(state.db.pool(), login).await? {
            Some(user) => LoginKey::Account(user.id),
            None => LoginKey::unknown(login),
        },
    )
}

fn token_response(pair: TokenPair) -> Response {
    let body = Json(json!({
        "token_type": "Bearer",
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
        "refresh_token_expires_in": pair.refresh_token_expires_in,
    }));
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    (headers, body).into_response()
}
