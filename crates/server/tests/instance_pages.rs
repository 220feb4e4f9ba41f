//! The instance's own pages (issue 19), the whole HTTP stack in process on SQLite and
//! PostgreSQL: `/api/v1/config/about`, `/api/v1/server/stats` and `/api/v1/config/custom`
//! against the property names of PeerTube's OpenAPI document, administrators only, every bad
//! field refused with its name and nothing changed, changes in force at once (the public
//! configuration, NodeInfo, page titles, a new user's quota) and kept across a restart until
//! `DELETE` goes back to the file; and the HTML not-found page for unknown page paths.

use crate::common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::Harness;
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

/// PeerTube's OpenAPI document (beside the repository).
fn openapi() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/peertube/openapi.yaml"
    );
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// The dotted property paths of schema `name` (`instance.name`, `signup.enabled`, …): a small
/// walk over the YAML's indentation, enough for `components.schemas` entries of plain objects.
fn schema_properties(yaml: &str, name: &str) -> BTreeSet<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines
        .iter()
        .position(|line| *line == format!("    {name}:"))
        .unwrap_or_else(|| panic!("schema {name} not found"));
    let mut paths = BTreeSet::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    for line in &lines[start + 1..] {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if indent <= 4 {
            break;
        }
        while stack.last().is_some_and(|(level, _)| *level >= indent) {
            stack.pop();
        }
        let Some(key) = text
            .strip_suffix(':')
            .or_else(|| text.split_once(": ").map(|(k, _)| k))
        else {
            continue;
        };
        stack.push((indent, key.to_owned()));
        // A property is a key whose parent is `properties`.
        let keys: Vec<&str> = stack.iter().map(|(_, key)| key.as_str()).collect();
        if keys.len() >= 2 && keys[keys.len() - 2] == "properties" && !keys.contains(&"items") {
            let path: Vec<&str> = keys
                .iter()
                .enumerate()
                .filter(|(index, _)| index % 2 == 1)
                .map(|(_, key)| *key)
                .collect();
            // Only the top-level `properties` chain (nested objects alternate key/properties).
            if keys
                .iter()
                .enumerate()
                .all(|(index, key)| (index % 2 == 0) == (*key == "properties"))
            {
                paths.insert(path.join("."));
            }
        }
    }
    assert!(!paths.is_empty(), "no properties read for {name}");
    paths
}

/// Whether `value` has every dotted path.
fn missing_paths(value: &Value, paths: &BTreeSet<String>) -> Vec<String> {
    paths
        .iter()
        .filter(|path| {
            let mut here = value;
            for part in path.split('.') {
                match here.get(part) {
                    Some(next) => here = next,
                    None => return true,
                }
            }
            false
        })
        .cloned()
        .collect()
}

fn assert_invalid(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
    assert_eq!(body["code"], "invalid_params", "{body}");
    assert!(
        body["invalid-params"].get(field).is_some(),
        "{field} is named: {body}"
    );
}

/// A front end build with the head marker, so the pages render.
fn fake_web_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><html><head><!--kinora-head--></head><body><div id=\"app\"></div></body></html>",
    )
    .unwrap();
    std::fs::write(dir.path().join("embed.html"), "<!--kinora-head-->").unwrap();
    dir
}

/// The `<title>` of a page.
fn title_of(page: &str) -> &str {
    let start = page.find("<title>").expect("a title") + "<title>".len();
    let end = page[start..].find("</title>").unwrap() + start;
    &page[start..end]
}

