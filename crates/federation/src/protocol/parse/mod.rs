//! Documents from other servers, parsed into typed, bounded values: actors ([`actor`]),
//! videos ([`video`]), comments ([`note`]) and the envelope of an activity ([`activity`]).
//!
//! Parsing checks shape and limits, never authority: it returns the ids a document names
//! (its own, its authors', what it answers) for the caller to compare with who signed it or
//! where it was fetched from. It does refuse ids that are not http(s) URLs, a document whose id
//! is on another origin than the `fetched_from` URL given (ID-01), and JSON-LD keywords other
//! than `@context` (the graph tricks of forged Linked-Data signatures).

pub mod activity;
pub mod actor;
pub mod captions;
mod html;
pub mod media;
pub mod note;
pub mod playlist;
pub mod video;
mod video_fields;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::Value;
use url::Url;

pub use html::html_to_text;

/// Longest URL accepted (PeerTube's limit on actor URLs).
pub const MAX_URL_LENGTH: usize = 2000;

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The JSON does not have the expected shape (a field missing, of the wrong type or over
    /// its length limit).
    #[error("malformed {what}: {detail}")]
    Shape {
        /// What was being parsed.
        what: &'static str,
        /// Which field and why, as serde saw it.
        detail: String,
    },
    /// A field has a value the protocol does not allow.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The document's id is not on the origin it was fetched from.
    #[error("id {id} is not on the origin of {fetched_from}")]
    ForeignId {
        /// The id it claims.
        id: String,
        /// Where it came from.
        fetched_from: String,
    },
}

/// Shorthand for an [`ParseError::Invalid`].
pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> ParseError {
    ParseError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// A string of at most `MAX` characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<const MAX: usize>(pub String);

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.chars().count() > MAX {
            return Err(D::Error::custom(format!("longer than {MAX} characters")));
        }
        Ok(Text(text))
    }
}

/// A JSON array of at most `MAX` items, or a single item (ActivityStreams allows both); items
/// are kept as JSON, for the caller to filter as PeerTube does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Items<const MAX: usize>(pub Vec<Value>);

impl<'de, const MAX: usize> Deserialize<'de> for Items<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<const MAX: usize>;
        impl<'de, const MAX: usize> serde::de::Visitor<'de> for Visitor<MAX> {
            type Value = Items<MAX>;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(formatter, "an array of at most {MAX} items, or one item")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Value>()? {
                    if items.len() == MAX {
                        return Err(A::Error::custom(format!("more than {MAX} items")));
                    }
                    items.push(item);
                }
                Ok(Items(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let item = Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Items(vec![item]))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Items(vec![Value::String(text.to_owned())]))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Items(Vec::new()))
            }
        }
        deserializer.deserialize_any(Visitor::<MAX>)
    }
}

impl<const MAX: usize> Items<MAX> {
    /// The items that are strings.
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(Value::as_str)
    }
}

/// Deserializes `value` as `T`, naming the path of the first problem.
pub(crate) fn typed<T: DeserializeOwned>(
    what: &'static str,
    value: &Value,
) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(value).map_err(|error| ParseError::Shape {
        what,
        detail: error.to_string(),
    })
}

/// Refuses a document that is not an object or uses a JSON-LD keyword other than `@context`
/// (`@graph`, `@included`, `@reverse`, `@id`, …) at its top level.
pub(crate) fn check_keywords(what: &'static str, value: &Value) -> Result<(), ParseError> {
    let Value::Object(map) = value else {
        return Err(ParseError::Shape {
            what,
            detail: "not a JSON object".into(),
        });
    };
    match map
        .keys()
        .find(|key| key.starts_with('@') && *key != "@context")
    {
        Some(key) => Err(invalid("@keyword", format!("{key} is not accepted"))),
        None => Ok(()),
    }
}

