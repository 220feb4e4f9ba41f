//! Documents real servers sent parse as what they say: Mastodon's reply (PeerTube's own
//! fixture), and a PeerTube video, channel, account and comment captured from public instances.

mod common;

use common::{fixture, shared};
use kinora_federation::protocol::parse::ParseError;
use kinora_federation::protocol::parse::activity::{ActivityKind, ObjectRef, parse_activity};
use kinora_federation::protocol::parse::actor::{ActorKind, parse_actor};
use kinora_federation::protocol::parse::note::{RemoteComment, parse_comment};
use kinora_federation::protocol::parse::video::{RemotePrivacy, parse_video};

#[test]
fn mastodons_create_is_a_reply_note_with_its_mention() {
    let create = shared("mastodon/create.json");
    let envelope = parse_activity(&create, None).unwrap();
    assert_eq!(envelope.kind, ActivityKind::Create);
    assert_eq!(
        envelope.id,
        "http://localhost:3000/users/ronan2/statuses/100939345950887698/activity"
    );
    assert_eq!(envelope.actor, "http://localhost:3000/users/ronan2");
    assert_eq!(
        envelope.to,
        ["https://www.w3.org/ns/activitystreams#Public"]
    );
    assert_eq!(envelope.cc.len(), 2);
    assert_eq!(envelope.published, Some(1_540_212_187_000));
    let ObjectRef::Embedded { id, kind, object } = &envelope.object else {
        panic!("the Note is embedded");
    };
    assert_eq!(kind.as_deref(), Some("Note"));
    assert_eq!(
        id.as_deref(),
        Some("http://localhost:3000/users/ronan2/statuses/100939345950887698")
    );
    // The Note is on the activity's origin, as the caller checks.
    let RemoteComment::Note(note) = parse_comment(object, Some(&envelope.id)).unwrap() else {
        panic!("a Note");
    };
    assert_eq!(
        note.in_reply_to.as_deref(),
        Some("http://localhost:9000/videos/watch/90e6f8ed-b369-423c-b0c8-f44e5350c752")
    );
    assert_eq!(note.attributed_to, "http://localhost:3000/users/ronan2");
    assert_eq!(note.text, "@ronan zerg");
    assert_eq!(note.mentions.len(), 1);
    assert_eq!(
        note.mentions[0].href,
        "http://localhost:9000/accounts/ronan"
    );
    assert_eq!(note.mentions[0].name, "@ronan@localhost:9000");
    assert_eq!(
        note.url.as_deref(),
        Some("http://localhost:3000/@ronan2/100939345950887698")
    );
    assert_eq!(note.published, 1_540_212_187_000);
    assert_eq!(note.updated, None);
}

#[test]
fn peertubes_announce_without_context_parses() {
    let announce = shared("peertube/announce-without-context.json");
    let envelope = parse_activity(&announce, None).unwrap();
    assert_eq!(envelope.kind, ActivityKind::Announce);
    assert_eq!(envelope.actor, "http://127.0.0.1:9002/accounts/peertube");
    assert_eq!(
        envelope.object.id(),
        Some("http://127.0.0.1:9002/videos/watch/997111d4-e8d8-4f45-99d3-857905785d05")
    );
    assert_eq!(envelope.to.len(), 4);
    assert!(envelope.cc.is_empty());
}

