//! Which requests are for ActivityPub documents: a GET (or HEAD) of one of the read routes'
//! paths whose `Accept` prefers `application/activity+json` or `application/ld+json` (with
//! any profile) to HTML, as PeerTube decides it. Everything else is a page request.

use axum::http::{HeaderMap, Method, header};

/// The media types that ask for ActivityPub.
const ACTIVITYPUB_TYPES: [&str; 2] = ["application/activity+json", "application/ld+json"];
/// Longest `Accept` header read.
const MAX_ACCEPT: usize = 4096;

/// One media range of an `Accept` header.
struct Range<'a> {
    media_type: &'a str,
    quality: f32,
}

fn ranges(accept: &str) -> impl Iterator<Item = Range<'_>> {
    accept.split(',').filter_map(|range| {
        let mut parts = range.split(';');
        let media_type = parts.next()?.trim();
        if media_type.is_empty() {
            return None;
        }
        let mut quality: f32 = 1.0;
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                quality = value.trim().parse().unwrap_or(0.0);
            }
        }
        Some(Range {
            media_type,
            quality: if quality.is_finite() {
                quality.clamp(0.0, 1.0)
            } else {
                0.0
            },
        })
    })
}

/// How well a range matches HTML: 2 for `text/html`, 1 for `text/*`, 0 for `*/*`.
fn html_specificity(media_type: &str) -> Option<u8> {
    if media_type.eq_ignore_ascii_case("text/html") {
        Some(2)
    } else if media_type.eq_ignore_ascii_case("text/*") {
        Some(1)
    } else if media_type == "*/*" {
        Some(0)
    } else {
        None
    }
}

/// True when an `Accept` header prefers ActivityPub to HTML: an ActivityPub type named with a
/// quality above zero and at least that of the best HTML match (ties go to the range named
/// first; wildcards never ask for ActivityPub).
pub fn accepts_activitypub(accept: &str) -> bool {
    if accept.len() > MAX_ACCEPT {
        return false;
    }
    // (quality, specificity, position): higher quality wins, then the more specific range,
    // then the one named first.
    let mut best_ap: Option<(f32, u8, usize)> = None;
    let mut best_html: Option<(f32, u8, usize)> = None;
    for (position, range) in ranges(accept).enumerate() {
        let better = |best: Option<(f32, u8, usize)>, specificity: u8| match best {
            None => true,
            Some((quality, spec, _)) => {
                range.quality > quality || (range.quality == quality && specificity > spec)
            }
        };
        if ACTIVITYPUB_TYPES
            .iter()
            .any(|kind| range.media_type.eq_ignore_ascii_case(kind))
        {
            if better(best_ap, 2) {
                best_ap = Some((range.quality, 2, position));
            }
        } else if let Some(specificity) = html_specificity(range.media_type)
            && better(best_html, specificity)
        {
            best_html = Some((range.quality, specificity, position));
        }
    }
    match (best_ap, best_html) {
        (Some((quality, ..)), _) if quality <= 0.0 => false,
        (Some(_), None) => true,
        (Some((ap_quality, _, ap_position)), Some((html_quality, html_spec, html_position))) => {
            ap_quality > html_quality
                || (ap_quality == html_quality && (html_spec < 2 || ap_position < html_position))
        }
        (None, _) => false,
    }
}

/// True for the paths the read routes serve.
pub fn is_activitypub_path(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let named = |s: &str| !s.is_empty();
    match segments.as_slice() {
        ["accounts" | "video-channels", name] => named(name),
        [
            "accounts" | "video-channels",
            name,
            "outbox" | "followers" | "following",
        ] => named(name),
        ["videos", "watch", id] => named(id),
        [
            "videos",
            "watch",
            id,
            "comments" | "likes" | "dislikes" | "announces" | "chapters",
        ] => named(id),
        ["videos", "watch", id, "comments", comment] => named(id) && named(comment),
        ["video-playlists", id] => named(id),
        ["video-playlists", id, "videos", element] => named(id) && named(element),
        _ => false,
    }
}

/// True when a request is for an ActivityPub document rather than a page.
pub fn is_activitypub_request(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && is_activitypub_path(path)
        && headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(accepts_activitypub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activitypub_is_asked_for_by_name() {
        for accept in [
            "application/activity+json",
            "application/ld+json",
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
            "application/activity+json, application/ld+json",
            "application/activity+json, text/html",
            "text/html;q=0.9, application/activity+json",
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", */*;q=0.1",
            "APPLICATION/ACTIVITY+JSON",
        ] {
            assert!(accepts_activitypub(accept), "{accept}");
        }
        for accept in [
            "",
            "*/*",
            "text/html",
            "application/json",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html, application/activity+json",
            "application/activity+json;q=0",
            "text/html, application/activity+json;q=0.5",
            "application/activity+json;q=0.5, text/*",
        ] {
            assert!(!accepts_activitypub(accept), "{accept}");
        }
        assert!(!accepts_activitypub(
            &"application/activity+json,".repeat(1000)
        ));
    }

    #[test]
    fn only_the_read_routes_are_negotiated() {
        for path in [
            "/accounts/alice",
            "/accounts/alice/outbox",
            "/video-channels/c/followers",
            "/videos/watch/0a1b",
            "/videos/watch/0a1b/likes",
            "/videos/watch/0a1b/comments/7",
        ] {
            assert!(is_activitypub_path(path), "{path}");
        }
        for path in [
            "/",
            "/accounts",
            "/accounts/",
            "/accounts/alice/videos",
            "/videos/watch",
            "/videos/watch/x/comments/7/activity",
            "/api/v1/accounts/alice",
            "/w/abc",
        ] {
            assert!(!is_activitypub_path(path), "{path}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, "application/activity+json".parse().unwrap());
        assert!(is_activitypub_request(
            &Method::GET,
            "/accounts/a",
            &headers
        ));
        assert!(!is_activitypub_request(
            &Method::POST,
            "/accounts/a",
            &headers
        ));
        assert!(!is_activitypub_request(&Method::GET, "/a/a", &headers));
        assert!(!is_activitypub_request(
            &Method::GET,
            "/accounts/a",
            &HeaderMap::new()
        ));
    }
}
