//! Requests for ActivityPub documents, and the rows they are made of.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use kinora_db::Db;
use kinora_db::videos::{ImageColumn, VideoFileRow};
use serde_json::Value;

use super::harness::Harness;
use super::videos::TestVideo;

/// What an ActivityPub client sends.
pub const AP: &str = "application/activity+json";

/// A GET with `accept`; the body as JSON (or a JSON string of the text).
pub async fn get_with(h: &Harness, path: &str, accept: &str) -> (StatusCode, HeaderMap, Value) {
    let request = Request::get(path)
        .header(header::HOST, "localhost:9000")
        .header(header::ACCEPT, accept)
        .body(Body::empty())
        .unwrap();
    h.send(request).await
}

/// A GET as an ActivityPub client; asserts the answer is `application/activity+json` when 200.
pub async fn ap_get(h: &Harness, path: &str) -> (StatusCode, Value) {
    let (status, headers, body) = get_with(h, path, AP).await;
    if status == StatusCode::OK {
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/activity+json; charset=utf-8",
            "{path}"
        );
        assert_eq!(headers[header::VARY], "Accept", "{path}");
    }
    (status, body)
}

/// Gives `video` two renditions (720p and 360p) with torrents, and a thumbnail and preview.
pub async fn add_media(db: &Db, video: &TestVideo) {
    let mut tx = db.begin().await.unwrap();
    for (resolution, width) in [(360, 640), (720, 1280)] {
        let file = VideoFileRow {
            id: 0,
            video_id: video.id,
            resolution,
            width,
            height: resolution,
            fps: 25.0,
            size: resolution * 1000,
            file_name: format!("f{resolution}-{resolution}-fragmented.mp4"),
            playlist_name: format!("f{resolution}-{resolution}.m3u8"),
            has_audio: 1,
            has_video: 1,
            torrent_file: None,
            info_hash: None,
        };
        let id = kinora_db::videos::insert_file(&mut tx, &file, 1)
            .await
            .unwrap();
        let hash = format!("{resolution:040}");
        kinora_db::videos::set_file_torrent(
            &mut tx,
            id,
            &format!("t{resolution}-hls.torrent"),
            &hash,
        )
        .await
        .unwrap();
    }
    for (column, name) in [
        (ImageColumn::Thumbnail, "thumb.jpg"),
        (ImageColumn::Preview, "preview.jpg"),
    ] {
        kinora_db::videos::set_image(&mut tx, video.id, column, name, 1)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The actor id of local account or channel `name`.
pub async fn actor_id(db: &Db, name: &str) -> i64 {
    kinora_db::actors::find_local_by_name(db.pool(), name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A remote Person on `host` named `name`, with its account; answers (actor id, account id).
pub async fn remote_account(db: &Db, host: &str, name: &str) -> (i64, i64) {
    let url = format!("https://{host}/accounts/{name}");
    let inbox = format!("{url}/inbox");
    let mut tx = db.begin().await.unwrap();
    let actor = kinora_db::actors::upsert_remote(
        &mut tx,
        &kinora_db::actors::RemoteActor {
            kind: "Person",
            preferred_username: name,
            host,
            url: &url,
            inbox_url: &inbox,
            shared_inbox_url: None,
            outbox_url: None,
            followers_url: None,
            key_id: None,
            public_key_pem: None,
            avatar_url: None,
        },
        1,
    )
    .await
    .unwrap();
    let account = kinora_db::accounts::upsert_remote(&mut tx, actor, name, None, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (actor, account)
}

/// A comment by `account_id` on `video_id`, replying to `parent` (none: a new thread).
pub async fn insert_comment(
    db: &Db,
    video_id: i64,
    account_id: i64,
    parent: Option<&kinora_db::comments::CommentRow>,
    text: &str,
) -> kinora_db::comments::CommentRow {
    let mut tx = db.begin().await.unwrap();
    let comment = kinora_db::comments::insert(
        &mut tx,
        &kinora_db::comments::NewComment {
            video_id,
            account_id,
            thread_id: parent.map(kinora_db::comments::CommentRow::root_id),
            in_reply_to_id: parent.map(|p| p.id),
            text,
            held_for_review: false,
        },
        1_704_067_200_000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    comment
}
