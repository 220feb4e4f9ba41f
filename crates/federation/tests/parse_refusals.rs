//! Every document the parsers refuse, each for the one reason it is bad: changes to a real
//! PeerTube video, channel and comment, and to Mastodon's Create.

use kinora_federation::protocol::parse::ParseError;
use kinora_federation::protocol::parse::activity::parse_activity;
use kinora_federation::protocol::parse::actor::parse_actor;
use kinora_federation::protocol::parse::note::{RemoteComment, parse_comment};
use kinora_federation::protocol::parse::video::parse_video;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn video_with(change: impl FnOnce(&mut Value)) -> Result<(), ParseError> {
    let mut video = fixture("peertube-video.json");
    change(&mut video);
    parse_video(&video, None).map(|_| ())
}

fn refused_field(result: Result<(), ParseError>) -> String {
    match result {
        Err(ParseError::Invalid { field, .. }) => field.to_owned(),
        Err(ParseError::Shape { detail, .. }) => format!("shape: {detail}"),
        Err(other) => other.to_string(),
        Ok(()) => panic!("accepted"),
    }
}

#[test]
fn the_fixture_itself_is_accepted() {
    assert!(video_with(|_| {}).is_ok());
}

#[test]
fn videos_peertube_would_refuse_are_refused() {
    let cases: Vec<(&str, Box<dyn FnOnce(&mut Value)>, &str)> = vec![
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

#[test]
fn actors_with_borrowed_authority_are_refused() {
    let base = fixture("peertube-group.json");
    let cases: Vec<(&str, Box<dyn FnOnce(&mut Value)>, &str)> = vec![
        (
            "key owned by another",
            Box::new(|v| v["publicKey"]["owner"] = json!("https://tilvids.com/accounts/someone")),
            "publicKey.owner",
        ),
        (
            "key id elsewhere",
            Box::new(|v| v["publicKey"]["id"] = json!("https://evil.example/key")),
            "publicKey.id",
        ),
        (
            "key not PEM",
            Box::new(|v| v["publicKey"]["publicKeyPem"] = json!("ssh-rsa AAAA")),
            "publicKey.publicKeyPem",
        ),
        (
            "inbox elsewhere",
            Box::new(|v| v["inbox"] = json!("https://evil.example/inbox")),
            "inbox",
        ),
        (
            "shared inbox elsewhere",
            Box::new(|v| v["endpoints"]["sharedInbox"] = json!("http://127.0.0.1:6379/")),
            "endpoints.sharedInbox",
        ),
        (
            "outbox not a URL",
            Box::new(|v| v["outbox"] = json!("file:///etc/passwd")),
            "outbox",
        ),
        (
            "non-http id",
            Box::new(|v| v["id"] = json!("acct:thelinuxexperiment_channel@tilvids.com")),
            "id",
        ),
        (
            "username with a slash",
            Box::new(|v| v["preferredUsername"] = json!("../admin")),
            "preferredUsername",
        ),
        (
            "empty username",
            Box::new(|v| v["preferredUsername"] = json!("")),
            "preferredUsername",
        ),
        (
            "not an actor",
            Box::new(|v| v["type"] = json!("Note")),
            "type",
        ),
        (
            "@included",
            Box::new(|v| v["@included"] = json!({})),
            "@keyword",
        ),
    ];
    for (label, change, field) in cases {
        let mut actor = base.clone();
        change(&mut actor);
        let result = parse_actor(&actor, None).map(|_| ());
        assert_eq!(refused_field(result), field, "{label}");
    }
    let foreign = parse_actor(&base, Some("https://evil.example/video-channels/x"));
    assert!(
        matches!(foreign, Err(ParseError::ForeignId { .. })),
        "ID-01"
    );
    let mut huge = base.clone();
    huge["preferredUsername"] = json!("a".repeat(101));
    assert!(matches!(
        parse_actor(&huge, None),
        Err(ParseError::Shape { .. })
    ));
    let mut no_inbox = base;
    no_inbox.as_object_mut().unwrap().remove("inbox");
    assert!(matches!(
        parse_actor(&no_inbox, None),
        Err(ParseError::Shape { .. })
    ));
}

#[test]
fn comments_and_envelopes_are_checked() {
    let note = fixture("peertube-note.json");
    let cases: Vec<(&str, Box<dyn FnOnce(&mut Value)>, &str)> = vec![
        (
            "empty content",
            Box::new(|v| v["content"] = json!("   ")),
            "content",
        ),
        (
            "empty HTML content",
            Box::new(|v| {
                v["content"] = json!("<p> </p>");
                v["mediaType"] = json!("text/html");
            }),
            "content",
        ),
        (
            "10,001 characters",
            Box::new(|v| v["content"] = json!("a".repeat(10_001))),
            "content",
        ),
        (
            "no author",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("attributedTo");
            }),
            "attributedTo",
        ),
        (
            "author not a URL",
            Box::new(|v| v["attributedTo"] = json!("yoge6785555")),
            "attributedTo",
        ),
        (
            "no date",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("published");
            }),
            "published",
        ),
        (
            "inReplyTo not a URL",
            Box::new(|v| v["inReplyTo"] = json!("data:text/plain,x")),
            "inReplyTo",
        ),
        (
            "binary content type",
            Box::new(|v| v["mediaType"] = json!("application/octet-stream")),
            "mediaType",
        ),
        (
            "not a comment",
            Box::new(|v| v["type"] = json!("Video")),
            "type",
        ),
    ];
    for (label, change, field) in cases {
        let mut comment = note.clone();
        change(&mut comment);
        assert_eq!(
            refused_field(parse_comment(&comment, None).map(|_| ())),
            field,
            "{label}"
        );
    }
    let tombstone = json!({
        "id": "https://v.example/videos/watch/u/comments/4", "type": "Tombstone", "formerType": "Note",
        "inReplyTo": "https://v.example/videos/watch/u", "deleted": "2024-01-01T00:00:00.000Z"
    });
    let RemoteComment::Tombstone(gone) = parse_comment(&tombstone, None).unwrap() else {
        panic!("a Tombstone");
    };
    assert_eq!(gone.deleted, Some(1_704_067_200_000));
    assert_eq!(
        gone.in_reply_to.as_deref(),
        Some("https://v.example/videos/watch/u")
    );

    let create = {
        let path = format!(
            "{}/../../../shared/fixtures/peertube/ap-json/mastodon/create.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let cases: Vec<(&str, Box<dyn FnOnce(&mut Value)>, &str)> = vec![
        (
            "actor not a URL",
            Box::new(|v| v["actor"] = json!("ronan2")),
            "actor",
        ),
        (
            "id not http",
            Box::new(|v| v["id"] = json!("gopher://localhost/x")),
            "id",
        ),
        (
            "object a number",
            Box::new(|v| v["object"] = json!(7)),
            "object",
        ),
        (
            "object id not http",
            Box::new(|v| v["object"]["id"] = json!("file:///x")),
            "object.id",
        ),
        (
            "to holds objects",
            Box::new(|v| v["to"] = json!([{"id": "x"}])),
            "to",
        ),
        (
            "@reverse",
            Box::new(|v| v["@reverse"] = json!({})),
            "@keyword",
        ),
    ];
    for (label, change, field) in cases {
        let mut activity = create.clone();
        change(&mut activity);
        assert_eq!(
            refused_field(parse_activity(&activity, None).map(|_| ())),
            field,
            "{label}"
        );
    }
    assert!(matches!(
        parse_activity(&create, Some("https://evil.example/activity")),
        Err(ParseError::ForeignId { .. })
    ));
    let mut many = create;
    many["cc"] = (0..300).map(|i| json!(format!("https://x/{i}"))).collect();
    assert!(
        matches!(parse_activity(&many, None), Err(ParseError::Shape { .. })),
        "300 recipients"
    );
}
