//! The visibility matrix of `route_matrix.rs` for what moderation hides: a public video that
//! staff blocked, and a public video of a banned user, are invisible to anonymous visitors and
//! other users on every route (API, pages, embeds, oEmbed, static files, lists, search, feeds)
//! yet visible to their owner and to staff; once unblocked (or the user let back in) they show
//! again at once, cached lists included. On SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::Harness;
use common::videos::{TestVideo, insert_video};
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

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
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost:9000")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let (status, _, _) = h.send(request.body(Body::from("{}")).unwrap()).await;
    status
}

fn listed(body: &Value, uuid: &str) -> bool {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .any(|video| video["uuid"] == uuid)
}

/// The video a check is about: its row, its title, its channel and its owner's account.
struct Subject<'a> {
    video: &'a TestVideo,
    name: &'a str,
    channel: i64,
    account_id: i64,
}

/// Checks every route for the subject: `hidden` says whether anonymous visitors and strangers
/// must be refused. `seers` are tokens that must see it whatever happens (owner first, staff);
/// `others` those of viewers moderation keeps out.
async fn check_routes(
    h: &Harness,
    subject: &Subject<'_>,
    seers: &[&str],
    others: &[Option<&str>],
    hidden: bool,
) {
    let Subject {
        video,
        name,
        channel,
        account_id,
    } = *subject;
    let uuid = &video.uuid;
    let watch = format!("http://localhost:9000/w/{}", video.short_uuid);
    let oembed = format!(
        "/services/oembed?url={}",
        form_urlencoded::byte_serialize(watch.as_bytes()).collect::<String>()
    );
    let per_viewer = [
        ("GET", format!("/api/v1/videos/{uuid}")),
        ("GET", format!("/api/v1/videos/{}", video.short_uuid)),
        ("GET", format!("/api/v1/videos/{uuid}/description")),
        ("GET", format!("/api/v1/videos/{uuid}/captions")),
        ("GET", format!("/api/v1/videos/{uuid}/chapters")),
        ("GET", format!("/api/v1/videos/{uuid}/storyboards")),
        ("GET", format!("/api/v1/videos/{uuid}/comment-threads")),
        (
            "GET",
            format!("/static/streaming-playlists/hls/{uuid}/a-master.m3u8"),
        ),
        ("POST", format!("/api/v1/videos/{uuid}/views")),
    ];
    for (method, path) in &per_viewer {
        for token in seers {
            let status = status_of(h, method, path, Some(token)).await;
            assert!(status.is_success(), "owner/staff {method} {path}: {status}");
        }
        for token in others {
            let status = status_of(h, method, path, *token).await;
            if hidden {
                assert_eq!(status, StatusCode::NOT_FOUND, "{token:?} {method} {path}");
            } else {
                assert!(status.is_success(), "{token:?} {method} {path}: {status}");
            }
        }
    }
    for token in others.iter().flatten() {
        let (status, _) = h
            .send_json(
                "POST",
                &format!("/api/v1/videos/{uuid}/comment-threads"),
                Some(token),
                json!({"text": "A comment"}),
            )
            .await;
        assert_eq!(status.is_success(), !hidden, "comment on {name}: {status}");
    }
    // The owner's and staff's JSON say it is blocked.
    let (_, body) = h
        .get(&format!("/api/v1/videos/{uuid}"), Some(seers[0]))
        .await;
    assert_eq!(body["uuid"], uuid.as_str());
    // Pages, embeds and oEmbed are the anonymous answer.
    for path in [
        format!("/w/{}", video.short_uuid),
        format!("/videos/watch/{uuid}"),
        format!("/videos/embed/{uuid}"),
        oembed,
    ] {
        let (status, _, body) = h.get_text(&path).await;
        assert_eq!(status.is_success(), !hidden, "{path}: {status}");
        assert_eq!(body.contains(name), !hidden, "{path}");
    }
    // Lists, search and feeds leave it out for everyone, staff and owner too (as PeerTube's
    // public lists do); the owner still finds it in their own videos.
    let everyone: Vec<Option<&str>> = seers
        .iter()
        .map(|t| Some(*t))
        .chain(others.iter().copied())
        .collect();
    for token in &everyone {
        for path in [
            "/api/v1/videos?count=100".to_owned(),
            "/api/v1/search/videos?search=matrix".to_owned(),
            "/api/v1/accounts/owner/videos".to_owned(),
            "/api/v1/video-channels/owner_channel/videos".to_owned(),
        ] {
            let (status, body) = h.get(&path, *token).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(listed(&body, uuid), !hidden, "{name} {path}");
        }
    }
    let (_, mine) = h.get("/api/v1/users/me/videos", Some(seers[0])).await;
    assert!(listed(&mine, uuid), "the owner's own list");
    for path in [
        "/feeds/videos.xml".to_owned(),
        format!("/feeds/videos.xml?videoChannelId={channel}"),
        format!("/feeds/videos.atom?accountId={account_id}"),
    ] {
        let (_, _, feed) = h.get_text(&path).await;
        assert_eq!(feed.contains(uuid.as_str()), !hidden, "{name} {path}");
    }
}

