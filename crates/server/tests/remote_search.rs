//! Search by handle or URL (PeerTube's `search.remote_uri`): a logged-in user of B finds a
//! channel or video of A by its handle or any of its URLs, and B fetches and imports it;
//! anonymous visitors only find what B already knows unless `[search.remote_uri] anonymous`
//! allows them; an origin that answers 404 gives an empty result; malformed handles are 400
//! naming `search`; with the production address policy a URL or handle on a loopback
//! address is refused before anything is fetched; WebFinger names the follow page
//! (`/remote-interaction`) that other instances send their users to.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use common::harness::Harness;
use common::instance::{Instance, api_request, publish_with_torrents, start};
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::Value;

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn channels(search: &str) -> String {
    format!("/api/v1/search/video-channels?search={}", encode(search))
}

fn videos(search: &str) -> String {
    format!("/api/v1/search/videos?search={}", encode(search))
}

/// A GET as B's administrator.
async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

/// A GET without a token.
async fn anonymous(instance: &Instance, path: &str) -> (u16, Value) {
    let response = instance
        .http
        .get(format!("{}{path}", instance.base))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The names of the results, with their hosts.
fn found(body: &Value) -> Vec<String> {
    assert_eq!(
        body["total"].as_u64(),
        Some(body["data"].as_array().map_or(0, Vec::len) as u64),
        "{body}"
    );
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let name = item["name"].as_str().unwrap_or_default();
            let host = item["host"]
                .as_str()
                .or_else(|| item["channel"]["host"].as_str())
                .unwrap_or_default();
            format!("{name}@{host}")
        })
        .collect()
}

async fn two_instances(a_db: &str, b_db: &str) {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let sqlite = |dir: &tempfile::TempDir| format!("sqlite://{}/kinora.db", dir.path().display());
    let a_url = if a_db == "sqlite" {
        sqlite(&dir_a)
    } else {
        a_db.to_owned()
    };
    let b_url = if b_db == "sqlite" {
        sqlite(&dir_b)
    } else {
        b_db.to_owned()
    };
    let a = start(dir_a.path(), &a_url, 1, FEDERATION).await;
    let b = start(dir_b.path(), &b_url, 1, FEDERATION).await;
    search_between(&a, &b).await;
}

