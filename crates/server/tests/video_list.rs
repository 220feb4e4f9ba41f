//! `GET /api/v1/videos`: only public, published videos, in PeerTube's orders and pages, with
//! clear refusals of bad parameters; pages kept in memory show every change at once. On SQLite
//! and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::harness::Harness;
use common::videos::insert_video;
use kinora_db::backend_tests;

/// The list's version, read straight from the database.
async fn list_version(db: &kinora_db::Db) -> i64 {
    kinora_db::video_lists::version(db.pool()).await.unwrap()
}

async fn run_sql(db: &kinora_db::Db, sql: &str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap();
}

fn names(body: &serde_json::Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|video| video["name"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests! {
    async fn only_public_published_videos_are_listed_in_order_and_pages(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        insert_video(&db, channel, "Public low", 1, 1, 5).await;
        insert_video(&db, channel, "Public high", 1, 1, 50).await;
        insert_video(&db, channel, "Public mid", 1, 1, 20).await;
        insert_video(&db, channel, "Unlisted", 2, 1, 99).await;
        insert_video(&db, channel, "Private", 3, 1, 99).await;
        insert_video(&db, channel, "Internal", 4, 1, 99).await;
        insert_video(&db, channel, "Still transcoding", 1, 2, 99).await;

        let (status, body) = h.get("/api/v1/videos", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["total"], 3);
        // Default: newest publication first (published at 1000 + views here).
        assert_eq!(names(&body), ["Public high", "Public mid", "Public low"]);
        let (_, body) = h.get("/api/v1/videos?sort=-views", None).await;
        assert_eq!(names(&body), ["Public high", "Public mid", "Public low"]);
        let (_, body) = h.get("/api/v1/videos?sort=views", None).await;
        assert_eq!(names(&body), ["Public low", "Public mid", "Public high"]);
        let (_, body) = h.get("/api/v1/videos?sort=-trending&start=1&count=1", None).await;
        assert_eq!(body["total"], 3);
        assert_eq!(names(&body), ["Public mid"]);
        let (_, body) = h.get("/api/v1/videos?sort=name&isLocal=true&nsfw=both", None).await;
        assert_eq!(names(&body), ["Public high", "Public low", "Public mid"]);
        let (_, body) = h.get("/api/v1/videos?start=10", None).await;
        assert_eq!((body["total"].as_i64(), names(&body).len()), (Some(3), 0));
        let (_, body) = h.get("/api/v1/videos?isLocal=false", None).await;
        assert_eq!(body["total"], 0);
        // Logged in as the owner changes nothing: lists hold public videos only.
        let (token, _) = h.user_with_channel("bob").await;
        let (_, body) = h.get("/api/v1/videos", Some(&token)).await;
        assert_eq!(body["total"], 3);
        assert!(body["data"][0]["uuid"].is_string() && body["data"][0]["shortUUID"].is_string());
    }

    async fn bad_list_parameters_are_refused_with_the_field_named(db: Db) {
        let h = Harness::new(&db, |_| {});
        for (query, field) in [
            ("sort=-id", "sort"),
            ("sort=views%3BDROP%20TABLE%20videos", "sort"),
            ("start=-1", "start"),
            ("start=abc", "start"),
            ("count=101", "count"),
            ("count=-5", "count"),
            ("count=1e3", "count"),
            ("isLocal=maybe", "isLocal"),
        ] {
            let (status, body) = h.get(&format!("/api/v1/videos?{query}"), None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
            assert!(body.to_string().contains(field), "{query}: {body}");
        }
    }

    async fn kept_pages_show_new_hidden_changed_and_deleted_videos_at_once(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        insert_video(&db, channel, "Old cat", 1, 1, 5).await;
        insert_video(&db, channel, "Old dog", 1, 1, 6).await;
        let list = "/api/v1/videos?count=15";
        let search = "/api/v1/search/videos?search=cat";
        let (_, first) = h.get(list, None).await;
        assert_eq!((first["total"].as_i64(), names(&first)), (Some(2), vec!["Old dog".to_owned(), "Old cat".to_owned()]));
        // Nothing changed: the same page again, from memory.
        let hits = h.api.list_cache.stats().hits;
        let (_, again) = h.get(list, None).await;
        assert_eq!(again, first);
        assert_eq!(h.api.list_cache.stats().hits, hits + 1, "the second page was computed again");
        let (_, found) = h.get(search, None).await;
        assert_eq!(names(&found), ["Old cat"]);

        // A new video (written straight into the database, as another process would).
        let before = list_version(&db).await;
        let new = insert_video(&db, channel, "New cat", 1, 1, 50).await;
        assert!(list_version(&db).await > before, "a new video moves the version");
        let (_, body) = h.get(list, None).await;
        assert_eq!((body["total"].as_i64(), names(&body)[0].as_str()), (Some(3), "New cat"));
        let (_, found) = h.get(search, None).await;
        assert_eq!((found["total"].as_i64(), names(&found)), (Some(2), vec!["New cat".to_owned(), "Old cat".to_owned()]));

        // Made private through the API: gone from the list, the search and their totals.
        let (status, body) = h.send_json("PUT", &format!("/api/v1/videos/{}", new.uuid), Some(&token), serde_json::json!({"privacy": 3})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, body) = h.get(list, None).await;
        assert_eq!((body["total"].as_i64(), names(&body)), (Some(2), vec!["Old dog".to_owned(), "Old cat".to_owned()]));
        let (_, found) = h.get(search, None).await;
        assert_eq!((found["total"].as_i64(), names(&found)), (Some(1), vec!["Old cat".to_owned()]));

        // Public again, then what an item shows changes: views, its channel's name.
        let (status, _) = h.send_json("PUT", &format!("/api/v1/videos/{}", new.uuid), Some(&token), serde_json::json!({"privacy": 1})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        run_sql(&db, &format!("UPDATE videos SET views = 777 WHERE id = {}", new.id)).await;
        run_sql(&db, &format!("UPDATE channels SET display_name = 'Renamed' WHERE id = {channel}")).await;
        let (_, body) = h.get(list, None).await;
        assert_eq!(body["total"], 3);
        assert_eq!(body["data"][0]["views"], 777);
        assert_eq!(body["data"][0]["channel"]["displayName"], "Renamed");

        // Deleted through the API.
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/videos/{}", new.uuid), Some(&token), serde_json::json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, body) = h.get(list, None).await;
        assert_eq!((body["total"].as_i64(), names(&body)), (Some(2), vec!["Old dog".to_owned(), "Old cat".to_owned()]));
        let (_, found) = h.get(search, None).await;
        assert_eq!((found["total"].as_i64(), names(&found)), (Some(1), vec!["Old cat".to_owned()]));
    }
}
