//! The JSON-LD contexts a Linked Data signature may name, bundled: ActivityStreams, security v1
//! (what PeerTube's and Mastodon's activities name) and identity v1 (what Mastodon hashes the
//! signature options with). Nothing is ever fetched: any other remote context makes the
//! signature unverifiable.
//!
//! Also the terms outside those contexts that the inbox reads from a signed activity, with the
//! IRIs they must stand for (PeerTube's `pt:`/`sc:` terms as `protocol::context` writes them,
//! and Mastodon's common extensions): [`trusted_term`].

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::protocol::context::{ContextType, context};

/// ActivityStreams 2.0.
pub const ACTIVITYSTREAMS: &str = "https://www.w3.org/ns/activitystreams";
/// Security vocabulary v1.
pub const SECURITY_V1: &str = "https://w3id.org/security/v1";
/// Identity v1 (the context of Mastodon's signature options).
pub const IDENTITY_V1: &str = "https://w3id.org/identity/v1";

const ACTIVITYSTREAMS_DOC: &str = include_str!("contexts/activitystreams.jsonld");
const SECURITY_V1_DOC: &str = include_str!("contexts/security-v1.jsonld");
const IDENTITY_V1_DOC: &str = include_str!("contexts/identity-v1.jsonld");

/// The bundled document of a context URL (`http`/`https`, with or without a trailing `#`/`.jsonld`
/// as servers write them), or none.
pub fn document(url: &str) -> Option<&'static str> {
    match normalize(url)?.as_str() {
        ACTIVITYSTREAMS => Some(ACTIVITYSTREAMS_DOC),
        SECURITY_V1 => Some(SECURITY_V1_DOC),
        IDENTITY_V1 => Some(IDENTITY_V1_DOC),
        _ => None,
    }
}

fn normalize(url: &str) -> Option<String> {
    let url = url.trim_end_matches('#');
    let url = url.strip_suffix(".jsonld").unwrap_or(url);
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    Some(format!("https://{rest}"))
}

/// The term definitions of a bundled context, by URL.
pub(super) fn terms(url: &str) -> Option<&'static Map<String, Value>> {
    static PARSED: LazyLock<HashMap<&'static str, Map<String, Value>>> = LazyLock::new(|| {
        [
            (ACTIVITYSTREAMS, ACTIVITYSTREAMS_DOC),
            (SECURITY_V1, SECURITY_V1_DOC),
            (IDENTITY_V1, IDENTITY_V1_DOC),
        ]
        .into_iter()
        .map(|(url, text)| {
            let mut document: Value = serde_json::from_str(text).expect("bundled context");
            let Some(Value::Object(terms)) = document.get_mut("@context").map(Value::take) else {
                panic!("bundled context {url} has no @context object");
            };
            (url, terms)
        })
        .collect()
    });
    let url = normalize(url)?;
    PARSED
        .iter()
        .find(|(known, _)| **known == url)
        .map(|(_, terms)| terms)
}