/// B (default `[search]`) finds A's channel and video; everything the tests of this file say.
async fn search_between(a: &Instance, b: &Instance) {
    let a_host = format!("localhost:{}", a.port);
    let handle = format!("root_channel@{a_host}");
    let video = publish_with_torrents(a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let short = video["shortUUID"].as_str().unwrap().to_owned();

    // The configuration says who may search remotely.
    let (_, config) = anonymous(b, "/api/v1/config").await;
    assert_eq!(config["search"]["remoteUri"]["users"], true);
    assert_eq!(config["search"]["remoteUri"]["anonymous"], false);

    // Anonymous: nothing is fetched, so nothing unknown is found.
    for search in [
        handle.clone(),
        format!("{}/video-channels/root_channel", a.base),
    ] {
        let (status, body) = anonymous(b, &channels(&search)).await;
        assert_eq!(status, 200, "{body}");
        assert!(found(&body).is_empty(), "{search}: {body}");
    }
    let (status, body) = anonymous(b, &videos(&format!("{}/w/{short}", a.base))).await;
    assert_eq!(status, 200, "{body}");
    assert!(found(&body).is_empty(), "{body}");
    let (status, _) = get(b, &format!("/api/v1/video-channels/{handle}")).await;
    assert_eq!(status, 404, "the anonymous search imported the channel");
    let (status, _) = get(b, &format!("/api/v1/videos/{uuid}")).await;
    assert_eq!(status, 404, "the anonymous search imported the video");

    // A logged-in user: the handle imports the channel, in each form.
    let (status, body) = get(b, &channels(&handle)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(found(&body), vec![handle.clone()]);
    let channel_id = body["data"][0]["id"].clone();
    for search in [
        format!("@{handle}"),
        format!("{}/c/root_channel", a.base),
        format!("{}/c/root_channel/videos", a.base),
        format!("{}/video-channels/root_channel", a.base),
    ] {
        let (status, body) = get(b, &channels(&search)).await;
        assert_eq!(status, 200, "{search}: {body}");
        assert_eq!(found(&body), vec![handle.clone()], "{search}");
        assert_eq!(body["data"][0]["id"], channel_id, "{search}");
    }
    let (status, body) = get(b, &format!("/api/v1/video-channels/{handle}")).await;
    assert_eq!(status, 200, "{body}");
    // Now known, anonymous visitors find it too (without any fetch).
    let (_, body) = anonymous(b, &channels(&handle)).await;
    assert_eq!(found(&body), vec![handle.clone()]);

    // The video by its URL, in PeerTube's forms: imported, remote, A's media.
    for search in [
        format!("{}/w/{short}", a.base),
        format!("{}/videos/watch/{uuid}", a.base),
        format!("{}/w/{uuid}?start=3", a.base),
    ] {
        let (status, body) = get(b, &videos(&search)).await;
        assert_eq!(status, 200, "{search}: {body}");
        assert_eq!(body["total"], 1, "{search}: {body}");
        assert_eq!(body["data"][0]["uuid"], uuid.as_str());
        assert_eq!(body["data"][0]["isLocal"], false);
    }
    let (status, details) = get(b, &format!("/api/v1/videos/{uuid}")).await;
    assert_eq!(status, 200, "{details}");
    let playlist = details["streamingPlaylists"][0]["playlistUrl"]
        .as_str()
        .unwrap();
    assert!(playlist.starts_with(&a.base), "{playlist}");

    // B's own URLs and handles are found here, never fetched.
    let (_, body) = get(b, &channels(&format!("{}/c/root_channel", b.base))).await;
    assert_eq!(found(&body), [format!("root_channel@localhost:{}", b.port)]);
    let (_, body) = get(b, &channels(&format!("root_channel@localhost:{}", b.port))).await;
    assert_eq!(body["total"], 1, "{body}");

    // What A does not have: an empty result, not an error.
    for search in [
        format!("nobody@{a_host}"),
        format!("{}/video-channels/nobody", a.base),
        format!("{}/videos/watch/{uuid}", a.base).replace("/videos/watch/", "/accounts/"),
    ] {
        let (status, body) = get(b, &channels(&search)).await;
        assert_eq!(status, 200, "{search}: {body}");
        assert!(found(&body).is_empty(), "{search}: {body}");
    }
    let missing = format!(
        "{}/videos/watch/0b5b6d57-b2a4-4b5e-bd5a-0a6b4d1c9e21",
        a.base
    );
    for search in [missing, format!("{}/w/{}", a.base, "x".repeat(22))] {
        let (status, body) = get(b, &videos(&search)).await;
        assert_eq!(status, 200, "{search}: {body}");
        assert!(found(&body).is_empty(), "{search}: {body}");
    }
    // A channel URL in the video search (or the reverse) finds nothing of the other kind.
    let (_, body) = get(b, &videos(&format!("{}/c/root_channel", a.base))).await;
    assert!(found(&body).is_empty(), "{body}");

    // Malformed handles and URLs: 400 naming the field.
    for bad in [
        "a@b@c",
        "@root_channel@",
        "root_channel@ho$t",
        "acct:@x",
        "name!@host",
        "bad@-host",
        "http://",
    ] {
        let (status, body) = get(b, &channels(bad)).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["invalid-params"]["search"].is_object(),
            "{bad}: {body}"
        );
    }
    let (status, body) = get(b, &videos("https://")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["invalid-params"]["search"].is_object(), "{body}");
    // Words with an @ among spaces are words.
    let (status, _) = get(b, &channels("write me @ home")).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_imports_remote_channels_and_videos_sqlite_to_postgres() {
    let postgres = kinora_db::testing::TestDb::postgres().await;
    two_instances("sqlite", &postgres.config.url).await;
    postgres.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_imports_remote_channels_and_videos_postgres_to_sqlite() {
    let postgres = kinora_db::testing::TestDb::postgres().await;
    two_instances(&postgres.config.url, "sqlite").await;
    postgres.finish().await;
}

/// Counts the connections made to a listener on 127.0.0.1 (it answers nothing).
async fn connection_counter() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, count)
}

backend_tests! {
    async fn anonymous_remote_search_when_configured(db: Db) {
        let dir_a = tempfile::tempdir().unwrap();
        let a_db = format!("sqlite://{}/kinora.db", dir_a.path().display());
        let a = start(dir_a.path(), &a_db, 1, FEDERATION).await;
        let handle = format!("root_channel@localhost:{}", a.port);
        let h = Harness::new(&db, |config| {
            config.federation.allow_private_addresses = true;
            config.search.remote_uri.anonymous = true;
            config.search.remote_uri.users = false;
        });
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["search"]["remoteUri"]["anonymous"], true);
        assert_eq!(config["search"]["remoteUri"]["users"], false);

        // Users may not fetch here: nothing found, nothing imported.
        let user = h.user("alice", UserRole::User).await;
        let (status, body) = h.get(&channels(&handle), Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(found(&body).is_empty(), "{body}");
        let (status, _) = h.get(&format!("/api/v1/video-channels/{handle}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Anonymous visitors may: the channel is fetched from A and imported.
        let (status, body) = h.get(&channels(&handle), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(found(&body), vec![handle.clone()]);
        assert_eq!(body["data"][0]["ownerAccount"]["host"], format!("localhost:{}", a.port));
        let (status, _) = h.get(&format!("/api/v1/video-channels/{handle}"), None).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn private_addresses_are_refused_before_any_fetch(db: Db) {
        // The production policy: [federation] allow_private_addresses is off.
        let h = Harness::new(&db, |_| {});
        assert!(!h.config.federation.allow_private_addresses);
        let user = h.user("alice", UserRole::User).await;
        let (port, connections) = connection_counter().await;
        let uuid = "0b5b6d57-b2a4-4b5e-bd5a-0a6b4d1c9e21";
        let channel_searches = [
            format!("http://localhost:{port}/video-channels/x"),
            format!("https://localhost:{port}/c/x"),
            format!("https://127.0.0.1:{port}/video-channels/x"),
            format!("x@localhost:{port}"),
            format!("x@127.0.0.1:{port}"),
        ];
        for search in &channel_searches {
            let (status, body) = h.get(&channels(search), Some(&user)).await;
            assert_eq!(status, StatusCode::OK, "{search}: {body}");
            assert!(found(&body).is_empty(), "{search}: {body}");
        }
        for search in [
            format!("https://localhost:{port}/videos/watch/{uuid}"),
            format!("http://127.0.0.1:{port}/w/{uuid}"),
        ] {
            let (status, body) = h.get(&videos(&search), Some(&user)).await;
            assert_eq!(status, StatusCode::OK, "{search}: {body}");
            assert!(found(&body).is_empty(), "{search}: {body}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(connections.load(Ordering::SeqCst), 0, "something was fetched");
        let stored = kinora_db::actors::find_remote_by_name(
            db.pool(),
            "x",
            &format!("localhost:{port}"),
        )
        .await
        .unwrap();
        assert!(stored.is_none());
    }

    async fn webfinger_points_other_instances_to_the_follow_page(db: Db) {
        let web = tempfile::tempdir().unwrap();
        std::fs::write(
            web.path().join("index.html"),
            "<html><head><!--kinora-head--></head><body>app</body></html>",
        )
        .unwrap();
        let h = Harness::new(&db, |config| config.web.root = web.path().to_path_buf());
        h.user_with_channel("alice").await;
        let (status, _, body) = h
            .get_text("/.well-known/webfinger?resource=acct:alice@localhost:9000")
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answer: Value = serde_json::from_str(&body).unwrap();
        let template = answer["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|link| link["rel"] == "http://ostatus.org/schema/1.0/subscribe")
            .and_then(|link| link["template"].as_str())
            .unwrap()
            .to_owned();
        assert_eq!(template, "http://localhost:9000/remote-interaction?uri={uri}");
        // The follow page, its Mastodon name and the Discover view are pages of the app.
        for path in [
            "/remote-interaction?uri=bob%40video.example",
            "/authorize_interaction?uri=https%3A%2F%2Fvideo.example%2Fc%2Fbob",
            "/videos/discover",
        ] {
            let (status, _, body) = h.get_text(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(body.contains("<body>app</body>"), "{path}: {body}");
        }
    }
}
