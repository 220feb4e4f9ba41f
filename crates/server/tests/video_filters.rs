//! The filters PeerTube clients send on video lists and search (`categoryOneOf`, `licenceOneOf`,
//! `languageOneOf`, `tagsOneOf`, `tagsAllOf`, `nsfw`, `isLive`, `isLocal`, `hasHLSFiles`,
//! `hasWebVideoFiles`, `privacyOneOf`, durations, dates, `sort=-match`, `host`, moderators'
//! `include` and `autoTagOneOf`, `excludeAlreadyWatched`, the NSFW flags), each on data where it
//! changes the answer, on every list route that reads it; kept pages keyed by their filters;
//! blocks and mutes still applied; malformed values refused by name. On SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::harness::Harness;
use common::videos::{TestVideo, insert_video};
use kinora_core::user::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

fn names(body: &Value) -> Vec<String> {
    let mut names: Vec<String> = body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {body}"))
        .iter()
        .map(|video| video["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn run_sql(db: &kinora_db::Db, sql: &str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap();
}

/// The names (sorted) a list answers, checked to be a 200 whose total matches.
async fn listed(h: &Harness, path: &str, token: Option<&str>) -> Vec<String> {
    let (status, body) = h.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    let names = names(&body);
    assert_eq!(
        body["total"].as_u64(),
        Some(names.len() as u64),
        "{path}: {body}"
    );
    names
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|&n| n.to_owned()).collect()
}

/// Sets columns of a test video by SQL (as another writer would).
async fn set(db: &kinora_db::Db, video: &TestVideo, assignments: &str) {
    run_sql(
        db,
        &format!("UPDATE videos SET {assignments} WHERE id = {}", video.id),
    )
    .await;
}

/// Four published public videos of alice's channel that differ in every filtered attribute, and
/// one of bob's.
struct Catalogue {
    alpha: TestVideo,
    bravo: TestVideo,
    charlie: TestVideo,
    delta: TestVideo,
    echo: TestVideo,
}

const DAY: i64 = 86_400_000;
/// 2024-01-01T00:00:00Z.
const JAN_2024: i64 = 1_704_067_200_000;

async fn catalogue(db: &kinora_db::Db, alice: i64, bob: i64) -> Catalogue {
    let alpha = insert_video(db, alice, "Alpha", 1, 1, 1).await;
    let bravo = insert_video(db, alice, "Bravo", 1, 1, 2).await;
    let charlie = insert_video(db, alice, "Charlie", 1, 1, 3).await;
    let delta = insert_video(db, alice, "Delta", 1, 1, 4).await;
    let echo = insert_video(db, bob, "Echo", 1, 1, 5).await;
    set(db, &alpha, &format!(
        "category = 1, licence = 1, language = 'en', tags = '[\"Cats\",\"music\"]', duration = 30, \
         published_at = {}", JAN_2024 + 10 * DAY)).await;
    set(
        db,
        &bravo,
        &format!(
            "category = 2, licence = 2, language = 'fr', tags = '[\"dogs\"]', duration = 300, \
         hls_master_file = NULL, published_at = {}, originally_published_at = {}",
            JAN_2024 + 70 * DAY,
            JAN_2024 - 3650 * DAY
        ),
    )
    .await;
    set(
        db,
        &charlie,
        &format!(
            "nsfw = 1, tags = '[\"cats\",\"DOGS\"]', duration = 90, published_at = {}",
            JAN_2024 + 100 * DAY
        ),
    )
    .await;
    set(db, &delta, &format!(
        "category = 1, language = 'en', duration = 600, url = 'https://remote.example/videos/watch/d', \
         published_at = {}", JAN_2024 + 200 * DAY)).await;
    set(
        db,
        &echo,
        "category = 3, tags = '[\"music\"]', duration = 45",
    )
    .await;
    Catalogue {
        alpha,
        bravo,
        charlie,
        delta,
        echo,
    }
}

backend_tests! {
    async fn every_filter_narrows_the_catalogue(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, alice) = h.user_with_channel("alice").await;
        let (_, bob) = h.user_with_channel("bob").await;
        catalogue(&db, alice, bob).await;
        let list = |query: &str| format!("/api/v1/videos?{query}");
        // Absent `nsfw`: the instance's do_not_list policy leaves Charlie out.
        assert_eq!(listed(&h, &list(""), None).await, strings(&["Alpha", "Bravo", "Delta", "Echo"]));
        assert_eq!(listed(&h, &list("nsfw=both"), None).await.len(), 5);
        assert_eq!(listed(&h, &list("nsfw=true"), None).await, strings(&["Charlie"]));
        assert_eq!(listed(&h, &list("nsfw=false"), None).await.len(), 4);
        for (query, expected) in [
            ("categoryOneOf=1", &["Alpha", "Delta"][..]),
            ("categoryOneOf=1&categoryOneOf=3", &["Alpha", "Delta", "Echo"]),
            ("categoryOneOf[]=2&categoryOneOf[]=3", &["Bravo", "Echo"]),
            ("categoryOneOf=17", &[]),
            ("licenceOneOf=2", &["Bravo"]),
            ("licenceOneOf=1&licenceOneOf=2", &["Alpha", "Bravo"]),
            ("languageOneOf=fr", &["Bravo"]),
            ("languageOneOf=en&languageOneOf=fr", &["Alpha", "Bravo", "Delta"]),
            ("languageOneOf=_unknown&nsfw=both", &["Charlie", "Echo"]),
            ("languageOneOf=_unknown&languageOneOf=fr", &["Bravo", "Echo"]),
            ("tagsOneOf=CATS&nsfw=both", &["Alpha", "Charlie"]),
            ("tagsOneOf=dogs&tagsOneOf=music", &["Alpha", "Bravo", "Echo"]),
            ("tagsAllOf=cats&tagsAllOf=dogs&nsfw=both", &["Charlie"]),
            ("tagsAllOf=music", &["Alpha", "Echo"]),
            ("tagsAllOf=music&tagsAllOf=cats", &["Alpha"]),
            ("isLive=true", &[]),
            ("isLive=false", &["Alpha", "Bravo", "Delta", "Echo"]),
            ("isLocal=false", &["Delta"]),
            ("isLocal=true", &["Alpha", "Bravo", "Echo"]),
            ("hasHLSFiles=false", &["Bravo"]),
            ("hasHLSFiles=true", &["Alpha", "Delta", "Echo"]),
            ("hasWebVideoFiles=true", &["Bravo"]),
            ("hasWebVideoFiles=false", &["Alpha", "Delta", "Echo"]),
            ("search=ALP", &["Alpha"]),
            ("categoryOneOf=1&isLocal=true&skipCount=true", &["Alpha"]),
        ] {
            assert_eq!(listed(&h, &list(query), None).await, strings(expected), "{query}");
        }
        // PeerTube reads durations and dates on search only.
        assert_eq!(listed(&h, &list("durationMin=100"), None).await.len(), 4);
    }

    async fn search_adds_durations_dates_and_best_match(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, alice) = h.user_with_channel("alice").await;
        let (_, bob) = h.user_with_channel("bob").await;
        catalogue(&db, alice, bob).await;
        let search = |query: &str| format!("/api/v1/search/videos?{query}");
        for (query, expected) in [
            ("durationMin=60", &["Bravo", "Delta"][..]),
            ("durationMin=60&nsfw=both", &["Bravo", "Charlie", "Delta"]),
            ("durationMax=45", &["Alpha", "Echo"]),
            ("durationMin=31&durationMax=300", &["Bravo", "Echo"]),
            ("startDate=2024-03-01", &["Bravo", "Delta"]),
            ("startDate=2024-03-01T00:00:00Z&endDate=2024-06-01T00:00:00.000Z", &["Bravo"]),
            ("endDate=2024-02-01", &["Alpha", "Echo"]),
            ("originallyPublishedStartDate=2010-01-01", &["Bravo"]),
            ("originallyPublishedEndDate=2010-01-01", &[]),
            ("categoryOneOf=1&durationMin=100", &["Delta"]),
            ("search=a&tagsOneOf=music", &["Alpha"]),
        ] {
            assert_eq!(listed(&h, &search(query), None).await, strings(expected), "{query}");
        }
        // Best match first: the whole name, its start, anywhere, then the tags only.
        for (name, views) in [("Black cat", 10), ("cat", 1), ("Catalogue", 5)] {
            insert_video(&db, alice, name, 1, 1, views).await;
        }
        let (status, body) = h.get("/api/v1/search/videos?search=cat&sort=-match", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let order: Vec<&str> = body["data"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(order, ["cat", "Catalogue", "Black cat", "Alpha"], "{body}");
        // The original publication date sorts (by the publication date where none is set).
        let sorted = |sort: &str| format!("/api/v1/videos?categoryOneOf=1&categoryOneOf=2&sort={sort}");
        let (_, body) = h.get(&sorted("originallyPublishedAt"), None).await;
        let order: Vec<&str> = body["data"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(order, ["Bravo", "Alpha", "Delta"], "{body}");
        assert!(body["data"][0]["originallyPublishedAt"].as_str().unwrap().starts_with("2014-"), "{body}");
        let (_, body) = h.get(&sorted("publishedAt"), None).await;
        assert_eq!(body["data"][0]["name"], "Alpha", "{body}");
    }

    async fn account_channel_and_own_lists_read_the_filters(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice_token, alice) = h.user_with_channel("alice").await;
        let (_, bob) = h.user_with_channel("bob").await;
        let videos = catalogue(&db, alice, bob).await;
        let unlisted = insert_video(&db, alice, "Unlisted one", 2, 1, 9).await;
        set(&db, &unlisted, "category = 1").await;
        let channel = {
            let (_, body) = h.get("/api/v1/users/me", Some(&alice_token)).await;
            body["videoChannels"][0]["name"].as_str().unwrap().to_owned()
        };
        for base in ["/api/v1/accounts/alice/videos".to_owned(), format!("/api/v1/video-channels/{channel}/videos")] {
            assert_eq!(listed(&h, &format!("{base}?categoryOneOf=1"), None).await, strings(&["Alpha", "Delta"]), "{base}");
            assert_eq!(listed(&h, &format!("{base}?tagsAllOf=cats&tagsAllOf=dogs&nsfw=both"), None).await, strings(&["Charlie"]), "{base}");
            assert_eq!(listed(&h, &format!("{base}?languageOneOf=fr&hasHLSFiles=false"), None).await, strings(&["Bravo"]), "{base}");
            assert_eq!(listed(&h, &format!("{base}?nsfw=true"), None).await, strings(&["Charlie"]), "{base}");
            let (status, body) = h.get(&format!("{base}?licenceOneOf=x"), None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{base}: {body}");
            assert!(body["invalid-params"]["licenceOneOf"].is_object(), "{body}");
        }
        // One's own list: every privacy, NSFW too, narrowed by the same filters and privacyOneOf.
        let mine = "/api/v1/users/me/videos";
        let token = Some(alice_token.as_str());
        assert_eq!(listed(&h, &format!("{mine}?categoryOneOf=1"), token).await, strings(&["Alpha", "Delta", "Unlisted one"]));
        assert_eq!(listed(&h, &format!("{mine}?privacyOneOf=2"), token).await, strings(&["Unlisted one"]));
        assert_eq!(listed(&h, &format!("{mine}?privacyOneOf=1&categoryOneOf=1"), token).await, strings(&["Alpha", "Delta"]));
        assert_eq!(listed(&h, &format!("{mine}?tagsOneOf=dogs"), token).await, strings(&["Bravo", "Charlie"]));
        assert_eq!(listed(&h, &format!("{mine}?nsfw=false"), token).await.len(), 5, "nsfw is ignored there");
        assert_eq!(listed(&h, &format!("{mine}?search=char"), token).await, strings(&["Charlie"]));
        let _ = videos.echo;
    }

    async fn privacy_filters_are_for_moderators_and_lists_stay_moderated(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice_token, alice) = h.user_with_channel("alice").await;
        let (bob_token, bob) = h.user_with_channel("bob").await;
        let videos = catalogue(&db, alice, bob).await;
        insert_video(&db, alice, "Private one", 3, 1, 7).await;
        insert_video(&db, alice, "Unlisted one", 2, 1, 8).await;
        let moderator = h.user("mod", UserRole::Moderator).await;
        let path = "/api/v1/videos?privacyOneOf=3";
        let (status, body) = h.get(path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let (status, body) = h.get(path, Some(&bob_token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["status"], 403, "problem+json: {body}");
        assert_eq!(listed(&h, path, Some(&moderator)).await, strings(&["Private one"]));
        assert_eq!(listed(&h, "/api/v1/videos?privacyOneOf=2&privacyOneOf=3", Some(&moderator)).await, strings(&["Private one", "Unlisted one"]));
        assert_eq!(listed(&h, "/api/v1/search/videos?search=one&privacyOneOf=2", Some(&moderator)).await, strings(&["Unlisted one"]));

        // Kept pages are keyed by their filters: the same route with another filter answers
        // its own list, in either order.
        let all = listed(&h, "/api/v1/videos", None).await;
        assert_eq!(listed(&h, "/api/v1/videos?categoryOneOf=2", None).await, strings(&["Bravo"]));
        assert_eq!(listed(&h, "/api/v1/videos", None).await, all);
        assert_eq!(listed(&h, "/api/v1/videos?categoryOneOf=2", None).await, strings(&["Bravo"]));

        // A blocked video and a muted account stay out whatever the filters.
        let (status, body) = h.send_json("POST", &format!("/api/v1/videos/{}/blacklist", videos.alpha.uuid), Some(&moderator), json!({"reason": "spam"})).await;
        assert!(status.is_success(), "{status}: {body}");
        assert_eq!(listed(&h, "/api/v1/videos?categoryOneOf=1", None).await, strings(&["Delta"]));
        assert_eq!(listed(&h, "/api/v1/search/videos?tagsOneOf=music", None).await, strings(&["Echo"]));
        let (status, body) = h.send_json("POST", "/api/v1/users/me/blocklist/accounts", Some(&alice_token), json!({"accountName": "bob"})).await;
        assert!(status.is_success(), "{status}: {body}");
        assert_eq!(listed(&h, "/api/v1/videos?tagsOneOf=music", Some(&alice_token)).await, Vec::<String>::new());
        assert_eq!(listed(&h, "/api/v1/videos?tagsOneOf=music", None).await, strings(&["Echo"]));
        let _ = (videos.bravo, videos.charlie, videos.delta);
    }

    async fn malformed_filter_values_are_refused_by_name(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, _) = h.user_with_channel("alice").await;
        let cases = [
            ("/api/v1/videos?categoryOneOf=music", "categoryOneOf"),
            ("/api/v1/videos?categoryOneOf=1&categoryOneOf=x", "categoryOneOf"),
            ("/api/v1/videos?licenceOneOf=1.5", "licenceOneOf"),
            ("/api/v1/videos?nsfw=maybe", "nsfw"),
            ("/api/v1/videos?nsfw=true&nsfw=false", "nsfw"),
            ("/api/v1/videos?isLive=yes", "isLive"),
            ("/api/v1/videos?isLocal=2", "isLocal"),
            ("/api/v1/videos?hasHLSFiles=maybe", "hasHLSFiles"),
            ("/api/v1/videos?hasWebVideoFiles=t", "hasWebVideoFiles"),
            ("/api/v1/videos?skipCount=nope", "skipCount"),
            ("/api/v1/videos?sort=-match", "sort"),
            ("/api/v1/videos?sort=random", "sort"),
            ("/api/v1/videos?sort=name&sort=-views", "sort"),
            ("/api/v1/videos?count=x", "count"),
            ("/api/v1/search/videos?sort=-trending", "sort"),
            ("/api/v1/search/videos?durationMin=long", "durationMin"),
            ("/api/v1/search/videos?durationMax=1e3", "durationMax"),
            ("/api/v1/search/videos?startDate=yesterday", "startDate"),
            ("/api/v1/search/videos?endDate=2024-13-01", "endDate"),
            ("/api/v1/search/videos?originallyPublishedStartDate=2024", "originallyPublishedStartDate"),
            ("/api/v1/search/videos?originallyPublishedEndDate=01/02/2024", "originallyPublishedEndDate"),
            ("/api/v1/accounts/alice/videos?languageOneOf=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "languageOneOf"),
            ("/api/v1/users/me/videos?privacyOneOf=9", "privacyOneOf"),
            ("/api/v1/users/me/videos?privacyOneOf=public", "privacyOneOf"),
            ("/api/v1/videos?host=https://remote.example", "host"),
            ("/api/v1/videos?host=remote.example/videos", "host"),
            ("/api/v1/search/videos?host=a..b", "host"),
            ("/api/v1/videos?include=128", "include"),
            ("/api/v1/videos?include=all", "include"),
            ("/api/v1/videos?nsfwFlagsIncluded=8", "nsfwFlagsIncluded"),
            ("/api/v1/videos?nsfwFlagsExcluded=violent", "nsfwFlagsExcluded"),
            ("/api/v1/videos?excludeAlreadyWatched=maybe", "excludeAlreadyWatched"),
            ("/api/v1/videos?autoTagOneOf=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "autoTagOneOf"),
        ];
        for (path, parameter) in cases {
            let (status, body) = h.get(path, Some(&token)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert_eq!(body["invalid-params"][parameter]["location"], "query", "{path}: {body}");
            assert!(body["detail"].as_str().unwrap().contains(parameter), "{path}: {body}");
        }
        let many: String = (0..51).map(|i| format!("tagsOneOf=t{i}&")).collect();
        let (status, body) = h.get(&format!("/api/v1/videos?{many}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["invalid-params"]["tagsOneOf"].is_object(), "{body}");
    }

    async fn the_original_publication_date_is_set_cleared_and_checked(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "Dated", 1, 1, 0).await;
        let path = format!("/api/v1/videos/{}", video.uuid);
        let edit = json!({"originallyPublishedAt": "2001-09-09T01:46:40.000Z", "category": 5, "language": "fr"});
        let (status, body) = h.send_json("PUT", &path, Some(&token), edit).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, body) = h.get(&path, None).await;
        assert_eq!(body["originallyPublishedAt"], "2001-09-09T01:46:40.000Z");
        assert_eq!(body["category"], json!({"id": 5, "label": "Sports"}));
        // Absent fields stay; null clears.
        let (status, _) = h.send_json("PUT", &path, Some(&token), json!({"name": "Dated again"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, body) = h.get(&path, None).await;
        assert_eq!((body["originallyPublishedAt"].as_str(), body["category"]["id"].as_i64()), (Some("2001-09-09T01:46:40.000Z"), Some(5)));
        let clear = json!({"originallyPublishedAt": null, "category": null, "language": null});
        let (status, body) = h.send_json("PUT", &path, Some(&token), clear).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, body) = h.get(&path, None).await;
        assert_eq!(body["originallyPublishedAt"], Value::Null);
        assert_eq!(body["category"], json!({"id": null, "label": "Unknown"}));
        assert_eq!(body["language"], json!({"id": null, "label": "Unknown"}));
        for bad in [json!("not a date"), json!("2999-01-01"), json!("0999-12-31"), json!(5)] {
            let (status, body) = h.send_json("PUT", &path, Some(&token), json!({"originallyPublishedAt": bad})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert!(body["invalid-params"]["originallyPublishedAt"].is_object(), "{bad}: {body}");
        }
    }

    async fn host_include_auto_tags_watched_and_nsfw_flags(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, alice) = h.user_with_channel("alice").await;
        let (_, bob) = h.user_with_channel("bob").await;
        let videos = catalogue(&db, alice, bob).await;
        // Delta (already remote by its URL) moves to a channel of carol@remote.example.
        for sql in [
            "INSERT INTO actors (kind, preferred_username, host, created_at, updated_at) VALUES ('Person', 'carol', 'remote.example', 0, 0)",
            "INSERT INTO actors (kind, preferred_username, host, created_at, updated_at) VALUES ('Group', 'carol_channel', 'remote.example', 0, 0)",
            "INSERT INTO accounts (actor_id, display_name, created_at, updated_at) SELECT id, 'Carol', 0, 0 FROM actors WHERE preferred_username = 'carol'",
            "INSERT INTO channels (actor_id, account_id, display_name, created_at, updated_at) SELECT a.id, ac.id, 'Carol''s', 0, 0 FROM actors a, accounts ac WHERE a.preferred_username = 'carol_channel' AND ac.display_name = 'Carol'",
        ] {
            run_sql(&db, sql).await;
        }
        set(&db, &videos.delta, "channel_id = (SELECT id FROM channels WHERE display_name = 'Carol''s')").await;
        run_sql(&db, "UPDATE video_list_version SET version = version + 1").await;
        let moderator = h.user("mod", UserRole::Moderator).await;

        // host: a remote host's accounts' videos, ours (any case), or nothing.
        for route in ["/api/v1/videos", "/api/v1/search/videos"] {
            assert_eq!(listed(&h, &format!("{route}?host=remote.example"), None).await, strings(&["Delta"]));
            assert_eq!(listed(&h, &format!("{route}?host=REMOTE.example"), None).await, strings(&["Delta"]));
            assert_eq!(listed(&h, &format!("{route}?host=localhost:9000"), None).await, strings(&["Alpha", "Bravo", "Echo"]));
            assert_eq!(listed(&h, &format!("{route}?host=elsewhere.example:8443"), None).await, Vec::<String>::new());
        }
        assert_eq!(listed(&h, "/api/v1/accounts/alice/videos?host=remote.example", None).await, Vec::<String>::new());

        // include: moderators only; each bit lifts one condition.
        let draft = insert_video(&db, alice, "Draft", 1, 2, 9).await;
        for (token, status) in [(None, StatusCode::UNAUTHORIZED), (Some(token.as_str()), StatusCode::FORBIDDEN)] {
            let (got, body) = h.get("/api/v1/videos?include=1", token).await;
            assert_eq!(got, status, "{body}");
        }
        assert_eq!(listed(&h, "/api/v1/videos?include=0", None).await.len(), 4);
        assert!(!listed(&h, "/api/v1/videos", Some(&moderator)).await.contains(&"Draft".to_owned()));
        assert!(listed(&h, "/api/v1/videos?include=1", Some(&moderator)).await.contains(&"Draft".to_owned()));
        let (status, body) = h.send_json("POST", &format!("/api/v1/videos/{}/blacklist", videos.alpha.uuid), Some(&moderator), json!({"reason": "spam"})).await;
        assert!(status.is_success(), "{status}: {body}");
        assert!(!listed(&h, "/api/v1/videos", Some(&moderator)).await.contains(&"Alpha".to_owned()));
        assert!(listed(&h, "/api/v1/videos?include=2", Some(&moderator)).await.contains(&"Alpha".to_owned()));
        let (status, body) = h.send_json("POST", "/api/v1/server/blocklist/accounts", Some(&moderator), json!({"accountName": "bob"})).await;
        assert!(status.is_success(), "{status}: {body}");
        assert!(!listed(&h, "/api/v1/videos", Some(&moderator)).await.contains(&"Echo".to_owned()));
        assert_eq!(listed(&h, "/api/v1/videos?include=7", Some(&moderator)).await, strings(&["Alpha", "Bravo", "Delta", "Draft", "Echo"]));
        // Lists with include are never kept for others.
        assert_eq!(listed(&h, "/api/v1/videos", None).await, strings(&["Bravo", "Delta"]));

        // autoTagOneOf: moderators only; nothing is tagged automatically, so nothing matches.
        let (status, _) = h.get("/api/v1/videos?autoTagOneOf=spam", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(listed(&h, "/api/v1/videos?autoTagOneOf=spam", Some(&moderator)).await, Vec::<String>::new());

        // excludeAlreadyWatched: needs a token; no watch history yet, so nothing is left out.
        let (status, body) = h.get("/api/v1/videos?excludeAlreadyWatched=true", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["invalid-params"]["excludeAlreadyWatched"].is_object(), "{body}");
        assert_eq!(listed(&h, "/api/v1/videos?excludeAlreadyWatched=true", Some(&token)).await, strings(&["Bravo", "Delta"]));

        // NSFW flags: every video's are 0, so PeerTube's conditions change nothing.
        assert_eq!(listed(&h, "/api/v1/videos?nsfw=false&nsfwFlagsIncluded=3", None).await, strings(&["Bravo", "Delta"]));
        assert_eq!(listed(&h, "/api/v1/videos?nsfw=true&nsfwFlagsExcluded=7", None).await, strings(&["Charlie"]));
        assert_eq!(listed(&h, "/api/v1/search/videos?nsfw=both&nsfwFlagsExcluded=1", None).await, strings(&["Bravo", "Charlie", "Delta"]));
        let _ = (videos.bravo, videos.charlie, videos.echo, draft);
    }
}
