//! GETs: ActivityPub objects ([`OutboundClient::fetch_object`]) and files
//! ([`OutboundClient::download`]).

use http::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method};
use serde_json::Value;
use tokio::io::AsyncWrite;
use url::Url;

use super::body::read_capped;
use super::{ClientError, OutboundClient, within};
use crate::json::{JsonLimits, parse_activity_json};
use crate::signatures::RequestSigner;

/// The `Accept` of ActivityPub fetches.
pub const ACTIVITY_ACCEPT: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// The ActivityStreams profile that makes `application/ld+json` an ActivityPub type.
const ACTIVITY_STREAMS_PROFILE: &str = "https://www.w3.org/ns/activitystreams";

/// An object fetched from a remote host. Authority comes from `final_url`, the URL the object
/// was actually served from after redirects, never from what the object says (ID-01).
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// Where the object was served from.
    pub final_url: Url,
    /// The object, parsed under [`JsonLimits`] (a JSON object whose `id`, when present, is on
    /// the origin of `final_url`).
    pub object: Value,
}

impl OutboundClient {
    /// GETs an ActivityPub object, signed by `signer` when given (authorized fetch): Accept
    /// [`ACTIVITY_ACCEPT`]; the Content-Type must be an ActivityPub one (ID-03); the body is
    /// capped at `max_object_bytes` after decompression (DOS-01); redirects are re-checked
    /// (at most `max_redirects`, SSRF-03); everything within `total_timeout`. The object must
    /// be a JSON object and its `id`, when it has one, on the origin of the final URL (ID-01).
    pub async fn fetch_object(
        &self,
        url: &Url,
        signer: Option<&RequestSigner>,
    ) -> Result<Fetched, ClientError> {
        within(
            self.inner.config.total_timeout,
            self.fetch_object_now(url, signer),
        )
        .await
    }

    async fn fetch_object_now(
        &self,
        url: &Url,
        signer: Option<&RequestSigner>,
    ) -> Result<Fetched, ClientError> {
        let config = &self.inner.config;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(ACTIVITY_ACCEPT));
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let (response, final_url) = self
            .send(
                Method::GET,
                url,
                &headers,
                None,
                signer,
                Some(config.max_redirects),
            )
            .await?;
        check_success(&response)?;
        let content_type = content_type(response.headers());
        if !is_activity_content_type(&content_type) {
            return Err(ClientError::BadContentType(content_type));
        }
        let mut bytes = Vec::new();
        read_capped(response, config.max_object_bytes, &mut bytes).await?;
        let limits = JsonLimits {
            max_bytes: usize::try_from(config.max_object_bytes).unwrap_or(usize::MAX),
            ..JsonLimits::default()
        };
        let object = parse_activity_json(&bytes, &limits)?;
        check_id_origin(&object, &final_url)?;
        Ok(Fetched { final_url, object })
    }

    /// GETs a file (media to mirror, an image) into `sink`: at most `max_bytes` (after
    /// decompression, should a server compress it), only when its Content-Type is in `accept`
    /// (`type/subtype`, `type/*` or `*/*`; an empty list accepts nothing). Redirects as
    /// [`Self::fetch_object`]; everything within `download_timeout`. Returns the bytes
    /// written; after an error `sink` may hold part of the file and must be discarded.
    pub async fn download(
        &self,
        url: &Url,
        max_bytes: u64,
        accept: &[&str],
        sink: &mut (impl AsyncWrite + Unpin),
    ) -> Result<u64, ClientError> {
        let download = self.download_now(url, max_bytes, accept, sink);
        within(self.inner.config.download_timeout, download).await
    }

    async fn download_now(
        &self,
        url: &Url,
        max_bytes: u64,
        accept: &[&str],
        sink: &mut (impl AsyncWrite + Unpin),
    ) -> Result<u64, ClientError> {
        let mut headers = HeaderMap::new();
        let accept_header = HeaderValue::from_str(&accept.join(", "))
            .map_err(|_| ClientError::BadContentType(accept.join(", ")))?;
        headers.insert(ACCEPT, accept_header);
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        let max_redirects = self.inner.config.max_redirects;
        let (response, _) = self
            .send(Method::GET, url, &headers, None, None, Some(max_redirects))
            .await?;
        check_success(&response)?;
        let content_type = content_type(response.headers());
        let media_type = media_type(&content_type);
        if !accept
            .iter()
            .any(|pattern| media_type_matches(pattern, &media_type))
        {
            return Err(ClientError::BadContentType(content_type));
        }
        read_capped(response, max_bytes, sink).await
    }
}

/// Whether a Content-Type names an ActivityPub document: `application/activity+json`, or
/// `application/ld+json` with the ActivityStreams profile (parameters such as `charset` are
/// ignored). `application/json`, `text/*` and the rest are refused (ID-03).
pub fn is_activity_content_type(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    match media.as_str() {
        "application/activity+json" => true,
        "application/ld+json" => parts.any(|parameter| {
            let Some((name, value)) = parameter.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("profile")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|profile| profile == ACTIVITY_STREAMS_PROFILE)
        }),
        _ => false,
    }
}

fn check_success(response: &reqwest::Response) -> Result<(), ClientError> {
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(ClientError::Status(status.as_u16()))
    }
}

/// The Content-Type header as text, empty when absent or unreadable.
fn content_type(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `type/subtype` of a Content-Type, lower-cased, without parameters.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn media_type_matches(pattern: &str, media_type: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    if media_type.is_empty() {
        return false;
    }
    match pattern.strip_suffix("/*") {
        Some("*") => true,
        Some(kind) => media_type
            .split_once('/')
            .is_some_and(|(media_kind, _)| media_kind == kind),
        None => pattern == media_type,
    }
}

/// The object must be a JSON object whose `id`, when present, is a URL on the origin (scheme,
/// host, port) of `final_url`.
fn check_id_origin(object: &Value, final_url: &Url) -> Result<(), ClientError> {
    let Some(fields) = object.as_object() else {
        return Err(ClientError::NotAnObject);
    };
    let Some(id) = fields.get("id") else {
        return Ok(());
    };
    let foreign = || ClientError::ForeignId {
        id: id.as_str().map_or_else(|| id.to_string(), str::to_owned),
        final_url: final_url.clone(),
    };
    let id_url = id
        .as_str()
        .and_then(|text| Url::parse(text).ok())
        .ok_or_else(foreign)?;
    if id_url.origin() == final_url.origin() {
        Ok(())
    } else {
        Err(foreign())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_patterns() {
        assert!(media_type_matches("video/mp4", "video/mp4"));
        assert!(media_type_matches("VIDEO/*", "video/webm"));
        assert!(media_type_matches("*/*", "text/plain"));
        assert!(!media_type_matches("video/*", "text/html"));
        assert!(!media_type_matches("video/mp4", "video/mp4x"));
        assert!(!media_type_matches("*/*", ""));
        assert_eq!(media_type("Video/MP4; codecs=avc1"), "video/mp4");
    }
}
