//! One visibility rule for every route: a matrix of routes × privacy × viewer, where each cell
//! must give the answer `can_view` gives (the API, pages, embeds, oEmbed, static files and the
//! writes that take a video), and lists, search and feeds hold public videos only. Also: every
//! route the OpenAPI document names exists. On SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::Harness;
use common::videos::{TestVideo, insert_video};
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Viewer {
    Anonymous,
    Owner,
    Stranger,
    Admin,
}

/// What the single rule says: public and unlisted for all, internal for logged-in users,
/// private for the owner and staff.
fn may_see(privacy: i64, viewer: Viewer) -> bool {
    match privacy {
        1 | 2 => true,
        4 => viewer != Viewer::Anonymous,
        _ => matches!(viewer, Viewer::Owner | Viewer::Admin),
    }
}

fn web_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["index.html", "embed.html"] {
        std::fs::write(
            dir.path().join(name),
            "<html><head><!--kinora-head--></head></html>",
        )
        .unwrap();
    }
    dir
}

/// Writes the video's master playlist where the static route reads it.
fn store_master(h: &Harness, video: &TestVideo) {
    let key = kinora_storage::StorageKey::hls_file(
        video.uuid.parse().unwrap(),
        &kinora_storage::GeneratedName::parse("a-master.m3u8").unwrap(),
    );
    let path = h
        .storage
        .local_path(kinora_storage::Location::Local, &key)
        .unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "#EXTM3U\n").unwrap();
}

async fn status_of(h: &Harness, method: &str, path: &str, token: Option<&str>) -> StatusCode {
    let body = match method {
        "POST" if path.ends_with("/comment-threads") => json!({"text": "A comment"}),
        "PUT" => json!({"rating": "like"}),
        _ => json!({}),
    };
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost:9000")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let (status, _, _) = h
        .send(request.body(Body::from(body.to_string())).unwrap())
        .await;
    status
}

fn listed(body: &Value, uuid: &str) -> bool {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .any(|video| video["uuid"] == uuid)
}