backend_tests! {
    async fn about_and_stats_have_peertube_shapes(db: Db) {
        let yaml = openapi();
        let h = Harness::new(&db, |config| {
            config.instance.description = "We **host** videos.".into();
            config.instance.terms = "Be kind.".into();
            config.instance.languages = vec!["en".into(), "fr".into()];
            config.instance.categories = vec![15];
        });
        let (status, about) = h.get("/api/v1/config/about", None).await;
        assert_eq!(status, StatusCode::OK, "{about}");
        let missing = missing_paths(&about, &schema_properties(&yaml, "ServerConfigAbout"));
        assert!(missing.is_empty(), "About lacks {missing:?}: {about}");
        assert_eq!(about["instance"]["name"], "Kinora");
        assert_eq!(about["instance"]["description"], "We **host** videos.");
        assert_eq!(about["instance"]["terms"], "Be kind.");
        assert_eq!(about["instance"]["languages"], json!(["en", "fr"]));
        assert_eq!(about["instance"]["categories"], json!([15]));

        let (status, before) = h.get("/api/v1/server/stats", None).await;
        assert_eq!(status, StatusCode::OK, "{before}");
        let known = schema_properties(&yaml, "ServerStats");
        for (key, value) in before.as_object().unwrap() {
            assert!(known.contains(key), "{key} is one of PeerTube's ServerStats fields");
            assert!(value.is_number() || value.is_array(), "{key}: {value}");
        }
        h.user("viewer", UserRole::User).await;
        let (_, after) = h.get("/api/v1/server/stats", None).await;
        assert_eq!(after["totalUsers"].as_i64().unwrap(), before["totalUsers"].as_i64().unwrap() + 1);
        assert_eq!(after["totalDailyActiveUsers"], 1, "the viewer logged in: {after}");
        assert_eq!(after["totalLocalVideoChannels"].as_i64().unwrap(), before["totalLocalVideoChannels"].as_i64().unwrap() + 1);
    }

    async fn the_custom_configuration_is_for_administrators(db: Db) {
        let h = Harness::new(&db, |_| {});
        let admin = h.user("boss", UserRole::Admin).await;
        let moderator = h.user("mod", UserRole::Moderator).await;
        let user = h.user("someone", UserRole::User).await;
        let (status, _) = h.get("/api/v1/config/custom", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        for token in [&moderator, &user] {
            let (status, body) = h.get("/api/v1/config/custom", Some(token)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            let (status, body) = h.send_json("PUT", "/api/v1/config/custom", Some(token), json!({"instance": {"name": "Taken"}})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            let (status, body) = h.send_json("DELETE", "/api/v1/config/custom", Some(token), json!({})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        }
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["instance"]["name"], "Kinora", "nothing changed");
        assert_eq!(common::harness::count(&db, "SELECT COUNT(*) FROM custom_config").await, 0);

        let (status, custom) = h.get("/api/v1/config/custom", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{custom}");
        // Where PeerTube's OpenAPI document and its published types (which the browser test
        // checks this answer against, unknown fields refused) disagree, the types win: they
        // have no `cache` section any more and spell two keys in camelCase.
        let documented: BTreeSet<String> = schema_properties(&openapi(), "ServerConfigCustom")
            .into_iter()
            .filter(|path| path != "cache" && !path.starts_with("cache."))
            .map(|path| {
                path.replace("video_channel_synchronization", "videoChannelSynchronization")
                    .replace("web_videos", "webVideos")
            })
            .collect();
        let missing = missing_paths(&custom, &documented);
        assert!(missing.is_empty(), "CustomConfig lacks {missing:?}");
        assert_eq!(custom["instance"]["name"], "Kinora");
        assert_eq!(custom["signup"]["enabled"], false);
        assert_eq!(custom["user"]["videoQuota"], 10_737_418_240_i64);
    }

    async fn every_bad_field_is_refused_by_name_and_changes_nothing(db: Db) {
        let h = Harness::new(&db, |_| {});
        let admin = h.user("boss", UserRole::Admin).await;
        let long = "x".repeat(10_001);
        let cases = [
            (json!({"instance": {"name": ""}}), "instance.name"),
            (json!({"instance": {"name": "   "}}), "instance.name"),
            (json!({"instance": {"name": "x".repeat(121)}}), "instance.name"),
            (json!({"instance": {"name": "two\nlines"}}), "instance.name"),
            (json!({"instance": {"name": 5}}), "instance.name"),
            (json!({"instance": {"shortDescription": "y".repeat(251)}}), "instance.shortDescription"),
            (json!({"instance": {"description": long}}), "instance.description"),
            (json!({"instance": {"terms": long}}), "instance.terms"),
            (json!({"instance": {"codeOfConduct": long}}), "instance.codeOfConduct"),
            (json!({"instance": {"moderationInformation": "bell\u{7}"}}), "instance.moderationInformation"),
            (json!({"instance": {"administrator": long}}), "instance.administrator"),
            (json!({"instance": {"creationReason": long}}), "instance.creationReason"),
            (json!({"instance": {"maintenanceLifetime": long}}), "instance.maintenanceLifetime"),
            (json!({"instance": {"businessModel": long}}), "instance.businessModel"),
            (json!({"instance": {"hardwareInformation": long}}), "instance.hardwareInformation"),
            (json!({"instance": {"languages": ["xx-not-a-language"]}}), "instance.languages"),
            (json!({"instance": {"languages": ["fr", "fr"]}}), "instance.languages"),
            (json!({"instance": {"languages": "fr"}}), "instance.languages"),
            (json!({"instance": {"categories": [4242]}}), "instance.categories"),
            (json!({"instance": {"categories": (1..=51).collect::<Vec<i64>>()}}), "instance.categories"),
            (json!({"signup": {"enabled": "yes"}}), "signup.enabled"),
            (json!({"user": {"videoQuota": -5}}), "user.videoQuota"),
            (json!({"user": {"videoQuota": 1_i64 << 51}}), "user.videoQuota"),
            (json!({"user": {"videoQuotaDaily": -2}}), "user.videoQuotaDaily"),
            (json!({"videoChannels": {"maxPerUser": 0}}), "videoChannels.maxPerUser"),
            (json!({"videoChannels": {"maxPerUser": 1001}}), "videoChannels.maxPerUser"),
            (json!({"transcoding": {"resolutions": {"999p": true}}}), "transcoding.resolutions"),
            (json!({"transcoding": {"resolutions": {"240": true}}}), "transcoding.resolutions"),
            (json!({"transcoding": {"resolutions": {"240p": "yes"}}}), "transcoding.resolutions.240p"),
            (json!({"transcoding": {"resolutions": [240]}}), "transcoding.resolutions"),
            (json!({"defaults": {"player": {"autoPlay": "yes"}}}), "defaults.player.autoPlay"),
        ];
        for (body, field) in cases {
            // A valid change beside the bad one must not be applied either.
            let mut body = body;
            if body["instance"].get("shortDescription").is_none() {
                body["instance"]["shortDescription"] = json!("Half-applied?");
            }
            let (status, answer) = h.send_json("PUT", "/api/v1/config/custom", Some(&admin), body).await;
            assert_invalid(status, &answer, field);
        }
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["instance"]["shortDescription"], "A federated video platform");
        assert_eq!(common::harness::count(&db, "SELECT COUNT(*) FROM custom_config").await, 0);
    }

    async fn changes_apply_at_once_and_last_until_reset(db: Db) {
        let web = fake_web_root();
        let root = web.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        let admin = h.user("boss", UserRole::Admin).await;
        let (_, _, page) = h.get_text("/about").await;
        assert_eq!(title_of(&page), "About - Kinora");

        let (status, custom) = h.send_json("PUT", "/api/v1/config/custom", Some(&admin), json!({
            "instance": {
                "name": "Cinéclub <b>",
                "shortDescription": "Films of the town",
                "terms": "No spam.\nNo hate.",
                "moderationInformation": "Reports are read daily.",
                "administrator": "The film club",
                "languages": ["fr"],
                "categories": [1, 15]
            },
            "signup": { "enabled": true, "requiresApproval": true },
            "user": { "videoQuota": 12345, "videoQuotaDaily": 999 },
            "videoChannels": { "maxPerUser": 3 },
            "transcoding": {
                "enabled": true,
                "resolutions": { "0p": true, "144p": false, "1440p": false, "2160p": false }
            },
            "defaults": { "player": { "autoPlay": false } },
            "theme": { "default": "ignored" }
        })).await;
        assert_eq!(status, StatusCode::OK, "{custom}");
        assert_eq!(custom["instance"]["name"], "Cinéclub <b>");
        assert_eq!(custom["signup"]["requiresApproval"], true);
        assert_eq!(custom["transcoding"]["resolutions"], json!({
            "0p": false, "144p": false, "240p": true, "360p": true, "480p": true, "720p": true,
            "1080p": true, "1440p": false, "2160p": false
        }), "0p (a separate audio rendition) is not made");

        // A new upload's transcode makes the resolutions in force when it was queued.
        let (uploader, channel) = h.user_with_channel("uploader").await;
        let channel = channel.to_string();
        let source = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/peertube/media/video_very_short_240p.mp4"
        ))
        .unwrap();
        let (content_type, body) = common::harness::multipart(
            &[("name", "Ladder"), ("channelId", &channel)],
            Some(("videofile", "ladder.mp4", "video/mp4", &source)),
        );
        let upload = Request::post("/api/v1/videos/upload")
            .header(header::AUTHORIZATION, format!("Bearer {uploader}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, uploaded) = h.send(upload).await;
        assert_eq!(status, StatusCode::OK, "{uploaded}");
        let (payload,): (String,) = sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'transcode'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let job: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(job["resolutions"], json!([240, 360, 480, 720, 1080]), "{payload}");

        // In force for every reader, without a restart.
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["instance"]["name"], "Cinéclub <b>");
        assert_eq!(config["instance"]["shortDescription"], "Films of the town");
        assert_eq!(config["signup"]["allowed"], true);
        assert_eq!(config["signup"]["requiresApproval"], true);
        assert_eq!(config["user"]["videoQuota"], 12345);
        assert_eq!(config["videoChannels"]["maxPerUser"], 3);
        assert_eq!(config["transcoding"]["enabledResolutions"], json!([240, 360, 480, 720, 1080]));
        assert_eq!(config["defaults"]["player"]["autoPlay"], false);
        assert_eq!(custom["defaults"]["player"]["autoPlay"], false);
        // A user who never chose follows the instance; one who chose keeps their choice.
        let undecided = h.user("undecided", UserRole::User).await;
        let (_, me) = h.get("/api/v1/users/me", Some(&undecided)).await;
        assert_eq!(me["autoPlayVideo"], false, "{me}");
        let decided = h.user("decided", UserRole::User).await;
        let (status, answer) = h.send_json("PUT", "/api/v1/users/me", Some(&decided), json!({ "autoPlayVideo": true })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        let (_, me) = h.get("/api/v1/users/me", Some(&decided)).await;
        assert_eq!(me["autoPlayVideo"], true, "{me}");
        let (_, about) = h.get("/api/v1/config/about", None).await;
        assert_eq!(about["instance"]["terms"], "No spam.\nNo hate.");
        assert_eq!(about["instance"]["categories"], json!([1, 15]));
        let (_, _, page) = h.get_text("/about").await;
        assert_eq!(title_of(&page), "About - Cinéclub &lt;b&gt;", "escaped in the page");
        let (_, _, home) = h.get_text("/").await;
        assert!(home.contains(r#"<meta name="application-name" content="Cinéclub &lt;b&gt;">"#), "{home}");
        let (_, created) = h.send_json("POST", "/api/v1/users", Some(&admin), json!({
            "username": "newcomer", "email": "newcomer@example.com", "password": "secret-password", "role": 2
        })).await;
        let id = created["user"]["id"].as_i64().unwrap_or_else(|| panic!("{created}"));
        let (_, user) = h.get(&format!("/api/v1/users/{id}"), Some(&admin)).await;
        assert_eq!(user["videoQuota"], 12345, "a new user gets the quota in force: {user}");
        assert_eq!(user["videoQuotaDaily"], 999);

        // A partial change keeps the rest.
        let (status, custom) = h.send_json("PUT", "/api/v1/config/custom", Some(&admin), json!({
            "instance": { "name": "Cinéclub" }
        })).await;
        assert_eq!(status, StatusCode::OK, "{custom}");
        assert_eq!(custom["instance"]["shortDescription"], "Films of the town");
        assert_eq!(custom["signup"]["requiresApproval"], true);

        // A restart reads the stored settings over the file's.
        let mut again = Harness::new(&db, |_| {});
        again.api.instance = kinora_app::SharedInstance::load(&db, again.config.instance.clone()).await.unwrap();
        let (_, config) = again.get("/api/v1/config", None).await;
        assert_eq!(config["instance"]["name"], "Cinéclub");
        assert_eq!(config["user"]["videoQuotaDaily"], 999);
        assert_eq!(config["transcoding"]["enabledResolutions"], json!([240, 360, 480, 720, 1080]));
        let (_, nodeinfo) = again.get("/nodeinfo/2.0.json", None).await;
        assert_eq!(nodeinfo["metadata"]["nodeName"], "Cinéclub");
        assert_eq!(nodeinfo["openRegistrations"], true);

        // DELETE goes back to the file, now and after a restart.
        let (status, custom) = again.send_json("DELETE", "/api/v1/config/custom", Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{custom}");
        assert_eq!(custom["instance"]["name"], "Kinora");
        let (_, config) = again.get("/api/v1/config", None).await;
        assert_eq!(config["instance"]["name"], "Kinora");
        assert_eq!(config["signup"]["allowed"], false);
        assert_eq!(config["transcoding"]["enabledResolutions"], json!([144, 240, 360, 480, 720, 1080, 1440, 2160]));
        let mut third = Harness::new(&db, |_| {});
        third.api.instance = kinora_app::SharedInstance::load(&db, third.config.instance.clone()).await.unwrap();
        let (_, config) = third.get("/api/v1/config", None).await;
        assert_eq!(config["instance"]["name"], "Kinora");
    }

    async fn unknown_pages_get_the_html_not_found_page(db: Db) {
        let web = fake_web_root();
        let root = web.path().to_owned();
        let h = Harness::new(&db, move |config| config.web.root = root);
        for path in ["/no-such-page", "/about/nothing/here", "/c/x/y/z", "/my-library/nothing"] {
            let (status, headers, page) = h.get_text(path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
            assert_eq!(title_of(&page), "Page not found - Kinora", "{path}");
            assert!(page.contains(kinora_api::not_found::UNROUTED_MARKER));
            assert!(page.contains("<div id=\"app\">"), "the front end's shell: {page}");
            assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY), "{path}");
        }
        for path in ["/about", "/about/instance", "/admin/config/edit-custom"] {
            let (status, headers, _) = h.get_text(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        }
        // JSON under /api/ and on the machine paths, for other methods, and when asked for.
        for path in ["/api/v1/nothing", "/api", "/static/nothing", "/lazy-static/previews/x.jpg", "/.well-known/nothing", "/feeds/x/y"] {
            let (status, headers, body) = h.send(Request::get(path).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json; charset=utf-8", "{path}");
            assert_eq!(body["code"], "not_found", "{path}");
        }
        let (status, headers, _) = h.send(Request::post("/no-such-page").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json; charset=utf-8");
        let (status, headers, _) = h.send(Request::get("/no-such-page").header(header::ACCEPT, "application/json").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json; charset=utf-8");

        // Without a front end build the answer is still a 404 page.
        let bare = Harness::new(&db, |config| config.web.root = "/nonexistent-kinora-web".into());
        let (status, headers, page) = bare.get_text("/no-such-page").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert_eq!(title_of(&page), "Page not found - Kinora");
    }
}
