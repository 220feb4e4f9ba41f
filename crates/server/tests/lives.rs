//! Lives through the API (issue 20): `POST /api/v1/videos/live` (JSON as PeerTube's web client
//! sends it, multipart as its OpenAPI document says), `GET|PUT /api/v1/videos/live/{id}`,
//! `GET …/live/{id}/sessions`, `GET /api/v1/videos/{id}/live-session`: PeerTube's shapes, who
//! sees the stream key, the instance's limits and switches, every bad input refused with
//! nothing written. On SQLite and PostgreSQL, in process.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count};
use common::videos::insert_video;
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

fn enabled(config: &mut kinora_server::config::Config) {
    config.live.enabled = true;
}

async fn create(h: &Harness, token: &str, body: Value) -> (StatusCode, Value) {
    h.send_json("POST", "/api/v1/videos/live", Some(token), body)
        .await
}

/// A 64×36 red PNG.
fn red_png() -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(64, 36, image::Rgb([220, 10, 10]));
    let mut bytes = Vec::new();
    picture
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// The picture behind an image path of the video JSON (`/lazy-static/…`), decoded.
async fn picture(h: &Harness, path: &Value) -> image::RgbImage {
    let (status, bytes) = h.get_bytes(path.as_str().expect("an image path")).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    image::load_from_memory(&bytes).unwrap().to_rgb8()
}

/// Files under a storage folder.
fn files_in(h: &Harness, folder: &str) -> usize {
    std::fs::read_dir(h.storage.local().root().join(folder)).map_or(0, |dir| dir.count())
}

async fn lives(h: &Harness) -> i64 {
    count(&h.api.db, "SELECT COUNT(*) FROM video_lives").await
}

async fn videos(h: &Harness) -> i64 {
    count(&h.api.db, "SELECT COUNT(*) FROM videos").await
}

