//! The web front end's pages: the built `web/dist` (its `index.html` for every page route, its
//! `embed.html` for `/videos/embed/{id}`, its `assets/`), with the `<title>`, OpenGraph and
//! Twitter player tags of a watch or embed page written into the HTML by the server, so link
//! previews and generic extractors see the video without running JavaScript.
//!
//! Every page carries a Content-Security-Policy the front end works under, `nosniff`, and
//! (except the embed, which other sites frame) `X-Frame-Options: DENY` with
//! `frame-ancestors 'none'` ([`crate::security_headers::page`]).
//!
//! A watch page is decided by the same visibility rule as the API: a video an anonymous visitor
//! may not see gets status 404 and no tags (the page's script may still show it to its owner,
//! who sends a token).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use tower_http::services::ServeDir;

mod playlist;

use crate::ApiState;
use crate::security_headers::{self, PageKind};

/// The marker in the front end's HTML files that the server replaces with the page's head tags.
pub const HEAD_MARKER: &str = "<!--kinora-head-->";

/// The `[web]` configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// The built front end (`npm run build` in `web/` writes `web/dist`); relative paths are
    /// taken from the working directory.
    pub root: PathBuf,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            root: PathBuf::from("web/dist"),
        }
    }
}

/// The front end's two HTML templates, read once at start.
#[derive(Debug, Clone)]
pub struct WebPages {
    root: PathBuf,
    index: Option<Arc<str>>,
    embed: Option<Arc<str>>,
}

impl WebPages {
    /// Reads `index.html` and `embed.html` from the configured root. A missing build is not an
    /// error: pages then answer 503 saying how to build it, and the API works as before.
    pub fn load(config: &WebConfig) -> Self {
        let read = |name: &str| -> Option<Arc<str>> {
            let text = std::fs::read_to_string(config.root.join(name)).ok()?;
            Some(Arc::from(text))
        };
        let pages = Self {
            root: config.root.clone(),
            index: read("index.html"),
            embed: read("embed.html"),
        };
        if pages.index.is_none() {
            tracing::warn!(root = %config.root.display(),
                "the web front end is not built (no index.html): pages answer 503; run `npm ci && npm run build` in web/");
        }
        pages
    }

    /// Whether the built front end was found.
    pub fn is_built(&self) -> bool {
        self.index.is_some()
    }

    /// Where the build is.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// The page routes.
pub fn router(state: ApiState) -> Router {
    let mut router = Router::new();
    for path in [
        "/",
        "/login",
        "/signup",
        "/reset-password",
        "/verify-account/email",
        "/verify-account/ask-send-email",
        "/videos/upload",
        "/videos/go-live",
        "/search",
        "/my-library/videos",
        "/my-library/subscriptions",
        "/my-library/history/videos",
        "/my-library/comments-on-my-videos",
        "/my-account/blocklist",
        "/my-account/abuses",
        "/my-account/settings",
        "/my-account/notifications",
        "/my-account/move",
        "/my-account/exports",
        "/admin/moderation",
        "/admin/moderation/{tab}",
        "/admin/relays",
        "/videos/manage/{id}",
        "/videos/trending",
        "/videos/recently-added",
        "/videos/local",
        "/about",
        "/about/instance",
        "/admin/config/edit-custom",
        "/c/{name}",
        "/c/{name}/videos",
        "/a/{name}",
        "/a/{name}/videos",
        "/videos/discover",
        "/remote-interaction",
        "/authorize_interaction",
    ] {
        router = router.route(path, get(app_page));
    }
    router
        .route("/accounts/{name}", get(account_page))
        .route("/video-channels/{name}", get(channel_page))
        .route("/w/{id}", get(watch_page))
        .route("/videos/watch/{id}", get(watch_page))
        .route("/videos/embed/{id}", get(embed_page))
        .route("/w/p/{id}", get(playlist::playlist_page))
        .route("/videos/watch/playlist/{id}", get(playlist::playlist_page))
        .route(
            "/video-playlists/embed/{id}",
            get(playlist::playlist_embed_page),
        )
        .route("/assets/{*path}", get(serve_asset))
        .with_state(state)
}

/// A page whose head is the same for every visitor.
async fn app_page(State(state): State<ApiState>, uri: axum::http::Uri) -> Response {
    let head = plain_head(&state, page_title(uri.path()));
    render(&state, PageKind::App, &head, StatusCode::OK)
}

/// The title of a page whose name does not depend on data (the front end sets the others).
fn page_title(path: &str) -> Option<&'static str> {
    Some(match path {
        "/about" | "/about/instance" => "About",
        "/admin/config/edit-custom" => "Settings",
        "/login" => "Log in",
        "/signup" => "Sign up",
        "/reset-password" => "Reset my password",
        "/verify-account/email" | "/verify-account/ask-send-email" => "Verify my e-mail address",
        "/search" => "Search",
        "/videos/upload" => "Upload",
        "/videos/go-live" => "Go live",
        "/videos/trending" => "Trending",
        "/videos/recently-added" => "Recently added",
        "/videos/local" => "Local videos",
        "/my-library/videos" => "My videos",
        "/my-library/subscriptions" => "Subscriptions",
        "/my-library/history/videos" => "My history",
        "/my-account/settings" => "My settings",
        "/my-account/notifications" => "Notifications",
        "/my-account/move" => "Move to another instance",
        "/my-account/exports" => "Archive of my data",
        _ => return None,
    })
}

