//! The web front end's pages as the server answers them: the app's HTML for every page route,
//! a watch page's OpenGraph and Twitter player tags written in by the server (escaped, and only
//! for videos an anonymous visitor may see), the embed pages of a video and of a playlist, hashed assets, and a clear 503
//! when the front end is not built. On SQLite and PostgreSQL.

use crate::common;

use axum::http::{StatusCode, header};
use common::harness::Harness;
use common::videos::insert_video;
use kinora_db::backend_tests;

const INDEX: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><!--kinora-head--></head><body><div id=\"app\"></div></body></html>";
const EMBED: &str =
    "<!doctype html><html><head><!--kinora-head--></head><body class=\"embed\"></body></html>";

fn web_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
    std::fs::write(dir.path().join("embed.html"), EMBED).unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app-1234abcd.js"), "console.log(1)").unwrap();
    dir
}

backend_tests! {
    async fn pages_carry_the_app_and_watch_pages_their_link_preview_tags(db: Db) {
        let build = web_build();
        let root = build.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        let (_, channel) = h.user_with_channel("alice").await;
        let public = insert_video(&db, channel, "Holiday \"film\" <script>alert(1)</script>", 1, 1, 0).await;
        let unlisted = insert_video(&db, channel, "Unlisted film", 2, 1, 0).await;
        let private = insert_video(&db, channel, "Private film", 3, 1, 0).await;
        let processing = insert_video(&db, channel, "Processing film", 1, 2, 0).await;

        for path in ["/", "/login", "/videos/upload", "/search", "/my-library/videos", "/c/alice_channel",
                     "/c/alice_channel/videos", "/a/alice", "/videos/trending", "/videos/manage/12"] {
            let (status, headers, body) = h.get_text(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
            // "<page> - <instance name>", or the name alone on pages named by their data.
            assert!(body.contains("<div id=\"app\">")
                && (body.contains("<title>Kinora</title>") || body.contains(" - Kinora</title>")), "{path}: {body}");
            assert!(!body.contains("<!--kinora-head-->"), "{path}");
        }

        for path in [format!("/w/{}", public.short_uuid), format!("/videos/watch/{}", public.uuid)] {
            let (status, _, body) = h.get_text(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(body.contains(r#"<meta property="og:platform" content="PeerTube">"#), "{body}");
            assert!(body.contains(r#"<meta name="twitter:card" content="player">"#), "{body}");
            assert!(body.contains(&format!(
                r#"<meta property="og:video:url" content="http://localhost:9000/videos/embed/{}">"#, public.uuid
            )), "{body}");
            assert!(body.contains("application/json+oembed"), "{body}");
            // The title is text, never markup.
            assert!(!body.contains("<script>alert(1)</script>"), "{body}");
            assert!(body.contains("Holiday &quot;film&quot; &lt;script&gt;"), "{body}");
        }
        let (status, _, body) = h.get_text(&format!("/w/{}", unlisted.short_uuid)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("noindex") && body.contains("og:title"), "{body}");

        // Private, processing and unknown videos: 404, the app (which may show it to its owner)
        // and no tags that would leak the title.
        for path in [format!("/w/{}", private.short_uuid), format!("/videos/watch/{}", processing.uuid),
                     "/w/doesnotexist".to_owned(), "/videos/watch/123456".to_owned()] {
            let (status, _, body) = h.get_text(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(body.contains("<div id=\"app\">"), "{path}");
            assert!(!body.contains("og:") && !body.contains("film"), "{path}: {body}");
        }

        let (status, headers, body) = h.get_text(&format!("/videos/embed/{}", public.uuid)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("class=\"embed\"") && body.contains("og:title"), "{body}");
        assert!(!headers.contains_key(header::X_FRAME_OPTIONS));
        let (status, _, body) = h.get_text(&format!("/videos/embed/{}", private.uuid)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.contains("film"));

        // A playlist's page and its embed (PeerTube's embedPath): the app and the embed page
        // with its name; a private playlist is a 404 on both, its name left out.
        let (token, bob_channel) = h.user_with_channel("bob").await;
        let mut playlists = Vec::new();
        for (name, privacy) in [("Trip <clips>", 1), ("Secret clips", 3)] {
            let (status, created) = h.send_json("POST", "/api/v1/video-playlists", Some(&token),
                serde_json::json!({"displayName": name, "privacy": privacy, "videoChannelId": bob_channel})).await;
            assert_eq!(status, StatusCode::OK, "{created}");
            playlists.push(created["videoPlaylist"]["uuid"].as_str().unwrap().to_owned());
        }
        let (status, headers, body) = h.get_text(&format!("/video-playlists/embed/{}", playlists[0])).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("class=\"embed\"") && body.contains("Trip &lt;clips&gt;"), "{body}");
        assert!(!headers.contains_key(header::X_FRAME_OPTIONS));
        let (status, _, body) = h.get_text(&format!("/w/p/{}", playlists[0])).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<div id=\"app\">") && body.contains("Trip &lt;clips&gt;"), "{body}");
        for path in [format!("/video-playlists/embed/{}", playlists[1]), format!("/w/p/{}", playlists[1]),
                     "/video-playlists/embed/00000000-0000-4000-8000-000000000000".to_owned()] {
            let (status, _, body) = h.get_text(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(!body.contains("Secret"), "{path}: {body}");
        }

        let (status, headers, body) = h.get_text("/assets/app-1234abcd.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "console.log(1)"));
        assert!(headers[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
        for path in ["/assets/missing.js", "/assets/../index.html", "/assets/%2e%2e/index.html", "/nothing-here"] {
            let (status, _, _) = h.get_text(path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }

    async fn without_a_built_front_end_pages_say_how_to_build_it(db: Db) {
        let missing = tempfile::tempdir().unwrap();
        let root = missing.path().join("dist");
        let h = Harness::new(&db, move |config| config.web.root = root);
        let (status, _, body) = h.get_text("/").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("npm run build"), "{body}");
        // The API is unaffected.
        let (status, _) = h.get("/api/v1/config", None).await;
        assert_eq!(status, StatusCode::OK);
    }
}
