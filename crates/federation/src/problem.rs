//! problem+json answers of the federation routes.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An `application/problem+json` answer with a stable `code`.
pub fn problem(status: StatusCode, code: &str, detail: &str) -> Response {
    let mut response = (
        status,
        Json(json!({
            "type": "about:blank",
            "status": status.as_u16(),
            "code": code,
            "detail": detail,
        })),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
