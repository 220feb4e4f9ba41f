//! A Video object built here parses back through our own parser with every field as the rows
//! said; and the object has the shape PeerTube's receiver checks (research/peertube.md §4.3).

mod common;

use kinora_app::media_urls::file_urls;
use kinora_db::channels::ChannelRow;
use kinora_db::videos::{VideoFileRow, VideoRow};
use kinora_federation::protocol::parse::video::{RemotePrivacy, parse_video};
use kinora_federation::protocol::video::{VideoMediaUrls, VideoParts, video_object};
use kinora_federation::urls::LocalUrls;
use serde_json::Value;

const UUID: &str = "9c9de5e8-0a1e-484a-b099-e80766180a6d";
const BASE: &str = "https://kinora.example";

fn video_row() -> VideoRow {
    VideoRow {
        id: 7,
        uuid: UUID.into(),
        short_uuid: "kkGMgK9ZtnKfYAgnEtQxbv".into(),
        channel_id: 3,
        name: "A walk by the sea".into(),
        description: Some("Waves, **gulls** and wind.".into()),
        support: Some("Support me".into()),
        privacy: 1,
        category: Some(15),
        licence: Some(2),
        language: Some("fr".into()),
        nsfw: 0,
        comments_policy: 1,
        download_enabled: 1,
        wait_transcoding: 1,
        tags: r#"["sea","walk"]"#.into(),
        state: 1,
        transcoding_progress: None,
        failure_reason: None,
        duration: 95,
        original_filename: "sea.mp4".into(),
        original_size: 10,
        hls_master_file: Some("0f0e-master.m3u8".into()),
        hls_segments_file: Some("0f0e-segments-sha256.json".into()),
        thumbnail_file: Some("t.jpg".into()),
        preview_file: Some("p.jpg".into()),
        storyboard_file: None,
        storyboard_json: None,
        views: 42,
        likes: 3,
        dislikes: 1,
        created_at: 1_704_067_200_000,
        updated_at: 1_704_153_600_000,
        published_at: Some(1_704_070_800_000),
        media_location: "local".into(),
        original_location: "local".into(),
        original_torrent_file: None,
        original_info_hash: None,
        url: None,
        federated: 0,
        originally_published_at: None,
        is_live: 0,
    }
}

fn file_row(id: i64, resolution: i64, width: i64, video: bool) -> VideoFileRow {
    VideoFileRow {
        id,
        video_id: 7,
        resolution,
        width,
        height: resolution,
        fps: if video { 30.0 } else { 0.0 },
        size: 1000 * (resolution + 1),
        file_name: format!("aa{id}-{resolution}-fragmented.mp4"),
        playlist_name: format!("aa{id}-{resolution}.m3u8"),
        has_audio: 1,
        has_video: i64::from(video),
        torrent_file: Some(format!("tt{id}-{resolution}-hls.torrent")),
        info_hash: Some(format!("{id:040}")),
    }
}

fn channel_row() -> ChannelRow {
    ChannelRow {
        url: None,
        id: 3,
        actor_id: 30,
        account_id: 2,
        name: "alice_channel".into(),
        host: None,
        display_name: "Alice's channel".into(),
        description: None,
        support: None,
        created_at: 0,
        updated_at: 0,
    }
}

fn build(video: &VideoRow, files: &[VideoFileRow], infohashes: &[String]) -> Option<Value> {
    let hls = format!("{BASE}/static/streaming-playlists/hls/{UUID}");
    let media = VideoMediaUrls {
        master_playlist: Some(format!("{hls}/0f0e-master.m3u8")),
        segments_sha256: Some(format!("{hls}/0f0e-segments-sha256.json")),
        files: files
            .iter()
            .map(|f| file_urls(video, f, &hls, BASE))
            .collect(),
        thumbnail: Some(format!("{BASE}/lazy-static/thumbnails/t.jpg")),
        preview: Some(format!("{BASE}/lazy-static/previews/p.jpg")),
        storyboard: None,
    };
    video_object(
        &LocalUrls::new(BASE),
        &VideoParts {
            video,
            channel: &channel_row(),
            account: &common::alice("Alice", None),
            files,
            media: &media,
            infohashes,
            captions: &[],
            live: None,
        },
    )
}

