//! Issue 14's web hardening, through the whole HTTP stack: media answered after an access
//! check is never cacheable by a shared cache nor readable by other origins (ST-02), originals
//! are inert attachments (ST-01), pages carry their Content-Security-Policy and framing rules,
//! feeds render descriptions as safe HTML (RSS and Atom), and `/metrics` is never on the public
//! listener (the metrics listener asks for its token). On
//! SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::harness::Harness;
use common::s3_server::S3Server;
use common::videos::{TestVideo, insert_video};
use kinora_db::Db;
use kinora_db::backend_tests;
use kinora_db::videos::{Publication, VideoFileRow};
use kinora_storage::{GeneratedName, Location, StorageKey};

/// A cross-origin page asking (a CORS request).
const OTHER_ORIGIN: &str = "https://elsewhere.example";

/// One file of a video: its URL, where it is stored, and whether it never changes.
struct MediaFile {
    url: String,
    key: StorageKey,
    immutable: bool,
}

/// Gives `video` (prefix `p`, unique per video) every kind of file the static routes serve:
/// master and segment playlists, a fragmented MP4, segment hashes, thumbnail, preview,
/// storyboard and torrent, rows and bytes, with the original's bytes, at `location` (torrents
/// always on local disk).
async fn add_files(
    h: &Harness,
    db: &Db,
    video: &TestVideo,
    p: &str,
    location: Location,
) -> Vec<MediaFile> {
    let uuid: uuid::Uuid = video.uuid.parse().unwrap();
    let name = |suffix: &str| format!("{p}-{suffix}");
    let (master, segments) = (name("master.m3u8"), name("segments-sha256.json"));
    let (thumbnail, preview, storyboard) = (
        name("thumb.jpg"),
        name("preview.jpg"),
        name("storyboard.jpg"),
    );
    let (mp4, playlist, torrent) = (
        name("360-fragmented.mp4"),
        name("360.m3u8"),
        name("360-hls.torrent"),
    );
    let mut tx = db.begin().await.unwrap();
    let publication = Publication {
        hls_master_file: &master,
        hls_segments_file: &segments,
        thumbnail_file: Some(&thumbnail),
        preview_file: Some(&preview),
        storyboard_file: Some(&storyboard),
        storyboard_json: None,
        ..kinora_db::testing::sample_publication()
    };
    assert!(
        kinora_db::videos::publish(&mut tx, video.id, &publication, 2000)
            .await
            .unwrap()
    );
    let file = VideoFileRow {
        id: 0,
        video_id: video.id,
        resolution: 360,
        width: 640,
        height: 360,
        fps: 25.0,
        size: 4,
        file_name: mp4.clone(),
        playlist_name: playlist.clone(),
        has_audio: 1,
        has_video: 1,
        torrent_file: None,
        info_hash: None,
    };
    let id = kinora_db::videos::insert_file(&mut tx, &file, 1)
        .await
        .unwrap();
    let hash = format!("{:040}", video.id);
    kinora_db::videos::set_file_torrent(&mut tx, id, &torrent, &hash)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let generated = |name: &str| GeneratedName::parse(name).unwrap();
    let hls = |file: &str, immutable| MediaFile {
        url: format!("/static/streaming-playlists/hls/{uuid}/{file}"),
        key: StorageKey::hls_file(uuid, &generated(file)),
        immutable,
    };
    let file = |url, key| MediaFile {
        url,
        key,
        immutable: true,
    };
    let files = vec![
        hls(&master, false),
        hls(&playlist, false),
        hls(&segments, false),
        hls(&mp4, true),
        file(
            format!("/lazy-static/thumbnails/{thumbnail}"),
            StorageKey::thumbnail(&generated(&thumbnail)),
        ),
        file(
            format!("/lazy-static/previews/{preview}"),
            StorageKey::preview(&generated(&preview)),
        ),
        file(
            format!("/lazy-static/storyboards/{storyboard}"),
            StorageKey::storyboard(&generated(&storyboard)),
        ),
        file(
            format!("/lazy-static/torrents/{torrent}"),
            StorageKey::torrent(&generated(&torrent)),
        ),
        file(
            format!("/download/torrents/{torrent}"),
            StorageKey::torrent(&generated(&torrent)),
        ),
    ];
    for key in files
        .iter()
        .map(|f| &f.key)
        .chain([&StorageKey::original(uuid)])
    {
        let path = h.storage.local_path(Location::Local, key).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"<html><script>alert(1)</script></html>").unwrap();
        if location != Location::Local && !path.to_string_lossy().contains("torrents") {
            h.storage.store_file(location, &path, key).await.unwrap();
        }
    }
    sqlx::query("UPDATE videos SET media_location = $1, original_location = $1 WHERE id = $2")
        .bind(location.as_str())
        .bind(video.id)
        .execute(db.pool())
        .await
        .unwrap();
    files
}

