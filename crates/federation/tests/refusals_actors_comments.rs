//! Actors, comments and activity envelopes the parsers refuse, each for the one reason it is
//! bad: changes to a real PeerTube channel and comment, and to Mastodon's Create.

mod common;

use common::{Case, fixture, refused_field, shared};
use kinora_federation::protocol::parse::ParseError;
use kinora_federation::protocol::parse::activity::parse_activity;
use kinora_federation::protocol::parse::actor::parse_actor;
use kinora_federation::protocol::parse::note::{RemoteComment, parse_comment};
use serde_json::json;

#[test]
fn actors_with_borrowed_authority_are_refused() {
    let base = fixture("peertube-group.json");
    let cases: Vec<Case> = vec![
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
    let cases: Vec<Case> = vec![
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

    let create = shared("mastodon/create.json");
    let cases: Vec<Case> = vec![
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