#[test]
fn our_video_object_parses_back_with_every_field() {
    let video = video_row();
    let files = [
        file_row(11, 360, 640, true),
        file_row(12, 720, 1280, true),
        file_row(13, 0, 0, false),
    ];
    let hashes = vec!["a".repeat(40), "b".repeat(40)];
    let object = build(&video, &files, &hashes).unwrap();
    let parsed = parse_video(&object, Some(&format!("{BASE}/videos/watch/{UUID}"))).unwrap();

    assert_eq!(parsed.id, format!("{BASE}/videos/watch/{UUID}"));
    assert_eq!(parsed.uuid, UUID);
    assert_eq!(parsed.short_uuid(), video.short_uuid);
    assert_eq!(parsed.name, video.name);
    assert_eq!(parsed.duration, video.duration);
    assert_eq!(parsed.views, video.views);
    assert_eq!(parsed.published, video.published_at.unwrap());
    assert_eq!(parsed.updated, video.updated_at);
    assert_eq!(parsed.originally_published_at, None);
    assert_eq!(parsed.description, video.description);
    assert_eq!(parsed.support, video.support);
    assert_eq!(parsed.tags_json(), video.tags);
    assert_eq!(parsed.category, video.category);
    assert_eq!(parsed.licence, video.licence);
    assert_eq!(parsed.language, video.language);
    assert_eq!(parsed.sensitive, video.nsfw != 0);
    assert_eq!(parsed.comments_policy, video.comments_policy);
    assert_eq!(parsed.download_enabled, video.download_enabled != 0);
    assert_eq!(parsed.wait_transcoding, video.wait_transcoding != 0);
    assert_eq!(parsed.state, video.state);
    assert_eq!(parsed.privacy, RemotePrivacy::Public);
    assert_eq!(parsed.to, ["https://www.w3.org/ns/activitystreams#Public"]);
    assert_eq!(parsed.cc, [format!("{BASE}/accounts/alice/followers")]);
    assert_eq!(parsed.attributed_to.len(), 2);
    assert_eq!(
        parsed.attributed_to[0].url,
        format!("{BASE}/accounts/alice")
    );
    assert_eq!(parsed.attributed_to[0].kind.as_deref(), Some("Person"));
    assert_eq!(
        parsed.attributed_to[1].url,
        format!("{BASE}/video-channels/alice_channel")
    );
    assert_eq!(parsed.attributed_to[1].kind.as_deref(), Some("Group"));
    assert_eq!(
        parsed.channel_candidates().collect::<Vec<_>>(),
        [format!("{BASE}/video-channels/alice_channel")]
    );
    assert_eq!(
        parsed.html_url,
        Some(format!("{BASE}/w/{}", video.short_uuid))
    );
    assert_eq!(
        parsed.thumbnail.url,
        format!("{BASE}/lazy-static/thumbnails/t.jpg")
    );
    assert_eq!(
        (parsed.thumbnail.width, parsed.thumbnail.height),
        (280, 157)
    );
    let preview = parsed.preview.as_ref().unwrap();
    assert_eq!(preview.url, format!("{BASE}/lazy-static/previews/p.jpg"));
    assert_eq!((preview.width, preview.height), (850, 480));
    for (collection, name) in [
        (&parsed.likes, "likes"),
        (&parsed.dislikes, "dislikes"),
        (&parsed.shares, "announces"),
        (&parsed.comments, "comments"),
    ] {
        assert_eq!(
            collection.url,
            Some(format!("{BASE}/videos/watch/{UUID}/{name}"))
        );
    }

    let media = &parsed.media;
    let hls = format!("{BASE}/static/streaming-playlists/hls/{UUID}");
    assert_eq!(media.playlist_url, Some(format!("{hls}/0f0e-master.m3u8")));
    assert_eq!(
        media.segments_sha256_url,
        Some(format!("{hls}/0f0e-segments-sha256.json"))
    );
    assert_eq!(media.infohashes, hashes);
    assert_eq!(
        media.trackers,
        [
            format!("{BASE}/tracker/announce"),
            "wss://kinora.example/tracker/socket".to_owned()
        ]
    );
    // Highest resolution first, as PeerTube orders them.
    let order: Vec<i64> = media.files.iter().map(|f| f.resolution).collect();
    assert_eq!(order, [720, 360, 0]);
    for remote in &media.files {
        let file = files
            .iter()
            .find(|f| f.resolution == remote.resolution)
            .unwrap();
        let urls = file_urls(&video, file, &hls, BASE);
        assert_eq!(remote.width, Some(file.width));
        assert_eq!(remote.height, file.height);
        assert_eq!(remote.fps, Some(file.fps));
        assert_eq!(remote.size, file.size);
        assert_eq!(remote.file_url, urls.file_url);
        assert_eq!(
            remote.playlist_url,
            Some(urls.playlist_url),
            "derived by PeerTube's naming"
        );
        assert_eq!(remote.torrent_url, urls.torrent_url);
        assert_eq!(remote.magnet_uri, urls.magnet_uri);
        assert_eq!(remote.metadata_url, Some(urls.metadata_url));
        assert_eq!(remote.has_audio, file.has_audio != 0);
        assert_eq!(remote.has_video, file.has_video != 0);
        assert_eq!(
            remote.media_type,
            if file.has_video != 0 {
                "video/mp4"
            } else {
                "audio/mp4"
            }
        );
    }
}

