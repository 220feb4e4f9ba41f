//! The ActivityPub read routes: actors and their outbox, followers and following
//! collections ([`actors`]), videos, comments and a video's comments, likes, dislikes and
//! announces ([`videos`]), playlists and their elements ([`playlists`]). Answers are `application/activity+json`; errors problem+json.
//!
//! These paths are also pages for browsers: the server sends a request here only when
//! [`is_activitypub_request`] says it asks for ActivityPub (one negotiation, in the server).
//! Private and internal videos and their comments answer 404 (the one visibility rule, for an
//! anonymous viewer); a remote video, comment or actor answers a redirect to its origin.

pub mod actors;
pub mod negotiation;
pub mod playlists;
pub mod videos;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kinora_app::MediaStorage;
use kinora_db::Db;
use serde_json::{Value, json};

pub use negotiation::{accepts_activitypub, is_activitypub_path, is_activitypub_request};

use crate::FederationError;
use crate::protocol::collections::Page;
use crate::urls::LocalUrls;

/// The Content-Type of every document served.
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// What the read routes read.
#[derive(Clone)]
pub struct FederationState {
    /// The database.
    pub db: Db,
    /// This instance's URLs.
    pub urls: LocalUrls,
    /// Where video files are (for their URLs).
    pub storage: Arc<MediaStorage>,
}

/// The read routes.
pub fn router(state: FederationState) -> Router {
    Router::new()
        .route("/accounts/{name}", get(actors::account))
        .route(
            "/accounts/{name}/{collection}",
            get(actors::account_collection),
        )
        .route("/video-channels/{name}", get(actors::channel))
        .route(
            "/video-channels/{name}/{collection}",
            get(actors::channel_collection),
        )
        .route("/videos/watch/{id}", get(videos::video))
        .route(
            "/videos/watch/{id}/{collection}",
            get(videos::video_collection),
        )
        .route(
            "/videos/watch/{id}/comments/{comment}",
            get(videos::comment),
        )
        .route("/video-playlists/{id}", get(playlists::playlist))
        .route(
            "/video-playlists/{id}/videos/{element}",
            get(playlists::element),
        )
        .fallback(|| async { RouteError::NotFound("Document") })
        .with_state(state)
}

/// Why a read route did not answer a document.
#[derive(Debug)]
pub enum RouteError {
    /// Nothing (visible) there.
    NotFound(&'static str),
    /// The request is malformed.
    BadRequest(&'static str),
    /// It lives elsewhere: a redirect to its id.
    Elsewhere(String),
    /// Something failed here.
    Internal(FederationError),
}

impl From<FederationError> for RouteError {
    fn from(error: FederationError) -> Self {
        RouteError::Internal(error)
    }
}

impl From<kinora_db::DbError> for RouteError {
    fn from(error: kinora_db::DbError) -> Self {
        RouteError::Internal(error.into())
    }
}

impl From<kinora_app::AppError> for RouteError {
    fn from(error: kinora_app::AppError) -> Self {
        RouteError::Internal(error.into())
    }
}

fn problem(status: StatusCode, code: &str, detail: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({
            "type": "about:blank",
            "title": status.canonical_reason(),
            "status": status.as_u16(),
            "detail": detail,
            "code": code,
        })),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        let mut response = match self {
            RouteError::NotFound(what) => problem(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("{what} not found."),
            ),
            RouteError::BadRequest(detail) => {
                problem(StatusCode::BAD_REQUEST, "bad_request", detail)
            }
            RouteError::Elsewhere(url) => Redirect::to(&url).into_response(),
            RouteError::Internal(error) => {
                tracing::error!(%error, "ActivityPub read route failed");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "The server failed.",
                )
            }
        };
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept"));
        response
    }
}

/// A document as `application/activity+json`.
pub struct Document(pub Value);

impl IntoResponse for Document {
    fn into_response(self) -> Response {
        let mut response = axum::Json(self.0).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(ACTIVITY_JSON),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Accept"));
        response
    }
}

/// What a read route answers.
pub type RouteResult = Result<Document, RouteError>;

/// The page a query string asks for (`?page=N`); other parameters are ignored.
pub(crate) fn page_of(query: Option<&str>) -> Result<Page, RouteError> {
    let value = query.and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "page")
            .map(|(_, value)| value.into_owned())
    });
    Page::parse(value.as_deref()).ok_or(RouteError::BadRequest(
        "page must be an integer from 1 to 100000",
    ))
}
