//! ActivityPub documents through the whole HTTP stack: actors, the Video object and comments
//! with the fields research/peertube.md §4 lists, content negotiation (browsers get pages,
//! ActivityPub clients documents, at the same URLs), privacy (private and internal videos and
//! their comments are not there), and redirects for what lives elsewhere. On SQLite and
//! PostgreSQL.

use crate::common;

use axum::http::{StatusCode, header};
use common::activitypub::{
    AP, actor_id, add_media, ap_get, get_with, insert_comment, remote_account,
};
use common::harness::Harness;
use common::videos::insert_video;
use kinora_db::backend_tests;
use serde_json::json;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn web_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<html><head><!--kinora-head--></head></html>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("embed.html"),
        "<html><head><!--kinora-head--></head></html>",
    )
    .unwrap();
    dir
}

backend_tests! {
    async fn actors_are_person_group_and_application(db: Db) {
        let h = Harness::new(&db, |_| {});
        h.user_with_channel("alice").await;
        kinora_app::actors::ensure_instance_actor(&db).await.unwrap();
        kinora_app::actors::generate_actor_keys(&db, actor_id(&db, "alice").await).await.unwrap();

        let (status, person) = ap_get(&h, "/accounts/alice").await;
        assert_eq!(status, StatusCode::OK, "{person}");
        assert_eq!(person["@context"][0], "https://www.w3.org/ns/activitystreams");
        assert_eq!(person["type"], "Person");
        assert_eq!(person["id"], "http://localhost:9000/accounts/alice");
        assert_eq!(person["preferredUsername"], "alice");
        assert_eq!(person["inbox"], "http://localhost:9000/accounts/alice/inbox");
        assert_eq!(person["outbox"], "http://localhost:9000/accounts/alice/outbox");
        assert_eq!(person["followers"], "http://localhost:9000/accounts/alice/followers");
        assert_eq!(person["following"], "http://localhost:9000/accounts/alice/following");
        assert_eq!(person["endpoints"]["sharedInbox"], "http://localhost:9000/inbox");
        assert_eq!(person["publicKey"]["id"], "http://localhost:9000/accounts/alice#main-key");
        assert_eq!(person["publicKey"]["owner"], person["id"]);
        assert!(person["publicKey"]["publicKeyPem"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(person["published"].as_str().unwrap().ends_with('Z'));
        // What we serve is what our own parser (and so a PeerTube) accepts from its origin.
        kinora_federation::protocol::parse::actor::parse_actor(&person, Some("http://localhost:9000/accounts/alice")).unwrap();

        let (status, channel) = ap_get(&h, "/video-channels/alice_channel").await;
        assert_eq!(status, StatusCode::OK, "{channel}");
        assert_eq!(channel["type"], "Group");
        assert_eq!(channel["id"], "http://localhost:9000/video-channels/alice_channel");
        assert_eq!(channel["attributedTo"], json!([{"type": "Person", "id": "http://localhost:9000/accounts/alice"}]));
        assert_eq!(channel["postingRestrictedToMods"], true);
        assert!(channel.get("support").is_some());
        assert!(channel.get("publicKey").is_none(), "its key job has not run: no key shown");

        let (status, instance) = ap_get(&h, "/accounts/peertube").await;
        assert_eq!(status, StatusCode::OK, "{instance}");
        assert_eq!(instance["type"], "Application");
        assert_eq!(instance["id"], "http://localhost:9000/accounts/peertube");
        assert!(instance["publicKey"]["publicKeyPem"].is_string());

        let (status, local_handle) = ap_get(&h, "/accounts/alice@localhost:9000").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(local_handle["id"], person["id"]);

        for path in ["/accounts/alice_channel", "/video-channels/alice", "/video-channels/peertube",
                     "/accounts/nobody", "/accounts/nobody@elsewhere.example", "/accounts/%00",
                     "/accounts/a%20b", "/accounts/..%2Fetc", "/accounts/%F0%9F%98%80", "/video-channels/%00/outbox"] {
            let (status, headers, body) = get_with(&h, path, AP).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json", "{path}");
            assert_eq!(body["status"], 404);
        }
        let long = format!("/accounts/{}", "a".repeat(300));
        assert_eq!(ap_get(&h, &long).await.0, StatusCode::NOT_FOUND);

        remote_account(&db, "remote.example", "bob").await;
        let (status, headers, _) = get_with(&h, "/accounts/bob@remote.example", AP).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "https://remote.example/accounts/bob");
    }

    async fn negotiation_sends_only_activitypub_requests_to_federation(db: Db) {
        let build = web_build();
        let root = build.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        let (_, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "Negotiated", 1, 1, 0).await;
        let watch = format!("/videos/watch/{}", video.uuid);

        for accept in [AP, "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
                       "application/ld+json", "text/html;q=0.5, application/activity+json"] {
            let (status, headers, body) = get_with(&h, &watch, accept).await;
            assert_eq!(status, StatusCode::OK, "{accept}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/activity+json; charset=utf-8", "{accept}");
            assert_eq!(body["type"], "Video", "{accept}");
        }
        for accept in [BROWSER, "*/*", "text/html", "application/json", "text/html, application/activity+json"] {
            let (status, headers, body) = get_with(&h, &watch, accept).await;
            assert_eq!(status, StatusCode::OK, "{accept}");
            assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{accept}");
            assert_eq!(headers[header::VARY], "Accept", "{accept}");
            assert!(body.as_str().unwrap().contains("og:platform"), "{accept}");
        }
        // A trailing slash is trimmed before negotiation, as for every route.
        let (status, _, body) = get_with(&h, &format!("{watch}/"), AP).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["type"], "Video");

        for (path, page) in [("/accounts/alice", "/a/alice"), ("/video-channels/alice_channel", "/c/alice_channel")] {
            let (status, headers, _) = get_with(&h, path, BROWSER).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(headers[header::LOCATION], page, "{path}");
            assert_eq!(headers[header::VARY], "Accept", "{path}");
            let (status, headers, _) = get_with(&h, path, AP).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/activity+json"));
        }
        // Collections are documents only: a browser finds no page there.
        let (status, _, _) = get_with(&h, "/accounts/alice/outbox", BROWSER).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The API is untouched by an ActivityPub Accept.
        let (status, headers, body) = get_with(&h, &format!("/api/v1/videos/{}", video.uuid), AP).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
        assert_eq!(body["uuid"], video.uuid);
        // Only reads are negotiated.
        let request = axum::http::Request::post("/accounts/alice")
            .header(header::ACCEPT, AP)
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(h.send(request).await.0, StatusCode::METHOD_NOT_ALLOWED);
    }

    async fn the_video_object_is_peertubes(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "Sea walk", 1, 1, 12).await;
        add_media(&db, &video).await;
        sqlx::query("UPDATE videos SET tags = $1, category = 15, licence = 1, language = 'en', description = 'About **waves**', duration = 95 WHERE id = $2")
            .bind(r#"["sea","walk"]"#).bind(video.id).execute(db.pool()).await.unwrap();

        let id = format!("http://localhost:9000/videos/watch/{}", video.uuid);
        for path in [format!("/videos/watch/{}", video.uuid), format!("/videos/watch/{}", video.short_uuid)] {
            let (status, object) = ap_get(&h, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {object}");
            assert_eq!(object["id"], id);
        }
        let (_, object) = ap_get(&h, &format!("/videos/watch/{}", video.uuid)).await;
        assert_eq!(object["@context"][3]["Infohash"], "pt:Infohash");
        assert_eq!(object["type"], "Video");
        assert_eq!(object["name"], "Sea walk");
        assert_eq!(object["uuid"], video.uuid);
        assert_eq!(object["duration"], "PT95S");
        assert_eq!(object["views"], 12);
        assert_eq!(object["category"], json!({"identifier": "15", "name": "Science & Technology"}));
        assert_eq!(object["licence"], json!({"identifier": "1", "name": "Attribution"}));
        assert_eq!(object["language"], json!({"identifier": "en", "name": "English"}));
        assert_eq!(object["tag"], json!([{"type": "Hashtag", "name": "sea"}, {"type": "Hashtag", "name": "walk"}]));
        assert_eq!(object["mediaType"], "text/markdown");
        assert_eq!(object["content"], "About **waves**");
        assert_eq!(object["commentsPolicy"], 1);
        assert_eq!(object["downloadEnabled"], true);
        assert_eq!(object["to"], json!([PUBLIC]));
        assert_eq!(object["cc"], json!(["http://localhost:9000/accounts/alice/followers"]));
        assert_eq!(object["attributedTo"], json!([
            {"type": "Person", "id": "http://localhost:9000/accounts/alice"},
            {"type": "Group", "id": "http://localhost:9000/video-channels/alice_channel"},
        ]));
        for (field, path) in [("likes", "likes"), ("dislikes", "dislikes"), ("shares", "announces"), ("comments", "comments")] {
            assert_eq!(object[field], format!("{id}/{path}"));
        }
        assert_eq!(object["icon"], json!([
            {"type": "Image", "url": "http://localhost:9000/lazy-static/thumbnails/thumb.jpg", "mediaType": "image/jpeg", "width": 280, "height": 157},
            {"type": "Image", "url": "http://localhost:9000/lazy-static/previews/preview.jpg", "mediaType": "image/jpeg", "width": 850, "height": 480},
        ]));
        let urls = object["url"].as_array().unwrap();
        assert_eq!(urls[0]["href"], format!("http://localhost:9000/w/{}", video.short_uuid));
        assert_eq!(urls[1]["href"], id);
        let hls = format!("http://localhost:9000/static/streaming-playlists/hls/{}", video.uuid);
        assert_eq!(urls[2]["href"], format!("{hls}/a-master.m3u8"));
        let all_tags = urls[2]["tag"].as_array().unwrap();
        // First the p2p-media-loader swarms of the renditions, as players announce them.
        let swarms = kinora_core::swarm::video_swarms(&video.uuid, &[720, 360]);
        assert_eq!(swarms.len(), 2);
        for (tag, swarm) in all_tags.iter().zip(&swarms) {
            assert_eq!(tag, &json!({"type": "Infohash", "name": swarm.info_hash_text()}));
        }
        let tags = &all_tags[swarms.len()..];
        assert_eq!(tags[0], json!({"type": "Link", "name": "sha256", "mediaType": "application/json", "href": format!("{hls}/a-segments-sha256.json")}));
        assert_eq!(tags.len(), 9, "sha256 and four links per rendition");
        assert_eq!(tags[1]["href"], format!("{hls}/f720-720-fragmented.mp4"));
        assert_eq!((tags[1]["height"].as_i64(), tags[1]["width"].as_i64(), tags[1]["fps"].as_i64()), (Some(720), Some(1280), Some(25)));
        assert_eq!(tags[3]["href"], "http://localhost:9000/lazy-static/torrents/t720-hls.torrent");
        assert!(tags[4]["href"].as_str().unwrap().starts_with("magnet:?xs="));
        assert_eq!(tags[5]["height"], 360);
        assert_eq!(urls[3]["href"], "http://localhost:9000/tracker/announce");
        assert_eq!(urls[4]["href"], "ws://localhost:9000/tracker/socket");

        let parsed = kinora_federation::protocol::parse::video::parse_video(&object, Some(&id)).unwrap();
        assert_eq!(parsed.media.files.len(), 2);
        assert_eq!(parsed.media.files[0].playlist_url.as_deref(), Some(format!("{hls}/f720-720.m3u8").as_str()));

        sqlx::query("UPDATE videos SET privacy = 2 WHERE id = $1").bind(video.id).execute(db.pool()).await.unwrap();
        let (status, unlisted) = ap_get(&h, &format!("/videos/watch/{}", video.uuid)).await;
        assert_eq!(status, StatusCode::OK, "unlisted videos are served");
        assert_eq!((unlisted["to"].clone(), unlisted["cc"].clone()), (json!([]), json!([])));
    }

    async fn private_internal_and_unpublished_videos_are_not_there(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        let account = kinora_db::accounts::find_local_by_name(db.pool(), "alice").await.unwrap().unwrap();
        let private = insert_video(&db, channel, "Private", 3, 1, 0).await;
        let internal = insert_video(&db, channel, "Internal", 4, 1, 0).await;
        let unpublished = insert_video(&db, channel, "Unpublished", 1, 2, 0).await;
        for video in [&private, &internal, &unpublished] {
            let comment = insert_comment(&db, video.id, account.id, None, "hidden").await;
            for suffix in ["".to_owned(), "/comments".into(), "/likes".into(), "/dislikes".into(),
                           "/announces".into(), format!("/comments/{}", comment.id)] {
                let path = format!("/videos/watch/{}{suffix}", video.uuid);
                let (status, headers, body) = get_with(&h, &path, AP).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
                assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            }
        }
        for path in ["/videos/watch/00000000-0000-0000-0000-000000000000", "/videos/watch/nothing",
                     "/videos/watch/%00", "/videos/watch/%00/comments", "/videos/watch/a'b",
                     &format!("/videos/watch/{}", "x".repeat(100))] {
            assert_eq!(ap_get(&h, path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
    }
}