/// `text` as an http(s) URL with a host, at most [`MAX_URL_LENGTH`] long.
pub fn http_url(field: &'static str, text: &str) -> Result<Url, ParseError> {
    if text.len() > MAX_URL_LENGTH {
        return Err(invalid(field, "longer than 2000 characters"));
    }
    let url = Url::parse(text).map_err(|error| invalid(field, format!("not a URL ({error})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(field, "not an http(s) URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(field, "has no host"));
    }
    Ok(url)
}

/// The http(s) URL a field names, whether it is a string or an object with an `id` (or `href`).
pub(crate) fn id_of(field: &'static str, value: &Value) -> Result<String, ParseError> {
    let text = match value {
        Value::String(text) => text.as_str(),
        Value::Object(map) => map
            .get("id")
            .or_else(|| map.get("href"))
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(field, "has no id"))?,
        _ => return Err(invalid(field, "is neither a URL nor an object")),
    };
    http_url(field, text)?;
    Ok(text.to_owned())
}

/// `scheme://host[:port]` of a URL.
pub(crate) fn origin(url: &Url) -> String {
    crate::urls::origin_of(url).unwrap_or_default()
}

/// Refuses `id` when `fetched_from` is given and on another origin (ID-01: what a server says
/// about itself is only believed for its own origin).
pub fn check_fetched_from(id: &Url, fetched_from: Option<&str>) -> Result<(), ParseError> {
    let Some(fetched_from) = fetched_from else {
        return Ok(());
    };
    let source = http_url("fetched_from", fetched_from)?;
    if origin(id) == origin(&source) {
        Ok(())
    } else {
        Err(ParseError::ForeignId {
            id: id.to_string(),
            fetched_from: fetched_from.to_owned(),
        })
    }
}

/// True when two URLs share their origin.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    origin(a) == origin(b)
}

/// The epoch milliseconds of an RFC 3339 date field.
pub(crate) fn date(field: &'static str, text: &str) -> Result<i64, ParseError> {
    kinora_core::dates::parse_iso_date(text).ok_or_else(|| invalid(field, "not a valid date"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(http_url("id", "https://v.example/videos/watch/1").is_ok());
        assert!(http_url("id", "http://localhost:9000/a").is_ok());
        for bad in [
            "",
            "ftp://v.example/x",
            "javascript:alert(1)",
            "/relative",
            "https://",
            "mailto:a@b",
        ] {
            assert!(http_url("id", bad).is_err(), "{bad:?}");
        }
        let long = format!("https://v.example/{}", "a".repeat(2000));
        assert!(http_url("id", &long).is_err());
    }

    #[test]
    fn a_fetched_document_must_name_its_own_origin() {
        let id = Url::parse("https://a.example/x").unwrap();
        assert!(check_fetched_from(&id, None).is_ok());
        assert!(check_fetched_from(&id, Some("https://a.example/other")).is_ok());
        for other in [
            "https://b.example/x",
            "http://a.example/x",
            "https://a.example:8443/x",
        ] {
            assert!(
                matches!(
                    check_fetched_from(&id, Some(other)),
                    Err(ParseError::ForeignId { .. })
                ),
                "{other}"
            );
        }
    }

    #[test]
    fn keywords_and_bounds() {
        assert!(check_keywords("x", &json!({"@context": [], "id": "https://a/x"})).is_ok());
        for bad in [
            json!({"@graph": []}),
            json!({"@included": {}}),
            json!({"@reverse": {}}),
            json!([1]),
            json!("x"),
        ] {
            assert!(check_keywords("x", &bad).is_err(), "{bad}");
        }
        let items: Items<2> = serde_json::from_value(json!(["a", "b"])).unwrap();
        assert_eq!(items.strings().collect::<Vec<_>>(), ["a", "b"]);
        assert!(serde_json::from_value::<Items<2>>(json!(["a", "b", "c"])).is_err());
        let one: Items<2> = serde_json::from_value(json!({"type": "Image"})).unwrap();
        assert_eq!(one.0.len(), 1);
        let text: Result<Text<3>, _> = serde_json::from_value(json!("abcd"));
        assert!(text.is_err());
        let text: Text<3> = serde_json::from_value(json!("abé")).unwrap();
        assert_eq!(text.0, "abé");
    }
}
