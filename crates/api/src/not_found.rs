//! What a path no route matches answers: people following a link get the front end's page with
//! status 404 (its script shows "Page not found"); programs get problem+json. JSON is answered
//! under `/api/`, for the machine-facing paths (media, ActivityPub, discovery, feeds, the
//! tracker, operations), for methods other than GET and HEAD, and when the request asks for
//! JSON rather than HTML.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::security_headers::PageKind;
use crate::{ApiError, ApiState, pages};

/// Path prefixes whose unknown paths answer problem+json.
const MACHINE_PREFIXES: &[&str] = &[
    "/api/",
    "/static/",
    "/lazy-static/",
    "/download/",
    "/.well-known/",
    "/nodeinfo/",
    "/feeds/",
    "/services/",
    "/tracker/",
    "/assets/",
    "/inbox",
    "/accounts/",
    "/video-channels/",
    "/videos/watch/",
    "/videos/embed/",
    "/metrics",
    "/healthz",
    "/readyz",
];

/// The head marker of the not-found page, so tests tell "no such route" from a page that
/// exists but shows a missing object (a watch page of a deleted video).
pub const UNROUTED_MARKER: &str = r#"<meta name="kinora:route" content="none">"#;

/// Answers a request no route matched.
pub async fn answer_unknown_path(state: ApiState, request: Request) -> Response {
    if wants_page(request.method(), request.uri().path(), request.headers()) {
        if !state.web.is_built() {
            return bare_page(&state);
        }
        let head = format!(
            "{}\n    {UNROUTED_MARKER}\n    <meta name=\"robots\" content=\"noindex\">",
            pages::plain_head(&state, Some("Page not found"))
        );
        pages::render(&state, PageKind::App, &head, StatusCode::NOT_FOUND)
    } else {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No route matches this path.",
        )
        .into_response()
    }
}

/// The not-found page when the front end is not built: still status 404 and HTML.
fn bare_page(state: &ApiState) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{}\n{UNROUTED_MARKER}</head>\
         <body><h1>Page not found</h1><p>Nothing lives at this address. \
         <a href=\"/\">Back to the home page</a>.</p></body></html>",
        pages::plain_head(state, Some("Page not found"))
    );
    let mut response = (StatusCode::NOT_FOUND, Html(page)).into_response();
    crate::security_headers::page(response.headers_mut(), &state.public_url, PageKind::App);
    response
}

/// Whether an unknown path is answered with the HTML page rather than problem+json.
pub fn wants_page(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    if path == "/api"
        || MACHINE_PREFIXES
            .iter()
            .any(|prefix| path.starts_with(prefix))
    {
        return false;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    !accept.contains("json") || accept.contains("text/html")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        headers
    }

    #[test]
    fn pages_for_people_and_json_for_programs() {
        let browser = accept("text/html,application/xhtml+xml,*/*;q=0.8");
        assert!(wants_page(&Method::GET, "/no-such-page", &browser));
        assert!(wants_page(
            &Method::GET,
            "/about/nothing",
            &HeaderMap::new()
        ));
        assert!(wants_page(&Method::HEAD, "/x/y/z", &accept("*/*")));
        assert!(!wants_page(&Method::POST, "/no-such-page", &browser));
        assert!(!wants_page(
            &Method::GET,
            "/no-such-page",
            &accept("application/json")
        ));
        assert!(!wants_page(
            &Method::GET,
            "/x",
            &accept("application/activity+json")
        ));
        for path in [
            "/api",
            "/api/v1/nothing",
            "/static/streaming-playlists/hls/x",
            "/lazy-static/previews/x.jpg",
            "/.well-known/nothing",
            "/accounts/bob/nothing",
            "/feeds/nothing",
            "/tracker/nothing",
        ] {
            assert!(!wants_page(&Method::GET, path, &browser), "{path}");
        }
    }
}