backend_tests! {
    async fn lives_are_created_read_and_changed_as_peertube_does(db: Db) {
        let h = Harness::new(&db, enabled);
        let (owner, channel) = h.user_with_channel("streamer").await;
        let (other, _) = h.user_with_channel("viewer").await;
        let moderator = h.user("moderator", UserRole::Moderator).await;

        // PeerTube's web client sends JSON.
        let (status, body) = create(&h, &owner, json!({
            "name": "Friday stream", "channelId": channel, "privacy": 1,
            "saveReplay": true, "replaySettings": { "privacy": 2 },
            "permanentLive": false, "latencyMode": 3, "tags": ["music", "live"]
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let uuid = body["video"]["uuid"].as_str().unwrap().to_owned();
        let id = body["video"]["id"].as_i64().unwrap();
        assert_eq!(body["video"]["shortUUID"].as_str().unwrap().len(), 22, "{body}");

        // The video is a live waiting for its broadcaster.
        let (status, video) = h.get(&format!("/api/v1/videos/{uuid}"), None).await;
        assert_eq!(status, StatusCode::OK, "{video}");
        assert_eq!(video["isLive"], true);
        assert_eq!(video["state"], json!({ "id": 4, "label": "Waiting for livestream" }));
        assert_eq!(video["name"], "Friday stream");
        assert_eq!(video["tags"], json!(["music", "live"]));
        assert_eq!(video["streamingPlaylists"], json!([]));
        // Without images of its own, the default live background, at PeerTube's sizes.
        let thumbnail = picture(&h, &video["thumbnailPath"]).await;
        assert_eq!(thumbnail.dimensions(), (280, 157));
        assert_eq!(picture(&h, &video["previewPath"]).await.dimensions(), (850, 480));
        let corner = thumbnail.get_pixel(2, 2);
        assert!(corner[2] > corner[0], "a blue-violet background, not {corner:?}");

        // The owner sees the stream key and where to send the stream; staff too.
        let path = format!("/api/v1/videos/live/{uuid}");
        for token in [&owner, &moderator] {
            let (status, live) = h.get(&path, Some(token)).await;
            assert_eq!(status, StatusCode::OK, "{live}");
            let key = live["streamKey"].as_str().unwrap();
            assert!(uuid::Uuid::parse_str(key).is_ok(), "{live}");
            assert_ne!(key, uuid);
            assert_eq!(live["rtmpUrl"], "rtmp://localhost:1935/live");
            assert_eq!(live["rtmpsUrl"], Value::Null);
            assert_eq!(live["saveReplay"], true);
            assert_eq!(live["replaySettings"], json!({ "privacy": 2 }));
            assert_eq!(live["permanentLive"], false);
            assert_eq!(live["latencyMode"], 3);
        }
        // Anyone else sees the settings only.
        for token in [Some(other.as_str()), None] {
            let (status, live) = h.get(&path, token).await;
            assert_eq!(status, StatusCode::OK, "{live}");
            assert!(live.get("streamKey").is_none(), "{live}");
            assert!(live.get("rtmpUrl").is_none(), "{live}");
            assert_eq!(live["saveReplay"], true);
        }
        // By numeric id and short UUID alike.
        let (status, _) = h.get(&format!("/api/v1/videos/live/{id}"), Some(&owner)).await;
        assert_eq!(status, StatusCode::OK);

        // Multipart, as PeerTube's OpenAPI document describes it: typed fields, nested
        // replay settings, tags, and an image that is read and not kept.
        let channel_text = channel.to_string();
        let (content_type, body) = common::harness::multipart(
            &[
                ("name", "Permanent radio"),
                ("channelId", &channel_text),
                ("privacy", "2"),
                ("permanentLive", "true"),
                ("saveReplay", "true"),
                ("replaySettings[privacy]", "3"),
                ("tags[0]", "radio"),
            ],
            Some(("thumbnailfile", "thumb.png", "image/png", &red_png())),
        );
        let request = Request::post("/api/v1/videos/live")
            .header(header::AUTHORIZATION, format!("Bearer {owner}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, created) = h.send(request).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let radio = created["video"]["uuid"].as_str().unwrap().to_owned();
        let (_, live) = h.get(&format!("/api/v1/videos/live/{radio}"), Some(&owner)).await;
        assert_eq!(live["permanentLive"], true, "{live}");
        assert_eq!(live["replaySettings"], json!({ "privacy": 3 }));
        let (_, video) = h.get(&format!("/api/v1/videos/{radio}"), Some(&owner)).await;
        assert_eq!(video["privacy"]["id"], 2);
        assert_eq!(video["tags"], json!(["radio"]));
        // Its own thumbnail (red), and the default preview.
        let own = picture(&h, &video["thumbnailPath"]).await;
        assert_eq!(own.dimensions(), (280, 157));
        let middle = own.get_pixel(140, 78);
        assert!(middle[0] > 200 && middle[1] < 40, "the uploaded red picture, not {middle:?}");
        assert_eq!(picture(&h, &video["previewPath"]).await.dimensions(), (850, 480));
        let (_, first) = h.get(&path, Some(&owner)).await;
        assert_ne!(first["streamKey"], live["streamKey"], "every live has its own key");

        // Without a replay, no replay settings are kept.
        let (status, body) = create(&h, &owner, json!({
            "name": "No replay", "channelId": channel, "replaySettings": { "privacy": 1 }
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let plain = body["video"]["uuid"].as_str().unwrap().to_owned();
        let plain_path = format!("/api/v1/videos/live/{plain}");
        let (_, live) = h.get(&plain_path, Some(&owner)).await;
        assert_eq!(live["saveReplay"], false);
        assert!(live.get("replaySettings").is_none(), "{live}");
        assert_eq!(live["latencyMode"], 1);

        // Changing the settings: the owner only, with PeerTube's consistency rules.
        let (status, _) = h.send_json("PUT", &plain_path, Some(&other), json!({ "permanentLive": true })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("PUT", &plain_path, None, json!({ "permanentLive": true })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = h.send_json("PUT", &plain_path, Some(&owner), json!({ "saveReplay": true })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["invalid-params"]["replaySettings"].is_object(), "{body}");
        let (status, body) = h.send_json("PUT", &plain_path, Some(&owner), json!({ "saveReplay": true, "replaySettings": {} })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = h.send_json("PUT", &plain_path, Some(&owner), json!({ "replaySettings": { "privacy": 1 } })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = h.send_json("PUT", &plain_path, Some(&owner), json!({ "latencyMode": 0 })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = h.send_json("PUT", &plain_path, Some(&owner), json!({ "permanentLive": "often" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["invalid-params"]["permanentLive"].is_object(), "{body}");
        let (_, unchanged) = h.get(&plain_path, Some(&owner)).await;
        assert_eq!(unchanged, live, "refused changes change nothing");
        let (status, body) = h.send_json("PUT", &plain_path, Some(&owner), json!({
            "saveReplay": true, "replaySettings": { "privacy": 4 }, "permanentLive": true, "latencyMode": 2
        })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, live) = h.get(&plain_path, Some(&owner)).await;
        assert_eq!(live["saveReplay"], true);
        assert_eq!(live["replaySettings"], json!({ "privacy": 4 }));
        assert_eq!(live["permanentLive"], true);
        assert_eq!(live["latencyMode"], 2);
        // Turning replays off drops their settings.
        let (status, _) = h.send_json("PUT", &plain_path, Some(&owner), json!({ "saveReplay": false })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, live) = h.get(&plain_path, Some(&owner)).await;
        assert!(live.get("replaySettings").is_none(), "{live}");
        // Staff may change it too.
        let (status, _) = h.send_json("PUT", &plain_path, Some(&moderator), json!({ "latencyMode": 1 })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // Once on the air, its settings stay as they are.
        sqlx::query("UPDATE videos SET state = 1 WHERE uuid = $1").bind(&plain).execute(db.pool()).await.unwrap();
        let (status, body) = h.send_json("PUT", &plain_path, Some(&owner), json!({ "latencyMode": 3 })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "live_already_started", "{body}");

        // `isLive` filters lists: the broadcasting live is listed among lives, not among the
        // other videos, and an ordinary video the other way round.
        let ordinary = insert_video(&db, channel, "Recorded show", 1, 1, 0).await;
        let (_, listed) = h.get("/api/v1/videos?isLive=true", None).await;
        let names: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["No replay"], "{listed}");
        assert_eq!(listed["data"][0]["isLive"], true);
        let (_, listed) = h.get("/api/v1/videos?isLive=false", None).await;
        let names: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Recorded show"], "{listed}");

        // A video that is not a live has no live part.
        let (status, _) = h.get(&format!("/api/v1/videos/live/{}", ordinary.uuid), Some(&owner)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.send_json("PUT", &format!("/api/v1/videos/live/{}", ordinary.uuid), Some(&owner), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get("/api/v1/videos/live/99999", Some(&owner)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Sessions: none yet; then two broadcasts, newest first, for the owner and staff.
        let sessions_path = format!("/api/v1/videos/live/{plain}/sessions");
        let (status, list) = h.get(&sessions_path, Some(&owner)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list, json!({ "total": 0, "data": [] }));
        let plain_id = kinora_app::videos::find_video(&db, &plain).await.unwrap().unwrap().id;
        let mut tx = db.begin().await.unwrap();
        let first = kinora_db::video_lives::start_session(&mut tx, plain_id, false, 1_700_000_000_000).await.unwrap();
        assert!(kinora_db::video_lives::end_session(&mut tx, first, Some(2), 1_700_000_060_000).await.unwrap());
        assert!(!kinora_db::video_lives::end_session(&mut tx, first, None, 1_700_000_070_000).await.unwrap(), "an ended session ends once");
        let second = kinora_db::video_lives::start_session(&mut tx, plain_id, true, 1_700_000_100_000).await.unwrap();
        tx.commit().await.unwrap();
        let (status, list) = h.get(&sessions_path, Some(&moderator)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 2);
        assert_eq!(list["data"][0]["id"], second);
        assert_eq!(list["data"][0]["endDate"], Value::Null);
        assert_eq!(list["data"][0]["saveReplay"], true);
        assert_eq!(list["data"][1], json!({
            "id": first, "startDate": "2023-11-14T22:13:20.000Z", "endDate": "2023-11-14T22:14:20.000Z",
            "error": 2, "saveReplay": false, "endingProcessed": false, "replayVideo": null
        }));
        let (status, _) = h.get(&sessions_path, Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.get(&sessions_path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // A replay names the broadcast it came from.
        sqlx::query("UPDATE video_live_sessions SET replay_video_id = $1, ending_processed = 1 WHERE id = $2")
            .bind(ordinary.id).bind(first).execute(db.pool()).await.unwrap();
        let (status, session) = h.get(&format!("/api/v1/videos/{}/live-session", ordinary.uuid), None).await;
        assert_eq!(status, StatusCode::OK, "{session}");
        assert_eq!(session["id"], first);
        assert_eq!(session["endingProcessed"], true);
        assert_eq!(session["replayVideo"], json!({ "id": ordinary.id, "uuid": ordinary.uuid, "shortUUID": ordinary.short_uuid }));
        let (status, _) = h.get(&format!("/api/v1/videos/{radio}/live-session"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Deleting a live removes its live part; its sessions stay, without it.
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/videos/{plain}"), Some(&owner), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM video_lives WHERE video_id = {plain_id}")).await, 0);
        assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM video_live_sessions WHERE id IN ({first}, {second}) AND video_id IS NULL")).await, 2);
    }

    async fn a_lives_files_are_served_by_their_fixed_names_to_who_may_see_it(db: Db) {
        let h = Harness::new(&db, enabled);
        let (owner, channel) = h.user_with_channel("streamer").await;
        let mut uuids = Vec::new();
        for privacy in [1, 3] {
            let (status, body) = create(&h, &owner, json!({ "name": "Files live", "channelId": channel, "privacy": privacy })).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let uuid = body["video"]["uuid"].as_str().unwrap().to_owned();
            // What the ingest writes, and a file it never serves.
            let dir = h.storage.local().root().join("streaming-playlists/live").join(&uuid);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("master.m3u8"), "#EXTM3U\n0.m3u8\n").unwrap();
            std::fs::write(dir.join("0-000001.ts"), [0x47u8; 376]).unwrap();
            std::fs::write(dir.join(".master.m3u8.tmp"), "partial").unwrap();
            uuids.push(uuid);
        }
        let get = |path: String, token: Option<String>| {
            let h = &h;
            async move {
                let mut request = Request::get(path);
                if let Some(token) = token {
                    request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
                }
                let (status, headers, _) = h.send(request.body(Body::empty()).unwrap()).await;
                (status, headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned()))
            }
        };
        let files = |uuid: &str, name: &str| format!("/static/streaming-playlists/hls/{uuid}/{name}");
        // A public live: answered from memory after the first look (one database read for
        // any number of requests), cached publicly but asked again each time.
        let before = h.api.list_cache.segments.lookups();
        for name in ["master.m3u8", "0-000001.ts", "master.m3u8", "0-000001.ts"] {
            let (status, cache) = get(files(&uuids[0], name), None).await;
            assert_eq!(status, StatusCode::OK, "{name}");
            assert_eq!(cache.as_deref(), Some("public, no-cache"), "{name}");
        }
        assert_eq!(h.api.list_cache.segments.lookups() - before, 1, "one database read");
        // Made private outside this server's API (another process): the answer from memory
        // stands until the bound of the segment cache, then the live is refused.
        sqlx::query("UPDATE videos SET privacy = 3 WHERE uuid = $1").bind(&uuids[0]).execute(db.pool()).await.unwrap();
        let (status, _) = get(files(&uuids[0], "master.m3u8"), None).await;
        assert_eq!(status, StatusCode::OK, "served from memory, without reading the video");
        tokio::time::sleep(kinora_api::segment_cache::CHECK_INTERVAL + std::time::Duration::from_millis(100)).await;
        let (status, _) = get(files(&uuids[0], "master.m3u8"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "refused past the bound");
        for name in [".master.m3u8.tmp", "0-1.ts", "kinora.db", "0.m3u8"] {
            let (status, _) = get(files(&uuids[0], name), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
        }
        // A private live: not to anyone else; to its owner, privately.
        let (status, _) = get(files(&uuids[1], "master.m3u8"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, cache) = get(files(&uuids[1], "master.m3u8"), Some(owner.clone())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(cache.as_deref(), Some("private, no-cache"));
        let (status, _) = get(files(&uuids[1], ".master.m3u8.tmp"), Some(owner)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn bad_lives_are_refused_and_nothing_is_written(db: Db) {
        let h = Harness::new(&db, enabled);
        let (owner, channel) = h.user_with_channel("streamer").await;
        let (other, other_channel) = h.user_with_channel("intruder").await;
        let cases = [
            (json!({ "name": "ab", "channelId": channel }), "name"),
            (json!({ "channelId": channel }), "name"),
            (json!({ "name": "Good name" }), "channelId"),
            (json!({ "name": "Good name", "channelId": "seven" }), "channelId"),
            (json!({ "name": "Good name", "channelId": channel, "latencyMode": 7 }), "latencyMode"),
            (json!({ "name": "Good name", "channelId": channel, "saveReplay": "maybe" }), "saveReplay"),
            (json!({ "name": "Good name", "channelId": channel, "saveReplay": true, "replaySettings": { "privacy": 9 } }), "replaySettings.privacy"),
            (json!({ "name": "Good name", "channelId": channel, "privacy": 12 }), "privacy"),
            (json!({ "name": "Good name", "channelId": channel, "tags": ["x"] }), "tags"),
            (json!({ "name": "Good name", "channelId": 999_999 }), "channelId"),
        ];
        for (body, field) in cases {
            let (status, answer) = create(&h, &owner, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
            assert!(answer["invalid-params"][field].is_object(), "{body} → {answer}");
        }
        let (status, answer) = h.send_json("POST", "/api/v1/videos/live", Some(&owner), json!([1, 2])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        // Another user's channel; no token.
        let (status, _) = create(&h, &owner, json!({ "name": "Good name", "channelId": other_channel })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("POST", "/api/v1/videos/live", None, json!({ "name": "Good name", "channelId": channel })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // An image over the size limit.
        let channel_text = channel.to_string();
        let big = vec![0u8; h.api.upload_limits.max_image_size + 1];
        let (content_type, body) = common::harness::multipart(
            &[("name", "Good name"), ("channelId", &channel_text)],
            Some(("previewfile", "big.jpg", "image/jpeg", &big)),
        );
        let request = Request::post("/api/v1/videos/live")
            .header(header::AUTHORIZATION, format!("Bearer {owner}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, answer) = h.send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
        // An image that is not one.
        let (content_type, body) = common::harness::multipart(
            &[("name", "Good name"), ("channelId", &channel_text)],
            Some(("thumbnailfile", "thumb.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 not really")),
        );
        let request = Request::post("/api/v1/videos/live")
            .header(header::AUTHORIZATION, format!("Bearer {owner}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, answer) = h.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(answer["invalid-params"]["thumbnailfile"].is_object(), "{answer}");
        assert_eq!(lives(&h).await, 0);
        assert_eq!(videos(&h).await, 0);
        // No image was left behind by the refusals (the limits are checked after the images
        // are stored, and a refusal removes them).
        let (status, answer) = create(&h, &owner, json!({ "name": "Good name", "channelId": other_channel })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert_eq!((files_in(&h, "thumbnails"), files_in(&h, "previews")), (0, 0));
        drop(other);
    }

    async fn the_instance_decides_whether_and_how_many_lives(db: Db) {
        // Off (the default): refused with PeerTube's code, and /api/v1/config says so.
        let off = Harness::new(&db, |_| {});
        let (owner, channel) = off.user_with_channel("streamer").await;
        let (status, body) = create(&off, &owner, json!({ "name": "Not today", "channelId": channel })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "live_not_enabled");
        let (_, config) = off.get("/api/v1/config", None).await;
        assert_eq!(config["live"]["enabled"], false, "{config}");
        assert_eq!(config["live"]["maxDuration"], -1, "no limit by default");
        assert_eq!(lives(&off).await, 0);

        // On, without replays or latency choices, at most two per user and three in all.
        let h = Harness::new(&db, |config| {
            config.live.enabled = true;
            config.live.allow_replay = false;
            config.live.latency_setting_enabled = false;
            config.live.max_user_lives = 2;
            config.live.max_instance_lives = 3;
            config.live.max_duration_secs = 3600;
        });
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["live"]["enabled"], true, "{config}");
        assert_eq!(config["live"]["allowReplay"], false);
        assert_eq!(config["live"]["maxUserLives"], 2);
        assert_eq!(config["live"]["maxInstanceLives"], 3);
        assert_eq!(config["live"]["maxDuration"], 3_600_000);
        assert_eq!(config["live"]["rtmp"]["port"], 1935);
        let (status, body) = create(&h, &owner, json!({ "name": "With replay", "channelId": channel, "saveReplay": true })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "live_not_allowing_replay");
        let (status, body) = create(&h, &owner, json!({ "name": "Small latency", "channelId": channel, "latencyMode": 3 })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(lives(&h).await, 0);
        for name in ["First live", "Second live"] {
            let (status, body) = create(&h, &owner, json!({ "name": name, "channelId": channel, "latencyMode": 1 })).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, body) = create(&h, &owner, json!({ "name": "Third live", "channelId": channel })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "max_user_lives_limit_reached");
        // The refused live's images, stored before the limit could be counted, are gone.
        assert_eq!((files_in(&h, "thumbnails"), files_in(&h, "previews")), (2, 2));
        // An ended live still counts for its user (PeerTube counts them all) but not for the
        // instance.
        sqlx::query("UPDATE videos SET state = 5 WHERE is_live = 1").execute(db.pool()).await.unwrap();
        let (status, _) = create(&h, &owner, json!({ "name": "Third live", "channelId": channel })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (second, second_channel) = h.user_with_channel("second").await;
        let (third, third_channel) = h.user_with_channel("third").await;
        for (token, channel) in [(&second, second_channel), (&second, second_channel), (&third, third_channel)] {
            let (status, body) = create(&h, token, json!({ "name": "Another live", "channelId": channel })).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, body) = create(&h, &third, json!({ "name": "One too many", "channelId": third_channel })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "max_instance_lives_limit_reached");
        assert_eq!(lives(&h).await, 5);
        assert_eq!((files_in(&h, "thumbnails"), files_in(&h, "previews")), (5, 5));
    }
}