backend_tests! {
    async fn every_route_gives_the_answer_of_the_one_visibility_rule(db: Db) {
        let build = web_build();
        let root = build.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        let (owner, channel) = h.user_with_channel("owner").await;
        let (stranger, _) = h.user_with_channel("stranger").await;
        let admin = h.user("boss", UserRole::Admin).await;
        let tokens = [
            (Viewer::Anonymous, None),
            (Viewer::Owner, Some(owner.as_str())),
            (Viewer::Stranger, Some(stranger.as_str())),
            (Viewer::Admin, Some(admin.as_str())),
        ];
        let account = kinora_db::accounts::find_local_by_name(db.pool(), "owner").await.unwrap().unwrap();

        for (privacy, label) in [(1, "public"), (2, "unlisted"), (3, "private"), (4, "internal")] {
            let video = insert_video(&db, channel, &format!("Matrix {label} video"), privacy, 1, 0).await;
            store_master(&h, &video);
            let uuid = &video.uuid;
            let watch = format!("http://localhost:9000/w/{}", video.short_uuid);
            let oembed = format!(
                "/services/oembed?url={}",
                form_urlencoded::byte_serialize(watch.as_bytes()).collect::<String>()
            );

            // Routes that answer for the viewer behind the token.
            let per_viewer: Vec<(&str, String)> = vec![
                ("GET", format!("/api/v1/videos/{uuid}")),
                ("GET", format!("/api/v1/videos/{}", video.short_uuid)),
                ("GET", format!("/api/v1/videos/{}", video.id)),
                ("GET", format!("/api/v1/videos/{uuid}/description")),
                ("GET", format!("/api/v1/videos/{uuid}/captions")),
                ("GET", format!("/api/v1/videos/{uuid}/chapters")),
                ("GET", format!("/api/v1/videos/{uuid}/storyboards")),
                ("GET", format!("/api/v1/videos/{uuid}/comment-threads")),
                ("GET", format!("/static/streaming-playlists/hls/{uuid}/a-master.m3u8")),
                ("POST", format!("/api/v1/videos/{uuid}/views")),
            ];
            for (viewer, token) in tokens {
                let expected = if may_see(privacy, viewer) { "visible" } else { "hidden" };
                for (method, path) in &per_viewer {
                    let status = status_of(&h, method, path, token).await;
                    let got = if status.is_success() { "visible" } else { "hidden" };
                    assert_eq!(got, expected, "{label} {viewer:?} {method} {path}: {status}");
                    if !status.is_success() {
                        assert_eq!(status, StatusCode::NOT_FOUND, "{label} {viewer:?} {method} {path}");
                    }
                }
                // Writes need a token; with one, a hidden video is not found.
                for (method, path) in [
                    ("POST", format!("/api/v1/videos/{uuid}/comment-threads")),
                    ("PUT", format!("/api/v1/videos/{uuid}/rate")),
                    ("GET", format!("/api/v1/users/me/videos/{}/rating", video.id)),
                ] {
                    let status = status_of(&h, method, &path, token).await;
                    match (token, may_see(privacy, viewer)) {
                        (None, _) => assert_eq!(status, StatusCode::UNAUTHORIZED, "{label} {method} {path}"),
                        (Some(_), true) => assert!(status.is_success(), "{label} {viewer:?} {method} {path}: {status}"),
                        (Some(_), false) => assert_eq!(status, StatusCode::NOT_FOUND, "{label} {viewer:?} {method} {path}"),
                    }
                }
            }

            // Pages, embeds and oEmbed are fetched without a token: the anonymous answer.
            let anonymous = may_see(privacy, Viewer::Anonymous);
            for path in [format!("/w/{}", video.short_uuid), format!("/videos/watch/{uuid}"),
                         format!("/videos/embed/{uuid}"), oembed.clone()] {
                let (status, _, body) = h.get_text(&path).await;
                assert_eq!(status.is_success(), anonymous, "{label} {path}: {status}");
                assert_eq!(body.contains(&format!("Matrix {label} video")), anonymous, "{label} {path}");
            }

            // Lists, search and feeds: public videos only, whoever asks.
            for (_, token) in tokens {
                for path in [
                    "/api/v1/videos?count=100".to_owned(),
                    "/api/v1/search/videos?search=matrix".to_owned(),
                    "/api/v1/accounts/owner/videos".to_owned(),
                    "/api/v1/video-channels/owner_channel/videos".to_owned(),
                ] {
                    let (status, body) = h.get(&path, token).await;
                    assert_eq!(status, StatusCode::OK, "{path}");
                    assert_eq!(listed(&body, uuid), privacy == 1, "{label} {path}");
                }
            }
            for path in ["/feeds/videos.xml".to_owned(), format!("/feeds/videos.xml?videoChannelId={channel}"),
                         format!("/feeds/videos.atom?accountId={}", account.id)] {
                let (_, _, feed) = h.get_text(&path).await;
                assert_eq!(feed.contains(uuid.as_str()), privacy == 1, "{label} {path}");
            }
        }
    }

    async fn the_openapi_document_names_only_routes_that_exist(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (status, doc) = h.get("/api/v1/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 40, "{}", paths.len());
        for (path, operations) in paths {
            let concrete: String = path
                .split('/')
                .map(|segment| if segment.starts_with('{') { "1" } else { segment })
                .collect::<Vec<_>>()
                .join("/");
            for (method, operation) in operations.as_object().unwrap() {
                // ActivityPub documents are reached by asking for them.
                let accept = if operation["tags"][0] == "ActivityPub" { "application/activity+json" } else { "*/*" };
                let request = Request::builder()
                    .method(method.to_uppercase().as_str())
                    .uri(&concrete)
                    .header(header::HOST, "localhost:9000")
                    .header(header::ACCEPT, accept)
                    .body(Body::empty())
                    .unwrap();
                let (status, _, body) = h.send(request).await;
                let unrouted = status == StatusCode::METHOD_NOT_ALLOWED
                    || (status == StatusCode::NOT_FOUND
                        && (body["detail"].as_str() == Some("No route matches this path.")
                            || body.as_str().is_some_and(|page| {
                                page.contains(kinora_api::not_found::UNROUTED_MARKER)
                            })));
                assert!(!unrouted, "{method} {path} is documented but not routed: {status} {body}");
            }
        }
    }
}
