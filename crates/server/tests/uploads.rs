//! Uploads through the HTTP stack, both PeerTube protocols, on SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count};
use kinora_db::backend_tests;
use kinora_storage::StorageKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/peertube/media/video_short.mp4"
);

fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    common::harness::multipart(
        fields,
        file.map(|bytes| ("videofile", "../../etc/passwd.mp4", "video/mp4", bytes)),
    )
}

fn upload_request(token: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/api/v1/videos/upload")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn put_chunk(token: &str, location: &str, range: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::put(location)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header("content-range", range)
        .body(Body::from(bytes))
        .unwrap()
}

async fn init(
    h: &Harness,
    token: &str,
    channel: i64,
    size: usize,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let request = Request::post("/api/v1/videos/upload-resumable")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-upload-content-length", size.to_string())
        .header("x-upload-content-type", "video/mp4")
        .body(Body::from(
            json!({"name": "Resumed", "channelId": channel, "filename": "clip.mp4"}).to_string(),
        ))
        .unwrap();
    h.send(request).await
}

/// `GET /api/v1/users/me/video-quota-used` as `token`.
async fn quota_used(h: &Harness, token: &str) -> (StatusCode, Value) {
    h.get("/api/v1/users/me/video-quota-used", Some(token))
        .await
}

backend_tests! {
    async fn a_multipart_upload_creates_the_video_and_its_transcode_job(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let source = std::fs::read(FIXTURE).unwrap();
        let channel_text = channel.to_string();
        let (content_type, body) = multipart(
            &[("name", "My first video"), ("channelId", &channel_text), ("privacy", "1"), ("tags[0]", "cats"), ("tags[1]", "dogs"), ("nsfw", "false")],
            Some(&source),
        );
        let (status, _, body) = h.send(upload_request(&token, &content_type, body)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let uuid = body["video"]["uuid"].as_str().unwrap().to_owned();
        assert_eq!(body["video"]["shortUUID"].as_str().unwrap().len(), 22);
        let video = kinora_db::videos::find_by_uuid(db.pool(), &uuid).await.unwrap().unwrap();
        assert_eq!(video.state, 2, "to transcode");
        assert_eq!(video.tags, r#"["cats","dogs"]"#);
        assert_eq!(video.original_size as usize, source.len());
        assert_eq!(video.original_filename, "../../etc/passwd.mp4", "kept as text only");
        let stored = h.api.storage.local().path(&StorageKey::original(uuid.parse().unwrap()));
        assert_eq!(sha256(&std::fs::read(stored).unwrap()), sha256(&source));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'transcode' AND state = 'queued'").await, 1);

        // The owner sees it (state 2); anonymous viewers do not until it is published.
        let request = Request::get(format!("/api/v1/videos/{uuid}/")).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        let (status, _, json) = h.send(request).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["state"]["id"], 2);
        assert_eq!(json["name"], "My first video");
        assert_eq!(json["tags"], json!(["cats", "dogs"]));
        for id in [video.id.to_string(), video.short_uuid.clone()] {
            let request = Request::get(format!("/api/v1/videos/{id}")).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
            assert_eq!(h.send(request).await.0, StatusCode::OK, "by {id}");
        }
        let (status, _, _) = h.send(Request::get(format!("/api/v1/videos/{uuid}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Only files the database lists are served; path tricks find nothing.
        for path in [format!("/static/streaming-playlists/hls/{uuid}/..%2F..%2Foriginal-video-files%2F{uuid}"),
                     format!("/static/streaming-playlists/hls/{uuid}/x-master.m3u8")] {
            let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
            assert_eq!(h.send(request).await.0, StatusCode::NOT_FOUND);
        }
    }

    async fn bad_multipart_uploads_are_refused_and_leave_nothing(db: Db) {
        let h = Harness::new(&db, |c| c.instance.default_video_quota = 10_000);
        let (token, channel) = h.user_with_channel("alice").await;
        let (_, other_channel) = h.user_with_channel("bob").await;
        let channel_text = channel.to_string();
        let (content_type, body) = multipart(&[("name", "No file"), ("channelId", &channel_text)], None);
        let (status, _, json) = h.send(upload_request(&token, &content_type, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
        assert!(json["invalid-params"]["videofile"].is_object());

        let other = other_channel.to_string();
        let (content_type, body) = multipart(&[("name", "Not mine"), ("channelId", &other)], Some(b"bytes"));
        assert_eq!(h.send(upload_request(&token, &content_type, body)).await.0, StatusCode::FORBIDDEN);

        let (content_type, body) = multipart(&[("name", "x"), ("channelId", &channel_text)], Some(b"bytes"));
        let (status, _, json) = h.send(upload_request(&token, &content_type, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(json["invalid-params"]["name"].is_object(), "{json}");

        let big = vec![0u8; 20_000];
        let (content_type, body) = multipart(&[("name", "Too big"), ("channelId", &channel_text)], Some(&big));
        let (status, _, json) = h.send(upload_request(&token, &content_type, body)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(json["code"], "quota_reached");

        assert_eq!(count(&db, "SELECT COUNT(*) FROM videos").await, 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'transcode'").await, 0);
        let work = h.api.storage.local().root().join("tmp/work");
        let left = std::fs::read_dir(&work).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "no partial upload left in {}", work.display());
        assert!(!h.api.storage.local().root().join("original-video-files").exists());
    }

    async fn the_resumable_protocol_works_chunk_by_chunk(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let source = std::fs::read(FIXTURE).unwrap();
        let total = source.len();
        let (status, headers, _) = init(&h, &token, channel, total).await;
        assert_eq!(status, StatusCode::CREATED);
        let location = headers[header::LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with("/api/v1/videos/upload-resumable?upload_id="));

        let probe = || put_chunk(&token, &location, &format!("bytes */{total}"), Vec::new());
        let (status, headers, _) = h.send(probe()).await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        assert!(headers.get(header::RANGE).is_none(), "nothing received yet");

        let chunk = 100_000.min(total / 3);
        let (status, headers, _) = h.send(put_chunk(&token, &location, &format!("bytes 0-{}/{total}", chunk - 1), source[..chunk].to_vec())).await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(headers[header::RANGE], format!("bytes=0-{}", chunk - 1));

        // A chunk at the wrong offset: 409 with the authoritative offset, nothing written.
        let (status, headers, json) = h.send(put_chunk(&token, &location, &format!("bytes 5-9/{total}"), vec![1; 5])).await;
        assert_eq!(status, StatusCode::CONFLICT, "{json}");
        assert_eq!(headers[header::RANGE], format!("bytes=0-{}", chunk - 1));
        // Beyond the declared size: refused.
        let (status, _, _) = h.send(put_chunk(&token, &location, &format!("bytes {chunk}-{}/{total}", total + 10), vec![0; total + 11 - chunk])).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        // Another user's upload id is unknown to them.
        let (bob, _) = h.user_with_channel("bob").await;
        let (status, _, _) = h.send(put_chunk(&bob, &location, &format!("bytes */{total}"), Vec::new())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, headers, _) = h.send(probe()).await;
        assert_eq!((status, headers[header::RANGE].to_str().unwrap()), (StatusCode::PERMANENT_REDIRECT, format!("bytes=0-{}", chunk - 1).as_str()));
        let (status, _, json) = h.send(put_chunk(&token, &location, &format!("bytes {chunk}-{}/{total}", total - 1), source[chunk..].to_vec())).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        let uuid = json["video"]["uuid"].as_str().unwrap().to_owned();
        let stored = h.api.storage.local().path(&StorageKey::original(uuid.parse().unwrap()));
        assert_eq!(sha256(&std::fs::read(stored).unwrap()), sha256(&source), "the final SHA-256 matches");
        // The last chunk sent again answers the same video, once.
        let (status, _, again) = h.send(put_chunk(&token, &location, &format!("bytes {chunk}-{}/{total}", total - 1), source[chunk..].to_vec())).await;
        assert_eq!((status, again["video"]["uuid"].as_str()), (StatusCode::OK, Some(uuid.as_str())));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM videos").await, 1);
        // PeerTube's client clears the session afterwards.
        let delete = Request::delete(&location).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        assert_eq!(h.send(delete).await.0, StatusCode::NO_CONTENT);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM videos").await, 1, "the video stays");
    }

    async fn resumable_sizes_are_checked_before_any_byte_and_cancels_clean_up(db: Db) {
        let h = Harness::new(&db, |c| c.instance.default_video_quota = 1_000_000);
        let (token, channel) = h.user_with_channel("alice").await;
        let (status, _, json) = init(&h, &token, channel, 2_000_000).await;
        assert_eq!((status, json["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("quota_reached")));
        let (status, headers, _) = init(&h, &token, channel, 600_000).await;
        assert_eq!(status, StatusCode::CREATED);
        // The open session reserves its bytes: a second one would exceed the quota.
        let (status, _, _) = init(&h, &token, channel, 600_000).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        let location = headers[header::LOCATION].to_str().unwrap().to_owned();
        let (status, _, _) = h.send(put_chunk(&token, &location, "bytes 0-9/600000", vec![7; 10])).await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        let delete = Request::delete(&location).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        assert_eq!(h.send(delete).await.0, StatusCode::NO_CONTENT);
        let delete = Request::delete(&location).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        assert_eq!(h.send(delete).await.0, StatusCode::NOT_FOUND);
        let uploads = h.api.storage.local().root().join("tmp/resumable-uploads");
        assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 0, "bytes deleted");
        let (status, _, _) = init(&h, &token, channel, 600_000).await;
        assert_eq!(status, StatusCode::CREATED, "the reservation was released");

        // Missing headers and a bad upload id.
        let request = Request::post("/api/v1/videos/upload-resumable")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"name": "x y z", "channelId": channel, "filename": "a.mp4"}).to_string())).unwrap();
        let (status, _, json) = h.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(json["invalid-params"]["X-Upload-Content-Length"].is_object(), "{json}");
        let (status, _, _) = h.send(put_chunk(&token, "/api/v1/videos/upload-resumable?upload_id=../../etc", "bytes */10", Vec::new())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn without_wait_transcoding_a_video_is_shown_while_it_transcodes(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let channel_text = channel.to_string();
        let source = std::fs::read(FIXTURE).unwrap();
        let (content_type, body) = multipart(&[("name", "Right away"), ("channelId", &channel_text), ("waitTranscoding", "false")], Some(&source));
        let (_, _, created) = h.send(upload_request(&token, &content_type, body)).await;
        let uuid = created["video"]["uuid"].as_str().unwrap().to_owned();
        let (status, _, json) = h.send(Request::get(format!("/api/v1/videos/{uuid}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((json["state"]["id"].as_i64(), json["waitTranscoding"].as_bool()), (Some(2), Some(false)));
        let (content_type, body) = multipart(&[("name", "Private one"), ("channelId", &channel_text), ("waitTranscoding", "false"), ("privacy", "3")], Some(&source));
        let (_, _, created) = h.send(upload_request(&token, &content_type, body)).await;
        let uuid = created["video"]["uuid"].as_str().unwrap().to_owned();
        let (status, _, _) = h.send(Request::get(format!("/api/v1/videos/{uuid}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "private stays private");
    }

    async fn idle_sessions_expire_and_are_purged(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let (_, headers, _) = init(&h, &token, channel, 1000).await;
        let location = headers[header::LOCATION].to_str().unwrap().to_owned();
        h.send(put_chunk(&token, &location, "bytes 0-99/1000", vec![1; 100])).await;
        let later = kinora_db::now_millis() + 2 * 3600 * 1000;
        let purged = kinora_app::videos::purge_expired_uploads(&db, &h.api.storage, later).await.unwrap();
        assert_eq!(purged, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM upload_sessions").await, 0);
        let uploads = h.api.storage.local().root().join("tmp/resumable-uploads");
        assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 0);
        let (status, _, _) = h.send(put_chunk(&token, &location, "bytes */1000", Vec::new())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn quotas_count_in_all_and_over_the_last_day(db: Db) {
        let h = Harness::new(&db, |c| {
            c.instance.default_video_quota = 1_000_000;
            c.instance.default_video_quota_daily = 700_000;
        });
        let (token, channel) = h.user_with_channel("alice").await;
        assert_eq!(quota_used(&h, &token).await, (StatusCode::OK, json!({"videoQuotaUsed": 0, "videoQuotaUsedDaily": 0})));
        // A video kept from two days ago counts in all, not today.
        let old = common::videos::insert_video(&db, channel, "Old one", 1, 1, 0).await;
        let two_days_ago = kinora_db::now_millis() - 2 * 24 * 3600 * 1000;
        sqlx::query("UPDATE videos SET original_size = 250000, created_at = $1 WHERE id = $2")
            .bind(two_days_ago).bind(old.id).execute(db.pool()).await.unwrap();
        assert_eq!(quota_used(&h, &token).await.1, json!({"videoQuotaUsed": 250_000, "videoQuotaUsedDaily": 0}));
        // An upload under way counts with its declared size, in both.
        let (status, headers, _) = init(&h, &token, channel, 600_000).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(quota_used(&h, &token).await.1, json!({"videoQuotaUsed": 850_000, "videoQuotaUsedDaily": 600_000}));
        let (status, me) = h.get("/api/v1/users/me", Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((me["videoQuotaUsed"].as_i64(), me["videoQuotaUsedDaily"].as_i64()), (Some(850_000), Some(600_000)));
        // 150,000 more fits the total (1,000,000) but not the day (700,000): refused, nothing kept.
        let (status, _, json) = init(&h, &token, channel, 150_000).await;
        assert_eq!((status, json["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("quota_reached")), "{json}");
        assert!(json["detail"].as_str().unwrap_or_default().contains("daily"), "{json}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM upload_sessions").await, 1);
        // 90,000 fits both.
        let (status, _, _) = init(&h, &token, channel, 90_000).await;
        assert_eq!(status, StatusCode::CREATED);
        // Cancelling gives the reservation back.
        let location = headers[header::LOCATION].to_str().unwrap().to_owned();
        let delete = Request::delete(&location).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        assert_eq!(h.send(delete).await.0, StatusCode::NO_CONTENT);
        assert_eq!(quota_used(&h, &token).await.1, json!({"videoQuotaUsed": 340_000, "videoQuotaUsedDaily": 90_000}));
        // Without a token: 401.
        assert_eq!(h.get("/api/v1/users/me/video-quota-used", None).await.0, StatusCode::UNAUTHORIZED);
    }
}