#[test]
fn a_real_peertube_video_parses_with_its_media() {
    let value = fixture("peertube-video.json");
    let video = parse_video(
        &value,
        Some("https://fediverse.tv/videos/watch/5e348297-7b05-4fe1-807d-e6b0765435e9"),
    )
    .unwrap();
    assert_eq!(video.uuid, "5e348297-7b05-4fe1-807d-e6b0765435e9");
    assert!(video.name.starts_with("1° WebSocialBR"));
    assert_eq!(video.duration, 2814);
    assert_eq!(video.views, 6);
    assert_eq!(video.category, Some(15));
    assert_eq!(video.licence, Some(3));
    assert_eq!(video.language.as_deref(), Some("pt"));
    assert_eq!(video.tags, ["WebSocialBR"]);
    assert_eq!(video.privacy, RemotePrivacy::Public);
    assert_eq!(video.comments_policy, 1);
    assert!(video.download_enabled && video.wait_transcoding && !video.sensitive);
    assert_eq!(video.published, 1_764_813_935_721);
    assert_eq!(video.updated, 1_764_849_353_733);
    assert!(
        video
            .description
            .as_deref()
            .unwrap()
            .starts_with("O 1º WebSocialBR")
    );
    assert_eq!(
        video.channel_candidates().collect::<Vec<_>>(),
        [
            "https://fediverse.tv/accounts/alquimidia",
            "https://fediverse.tv/video-channels/noticias.alquimidia"
        ]
    );
    assert_eq!((video.thumbnail.width, video.thumbnail.height), (280, 157));
    assert!(video.thumbnail.url.contains("/thumbnails/"));
    let preview = video.preview.as_ref().unwrap();
    assert_eq!((preview.width, preview.height), (850, 480));
    assert_eq!(
        video.html_url.as_deref(),
        Some("https://fediverse.tv/w/cCGUxnZuDUWGvQbUnDA4TP")
    );
    assert_eq!(
        video.likes.url.as_deref(),
        Some("https://fediverse.tv/videos/watch/5e348297-7b05-4fe1-807d-e6b0765435e9/likes")
    );
    let media = &video.media;
    assert!(
        media
            .playlist_url
            .as_deref()
            .unwrap()
            .ends_with("-master.m3u8")
    );
    assert!(
        media
            .segments_sha256_url
            .as_deref()
            .unwrap()
            .ends_with("-segments-sha256.json")
    );
    assert_eq!(media.infohashes.len(), 4);
    assert_eq!(
        media.trackers,
        [
            "https://fediverse.tv/tracker/announce",
            "wss://fediverse.tv:443/tracker/socket"
        ]
    );
    let heights: Vec<i64> = media.files.iter().map(|f| f.height).collect();
    assert_eq!(heights, [480, 360, 0]);
    let best = &media.files[0];
    assert_eq!(
        (best.resolution, best.width, best.fps, best.size),
        (480, Some(854), Some(30.0), 356_677_234)
    );
    assert!(best.has_video && !best.has_audio);
    assert!(best.file_url.ends_with("-480-fragmented.mp4"));
    assert!(
        best.playlist_url
            .as_deref()
            .unwrap()
            .ends_with("dd32920e-7917-4bde-8321-43c0786db2fd-480.m3u8")
    );
    assert!(
        best.torrent_url
            .as_deref()
            .unwrap()
            .ends_with("-480-hls.torrent")
    );
    assert!(
        best.magnet_uri
            .as_deref()
            .unwrap()
            .contains("31644fee5e92981d9e1cfcddc743ee1488a97f76")
    );
    assert!(
        best.metadata_url
            .as_deref()
            .unwrap()
            .ends_with("/metadata/2042088")
    );
    let audio = &media.files[2];
    assert!(audio.has_audio && !audio.has_video);
    assert_eq!(audio.resolution, 0);
    assert!(
        audio
            .torrent_url
            .as_deref()
            .unwrap()
            .ends_with("-0-hls.torrent")
    );
    assert_eq!(
        video.short_uuid(),
        "cCGUxnZuDUWGvQbUnDA4TP",
        "PeerTube's /w/ link names it"
    );

    let refused = parse_video(&value, Some("https://evil.example/videos/watch/x"));
    assert!(
        matches!(refused, Err(ParseError::ForeignId { .. })),
        "{refused:?}"
    );
}

#[test]
fn a_real_peertube_channel_and_account_parse() {
    let channel = parse_actor(
        &fixture("peertube-group.json"),
        Some("https://tilvids.com/video-channels/thelinuxexperiment_channel"),
    )
    .unwrap();
    assert_eq!(channel.kind, ActorKind::Group);
    assert_eq!(channel.preferred_username, "thelinuxexperiment_channel");
    assert_eq!(channel.host, "tilvids.com");
    assert_eq!(channel.name, "The Linux Experiment");
    assert_eq!(
        channel.shared_inbox.as_deref(),
        Some("https://tilvids.com/inbox")
    );
    assert_eq!(
        channel.inbox,
        "https://tilvids.com/video-channels/thelinuxexperiment_channel/inbox"
    );
    assert_eq!(
        channel.attributed_to,
        ["https://tilvids.com/accounts/thelinuxexperiment"]
    );
    assert!(channel.support.as_deref().unwrap().contains("Liberapay"));
    assert!(
        channel
            .icon_url
            .as_deref()
            .unwrap()
            .ends_with("13b0214b-edc0-4c5b-a04d-be648a3a370a.jpg"),
        "the 120 px avatar"
    );
    let key = channel.public_key.as_ref().unwrap();
    assert!(key.id.ends_with("#main-key"));
    assert!(key.pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(
        channel
            .summary
            .as_deref()
            .unwrap()
            .contains("\n\nYou might see"),
        "plain text kept"
    );
    assert_eq!(channel.published, Some(1_593_524_717_984));

    let account = parse_actor(&fixture("peertube-person.json"), None).unwrap();
    assert_eq!(account.kind, ActorKind::Person);
    assert_eq!(
        account.followers.as_deref(),
        Some("https://tilvids.com/accounts/thelinuxexperiment/followers")
    );
    assert!(account.attributed_to.is_empty());
}

#[test]
fn a_real_peertube_comment_parses() {
    let RemoteComment::Note(note) = parse_comment(&fixture("peertube-note.json"), None).unwrap()
    else {
        panic!("a Note");
    };
    assert_eq!(note.text, "@af2@bae.st idk");
    assert_eq!(
        note.attributed_to,
        "https://video.antopie.org/accounts/yoge6785555"
    );
    assert_eq!(
        note.in_reply_to.as_deref(),
        Some("https://bae.st/objects/87c1cbf5-542a-491d-af57-0414c8648381")
    );
    assert_eq!(note.mentions[0].name, "@af2@bae.st");
    assert_eq!(note.updated, Some(1_651_218_752_555));
}