/// A GET of `path`, from another origin, with `token` when given and extra `headers`.
async fn get(
    h: &Harness,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap) {
    let mut request = Request::get(path)
        .header(header::HOST, "localhost:9000")
        .header(header::ORIGIN, OTHER_ORIGIN);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let (status, headers, _) = h.send(request.body(Body::empty()).unwrap()).await;
    (status, headers)
}

fn value(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

fn varies_on_authorization(headers: &HeaderMap) -> bool {
    value(headers, header::VARY)
        .split(',')
        .any(|v| v.trim().eq_ignore_ascii_case("authorization"))
}

/// Checks every file of `video` (of `privacy`; `public` when an anonymous visitor may see it)
/// as a stranger and as its owner (with `token`): 200, 304 and 206 answers alike; then its
/// original.
async fn check_media(
    h: &Harness,
    token: &str,
    video: &TestVideo,
    privacy: i64,
    public: bool,
    files: &[MediaFile],
) {
    for file in files {
        let what = format!("privacy {privacy}: {}", file.url);
        let (status, headers) = get(h, &file.url, None, &[]).await;
        assert!(varies_on_authorization(&headers), "{what}: {headers:?}");
        if public {
            assert_eq!(status, StatusCode::OK, "{what}");
            let expected = if file.immutable {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=30"
            };
            assert_eq!(value(&headers, header::CACHE_CONTROL), expected, "{what}");
            assert_eq!(
                value(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
                "*",
                "{what}: other sites still play public videos"
            );
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
        }
        // The owner, with and without a validator.
        let (status, headers) = get(h, &file.url, Some(token), &[]).await;
        assert_eq!(status, StatusCode::OK, "{what}");
        let etag = value(&headers, header::ETAG).to_owned();
        let (revalidated, headers_304) =
            get(h, &file.url, Some(token), &[("if-none-match", &etag)]).await;
        assert_eq!(revalidated, StatusCode::NOT_MODIFIED, "{what}");
        let (partial, headers_206) =
            get(h, &file.url, Some(token), &[("range", "bytes=0-3")]).await;
        assert_eq!(partial, StatusCode::PARTIAL_CONTENT, "{what}");
        for headers in [&headers, &headers_304, &headers_206] {
            let cache_control = value(headers, header::CACHE_CONTROL);
            assert!(varies_on_authorization(headers), "{what}: {headers:?}");
            if public {
                assert!(
                    cache_control.starts_with("public"),
                    "{what}: {cache_control}"
                );
            } else {
                assert!(
                    cache_control.starts_with("private"),
                    "{what}: {cache_control}"
                );
                assert!(!cache_control.contains("public"), "{what}: {cache_control}");
                assert!(
                    !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
                    "{what}: {headers:?}"
                );
            }
        }
    }

    // The original, whatever the privacy: for its owner only, never stored, never
    // sniffed, shown or run by a browser, never readable by another origin.
    let original = format!("/download/original-video-files/{}", video.uuid);
    assert_eq!(get(h, &original, None, &[]).await.0, StatusCode::NOT_FOUND);
    let (status, headers) = get(h, &original, Some(token), &[]).await;
    assert_eq!(status, StatusCode::OK, "privacy {privacy}");
    assert_eq!(value(&headers, header::CACHE_CONTROL), "private, no-store");
    assert!(varies_on_authorization(&headers), "{headers:?}");
    assert!(
        !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "{headers:?}"
    );
    assert_eq!(value(&headers, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(value(&headers, header::CONTENT_DISPOSITION), "attachment");
    assert_eq!(
        value(&headers, header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; sandbox"
    );
}

backend_tests! {
    async fn media_answered_after_an_access_check_is_private_and_public_media_stays_cached(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        // (privacy, prefix, whether an anonymous visitor may see it)
        for (privacy, prefix, public) in [(1, "pub", true), (2, "unl", true), (3, "prv", false), (4, "int", false)] {
            let video = insert_video(&db, channel, "A film", privacy, 1, 0).await;
            let files = add_files(&h, &db, &video, prefix, Location::Local).await;
            check_media(&h, &token, &video, privacy, public, &files).await;
        }
    }
}

backend_tests! {
    async fn media_proxied_from_s3_is_private_unless_everybody_may_see_it(db: Db) {
        let server = S3Server::start().await;
        let dir = tempfile::tempdir().unwrap();
        let settings = dir.path().join("s3.toml");
        let section = server.storage_settings(&server.s3_endpoint, false);
        std::fs::write(&settings, format!("[storage]\nbackend = \"s3\"\n{section}")).unwrap();
        let s3 = kinora_server::config::Config::load(Some(&settings), &[]).unwrap().storage;
        let h = Harness::new(&db, |config| {
            let local = config.storage.local.clone();
            config.storage = s3;
            config.storage.local = local;
        });
        let (token, channel) = h.user_with_channel("alice").await;
        for (privacy, prefix, public) in [(1, "pub", true), (3, "prv", false), (4, "int", false)] {
            let video = insert_video(&db, channel, "A film", privacy, 1, 0).await;
            let files = add_files(&h, &db, &video, prefix, Location::S3Private).await;
            let hls = h.storage.local_path(Location::Local, &files[0].key).unwrap();
            assert!(!hls.exists(), "served from the bucket, not from disk");
            check_media(&h, &token, &video, privacy, public, &files).await;
        }
    }
}

/// A description written to reach feed readers live, if it were passed on as HTML.
const HOSTILE: &str = "\"><script>alert(1)</script> <img src=x onerror=alert(2)> \
    <a href=\"javascript:alert(3)\">x</a> [click](javascript:alert(4)) \
    <svg onload=alert(5)> **bold** [site](https://example.org/a?b=1&c=2)";

/// The tags and attributes the web page's Markdown renderer may write.
const SAFE_TAGS: [&str; 12] = [
    "a",
    "p",
    "br",
    "strong",
    "em",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
];

/// Fails unless every `<` of `html` opens or closes a safe tag whose attributes are `href`
/// (http(s), mailto, relative), `target` or `rel`: no script, no handler, no `javascript:`.
fn assert_safe_html(html: &str) {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = start
            + rest[start..]
                .find('>')
                .unwrap_or_else(|| panic!("unclosed tag in {html}"));
        let inside = rest[start + 1..end].trim_start_matches('/');
        // Attribute values are double-quoted: names at even places, values at odd ones.
        let pieces: Vec<&str> = inside.split('"').collect();
        let mut head = pieces[0].split_whitespace();
        let tag = head.next().unwrap_or("").to_ascii_lowercase();
        assert!(SAFE_TAGS.contains(&tag.as_str()), "<{inside}> in {html}");
        let mut names: Vec<String> = head.map(str::to_owned).collect();
        for (index, piece) in pieces.iter().enumerate().skip(1) {
            if index % 2 == 0 {
                names.extend(piece.split_whitespace().map(str::to_owned));
            } else {
                let name = names
                    .last()
                    .map(|n| n.trim_end_matches('=').to_ascii_lowercase())
                    .unwrap_or_default();
                if name == "href" {
                    let url = piece.to_ascii_lowercase();
                    assert!(
                        ["http:", "https:", "mailto:", "/", "#"]
                            .iter()
                            .any(|p| url.starts_with(p)),
                        "href {piece} in {html}"
                    );
                }
            }
        }
        for name in names {
            let name = name.trim_end_matches('=').to_ascii_lowercase();
            assert!(
                ["href", "target", "rel"].contains(&name.as_str()),
                "attribute {name} in {html}"
            );
        }
        rest = &rest[end + 1..];
    }
}

backend_tests! {
    async fn feeds_render_descriptions_as_safe_html_in_rss_and_atom(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "A film", 1, 1, 0).await;
        sqlx::query("UPDATE videos SET description = $1 WHERE id = $2")
            .bind(HOSTILE).bind(video.id).execute(db.pool()).await.unwrap();
        let channel_feed = format!("?videoChannelId={channel}");
        for query in ["", channel_feed.as_str()] {
            let (status, _, body) = h.get_text(&format!("/feeds/videos.xml{query}")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let rss = rss::Channel::read_from(body.as_bytes()).unwrap();
            let description = rss.items()[0].description().unwrap();
            assert_safe_html(description);
            assert!(description.contains("<strong>bold</strong>"), "Markdown is rendered: {description}");
            assert!(description.contains("&lt;script&gt;"), "markup stays visible as text: {description}");
            assert!(description.contains("href=\"https://example.org/a?b=1&amp;c=2\""), "{description}");

            for path in [format!("/feeds/videos.xml{query}{}format=atom", if query.is_empty() { "?" } else { "&" }),
                         format!("/feeds/videos.atom{query}")] {
                let (status, _, body) = h.get_text(&path).await;
                assert_eq!(status, StatusCode::OK, "{path}: {body}");
                let atom = atom_syndication::Feed::read_from(body.as_bytes()).unwrap();
                let summary = atom.entries()[0].summary().unwrap();
                assert_eq!(summary.r#type, atom_syndication::TextType::Html, "{path}");
                assert_safe_html(&summary.value);
                assert!(summary.value.contains("<strong>bold</strong>"), "{path}: {}", summary.value);
            }
        }
    }

    async fn metrics_are_never_public_and_need_the_configured_token(db: Db) {
        let request = |token: Option<&str>| {
            let mut request = Request::get("/metrics").header(header::HOST, "localhost:9000");
            if let Some(token) = token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            request.body(Body::empty()).unwrap()
        };
        let token = "a-long-metrics-token-0123456789";
        let off = Harness::new(&db, |_| {});
        let on = Harness::new(&db, |config| {
            config.metrics.enabled = true;
            config.metrics.token = token.to_owned();
        });
        // The public listener has no /metrics, whatever the configuration and the token.
        for harness in [&off, &on] {
            for offered in [None, Some("anything-at-all-here"), Some(token)] {
                let (status, headers, body) = harness.send(request(offered)).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
                assert!(value(&headers, header::CONTENT_TYPE).starts_with("application/problem+json"));
                assert!(!body.to_string().contains("kinora_"), "{body}");
            }
        }

        // The metrics listener asks for the token when one is set.
        let wrong = format!("{token}x");
        for offered in [None, Some("a-long-metrics-token-0123456788"), Some(wrong.as_str()), Some("")] {
            let (status, headers, body) = on.send_metrics(request(offered)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{offered:?}: {body}");
            assert!(value(&headers, header::WWW_AUTHENTICATE).starts_with("Bearer"));
            assert!(!body.contains("kinora_"), "{body}");
        }
        let (status, headers, body) = on.send_metrics(request(Some(token))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(value(&headers, header::CONTENT_TYPE).starts_with("text/plain"));
        assert!(body.contains("kinora_database_up 1"), "{body}");

        // A token short enough to guess is refused at start.
        let error = kinora_server::config::Config::load(None, &["metrics.enabled=true".into(), "metrics.token=short".into()])
            .unwrap_err();
        assert!(error.to_string().starts_with("metrics.token"), "{error}");
        // A token without metrics on (a configuration from when /metrics was public) is named.
        let error = kinora_server::config::Config::load(None, &[format!("metrics.token={token}")]).unwrap_err();
        assert!(error.to_string().starts_with("metrics.enabled"), "{error}");
    }
}

backend_tests! {
    async fn pages_carry_their_policy_and_only_the_embed_may_be_framed(db: Db) {
        let build = tempfile::tempdir().unwrap();
        for name in ["index.html", "embed.html"] {
            std::fs::write(build.path().join(name), "<html><head><!--kinora-head--></head></html>").unwrap();
        }
        let root = build.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        let (_, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "A film", 1, 1, 0).await;
        for path in ["/".to_owned(), "/login".to_owned(), "/videos/upload".to_owned(), "/c/alice_channel".to_owned(),
                     format!("/w/{}", video.short_uuid), "/w/unknown".to_owned()] {
            let (_, headers, _) = h.get_text(&path).await;
            let policy = value(&headers, header::CONTENT_SECURITY_POLICY);
            assert!(policy.contains("script-src 'self';") && policy.contains("object-src 'none'"), "{path}: {policy}");
            assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
            assert_eq!(value(&headers, header::X_FRAME_OPTIONS), "DENY", "{path}");
            assert_eq!(value(&headers, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        }
        let (status, headers, _) = h.get_text(&format!("/videos/embed/{}", video.uuid)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!headers.contains_key(header::X_FRAME_OPTIONS));
        let policy = value(&headers, header::CONTENT_SECURITY_POLICY);
        assert!(policy.contains("script-src 'self';") && !policy.contains("frame-ancestors 'none'"), "{policy}");
    }
}
