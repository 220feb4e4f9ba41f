//! The video routes beside upload and playback: editing (`PUT`, with a custom thumbnail), the
//! description, captions and chapters, search, account, channel and own lists, feeds and
//! oEmbed — each with the bad input it must refuse. On SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::Harness;
use common::videos::insert_video;
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

fn names(body: &Value) -> Vec<String> {
    let mut names: Vec<String> = body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|video| video["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([10, 200, 10]));
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    common::harness::multipart(
        fields,
        file.map(|(name, bytes)| (name, "x.png", "image/png", bytes)),
    )
}

async fn put_multipart(
    h: &Harness,
    path: &str,
    token: &str,
    form: (String, Vec<u8>),
) -> (StatusCode, Value) {
    let request = Request::put(path)
        .header(header::CONTENT_TYPE, form.0)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(form.1))
        .unwrap();
    let (status, _, body) = h.send(request).await;
    (status, body)
}

backend_tests! {
    async fn owners_edit_their_videos_and_bad_edits_change_nothing(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let video = insert_video(&db, channel, "Before", 1, 1, 0).await;
        let path = format!("/api/v1/videos/{}", video.uuid);

        let (status, body) = h
            .send_json("PUT", &path, Some(&alice), json!({
                "name": "After <b>bold</b>",
                "description": "0:00 Start\n1:00 <script>alert(1)</script>",
                "tags": ["cats", "dogs"],
                "commentsPolicy": 2,
                "privacy": 2,
            }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, got) = h.get(&path, Some(&alice)).await;
        assert_eq!(got["name"], "After <b>bold</b>");
        assert_eq!(got["tags"], json!(["cats", "dogs"]));
        assert_eq!(got["privacy"]["id"], 2);
        assert_eq!(got["commentsEnabled"], false);
        let (status, description) = h.get(&format!("{path}/description"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            description["description"],
            "0:00 Start\n1:00 <script>alert(1)</script>"
        );
        let (_, chapters) = h.get(&format!("{path}/chapters"), None).await;
        assert_eq!(
            chapters["chapters"],
            json!([{"timecode": 0, "title": "Start"}, {"timecode": 60, "title": "<script>alert(1)</script>"}])
        );
        let (status, captions) = h.get(&format!("{path}/captions"), None).await;
        assert_eq!((status, captions["total"].as_i64()), (StatusCode::OK, Some(0)));

        // Multipart, as PeerTube's web client sends it, with tags[] and a thumbnail.
        let form = multipart(
            &[("name", "Multipart name"), ("tags[0]", "one"), ("tags[1]", "two"), ("privacy", "1")],
            Some(("thumbnailfile", &png(640, 360))),
        );
        let (status, body) = put_multipart(&h, &path, &alice, form).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, got) = h.get(&path, None).await;
        assert_eq!((got["name"].as_str(), got["privacy"]["id"].as_i64()), (Some("Multipart name"), Some(1)));
        assert_eq!(got["tags"], json!(["one", "two"]));
        let thumbnail = got["thumbnailPath"].as_str().expect("a thumbnail").to_owned();
        let (status, bytes) = h.get_bytes(&thumbnail).await;
        assert_eq!(status, StatusCode::OK);
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (280, 157));

        // An empty `tags` field clears the tags; no `tags` field leaves them.
        let form = multipart(&[("tags", "")], None);
        assert_eq!(put_multipart(&h, &path, &alice, form).await.0, StatusCode::NO_CONTENT);
        let (_, got) = h.get(&path, None).await;
        assert_eq!(got["tags"], json!([]));
        let form = multipart(&[("tags[0]", "kept")], None);
        assert_eq!(put_multipart(&h, &path, &alice, form).await.0, StatusCode::NO_CONTENT);
        let form = multipart(&[("support", "Thanks for watching")], None);
        assert_eq!(put_multipart(&h, &path, &alice, form).await.0, StatusCode::NO_CONTENT);
        let (_, got) = h.get(&path, None).await;
        assert_eq!(got["tags"], json!(["kept"]));

        // A second thumbnail replaces the first, whose file is gone.
        let form = multipart(&[], Some(("thumbnailfile", &png(100, 100))));
        assert_eq!(put_multipart(&h, &path, &alice, form).await.0, StatusCode::NO_CONTENT);
        let (_, got) = h.get(&path, None).await;
        assert_ne!(got["thumbnailPath"].as_str(), Some(thumbnail.as_str()));
        assert_eq!(h.get_text(&thumbnail).await.0, StatusCode::NOT_FOUND);

        // Refusals, each naming its field and changing nothing.
        for (body, field) in [
            (json!({"name": "ab"}), "name"),
            (json!({"name": "x".repeat(121)}), "name"),
            (json!({"description": "x".repeat(10_001)}), "description"),
            (json!({"tags": ["a"]}), "tags"),
            (json!({"tags": ["aa", "bb", "cc", "dd", "ee", "ff"]}), "tags"),
            (json!({"tags": ["x".repeat(31)]}), "tags"),
            (json!({"privacy": 9}), "privacy"),
            (json!({"privacy": "public"}), "privacy"),
            (json!({"commentsPolicy": 7}), "commentsPolicy"),
            (json!({"name": "Fine name", "language": "../etc"}), "language"),
        ] {
            let (status, answer) = h.send_json("PUT", &path, Some(&alice), body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
            assert!(answer.to_string().contains(field), "{body}: {answer}");
        }
        let form = multipart(&[("name", "Should not stay")], Some(("thumbnailfile", b"GIF89a not an image")));
        let (status, answer) = put_multipart(&h, &path, &alice, form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(answer.to_string().contains("thumbnailfile"), "{answer}");
        let (_, got) = h.get(&path, None).await;
        assert_eq!(got["name"], "Multipart name");

        // Someone else's video: 403; without a token: 401; someone else's private video: 404.
        let (status, _) = h.send_json("PUT", &path, Some(&bob), json!({"name": "Mine now"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("PUT", &path, None, json!({"name": "Mine now"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let private = insert_video(&db, channel, "Secret", 3, 1, 0).await;
        let (status, _) = h
            .send_json("PUT", &format!("/api/v1/videos/{}", private.uuid), Some(&bob), json!({"name": "Mine now"}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get(&format!("/api/v1/videos/{}/description", private.uuid), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, got) = h.get(&path, None).await;
        assert_eq!(got["name"], "Multipart name");
        // Staff may edit anything.
        let admin = h.user("admin1", UserRole::Admin).await;
        let (status, _) = h.send_json("PUT", &path, Some(&admin), json!({"nsfw": true})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    async fn search_and_lists_show_only_what_each_viewer_may_see(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (_, bob_channel) = h.user_with_channel("bob").await;
        insert_video(&db, channel, "Cats playing", 1, 1, 1).await;
        insert_video(&db, channel, "CATS unlisted", 2, 1, 1).await;
        insert_video(&db, channel, "Cats private", 3, 1, 1).await;
        insert_video(&db, channel, "Cats processing", 1, 2, 1).await;
        insert_video(&db, bob_channel, "Dogs and cats", 1, 1, 1).await;
        insert_video(&db, bob_channel, "100% literal_", 1, 1, 1).await;

        let (status, body) = h.get("/api/v1/search/videos?search=cAtS", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(names(&body), ["Cats playing", "Dogs and cats"]);
        assert_eq!(body["total"], 2);
        // LIKE wildcards in the text are literal.
        let (_, body) = h.get("/api/v1/search/videos?search=%25", None).await;
        assert_eq!(names(&body), ["100% literal_"]);
        let (_, body) = h.get("/api/v1/search/videos?search=s_p", None).await;
        assert!(names(&body).is_empty(), "{body}");
        let (status, _) = h
            .get(&format!("/api/v1/search/videos?search={}", "x".repeat(251)), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = h.get("/api/v1/search/videos?search=cats&count=1000", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (_, body) = h.get("/api/v1/search/video-channels?search=ALICE", None).await;
        assert_eq!(body["total"], 1, "{body}");
        assert_eq!(body["data"][0]["name"], "alice_channel");
        let (status, _) = h.get("/api/v1/search/video-channels?count=-1", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (_, body) = h.get("/api/v1/accounts/alice/videos", None).await;
        assert_eq!(names(&body), ["Cats playing"]);
        let (_, body) = h.get("/api/v1/video-channels/bob_channel/videos?sort=-views", None).await;
        assert_eq!(names(&body), ["100% literal_", "Dogs and cats"]);
        let (status, _) = h.get("/api/v1/video-channels/nobody/videos", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get("/api/v1/accounts/alice/videos?sort=secret", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // My videos: every privacy and state, newest first; nothing of others'.
        let (status, body) = h.get("/api/v1/users/me/videos", Some(&alice)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(names(&body), ["CATS unlisted", "Cats playing", "Cats private", "Cats processing"]);
        let (status, _) = h.get("/api/v1/users/me/videos", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn feeds_list_public_videos_as_rss_and_atom(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        insert_video(&db, channel, "Public <script>x</script> & more", 1, 1, 1).await;
        insert_video(&db, channel, "Unlisted one", 2, 1, 1).await;
        insert_video(&db, channel, "Private one", 3, 1, 1).await;

        let (status, headers, rss) = h.get_text(&format!("/feeds/videos.xml?videoChannelId={channel}")).await;
        assert_eq!(status, StatusCode::OK, "{rss}");
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/rss+xml"));
        let parsed = rss::Channel::read_from(rss.as_bytes()).expect("valid RSS");
        let titles: Vec<_> = parsed.items().iter().filter_map(|i| i.title()).collect();
        assert_eq!(titles, ["Public <script>x</script> & more"]);
        assert!(!rss.contains("<script>"), "escaped in the XML");
        assert!(parsed.items()[0].link().unwrap().contains("/w/"));

        let (status, headers, atom) = h.get_text("/feeds/videos.atom").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/atom+xml"));
        let feed: atom_syndication::Feed = atom.parse().expect("valid Atom");
        assert_eq!(feed.entries().len(), 1);
        let (_, _, same) = h.get_text("/feeds/videos.xml?format=atom").await;
        assert!(same.parse::<atom_syndication::Feed>().is_ok());

        let account = kinora_db::accounts::find_local_by_name(db.pool(), "alice").await.unwrap().unwrap();
        let (_, _, rss) = h.get_text(&format!("/feeds/videos.xml?accountId={}", account.id)).await;
        assert_eq!(rss::Channel::read_from(rss.as_bytes()).unwrap().items().len(), 1);

        for (query, status) in [
            ("/feeds/videos.xml?videoChannelId=abc", StatusCode::BAD_REQUEST),
            ("/feeds/videos.xml?videoChannelId=-1", StatusCode::BAD_REQUEST),
            ("/feeds/videos.xml?videoChannelId=999999", StatusCode::NOT_FOUND),
            ("/feeds/videos.xml?accountId=999999", StatusCode::NOT_FOUND),
            ("/feeds/videos.xml?format=pdf", StatusCode::BAD_REQUEST),
            ("/feeds/other.xml", StatusCode::NOT_FOUND),
        ] {
            assert_eq!(h.get_text(query).await.0, status, "{query}");
        }
    }

    async fn oembed_describes_visible_videos_only(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        let public = insert_video(&db, channel, "Shown \"quoted\" <b>", 1, 1, 1).await;
        let unlisted = insert_video(&db, channel, "Unlisted", 2, 1, 1).await;
        let private = insert_video(&db, channel, "Private", 3, 1, 1).await;
        let base = "http://localhost:9000";
        let oembed = |url: String| format!("/services/oembed?url={}", form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>());

        let (status, body) = h.get(&oembed(format!("{base}/w/{}", public.short_uuid)), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["type"], "video");
        assert_eq!(body["version"], "1.0");
        let html = body["html"].as_str().unwrap();
        assert!(html.contains(&format!("{base}/videos/embed/{}", public.uuid)), "{html}");
        assert!(!html.contains("<b>") && !html.contains("\"quoted\""), "{html}");
        assert_eq!(body["author_name"], "Main alice channel");
        let (status, _) = h.get(&oembed(format!("{base}/videos/watch/{}", unlisted.uuid)), None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = h.get(&oembed(format!("{base}/w/{}", private.short_uuid)), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get(&oembed(format!("https://elsewhere.example/w/{}", public.short_uuid)), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = h.get("/services/oembed", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = h.get(&format!("{}&format=xml", oembed(format!("{base}/w/{}", public.short_uuid))), None).await;
        assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
        let (_, body) = h.get(&format!("{}&maxwidth=200", oembed(format!("{base}/w/{}", public.short_uuid))), None).await;
        assert_eq!(body["width"], 200);
    }
}
