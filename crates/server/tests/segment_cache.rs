//! HLS files of public videos are served from memory (no database round trip per segment), and
//! what memory holds never outlives a change: a change through the API is seen at once, one
//! written by anybody else (plain SQL here) within `segment_cache::CHECK_INTERVAL`. On SQLite and
//! PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::Harness;
use common::videos::{TestVideo, insert_video};
use kinora_api::segment_cache::CHECK_INTERVAL;
use kinora_db::backend_tests;
use kinora_db::videos::VideoFileRow;
use kinora_storage::{GeneratedName, Location, StorageKey};

/// Gives `video` a 360p rendition named after `prefix`, row and bytes; answers its URL.
async fn add_rendition(h: &Harness, db: &kinora_db::Db, video: &TestVideo, prefix: &str) -> String {
    let uuid: uuid::Uuid = video.uuid.parse().unwrap();
    let file_name = format!("{prefix}-360-fragmented.mp4");
    let file = VideoFileRow {
        id: 0,
        video_id: video.id,
        resolution: 360,
        width: 640,
        height: 360,
        fps: 25.0,
        size: 8,
        file_name: file_name.clone(),
        playlist_name: format!("{prefix}-360.m3u8"),
        has_audio: 1,
        has_video: 1,
        torrent_file: None,
        info_hash: None,
    };
    let mut tx = db.begin().await.unwrap();
    kinora_db::videos::insert_file(&mut tx, &file, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let key = StorageKey::hls_file(uuid, &GeneratedName::parse(&file_name).unwrap());
    let path = h.storage.local_path(Location::Local, &key).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"segments").unwrap();
    format!("/static/streaming-playlists/hls/{uuid}/{file_name}")
}

/// An anonymous GET of bytes 0–3 of `path`: the status and `Cache-Control`.
async fn fetch(h: &Harness, path: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get(path)
        .header(header::HOST, "localhost:9000")
        .header(header::RANGE, "bytes=0-3");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let (status, headers, _) = h.send(request.body(Body::empty()).unwrap()).await;
    let cache_control = headers
        .get(header::CACHE_CONTROL)
        .map_or("", |v| v.to_str().unwrap())
        .to_owned();
    (status, cache_control)
}

async fn run_sql(db: &kinora_db::Db, sql: &str, id: i64) {
    sqlx::query(sql).bind(id).execute(db.pool()).await.unwrap();
}

/// Waits past the bound of a change made outside this server's API.
async fn past_the_bound() {
    tokio::time::sleep(CHECK_INTERVAL + std::time::Duration::from_millis(100)).await;
}

backend_tests! {
    async fn public_segments_come_from_memory_and_a_privated_video_stops_at_once_or_within_the_bound(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "A film", 1, 1, 0).await;
        let url = add_rendition(&h, &db, &video, "aa").await;
        let segments = &h.api.list_cache.segments;

        // Served, publicly cacheable; after the first, no request reads the video again.
        assert_eq!(fetch(&h, &url, None).await, (StatusCode::PARTIAL_CONTENT, "public, max-age=31536000, immutable".into()));
        let lookups = segments.lookups();
        for _ in 0..20 {
            assert_eq!(fetch(&h, &url, None).await.0, StatusCode::PARTIAL_CONTENT);
        }
        assert_eq!(segments.lookups(), lookups, "a segment of a public video went to the database");

        // Made private through the API: refused to strangers at the very next request.
        let path = format!("/api/v1/videos/{}", video.uuid);
        let (status, _) = h.send_json("PUT", &path, Some(&token), serde_json::json!({"privacy": 3})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(fetch(&h, &url, None).await.0, StatusCode::NOT_FOUND, "a just-privated video was served from memory");
        assert_eq!(fetch(&h, &url, Some(&token)).await, (StatusCode::PARTIAL_CONTENT, "private, max-age=31536000, immutable".into()));
        let (status, _) = h.send_json("PUT", &path, Some(&token), serde_json::json!({"privacy": 1})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(fetch(&h, &url, None).await.0, StatusCode::PARTIAL_CONTENT);

        // Made private by somebody else (another process, plain SQL): refused past the bound.
        run_sql(&db, "UPDATE videos SET privacy = 3 WHERE id = $1", video.id).await;
        past_the_bound().await;
        assert_eq!(fetch(&h, &url, None).await.0, StatusCode::NOT_FOUND, "a privated video was served past the bound");
        run_sql(&db, "UPDATE videos SET privacy = 1 WHERE id = $1", video.id).await;
        past_the_bound().await;
        assert_eq!(fetch(&h, &url, None).await.0, StatusCode::PARTIAL_CONTENT);

        // A rendition added while the video is in memory is served at once; a removed one and a
        // removed one stops past the bound, a deleted video at once.
        let added = add_rendition(&h, &db, &video, "bb").await;
        assert_eq!(fetch(&h, &added, None).await.0, StatusCode::PARTIAL_CONTENT);
        assert_eq!(fetch(&h, &url, None).await.0, StatusCode::PARTIAL_CONTENT);
        run_sql(&db, "DELETE FROM video_files WHERE video_id = $1 AND file_name LIKE 'aa-%'", video.id).await;
        past_the_bound().await;
        assert_eq!(fetch(&h, &url, None).await.0, StatusCode::NOT_FOUND, "a removed rendition was served past the bound");
        assert_eq!(fetch(&h, &added, None).await.0, StatusCode::PARTIAL_CONTENT);
        let (status, _) = h.send_json("DELETE", &path, Some(&token), serde_json::json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(fetch(&h, &added, None).await.0, StatusCode::NOT_FOUND, "a deleted video was served from memory");
    }
}