#[test]
fn our_video_object_has_peertubes_shape() {
    let video = video_row();
    let files = [file_row(11, 360, 640, true), file_row(12, 720, 1280, true)];
    let object = build(&video, &files, &[]).unwrap();
    assert_eq!(
        object["@context"][0],
        "https://www.w3.org/ns/activitystreams"
    );
    assert_eq!(object["@context"][3]["Infohash"], "pt:Infohash");
    assert_eq!(object["type"], "Video");
    assert_eq!(object["duration"], "PT95S");
    assert_eq!(
        object["category"],
        serde_json::json!({"identifier": "15", "name": "Science & Technology"})
    );
    assert_eq!(object["licence"]["name"], "Attribution - Share Alike");
    assert_eq!(
        object["language"],
        serde_json::json!({"identifier": "fr", "name": "French"})
    );
    assert_eq!(object["mediaType"], "text/markdown");
    assert_eq!(object["canReply"], Value::Null);
    assert_eq!(object["commentsEnabled"], true);
    assert_eq!(
        object["tag"][0],
        serde_json::json!({"type": "Hashtag", "name": "sea"})
    );
    assert_eq!(object["aspectRatio"], 1.7778);
    assert_eq!(object["published"], "2024-01-01T01:00:00.000Z");
    let icons = object["icon"].as_array().unwrap();
    assert_eq!(icons.len(), 2);
    assert!(
        icons
            .iter()
            .all(|i| i["mediaType"] == "image/jpeg" && i["width"].is_u64() && i["height"].is_u64())
    );
    let urls = object["url"].as_array().unwrap();
    assert_eq!(urls[0]["mediaType"], "text/html");
    assert_eq!(urls[0]["href"], format!("{BASE}/w/{}", video.short_uuid));
    assert_eq!(urls[1]["href"], format!("{BASE}/videos/watch/{UUID}"));
    assert_eq!(urls[2]["mediaType"], "application/x-mpegURL");
    let tags = urls[2]["tag"].as_array().unwrap();
    assert_eq!(tags[0]["name"], "sha256", "no Infohash given, none written");
    let kinds: Vec<&str> = tags[1..5]
        .iter()
        .map(|t| t["mediaType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "video/mp4",
            "application/json",
            "application/x-bittorrent",
            "application/x-bittorrent;x-scheme-handler/magnet"
        ]
    );
    assert_eq!(tags[1]["height"], 720);
    assert_eq!(tags[1]["fps"], 30, "an integer, as PeerTube checks");
    assert_eq!(tags[1]["attachment"][0]["name"], "ffprobe_codec_type");
    assert_eq!(
        tags[1]["attachment"][2],
        serde_json::json!({"type": "PropertyValue", "name": "peertube_format_flag", "value": "fragmented"})
    );
    assert_eq!(tags[2]["rel"], serde_json::json!(["metadata", "video/mp4"]));
    assert_eq!(urls[3]["name"], "tracker-http");
    assert_eq!(urls[4]["name"], "tracker-websocket");
    assert_eq!(urls.len(), 5);
    assert_eq!(
        object["attributedTo"][1],
        serde_json::json!({"type": "Group", "id": format!("{BASE}/video-channels/alice_channel")})
    );
    assert_eq!(object["isLiveBroadcast"], false);
}

#[test]
fn unlisted_videos_have_an_empty_audience_and_private_ones_no_object() {
    let mut video = video_row();
    video.privacy = 2;
    video.comments_policy = 3;
    let object = build(&video, &[], &[]).unwrap();
    assert_eq!(object["to"], serde_json::json!([]));
    assert_eq!(object["cc"], serde_json::json!([]));
    assert_eq!(
        object["canReply"],
        "https://www.w3.org/ns/activitystreams#Public"
    );
    let parsed = parse_video(&object, None).unwrap();
    assert_eq!(parsed.privacy, RemotePrivacy::Unlisted);
    assert_eq!(parsed.comments_policy, 3);
    assert!(parsed.media.files.is_empty());
    for privacy in [3, 4, 5] {
        video.privacy = privacy;
        assert!(build(&video, &[], &[]).is_none(), "privacy {privacy}");
    }
}