/// A head with the title `<page> - <instance name>` (or the name alone) and the instance's
/// name for the front end (`application-name`), from the settings in force.
pub(crate) fn plain_head(state: &ApiState, page: Option<&str>) -> String {
    let name = state.instance.current().name.clone();
    let title = match page {
        Some(page) => format!("{page} - {name}"),
        None => name.clone(),
    };
    format!(
        "<title>{}</title>\n    {}",
        escape(&title),
        meta_name("application-name", &name)
    )
}

/// `/accounts/{name}` (an actor's id, opened in a browser): the account's page, `/a/{name}`.
async fn account_page(UrlPath(name): UrlPath<String>) -> Response {
    redirect_to_page("/a/", &name)
}

/// `/video-channels/{name}` (an actor's id, opened in a browser): the channel's page,
/// `/c/{name}`.
async fn channel_page(UrlPath(name): UrlPath<String>) -> Response {
    redirect_to_page("/c/", &name)
}

/// A redirect to `prefix` + `name`, the name percent-encoded as a path segment.
fn redirect_to_page(prefix: &str, name: &str) -> Response {
    let segment: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let mut response =
        axum::response::Redirect::to(&format!("{prefix}{}", segment.replace('+', "%20")))
            .into_response();
    vary_on_accept(&mut response);
    response
}

/// Marks a page whose URL also serves an ActivityPub document (chosen by `Accept`), so caches
/// keep the two apart.
fn vary_on_accept(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
}

async fn watch_page(State(state): State<ApiState>, UrlPath(id): UrlPath<String>) -> Response {
    let (head, status) = video_head(&state, &id).await;
    let mut response = render(&state, PageKind::App, &head, status);
    vary_on_accept(&mut response);
    response
}

async fn embed_page(State(state): State<ApiState>, UrlPath(id): UrlPath<String>) -> Response {
    let (head, status) = video_head(&state, &id).await;
    // Embeds are meant to be framed by other sites.
    render(&state, PageKind::Embed, &head, status)
}

async fn serve_asset(State(state): State<ApiState>, request: Request) -> Response {
    // The request path keeps its `/assets/` prefix: the directory served is the build's root.
    match ServeDir::new(&state.web.root).oneshot(request).await {
        Ok(response) => {
            let mut response = response.map(axum::body::Body::new);
            if response.status().is_success() {
                // Vite names assets by content hash.
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                );
            }
            response
        }
        Err(never) => match never {},
    }
}