/// Terms an inline context may define that the inbox reads, with the IRIs they may stand for.
static TRUSTED_TERMS: LazyLock<HashMap<String, HashSet<String>>> = LazyLock::new(|| {
    let mut trusted: HashMap<String, HashSet<String>> = HashMap::new();
    let kinds = [
        ContextType::Video,
        ContextType::Actor,
        ContextType::Comment,
        ContextType::View,
        ContextType::CacheFile,
        ContextType::Playlist,
    ];
    for kind in kinds {
        let Value::Array(entries) = context(kind) else {
            continue;
        };
        for entry in entries {
            let Value::Object(inline) = entry else {
                continue;
            };
            let mut prefixes = terms(ACTIVITYSTREAMS).cloned().unwrap_or_default();
            prefixes.extend(inline.clone());
            for (term, definition) in &inline {
                if let Some(iri) = definition_iri(definition, &prefixes) {
                    trusted.entry(term.clone()).or_default().insert(iri);
                }
            }
        }
    }
    // PeerTube's terms newer than the ones Kinora writes, and Mastodon's (and Misskey's,
    // Pleroma's) extensions of ActivityStreams.
    let extensions = [
        ("schedules", "http://schema.org/eventSchedule"),
        ("startDate", "http://schema.org/startDate"),
        ("endDate", "http://schema.org/endDate"),
        (
            "manuallyApprovesFollowers",
            "https://www.w3.org/ns/activitystreams#manuallyApprovesFollowers",
        ),
        (
            "sensitive",
            "https://www.w3.org/ns/activitystreams#sensitive",
        ),
        ("movedTo", "https://www.w3.org/ns/activitystreams#movedTo"),
        ("Hashtag", "https://www.w3.org/ns/activitystreams#Hashtag"),
        ("quoteUrl", "https://www.w3.org/ns/activitystreams#quoteUrl"),
        ("toot", "http://joinmastodon.org/ns#"),
        ("Emoji", "http://joinmastodon.org/ns#Emoji"),
        ("featured", "http://joinmastodon.org/ns#featured"),
        ("featuredTags", "http://joinmastodon.org/ns#featuredTags"),
        ("discoverable", "http://joinmastodon.org/ns#discoverable"),
        ("indexable", "http://joinmastodon.org/ns#indexable"),
        ("focalPoint", "http://joinmastodon.org/ns#focalPoint"),
        ("blurhash", "http://joinmastodon.org/ns#blurhash"),
        ("votersCount", "http://joinmastodon.org/ns#votersCount"),
        ("ostatus", "http://ostatus.org#"),
        ("atomUri", "http://ostatus.org#atomUri"),
        ("inReplyToAtomUri", "http://ostatus.org#inReplyToAtomUri"),
        ("conversation", "http://ostatus.org#conversation"),
        ("schema", "http://schema.org#"),
        ("PropertyValue", "http://schema.org#PropertyValue"),
        ("value", "http://schema.org#value"),
    ];
    for (term, iri) in extensions {
        trusted
            .entry(term.to_owned())
            .or_default()
            .insert(iri.to_owned());
    }
    trusted
});

/// True when an inline context's `term`, standing for `iri`, means what the inbox reads it as.
pub(super) fn trusted_term(term: &str, iri: &str) -> bool {
    TRUSTED_TERMS
        .get(term)
        .is_some_and(|allowed| allowed.contains(iri))
}

/// The IRI a term definition stands for, its compact IRI expanded with `prefixes`.
pub(super) fn definition_iri(definition: &Value, prefixes: &Map<String, Value>) -> Option<String> {
    let raw = match definition {
        Value::String(iri) => iri.as_str(),
        Value::Object(map) => map.get("@id")?.as_str()?,
        _ => return None,
    };
    expand(raw, prefixes)
}

/// Expands `prefix:suffix` when `prefix` is a term of `prefixes` standing for an IRI.
pub(super) fn expand(raw: &str, prefixes: &Map<String, Value>) -> Option<String> {
    if raw.starts_with('@') || raw.starts_with("_:") || !raw.contains(':') {
        return None;
    }
    let (prefix, suffix) = raw.split_once(':')?;
    if suffix.starts_with("//") {
        return Some(raw.to_owned());
    }
    match prefixes.get(prefix) {
        Some(Value::String(base)) if base.contains(':') && !base.starts_with("_:") => {
            Some(format!("{base}{suffix}"))
        }
        _ => Some(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_contexts_parse_and_are_found_by_url() {
        assert!(document("https://www.w3.org/ns/activitystreams").is_some());
        assert!(document("http://www.w3.org/ns/activitystreams#").is_some());
        assert!(document("https://w3id.org/security/v1").is_some());
        assert!(document("https://w3id.org/identity/v1").is_some());
        assert!(document("https://example.org/litepub-0.1.jsonld").is_none());
        assert_eq!(terms(ACTIVITYSTREAMS).unwrap()["to"]["@id"], "as:to");
        assert_eq!(terms(SECURITY_V1).unwrap()["creator"]["@id"], "dc:creator");
        assert_eq!(terms(IDENTITY_V1).unwrap()["created"]["@id"], "dc:created");
    }

    #[test]
    fn peertube_and_mastodon_terms_are_trusted_only_for_their_iris() {
        assert!(trusted_term("uuid", "https://joinpeertube.org/ns#uuid"));
        assert!(trusted_term(
            "Infohash",
            "https://joinpeertube.org/ns#Infohash"
        ));
        assert!(trusted_term("atomUri", "http://ostatus.org#atomUri"));
        assert!(trusted_term(
            "comments",
            "https://www.w3.org/ns/activitystreams#comments"
        ));
        assert!(!trusted_term(
            "uuid",
            "https://www.w3.org/ns/activitystreams#name"
        ));
        assert!(!trusted_term("unknown", "https://example.org/unknown"));
    }
}
