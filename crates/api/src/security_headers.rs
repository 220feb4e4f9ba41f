//! The headers that decide who may keep, reuse, sniff, run or frame what we answer, in one
//! place: media caching by who may see the video (ST-02), the wrapping of user-supplied bytes
//! served back (ST-01), and the Content-Security-Policy of the web front end's pages.
//!
//! A response answered after an access check carries the [`AccessChecked`] marker in its
//! extensions; the server's outermost layer then removes any `Access-Control-Allow-Origin`
//! that the CORS layer added, so no other origin (nor a shared cache) reuses it.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use kinora_db::videos::VideoRow;

use crate::{ApiError, ApiState};

/// Long caching of files that never change under their name.
const PUBLIC_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Files of a public video that may be regenerated (playlists).
const PUBLIC_SHORT: &str = "public, max-age=30";
/// Files of a video not everybody may see: the viewer's own browser only.
const PRIVATE_IMMUTABLE: &str = "private, max-age=31536000, immutable";
/// Playlists of a video not everybody may see.
const PRIVATE_SHORT: &str = "private, max-age=30";
/// Nothing keeps it (originals).
const NO_STORE: &str = "private, no-store";
/// A live's playlists and segments of a live anyone may see: kept, but asked again each time.
const PUBLIC_REVALIDATE: &str = "public, no-cache";
/// The same, of a live not everybody may see.
const PRIVATE_REVALIDATE: &str = "private, no-cache";

/// Marker (in a response's extensions) of an answer that depended on who asked: the server
/// strips the CORS wildcard from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessChecked;

/// How a media response may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaCache {
    /// A file of a video anyone may see (public or unlisted): shared caches may keep it.
    Public {
        /// The file never changes under its name.
        immutable: bool,
    },
    /// A file served after an access check: only the viewer's browser may keep it.
    Private {
        /// The file never changes under its name.
        immutable: bool,
    },
    /// Nothing may keep it (an original upload).
    NoStore,
    /// A live's file: it changes under its name (a playlist, or a segment number a permanent
    /// live's next broadcast uses again), so caches must ask again each time.
    Live {
        /// Anyone may see the live.
        public: bool,
    },
}

impl MediaCache {
    /// The policy for a file of `video`: public when an anonymous visitor may see the video,
    /// private otherwise.
    pub async fn of(state: &ApiState, video: &VideoRow, immutable: bool) -> Result<Self, ApiError> {
        Ok(
            if kinora_app::visibility::can_view(&state.db, video, None).await? {
                Self::Public { immutable }
            } else {
                Self::Private { immutable }
            },
        )
    }

    /// The `Cache-Control` value.
    pub fn cache_control(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Public { immutable: true } => PUBLIC_IMMUTABLE,
            Self::Public { immutable: false } => PUBLIC_SHORT,
            Self::Private { immutable: true } => PRIVATE_IMMUTABLE,
            Self::Private { immutable: false } => PRIVATE_SHORT,
            Self::NoStore => NO_STORE,
            Self::Live { public: true } => PUBLIC_REVALIDATE,
            Self::Live { public: false } => PRIVATE_REVALIDATE,
        })
    }

    /// Sets `Cache-Control` on `response` and, for anything but a public file, marks it
    /// [`AccessChecked`].
    pub fn apply(self, response: &mut Response) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, self.cache_control());
        if !matches!(self, Self::Public { .. } | Self::Live { public: true }) {
            response.extensions_mut().insert(AccessChecked);
        }
    }
}

/// Adds `Vary: Authorization` (the answer of a media route depends on who asks), keeping any
/// `Vary` already there.
pub fn vary_on_authorization(headers: &mut HeaderMap) {
    let existing = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>();
    if existing
        .iter()
        .any(|value| value.eq_ignore_ascii_case("authorization") || value == "*")
    {
        return;
    }
    let mut values = existing;
    values.push("Authorization".to_owned());
    if let Ok(value) = HeaderValue::from_str(&values.join(", ")) {
        headers.insert(header::VARY, value);
    }
}

/// How user-supplied bytes are handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserBytes {
    /// A download: saved, never shown inline (original files).
    Attachment,
    /// Shown inline by the page that asked for it (captions, avatars, banners).
    Inline,
}

/// The policy under which bytes a user uploaded are served back: a browser never sniffs them
/// into HTML, never runs anything in them, and a download is saved rather than opened.
pub const USER_BYTES_CSP: &str = "default-src 'none'; sandbox";

/// Sets the ST-01 headers on a response carrying bytes a user uploaded.
pub fn user_bytes(headers: &mut HeaderMap, disposition: UserBytes) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(USER_BYTES_CSP),
    );
    if disposition == UserBytes::Attachment {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
}

/// Which page a policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The app's pages: never framed.
    App,
    /// `/videos/embed/{id}`: framed by any site.
    Embed,
}

/// The Content-Security-Policy of the web front end's pages. Scripts and styles come only
/// from our own origin (the build has no inline script or style); the player needs `blob:`
/// for media (MSE) and hls.js' worker; media, images and connections may go to other
/// instances (remote videos, mirrors the player falls back to, the WebSocket tracker), over
/// `https:`/`wss:`, and over `http:`/`ws:` too when this instance itself is plain HTTP (a
/// development or test setup whose peers are plain HTTP as well).
pub fn page_csp(public_url: &str, kind: PageKind) -> HeaderValue {
    let remote = if public_url.starts_with("http://") {
        "https: wss: http: ws:"
    } else {
        "https: wss:"
    };
    let frame_ancestors = match kind {
        PageKind::App => "'none'",
        PageKind::Embed => "*",
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; \
         img-src 'self' data: blob: {remote}; media-src 'self' blob: {remote}; \
         connect-src 'self' {remote}; worker-src 'self' blob:; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// Sets a page's security headers: its policy, `nosniff`, and for app pages
/// `X-Frame-Options: DENY` (embeds stay frameable).
pub fn page(headers: &mut HeaderMap, public_url: &str, kind: PageKind) {
    headers.insert(header::CONTENT_SECURITY_POLICY, page_csp(public_url, kind));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    match kind {
        PageKind::App => {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        PageKind::Embed => {
            headers.remove(header::X_FRAME_OPTIONS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_keeps_what_is_there_and_adds_authorization_once() {
        let mut headers = HeaderMap::new();
        headers.insert(header::VARY, HeaderValue::from_static("Accept"));
        vary_on_authorization(&mut headers);
        vary_on_authorization(&mut headers);
        assert_eq!(headers[header::VARY], "Accept, Authorization");
    }

    #[test]
    fn embeds_may_be_framed_and_app_pages_not() {
        let app = page_csp("https://v.example", PageKind::App);
        let embed = page_csp("https://v.example", PageKind::Embed);
        assert!(app.to_str().unwrap().contains("frame-ancestors 'none'"));
        assert!(embed.to_str().unwrap().contains("frame-ancestors *"));
        assert!(!app.to_str().unwrap().contains("http:"));
        assert!(
            page_csp("http://localhost:9000", PageKind::App)
                .to_str()
                .unwrap()
                .contains("ws:")
        );
    }
}
