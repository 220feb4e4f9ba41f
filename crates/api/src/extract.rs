//! Request extractors that answer bad input with problem+json: bearer authentication, JSON or
//! form bodies whose errors name the offending field, and the client's address.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header, request::Parts};
use kinora_app::auth::{self, AuthenticatedUser};
use serde::de::DeserializeOwned;

use crate::{ApiError, ApiState};

/// The authenticated caller. Missing credentials answer 401 `unauthorized_request`, a
/// malformed header 400 `invalid_request`, a bad token 401 `invalid_token`.
#[derive(Debug, Clone)]
pub struct Auth(pub AuthenticatedUser);

impl FromRequestParts<ApiState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized());
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|text| text.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| {
                !token.is_empty()
                    && token.len() <= 512
                    && token
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
            })
            .ok_or_else(|| ApiError::invalid_request("Token is invalid"))?;
        let user = auth::authenticate(&state.db, token).await?;
        Ok(Auth(user))
    }
}

/// The caller when a token is sent; `None` without an `Authorization` header.
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<AuthenticatedUser>);

impl FromRequestParts<ApiState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            Ok(MaybeAuth(Some(
                Auth::from_request_parts(parts, state).await?.0,
            )))
        } else {
            Ok(MaybeAuth(None))
        }
    }
}

/// What kind of body a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => BodyKind::Json,
        "application/x-www-form-urlencoded" => BodyKind::Form,
        _ if essence.ends_with("+json") => BodyKind::Json,
        _ => BodyKind::Other,
    }
}

async fn read_body(request: Request, state: &ApiState) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    status,
                    "payload_too_large",
                    "The request body is too large.",
                )
            } else {
                ApiError::new(status, "bad_request", rejection.body_text())
            }
        })
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." || inner.is_syntax() || inner.is_eof() {
            match missing_field(&inner.to_string()) {
                Some(field) => ApiError::invalid_field(&field, "is required"),
                None => ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_body",
                    format!("The JSON body is malformed: {inner}"),
                ),
            }
        } else {
            ApiError::invalid_field(&path, strip_position(&inner.to_string()))
        }
    })
}

fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        match missing_field(&message) {
            Some(field) => ApiError::invalid_field(&field, "is required"),
            None if path != "." => ApiError::invalid_field(&path, message),
            None => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                format!("The form body is malformed: {message}"),
            ),
        }
    })
}

/// serde names a missing field only in its message: "missing field `name`".
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// A body sent as JSON or as a URL-encoded form (PeerTube accepts both on most writes).
#[derive(Debug, Clone)]
pub struct JsonOrForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<ApiState> for JsonOrForm<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &ApiState) -> Result<Self, ApiError> {
        let kind = body_kind(&request);
        let bytes = read_body(request, state).await?;
        match kind {
            BodyKind::Json => parse_json(&bytes).map(JsonOrForm),
            BodyKind::Form => parse_form(&bytes).map(JsonOrForm),
            BodyKind::Other if bytes.is_empty() => parse_json(b"{}").map(JsonOrForm),
            BodyKind::Other => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as application/json or application/x-www-form-urlencoded.",
            )),
        }
    }
}

/// A body of text fields sent as JSON, a URL-encoded form or `multipart/form-data` (PeerTube
/// documents some writes as multipart although they carry no file). Multipart fields are read
/// as strings; a part that is a file is refused.
#[derive(Debug, Clone)]
pub struct TextFields<T>(pub T);

impl<T: DeserializeOwned> FromRequest<ApiState> for TextFields<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &ApiState) -> Result<Self, ApiError> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !multipart {
            return JsonOrForm::from_request(request, state)
                .await
                .map(|JsonOrForm(body)| TextFields(body));
        }
        let malformed =
            |text: String| ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", text);
        let mut parts = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|error| malformed(error.body_text()))?;
        let mut fields = serde_json::Map::new();
        while let Some(field) = parts
            .next_field()
            .await
            .map_err(|error| malformed(error.body_text()))?
        {
            let name = field.name().unwrap_or("").to_owned();
            if field.file_name().is_some() {
                return Err(ApiError::invalid_field(&name, "must be text, not a file"));
            }
            let text = field
                .text()
                .await
                .map_err(|error| malformed(error.body_text()))?;
            fields.insert(name, serde_json::Value::String(text));
        }
        serde_json::from_value(serde_json::Value::Object(fields))
            .map(TextFields)
            .map_err(|error| ApiError::invalid_field("body", strip_position(&error.to_string())))
    }
}

/// A URL-encoded form body; anything else is OAuth's `invalid_request`.
#[derive(Debug, Clone)]
pub struct OAuthForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<ApiState> for OAuthForm<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &ApiState) -> Result<Self, ApiError> {
        if body_kind(&request) != BodyKind::Form {
            return Err(ApiError::invalid_request(
                "Invalid request: content must be application/x-www-form-urlencoded",
            ));
        }
        let bytes = read_body(request, state).await?;
        parse_form(&bytes).map(OAuthForm)
    }
}

/// The client's address: the peer, or for a trusted reverse proxy the last address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<ApiState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        Ok(ClientAddress(request_client_address(
            &parts.headers,
            &parts.extensions,
            &state.trusted_proxies,
        )))
    }
}

/// The client's address of a request (its connection's peer, or what a trusted proxy says in
/// `X-Forwarded-For`), for routes outside the API's state such as the trackers.
pub fn request_client_address(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    trusted: &[kinora_core::network::AddressRange],
) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok());
    client_address(peer, forwarded, trusted)
}

/// Walks `X-Forwarded-For` from the right while hops are trusted proxies.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[kinora_core::network::AddressRange],
) -> Option<IpAddr> {
    let mut current = peer?;
    if let Some(list) = forwarded_for {
        for hop in list.rsplit(',') {
            if !kinora_core::network::AddressRange::any_contains(trusted, current) {
                break;
            }
            match hop.trim().parse::<IpAddr>() {
                Ok(address) => current = address,
                Err(_) => break,
            }
        }
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let forged = Some("1.2.3.4, 203.0.113.9");
        assert_eq!(
            client_address(Some(client), forged, &[proxy.into()]),
            Some(client)
        );
        assert_eq!(
            client_address(Some(proxy), forged, &[proxy.into()]),
            Some(client)
        );
        assert_eq!(
            client_address(Some(proxy), Some("garbage"), &[proxy.into()]),
            Some(proxy)
        );
        assert_eq!(client_address(None, forged, &[proxy.into()]), None);
    }

    #[test]
    fn a_trusted_network_vouches_for_every_proxy_in_it() {
        let network: kinora_core::network::AddressRange = "10.89.0.0/24".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let proxy: IpAddr = "10.89.0.7".parse().unwrap();
        let outsider: IpAddr = "10.89.1.7".parse().unwrap();
        let forwarded = Some("203.0.113.9");
        assert_eq!(
            client_address(Some(proxy), forwarded, &[network]),
            Some(client)
        );
        assert_eq!(
            client_address(Some(outsider), forwarded, &[network]),
            Some(outsider)
        );
    }

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(
            missing_field("missing field `displayName`").as_deref(),
            Some("displayName")
        );
        assert_eq!(missing_field("other"), None);
    }
}
