//! The outermost response layer: every answer gets `X-Content-Type-Options: nosniff`, and an
//! answer the API marked [`kinora_api::security_headers::AccessChecked`] (media of a video
//! not everybody may see, originals) loses the CORS layer's `Access-Control-Allow-Origin`, so
//! no other origin can read it with the viewer's credentials nor a shared cache reuse it.
//! Which headers each kind of answer carries is decided in `kinora_api::security_headers`.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use kinora_api::security_headers::AccessChecked;

/// Applies the rules above to each response.
pub async fn apply(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let access_checked = response.extensions().get::<AccessChecked>().is_some();
    let headers = response.headers_mut();
    if access_checked {
        headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
        headers.remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
    }
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    response
}
