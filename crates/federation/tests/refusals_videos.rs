//! Videos the parser refuses, each for the one reason it is bad (changes to a real PeerTube
//! video), and what it accepts where PeerTube is lenient.

mod common;

use common::{Case, fixture, refused_field};
use kinora_federation::protocol::parse::ParseError;
use kinora_federation::protocol::parse::video::parse_video;
use serde_json::{Value, json};

fn video_with(change: impl FnOnce(&mut Value)) -> Result<(), ParseError> {
    let mut video = fixture("peertube-video.json");
    change(&mut video);
    parse_video(&video, None).map(|_| ())
}

#[test]
fn the_fixture_itself_is_accepted() {
    assert!(video_with(|_| {}).is_ok());
}

#[test]
fn videos_peertube_would_refuse_are_refused() {
    let cases: Vec<Case> = vec![
        (
            "no Group in attributedTo",
            Box::new(|v| {
                v["attributedTo"] =
                    json!([{"type": "Person", "id": "https://fediverse.tv/accounts/alquimidia"}])
            }),
            "attributedTo",
        ),
        (
            "empty attributedTo",
            Box::new(|v| v["attributedTo"] = json!([])),
            "attributedTo",
        ),
        (
            "attributedTo not URLs",
            Box::new(|v| v["attributedTo"] = json!(["ftp://x/y", {"type": "Group"}])),
            "attributedTo",
        ),
        (
            "PNG-only icon",
            Box::new(|v| {
                for icon in v["icon"].as_array_mut().unwrap() {
                    icon["mediaType"] = json!("image/png");
                }
            }),
            "icon",
        ),
        (
            "icon without sizes",
            Box::new(|v| {
                for icon in v["icon"].as_array_mut().unwrap() {
                    icon["width"] = json!("wide");
                }
            }),
            "icon",
        ),
        (
            "no icon",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("icon");
            }),
            "icon",
        ),
        (
            "name of 2 characters",
            Box::new(|v| v["name"] = json!("ab")),
            "name",
        ),
        (
            "name of 121 characters",
            Box::new(|v| v["name"] = json!("a".repeat(121))),
            "name",
        ),
        (
            "duration 10",
            Box::new(|v| v["duration"] = json!("10")),
            "duration",
        ),
        (
            "duration P1D",
            Box::new(|v| v["duration"] = json!("P1D")),
            "duration",
        ),
        (
            "non-http id",
            Box::new(|v| v["id"] = json!("urn:uuid:5e348297-7b05-4fe1-807d-e6b0765435e9")),
            "id",
        ),
        (
            "javascript id",
            Box::new(|v| v["id"] = json!("javascript:alert(1)")),
            "id",
        ),
        (
            "bad uuid",
            Box::new(|v| v["uuid"] = json!("not-a-uuid")),
            "uuid",
        ),
        (
            "uuid missing",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("uuid");
            }),
            "uuid",
        ),
        (
            "negative views",
            Box::new(|v| v["views"] = json!(-1)),
            "views",
        ),
        (
            "content in plain text",
            Box::new(|v| v["mediaType"] = json!("text/plain")),
            "mediaType",
        ),
        (
            "content without mediaType",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("mediaType");
            }),
            "mediaType",
        ),
        (
            "bad published",
            Box::new(|v| v["published"] = json!("yesterday")),
            "published",
        ),
        (
            "bad category",
            Box::new(|v| v["category"] = json!({"identifier": "music"})),
            "category",
        ),
        ("@graph", Box::new(|v| v["@graph"] = json!([])), "@keyword"),
        (
            "url not an array",
            Box::new(|v| v["url"] = json!("https://fediverse.tv/w/x")),
            "url",
        ),
        (
            "not a Video",
            Box::new(|v| v["type"] = json!("Note")),
            "type",
        ),
    ];
    for (label, change, field) in cases {
        assert_eq!(refused_field(video_with(change)), field, "{label}");
    }
}

#[test]
fn oversized_videos_are_refused_by_their_bounds() {
    let shape = |result: Result<(), ParseError>| matches!(result, Err(ParseError::Shape { .. }));
    assert!(
        shape(video_with(|v| {
            v["tag"] = (0..10_000)
                .map(|i| json!({"type": "Hashtag", "name": format!("tag{i}")}))
                .collect();
        })),
        "10,000 tags"
    );
    assert!(
        shape(video_with(|v| {
            v["url"] = (0..1_000).map(|_| json!({"type": "Link", "mediaType": "text/html", "href": "https://fediverse.tv/w/x"})).collect();
        })),
        "1,000 links"
    );
    assert!(
        shape(video_with(|v| v["content"] = json!("a".repeat(100_001)))),
        "a 100 kB description"
    );
    assert!(
        shape(video_with(|v| v["views"] = json!(1.5))),
        "fractional views"
    );
    assert!(
        shape(video_with(|v| v["views"] = json!("6"))),
        "views as text"
    );
    assert!(
        shape(video_with(|v| {
            v.as_object_mut().unwrap().remove("views");
        })),
        "no views"
    );
    assert!(
        shape(video_with(|v| v["name"] = json!("a".repeat(1001)))),
        "a 1001-character name"
    );
}

#[test]
fn lenient_where_peertube_is_lenient() {
    let mut video = fixture("peertube-video.json");
    video["tag"] = json!([{"type": "Hashtag", "name": "x"}, {"type": "Hashtag", "name": "ok"}, {"type": "Emoji", "name": "e"}]);
    video["url"].as_array_mut().unwrap().push(json!({"type": "Link", "mediaType": "video/mp4", "href": "https://fediverse.tv/a.mp4", "height": "tall"}));
    video["url"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://fediverse.tv/plain"));
    video["sensitive"] = json!("yes");
    video["content"] = json!("<p>Hello <b>world</b></p>");
    video["mediaType"] = json!("text/html");
    video["licence"] = json!({"identifier": "CC-BY-SA-4.0"});
    let parsed = parse_video(&video, None).unwrap();
    assert_eq!(
        parsed.tags,
        ["ok"],
        "tags of 1 character and non-hashtags dropped"
    );
    assert_eq!(
        parsed.media.files.len(),
        3,
        "the malformed file link is dropped"
    );
    assert!(!parsed.sensitive);
    assert_eq!(parsed.description.as_deref(), Some("Hello world"));
    assert_eq!(parsed.licence, Some(2));
    video["content"] = json!("é".repeat(20_000));
    video["mediaType"] = json!("text/markdown");
    let parsed = parse_video(&video, None).unwrap();
    assert_eq!(
        parsed.description.unwrap().chars().count(),
        10_000,
        "cut as PeerTube cuts it"
    );
}
