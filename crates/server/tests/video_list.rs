//! `GET /api/v1/videos`: only public, published videos, in PeerTube's orders and pages, with
//! clear refusals of bad parameters. On SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::harness::{Harness, publish_video};
use kinora_db::testing::sample_video;
use kinora_db::videos::NewVideo;
use kinora_db::{Db, backend_tests};
use uuid::Uuid;

/// Inserts a video in `channel`; published unless `state` says otherwise.
async fn insert_video(db: &Db, channel: i64, name: &str, privacy: i64, state: i64, views: i64) {
    let uuid = Uuid::new_v4();
    let uuid_text = uuid.to_string();
    let short = kinora_core::video::short_uuid(&uuid);
    let mut tx = db.begin().await.unwrap();
    let new = NewVideo {
        name,
        privacy,
        ..sample_video(&uuid_text, &short, channel)
    };
    let id = kinora_db::videos::insert(&mut tx, &new, views)
        .await
        .unwrap();
    if state == 1 {
        publish_video(&mut tx, id, 1000 + views).await;
    }
    sqlx::query("UPDATE videos SET views = $1 WHERE id = $2")
        .bind(views)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
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
}
