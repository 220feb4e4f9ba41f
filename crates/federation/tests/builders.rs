//! Actors, comments and activities built here have PeerTube's shapes and ids
//! (research/peertube.md §4.1, §4.4, §4.5), and parse back through our own parsers.

mod common;

use kinora_db::actors::ActorRow;
use kinora_db::channels::ChannelRow;
use kinora_db::comments::CommentRow;
use kinora_federation::protocol::activities;
use kinora_federation::protocol::actors::{ActorIcon, add_move_fields, application, group, person};
use kinora_federation::protocol::notes::{Mention, NoteParts, comment_object};
use kinora_federation::protocol::parse::activity::{ActivityKind, ObjectRef, parse_activity};
use kinora_federation::protocol::parse::actor::{ActorKind, parse_actor};
use kinora_federation::protocol::parse::note::{RemoteComment, parse_comment};
use kinora_federation::protocol::{Audience, ContextType, PUBLIC};
use kinora_federation::urls::LocalUrls;
use serde_json::{Value, json};

const BASE: &str = "https://kinora.example";

fn actor(id: i64, kind: &str, name: &str) -> ActorRow {
    ActorRow {
        id,
        kind: kind.into(),
        preferred_username: name.into(),
        host: None,
        url: None,
        inbox_url: None,
        shared_inbox_url: None,
        outbox_url: None,
        followers_url: None,
        key_id: None,
        public_key_pem: Some("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into()),
        avatar_url: None,
        fetched_at: None,
        created_at: 1_704_067_200_000,
        updated_at: 1_704_067_200_000,
        moved_to_url: None,
        moved_at: None,
    }
}

#[test]
fn actors_are_person_group_and_application() {
    let urls = LocalUrls::new(BASE);
    let icon = ActorIcon {
        url: "https://kinora.example/a.jpg",
        media_type: "image/jpeg",
        width: 120,
        height: 120,
    };
    let person = person(
        &urls,
        &common::alice("Alice A.", Some("Films the sea.")),
        &actor(20, "Person", "alice"),
        &[icon],
    );
    assert_eq!(person["type"], "Person");
    assert_eq!(person["id"], "https://kinora.example/accounts/alice");
    assert_eq!(person["url"], person["id"]);
    assert_eq!(person["name"], "Alice A.");
    assert_eq!(person["summary"], "Films the sea.");
    assert_eq!(
        person["inbox"],
        "https://kinora.example/accounts/alice/inbox"
    );
    assert_eq!(
        person["outbox"],
        "https://kinora.example/accounts/alice/outbox"
    );
    assert_eq!(
        person["followers"],
        "https://kinora.example/accounts/alice/followers"
    );
    assert_eq!(
        person["following"],
        "https://kinora.example/accounts/alice/following"
    );
    assert_eq!(
        person["endpoints"]["sharedInbox"],
        "https://kinora.example/inbox"
    );
    assert_eq!(
        person["publicKey"]["id"],
        "https://kinora.example/accounts/alice#main-key"
    );
    assert_eq!(person["publicKey"]["owner"], person["id"]);
    assert_eq!(person["published"], "2024-01-01T00:00:00.000Z");
    assert_eq!(person["icon"][0]["width"], 120);
    assert_eq!(
        person["@context"][3]["postingRestrictedToMods"],
        "lemmy:postingRestrictedToMods"
    );
    let parsed = parse_actor(&person, Some("https://kinora.example/accounts/alice")).unwrap();
    assert_eq!(parsed.kind, ActorKind::Person);
    assert_eq!(parsed.name, "Alice A.");
    assert_eq!(
        parsed.icon_url.as_deref(),
        Some("https://kinora.example/a.jpg")
    );
    assert_eq!(
        parsed.public_key.unwrap().id,
        "https://kinora.example/accounts/alice#main-key"
    );

    let channel = ChannelRow {
        url: None,
        id: 3,
        actor_id: 30,
        account_id: 2,
        name: "alice_channel".into(),
        host: None,
        display_name: "Sea films".into(),
        description: None,
        support: Some("Tips welcome".into()),
        created_at: 0,
        updated_at: 0,
    };
    let group = group(
        &urls,
        &channel,
        &actor(30, "Group", "alice_channel"),
        &actor(20, "Person", "alice"),
        &[],
    );
    assert_eq!(group["type"], "Group");
    assert_eq!(
        group["id"],
        "https://kinora.example/video-channels/alice_channel"
    );
    assert_eq!(group["support"], "Tips welcome");
    assert_eq!(group["postingRestrictedToMods"], true);
    assert_eq!(
        group["attributedTo"],
        json!([{"type": "Person", "id": "https://kinora.example/accounts/alice"}])
    );
    assert!(group.get("icon").is_none());
    let parsed = parse_actor(&group, None).unwrap();
    assert_eq!(
        parsed.attributed_to,
        ["https://kinora.example/accounts/alice"]
    );
    assert_eq!(parsed.support.as_deref(), Some("Tips welcome"));

    let mut instance = actor(1, "Application", "peertube");
    instance.public_key_pem = None;
    let app = application(&urls, &instance);
    assert_eq!(app["type"], "Application");
    assert_eq!(app["id"], "https://kinora.example/accounts/peertube");
    assert!(app.get("publicKey").is_none(), "no key yet: none shown");
    assert_eq!(
        parse_actor(&app, None).unwrap().kind,
        ActorKind::Application
    );
}

fn comment(id: i64, deleted: bool) -> CommentRow {
    CommentRow {
        id,
        url: None,
        video_id: 7,
        account_id: (!deleted).then_some(2),
        thread_id: Some(4),
        in_reply_to_id: Some(4),
        text: if deleted {
            String::new()
        } else {
            "Nice **waves**".into()
        },
        created_at: 1_704_067_200_000,
        updated_at: 1_704_067_260_000,
        deleted_at: deleted.then_some(1_704_067_320_000),
        held_for_review: 0,
        reply_approval: None,
    }
}

#[test]
fn comments_are_notes_and_deleted_ones_tombstones() {
    let id = "https://kinora.example/videos/watch/u/comments/5";
    let mentions = [Mention {
        href: "https://mastodon.example/users/bob".into(),
        name: "@bob@mastodon.example".into(),
    }];
    let row = comment(5, false);
    let note = comment_object(&NoteParts {
        comment: &row,
        id,
        in_reply_to: "https://mastodon.example/users/bob/statuses/1",
        author: Some("https://kinora.example/accounts/alice"),
        mentions: &mentions,
    });
    assert_eq!(note["type"], "Note");
    assert_eq!(note["mediaType"], "text/markdown");
    assert_eq!(note["content"], "Nice **waves**");
    assert_eq!(note["to"], json!([PUBLIC]));
    assert_eq!(
        note["cc"],
        json!(["https://kinora.example/accounts/alice/followers"])
    );
    assert_eq!(note["@context"][3]["replyApproval"], "pt:replyApproval");
    let RemoteComment::Note(parsed) = parse_comment(&note, Some(id)).unwrap() else {
        panic!("a Note");
    };
    assert_eq!(parsed.text, "Nice **waves**", "Markdown is kept as it is");
    assert_eq!(
        parsed.in_reply_to.as_deref(),
        Some("https://mastodon.example/users/bob/statuses/1")
    );
    assert_eq!(
        parsed.attributed_to,
        "https://kinora.example/accounts/alice"
    );
    assert_eq!(parsed.mentions, mentions);
    assert_eq!(parsed.published, row.created_at);
    assert_eq!(parsed.updated, Some(row.updated_at));

    let gone = comment(5, true);
    let tombstone = comment_object(&NoteParts {
        comment: &gone,
        id,
        in_reply_to: "https://kinora.example/videos/watch/u/comments/4",
        author: None,
        mentions: &[],
    });
    assert_eq!(tombstone["type"], "Tombstone");
    assert_eq!(tombstone["formerType"], "Note");
    assert_eq!(tombstone["deleted"], "2024-01-01T00:02:00.000Z");
    assert!(tombstone.get("content").is_none());
    let RemoteComment::Tombstone(parsed) = parse_comment(&tombstone, None).unwrap() else {
        panic!("a Tombstone");
    };
    assert_eq!(parsed.deleted, gone.deleted_at);
}

fn envelope(activity: &Value) -> (ActivityKind, String, String, Option<String>) {
    let parsed = parse_activity(activity, None).unwrap();
    (
        parsed.kind,
        parsed.id,
        parsed.actor,
        parsed.object.id().map(str::to_owned),
    )
}

#[test]
fn activities_have_peertubes_ids() {
    let urls = LocalUrls::new(BASE);
    let alice = "https://kinora.example/accounts/alice";
    let video = "https://kinora.example/videos/watch/u";
    let followers = format!("{alice}/followers");
    let audience = Audience::public(&followers);
    let object = json!({"@context": ["x"], "type": "Video", "id": video, "name": "v"});

    let create = activities::create(&object, alice, &audience, ContextType::Video);
    assert_eq!(
        envelope(&create),
        (
            ActivityKind::Create,
            format!("{video}/activity"),
            alice.into(),
            Some(video.into())
        )
    );
    assert!(
        create["object"].get("@context").is_none(),
        "embedded objects carry no context"
    );
    assert_eq!(create["object"]["to"], json!([PUBLIC]));
    assert_eq!(create["cc"], json!([followers]));
    assert_eq!(create["@context"][3]["Infohash"], "pt:Infohash");

    let update = activities::update(
        &object,
        alice,
        &audience,
        1_704_067_200_000,
        ContextType::Video,
    );
    assert_eq!(
        update["id"],
        format!("{video}/updates/2024-01-01T00:00:00.000Z")
    );
    assert_eq!(update["type"], "Update");

    let delete = activities::delete(video, alice, Some(&audience));
    assert_eq!(
        envelope(&delete),
        (
            ActivityKind::Delete,
            format!("{video}/delete"),
            alice.into(),
            Some(video.into())
        )
    );

    let remote = "https://peertube.example/video-channels/sea";
    let follow = activities::follow(alice, remote, 42);
    assert_eq!(
        envelope(&follow),
        (
            ActivityKind::Follow,
            format!("{alice}/follows/42"),
            alice.into(),
            Some(remote.into())
        )
    );
    assert_eq!(follow["@context"].as_array().unwrap().len(), 3);

    let their_follow = json!({"type": "Follow", "id": "https://peertube.example/accounts/bob/follows/9", "actor": "https://peertube.example/accounts/bob", "object": alice});
    let accept = activities::accept(&urls, alice, &their_follow, 9);
    assert_eq!(accept["id"], "https://kinora.example/accepts/follows/9");
    assert_eq!(accept["object"]["id"], their_follow["id"]);
    let parsed = parse_activity(&accept, None).unwrap();
    let ObjectRef::Embedded { object, .. } = parsed.object else {
        panic!("the Follow is embedded");
    };
    assert_eq!(
        parse_activity(&object, None).unwrap().kind,
        ActivityKind::Follow
    );
    let reject = activities::reject(&urls, alice, &their_follow, 1_704_067_200_000);
    assert_eq!(
        reject["id"],
        "https://kinora.example/rejects/follows/2024-01-01T00:00:00.000Z"
    );
    assert_eq!(reject["type"], "Reject");

    let owner = "https://peertube.example/accounts/bob";
    let like = activities::like(
        alice,
        "https://peertube.example/videos/watch/v",
        12,
        &Audience::direct(owner),
    );
    assert_eq!(like["id"], format!("{alice}/likes/12"));
    assert_eq!(like["to"], json!([owner]));
    let dislike = activities::dislike(
        alice,
        "https://peertube.example/videos/watch/v",
        12,
        &Audience::direct(owner),
    );
    assert_eq!(envelope(&dislike).0, ActivityKind::Dislike);
    assert_eq!(dislike["id"], format!("{alice}/dislikes/12"));
    let undo = activities::undo(&like, alice, &Audience::direct(owner), ContextType::Rate);
    assert_eq!(undo["id"], format!("{alice}/likes/12/undo"));
    assert_eq!(undo["object"]["type"], "Like");
    assert!(undo["object"].get("@context").is_none());

    let instance = "https://kinora.example/accounts/peertube";
    let announce = activities::announce(instance, 1, video, &audience);
    assert_eq!(
        envelope(&announce),
        (
            ActivityKind::Announce,
            format!("{video}/announces/1"),
            instance.into(),
            Some(video.into())
        )
    );
    let view = activities::view(
        instance,
        "https://peertube.example/videos/watch/v",
        12,
        "r4nd0m",
        &Audience::direct(owner),
    );
    assert_eq!(view["id"], format!("{instance}/views/videos/12/r4nd0m"));
    assert_eq!(view["@context"][3]["WatchAction"], "sc:WatchAction");

    let cache_id = activities::cache_file_id(&urls, "v-uuid");
    assert_eq!(
        cache_id,
        "https://kinora.example/redundancy/streaming-playlists/hls/v-uuid"
    );
    let cache = activities::cache_file(
        &cache_id,
        "https://peertube.example/videos/watch/v",
        "https://kinora.example/static/redundancy/hls/v-uuid/m.m3u8",
        Some(1_704_067_200_000),
    );
    assert_eq!(cache["type"], "CacheFile");
    assert_eq!(cache["expires"], "2024-01-01T00:00:00.000Z");
    assert_eq!(cache["url"]["mediaType"], "application/x-mpegURL");
    let created = activities::create(
        &cache,
        instance,
        &Audience::public(&format!("{instance}/followers")),
        ContextType::CacheFile,
    );
    assert_eq!(created["id"], format!("{cache_id}/activity"));
    assert_eq!(created["@context"][3]["CacheFile"], "pt:CacheFile");
    assert_eq!(
        created["object"]["object"],
        "https://peertube.example/videos/watch/v"
    );
}

/// A moved or aliased actor shows `alsoKnownAs` and `movedTo` (as Mastodon reads them), with
/// their terms in its context; an actor that is neither shows neither.
#[test]
fn aliases_and_moves_show_on_actors() {
    let urls = LocalUrls::new(BASE);
    let mut document = person(
        &urls,
        &common::alice("Alice", None),
        &actor(2, "Person", "alice"),
        &[],
    );
    assert!(document.get("alsoKnownAs").is_none() && document.get("movedTo").is_none());
    add_move_fields(
        &mut document,
        &["https://old.example/accounts/alice".to_owned()],
        Some("https://new.example/accounts/alice"),
    );
    assert_eq!(
        document["alsoKnownAs"],
        json!(["https://old.example/accounts/alice"])
    );
    assert_eq!(document["movedTo"], "https://new.example/accounts/alice");
    let context = document["@context"].to_string();
    assert!(
        context.contains("as:alsoKnownAs") && context.contains("as:movedTo"),
        "{context}"
    );
}

/// A Move has Mastodon's shape (`actor` = `object` = the old actor, `target` the new, an id
/// under the old actor), and an actor's `alsoKnownAs` and `movedTo` parse back (one alias given
/// as a plain string too, as some servers write it; what is no http(s) URL is left out).
#[test]
fn moves_have_mastodons_shape_and_parse_back() {
    let old = "https://kinora.example/video-channels/old";
    let new = "https://new.example/video-channels/new";
    let audience = Audience::public(&format!("{old}/followers"));
    let body = activities::move_actor(old, new, 1_765_000_000_000, &audience);
    assert_eq!(body["type"], "Move");
    assert_eq!(body["actor"], old);
    assert_eq!(body["object"], old);
    assert_eq!(body["target"], new);
    assert_eq!(body["id"], format!("{old}#moves/1765000000000"));
    assert_eq!(body["to"], json!([PUBLIC]));
    let parsed = parse_activity(&body, None).unwrap();
    assert_eq!(parsed.kind, ActivityKind::Other("Move".into()));
    assert_eq!(parsed.object, ObjectRef::Id(old.into()));

    let urls = LocalUrls::new(BASE);
    let mut document = person(
        &urls,
        &common::alice("Alice", None),
        &actor(2, "Person", "alice"),
        &[],
    );
    add_move_fields(&mut document, &[old.to_owned()], Some(new));
    let parsed = parse_actor(&document, None).unwrap();
    assert_eq!(parsed.also_known_as, vec![old.to_owned()]);
    assert_eq!(parsed.moved_to.as_deref(), Some(new));

    document["alsoKnownAs"] = json!(old);
    document.as_object_mut().unwrap().remove("movedTo");
    let parsed = parse_actor(&document, None).unwrap();
    assert_eq!(parsed.also_known_as, vec![old.to_owned()]);
    assert_eq!(parsed.moved_to, None);
    document["alsoKnownAs"] = json!(["javascript:alert(1)", old, 42]);
    document["movedTo"] = json!("ftp://elsewhere.example/x");
    let parsed = parse_actor(&document, None).unwrap();
    assert_eq!(parsed.also_known_as, vec![old.to_owned()]);
    assert_eq!(parsed.moved_to, None);
}