backend_tests! {
    async fn a_blocked_video_is_hidden_on_every_route_but_from_owner_and_staff(db: Db) {
        let build = web_build();
        let root = build.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        let (owner, channel) = h.user_with_channel("owner").await;
        let (stranger, _) = h.user_with_channel("stranger").await;
        let admin = h.user("boss", UserRole::Admin).await;
        let moderator = h.user("moderator", UserRole::Moderator).await;
        let account = kinora_db::accounts::find_local_by_name(db.pool(), "owner").await.unwrap().unwrap();
        let video = insert_video(&db, channel, "Matrix blocked video", 1, 1, 0).await;
        store_master(&h, &video);
        let seers = [owner.as_str(), admin.as_str(), moderator.as_str()];
        let subject = Subject { video: &video, name: "Matrix blocked video", channel, account_id: account.id };
        let others = [None, Some(stranger.as_str())];
        // Seen everywhere first, so caches hold it.
        check_routes(&h, &subject, &seers, &others, false).await;

        let path = format!("/api/v1/videos/{}/blacklist", video.uuid);
        let (status, body) = h.send_json("POST", &path, Some(&moderator), json!({"reason": "Against the rules"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        check_routes(&h, &subject, &seers, &others, true).await;
        let (_, details) = h.get(&format!("/api/v1/videos/{}", video.uuid), Some(&owner)).await;
        assert_eq!(details["blacklisted"], true);
        assert_eq!(details["blacklistedReason"], "Against the rules");

        let (status, _) = h.send_json("DELETE", &path, Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        check_routes(&h, &subject, &seers, &others, false).await;
        let (_, details) = h.get(&format!("/api/v1/videos/{}", video.uuid), None).await;
        assert_eq!(details["blacklisted"], false);
    }

    async fn a_banned_users_video_is_hidden_on_every_route_but_from_staff(db: Db) {
        let build = web_build();
        let root = build.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        let (owner, channel) = h.user_with_channel("owner").await;
        let (stranger, _) = h.user_with_channel("stranger").await;
        let admin = h.user("boss", UserRole::Admin).await;
        let account = kinora_db::accounts::find_local_by_name(db.pool(), "owner").await.unwrap().unwrap();
        let video = insert_video(&db, channel, "Matrix banned video", 1, 1, 0).await;
        store_master(&h, &video);
        let subject = Subject { video: &video, name: "Matrix banned video", channel, account_id: account.id };
        let user_id = account.user_id.unwrap();
        let others = [None, Some(stranger.as_str())];
        check_routes(&h, &subject, &[owner.as_str(), admin.as_str()], &others, false).await;

        let (status, body) = h.send_json("POST", &format!("/api/v1/users/{user_id}/block"), Some(&admin), json!({"reason": "Spam account"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        // The owner's token no longer works; staff still see the video.
        let (status, _) = h.get("/api/v1/users/me", Some(&owner)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        for path in [format!("/api/v1/videos/{}", video.uuid), format!("/static/streaming-playlists/hls/{}/a-master.m3u8", video.uuid)] {
            assert!(status_of(&h, "GET", &path, Some(&admin)).await.is_success(), "{path}");
            assert_eq!(status_of(&h, "GET", &path, None).await, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(status_of(&h, "GET", &path, Some(&stranger)).await, StatusCode::NOT_FOUND, "{path}");
        }
        let (_, list) = h.get("/api/v1/videos?count=100", None).await;
        assert!(!listed(&list, &video.uuid));
        let (_, _, feed) = h.get_text("/feeds/videos.xml").await;
        assert!(!feed.contains(&video.uuid));

        let (status, _) = h.send_json("POST", &format!("/api/v1/users/{user_id}/unblock"), Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let owner = h.login("owner", "secret-password").await["access_token"].as_str().unwrap().to_owned();
        check_routes(&h, &subject, &[owner.as_str(), admin.as_str()], &others, false).await;
    }
}
