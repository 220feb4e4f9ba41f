//! The fields of a remote Video that need more than a type: durations, `{identifier, name}`
//! objects, licences (PeerTube's ids or Creative Commons SPDX identifiers), loose booleans,
//! collections, icons and `attributedTo`, each read as PeerTube reads it.

use serde_json::Value;

use super::video::{Attribution, CollectionRef, RemoteImage};
use super::{Items, ParseError, http_url, id_of, invalid};

/// `PT…S` (hours, minutes and seconds, seconds possibly with a fraction) as whole seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let body = text.strip_prefix("PT")?.strip_suffix('S')?;
    let mut seconds: i64 = 0;
    let mut number = String::new();
    for character in body.chars() {
        match character {
            '0'..='9' | '.' => number.push(character),
            'H' | 'M' => {
                let value: i64 = number.parse().ok()?;
                let unit = if character == 'H' { 3600 } else { 60 };
                seconds = seconds.checked_add(value.checked_mul(unit)?)?;
                number.clear();
            }
            _ => return None,
        }
    }
    let last: f64 = number.parse().ok()?;
    if !last.is_finite() || !(0.0..=1e12).contains(&last) {
        return None;
    }
    seconds.checked_add(last.floor() as i64)
}

pub(super) fn flag(value: &Option<Value>, default: bool) -> bool {
    value.as_ref().and_then(Value::as_bool).unwrap_or(default)
}

/// An `{identifier, name}` object's identifier, as text (some servers send numbers).
pub(super) fn identifier(
    field: &'static str,
    value: &Option<Value>,
) -> Result<Option<String>, ParseError> {
    let Some(value) = value.as_ref().filter(|value| !value.is_null()) else {
        return Ok(None);
    };
    let identifier = value
        .get("identifier")
        .ok_or_else(|| invalid(field, "has no identifier"))?;
    let text = match identifier {
        Value::String(text) if text.len() <= 64 => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Null => return Ok(None),
        _ => return Err(invalid(field, "identifier is not a short string")),
    };
    Ok(Some(text))
}

pub(super) fn number_identifier(
    field: &'static str,
    value: &Option<Value>,
) -> Result<Option<i64>, ParseError> {
    match identifier(field, value)? {
        None => Ok(None),
        Some(text) => match text.parse::<i64>() {
            Ok(id) if id >= 0 => Ok(Some(id)),
            _ => Err(invalid(field, "identifier is not a positive integer")),
        },
    }
}

/// A licence identifier: PeerTube's number, or a Creative Commons SPDX identifier.
pub(super) fn licence(value: &Option<Value>) -> Result<Option<i64>, ParseError> {
    let Some(text) = identifier("licence", value)? else {
        return Ok(None);
    };
    if let Ok(id) = text.parse::<i64>() {
        return if id >= 0 {
            Ok(Some(id))
        } else {
            Err(invalid("licence", "identifier is negative"))
        };
    }
    Ok(match text.as_str() {
        "CC-BY-4.0" => Some(1),
        "CC-BY-SA-4.0" => Some(2),
        "CC-BY-ND-4.0" => Some(3),
        "CC-BY-NC-4.0" => Some(4),
        "CC-BY-NC-SA-4.0" => Some(5),
        "CC-BY-NC-ND-4.0" => Some(6),
        "CC0-1.0" => Some(7),
        _ => None,
    })
}

pub(super) fn collection(value: &Option<Value>) -> CollectionRef {
    match value {
        Some(Value::String(url)) if http_url("collection", url).is_ok() => CollectionRef {
            url: Some(url.clone()),
            total_items: None,
        },
        Some(object @ Value::Object(_)) => CollectionRef {
            url: id_of("collection", object).ok(),
            total_items: object
                .get("totalItems")
                .and_then(Value::as_i64)
                .filter(|n| *n >= 0),
        },
        _ => CollectionRef::default(),
    }
}

pub(super) fn jpeg_icons(icons: Option<Items<16>>) -> Vec<RemoteImage> {
    let mut images: Vec<RemoteImage> = icons
        .map(|items| items.0)
        .unwrap_or_default()
        .iter()
        .filter(|icon| icon.get("type").and_then(Value::as_str) == Some("Image"))
        .filter(|icon| icon.get("mediaType").and_then(Value::as_str) == Some("image/jpeg"))
        .filter_map(|icon| {
            let url = icon.get("url")?.as_str()?;
            http_url("icon.url", url).ok()?;
            Some(RemoteImage {
                url: url.to_owned(),
                width: icon.get("width")?.as_i64().filter(|w| *w >= 0)?,
                height: icon.get("height")?.as_i64().filter(|h| *h >= 0)?,
            })
        })
        .collect();
    images.sort_by_key(|image| image.width);
    images
}

pub(super) fn attributions(items: &Items<16>) -> Vec<Attribution> {
    items
        .0
        .iter()
        .filter_map(|item| match item {
            Value::String(url) => http_url("attributedTo", url).ok().map(|_| Attribution {
                url: url.clone(),
                kind: None,
            }),
            Value::Object(map) => {
                let kind = map.get("type")?.as_str()?;
                if !matches!(kind, "Person" | "Group") {
                    return None;
                }
                let url = id_of("attributedTo", item).ok()?;
                Some(Attribution {
                    url,
                    kind: Some(kind.to_owned()),
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_are_pt_seconds() {
        assert_eq!(parse_duration("PT123S"), Some(123));
        assert_eq!(parse_duration("PT0S"), Some(0));
        assert_eq!(parse_duration("PT12.7S"), Some(12));
        assert_eq!(parse_duration("PT1H2M3S"), Some(3723));
        for bad in [
            "10",
            "PT",
            "PTS",
            "P1D",
            "PT-5S",
            "PTxS",
            "123S",
            "PT1.2.3S",
            "PT99999999999999999999S",
            "PT1e3S",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }
}
