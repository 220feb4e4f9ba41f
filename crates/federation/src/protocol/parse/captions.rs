//! A remote video's captions (`subtitleLanguage`) and chapters (the `hasParts` collection), as
//! PeerTube sends them. A caption is `{identifier, name, url}` where `url` is the WebVTT file's
//! URL (PeerTube before 7.1) or a list of links of which the `text/vtt` one is the file; only
//! PeerTube's languages and http(s) URLs are kept, one caption per language. Chapters are a
//! `Chapters` document `{id, hasPart: [{name, startOffset, endOffset}]}` fetched from the
//! origin; they obey the same rules as chapters set here.

use kinora_core::chapters::{Chapter, check_chapters};
use serde_json::Value;

use super::{Items, http_url};

/// Most `subtitleLanguage` entries read from one video (PeerTube offers 207 languages).
pub const MAX_CAPTIONS: usize = 256;

/// One caption of a remote video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCaption {
    /// Language code, one of PeerTube's.
    pub language: String,
    /// The WebVTT file at its origin.
    pub url: String,
}

/// The WebVTT URL of one `subtitleLanguage` entry's `url`.
fn vtt_url(url: &Value) -> Option<&str> {
    match url {
        Value::String(url) => Some(url),
        Value::Array(links) => links.iter().find_map(|link| {
            let media_type = link.get("mediaType").and_then(Value::as_str)?;
            (media_type == "text/vtt")
                .then(|| link.get("href").and_then(Value::as_str))
                .flatten()
        }),
        _ => None,
    }
}

/// The captions of `subtitleLanguage` (entries that break the rules are dropped, as PeerTube
/// drops them).
pub fn parse_captions(items: Option<&Items<MAX_CAPTIONS>>) -> Vec<RemoteCaption> {
    let mut captions: Vec<RemoteCaption> = Vec::new();
    for item in items.map(|items| items.0.as_slice()).unwrap_or_default() {
        let Some(language) = item.get("identifier").and_then(Value::as_str) else {
            continue;
        };
        if kinora_core::labels::language_label(language).is_none()
            || captions.iter().any(|c| c.language == language)
        {
            continue;
        }
        let Some(url) = item.get("url").and_then(vtt_url) else {
            continue;
        };
        if url.len() > 2000 || http_url("subtitleLanguage", url).is_err() {
            continue;
        }
        captions.push(RemoteCaption {
            language: language.to_owned(),
            url: url.to_owned(),
        });
    }
    captions
}

/// The chapters of a fetched `Chapters` document (`hasPart`); none when it breaks the rules.
pub fn parse_chapters(document: &Value) -> Vec<Chapter> {
    let Some(parts) = document.get("hasPart").and_then(Value::as_array) else {
        return Vec::new();
    };
    if parts.len() > kinora_core::chapters::CHAPTERS_MAX {
        return Vec::new();
    }
    let chapters: Option<Vec<Chapter>> = parts
        .iter()
        .map(|part| {
            Some(Chapter {
                timecode: part.get("startOffset")?.as_i64()?,
                title: part.get("name")?.as_str()?.to_owned(),
            })
        })
        .collect();
    chapters
        .and_then(|chapters| check_chapters(chapters).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_url_shapes_are_read_and_bad_entries_dropped() {
        let items: Items<MAX_CAPTIONS> = serde_json::from_value(json!([
            { "identifier": "en", "name": "English", "url": "https://a.example/lazy-static/video-captions/x-en.vtt" },
            { "identifier": "fr", "name": "French", "url": [
                { "type": "Link", "mediaType": "application/x-mpegURL", "href": "https://a.example/x-fr.m3u8" },
                { "type": "Link", "mediaType": "text/vtt", "href": "https://a.example/x-fr.vtt" }
            ] },
            { "identifier": "en", "name": "Again", "url": "https://a.example/again.vtt" },
            { "identifier": "xx-nope", "name": "?", "url": "https://a.example/n.vtt" },
            { "identifier": "de", "name": "German", "url": "javascript:alert(1)" },
            { "identifier": "es", "name": "Spanish" }
        ]))
        .unwrap();
        let captions = parse_captions(Some(&items));
        let got: Vec<(&str, &str)> = captions
            .iter()
            .map(|c| (c.language.as_str(), c.url.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "en",
                    "https://a.example/lazy-static/video-captions/x-en.vtt"
                ),
                ("fr", "https://a.example/x-fr.vtt")
            ]
        );
    }

    #[test]
    fn chapters_are_read_from_has_part() {
        let chapters = parse_chapters(&json!({
            "id": "https://a.example/videos/watch/u/chapters",
            "hasPart": [
                { "name": "Intro", "startOffset": 0, "endOffset": 10 },
                { "name": "End", "startOffset": 10, "endOffset": 20 }
            ]
        }));
        assert_eq!(chapters.len(), 2);
        assert_eq!(chapters[1].title, "End");
        let duplicate = json!({ "hasPart": [
            { "name": "A", "startOffset": 0 }, { "name": "B", "startOffset": 0 }
        ] });
        assert!(parse_chapters(&duplicate).is_empty());
    }
}