/// The head tags of a watch or embed page, and its status: 404 with the bare title when the
/// video does not exist or an anonymous visitor may not see it.
async fn video_head(state: &ApiState, id: &str) -> (String, StatusCode) {
    let bare = plain_head(state, None);
    let video = match kinora_app::videos::find_video(&state.db, id).await {
        Ok(Some(video)) => video,
        Ok(None) => return (bare, StatusCode::NOT_FOUND),
        Err(error) => {
            tracing::error!(%error, "reading a video for its page failed");
            return (bare, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    match kinora_app::visibility::can_view(&state.db, &video, None).await {
        Ok(true) => {}
        Ok(false) => return (bare, StatusCode::NOT_FOUND),
        Err(error) => {
            tracing::error!(%error, "checking a video's visibility failed");
            return (bare, StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
    let preview = video.preview_file.as_deref().and_then(|file| {
        let name = kinora_app::GeneratedName::parse(file).ok()?;
        kinora_app::media::image_url(
            &state.storage,
            &video,
            &kinora_app::StorageKey::preview(&name),
            &state.public_url,
            &format!("/lazy-static/previews/{}", name.as_str()),
        )
        .ok()
    });
    let instance = state.instance.current();
    let card = VideoCard {
        site: &instance.name,
        title: &video.name,
        description: &summary(video.description.as_deref().unwrap_or("")),
        watch_url: &format!("{}/w/{}", state.public_url, video.short_uuid),
        embed_url: &format!("{}/videos/embed/{}", state.public_url, video.uuid),
        oembed_url: &format!(
            "{}/services/oembed?url={}",
            state.public_url,
            form_urlencoded::byte_serialize(
                format!("{}/w/{}", state.public_url, video.short_uuid).as_bytes()
            )
            .collect::<String>()
        ),
        preview_url: preview.as_deref(),
        duration: video.duration,
        unlisted: video.privacy != kinora_core::video::Privacy::Public.id(),
    };
    (card.head(), StatusCode::OK)
}

/// What a link preview shows of a video.
struct VideoCard<'a> {
    site: &'a str,
    title: &'a str,
    description: &'a str,
    watch_url: &'a str,
    embed_url: &'a str,
    oembed_url: &'a str,
    preview_url: Option<&'a str>,
    duration: i64,
    unlisted: bool,
}

impl VideoCard<'_> {
    /// The head tags, every value escaped.
    fn head(&self) -> String {
        let mut tags = vec![
            format!(
                "<title>{} - {}</title>",
                escape(self.title),
                escape(self.site)
            ),
            meta_name("description", self.description),
            meta_name("application-name", self.site),
            // PeerTube's marker: link previews and generic extractors recognise the page by it.
            meta_property("og:platform", "PeerTube"),
            meta_property("og:type", "video"),
            meta_property("og:site_name", self.site),
            meta_property("og:title", self.title),
            meta_property("og:description", self.description),
            meta_property("og:url", self.watch_url),
            meta_property("og:video:url", self.embed_url),
            meta_property("og:video:secure_url", self.embed_url),
            meta_property("og:video:type", "text/html"),
            meta_property("og:video:width", "1280"),
            meta_property("og:video:height", "720"),
            meta_property("video:duration", &self.duration.to_string()),
            meta_name("twitter:card", "player"),
            meta_name("twitter:title", self.title),
            meta_name("twitter:description", self.description),
            meta_name("twitter:player", self.embed_url),
            meta_name("twitter:player:width", "1280"),
            meta_name("twitter:player:height", "720"),
            format!(
                r#"<link rel="canonical" href="{}">"#,
                escape(self.watch_url)
            ),
            format!(
                r#"<link rel="alternate" type="application/json+oembed" href="{}" title="{}">"#,
                escape(self.oembed_url),
                escape(self.title)
            ),
        ];
        if let Some(preview) = self.preview_url {
            tags.push(meta_property("og:image", preview));
            tags.push(meta_property("og:image:width", "850"));
            tags.push(meta_property("og:image:height", "480"));
            tags.push(meta_name("twitter:image", preview));
        }
        if self.unlisted {
            tags.push(meta_name("robots", "noindex"));
        }
        tags.join("\n    ")
    }
}

fn meta_property(property: &str, content: &str) -> String {
    format!(
        r#"<meta property="{property}" content="{}">"#,
        escape(content)
    )
}

fn meta_name(name: &str, content: &str) -> String {
    format!(r#"<meta name="{name}" content="{}">"#, escape(content))
}

/// The first 200 characters of a description, on one line.
fn summary(description: &str) -> String {
    let line = description.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 {
        let mut short: String = line.chars().take(197).collect();
        short.push_str("...");
        short
    } else {
        line
    }
}

/// Escapes text for an HTML text node or a double-quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

/// The page's template with its marker replaced, or 503 when the front end is not built; with
/// the page's security headers either way.
pub(crate) fn render(state: &ApiState, kind: PageKind, head: &str, status: StatusCode) -> Response {
    let template = match kind {
        PageKind::App => state.web.index.as_deref(),
        PageKind::Embed => state.web.embed.as_deref(),
    };
    let mut response = fill(template, head, status);
    security_headers::page(response.headers_mut(), &state.public_url, kind);
    response
}

/// The template with its marker replaced, or 503 when the front end is not built.
fn fill(template: Option<&str>, head: &str, status: StatusCode) -> Response {
    let Some(template) = template else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(
                "<!doctype html><title>Kinora</title><p>The web front end is not built. \
                 Run <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code> \
                 (or <code>./scripts/run</code>), then restart the server. The API works.</p>"
                    .to_owned(),
            ),
        )
            .into_response();
    };
    let page = template.replacen(HEAD_MARKER, head, 1);
    let mut response = (status, Html(page)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_tags_escape_every_value() {
        let card = VideoCard {
            site: "Site <b>",
            title: r#""><script>alert(1)</script>"#,
            description: "a & b",
            watch_url: "http://h/w/x",
            embed_url: "http://h/videos/embed/u",
            oembed_url: "http://h/services/oembed?url=a&b",
            preview_url: Some("http://h/p.jpg"),
            duration: 5,
            unlisted: false,
        };
        let head = card.head();
        assert!(!head.contains("<script>"), "{head}");
        assert!(!head.contains(r#""><"#), "{head}");
        assert!(head.contains(r#"<meta property="og:platform" content="PeerTube">"#));
        assert!(head.contains("a &amp; b"));
        assert!(head.contains(r#"<meta name="twitter:card" content="player">"#));
        assert!(!head.contains("noindex"));
    }

    #[test]
    fn summaries_are_one_short_line() {
        assert_eq!(summary("a\n\nb   c"), "a b c");
        let long = "x".repeat(300);
        assert_eq!(summary(&long).chars().count(), 200);
    }
}
