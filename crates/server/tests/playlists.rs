//! PeerTube's video playlists against a real `kinora serve`, on SQLite and on PostgreSQL:
//! creation (JSON and multipart with a thumbnail), the three privacies and who sees what in
//! each list, "Watch later", elements (append, timestamps, reorder, removal, `videos-exist`),
//! element visibility through `can_view`, the 5,000-element cap, and bad input refused with
//! problem+json and nothing written. Videos are written straight into the instance's database
//! (playlists need no transcoding). The order of a channel's playlists: [`channel_positions`].

#[path = "playlists/channel_positions.rs"]
mod channel_positions;
use crate::common;

use std::io::Cursor;

use common::instance::{Instance, start};
use common::videos::{TestVideo, insert_video};
use kinora_db::{DatabaseConfig, Db};
use reqwest::Method;
use serde_json::{Value, json};

/// A user of the instance: name, token, account id and default channel id.
struct User {
    name: String,
    token: String,
    channel: i64,
}

async fn call(
    instance: &Instance,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = instance
        .http
        .request(method, format!("{}/api/v1{path}", instance.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    if status >= 400 {
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        assert!(
            kind.as_deref()
                .is_some_and(|kind| kind.starts_with("application/problem+json")),
            "{status} on {path}: {kind:?}"
        );
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(instance: &Instance, token: Option<&str>, path: &str) -> (u16, Value) {
    call(instance, token, Method::GET, path, None).await
}

async fn post(instance: &Instance, token: &str, path: &str, body: Value) -> (u16, Value) {
    call(instance, Some(token), Method::POST, path, Some(body)).await
}

async fn user(instance: &Instance, name: &str) -> User {
    let (status, body) = call(
        instance,
        Some(&instance.token),
        Method::POST,
        "/users",
        Some(json!({"username": name, "password": "a-good-password", "email": format!("{name}@example.com"), "role": 2})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let client: Value = instance
        .http
        .get(format!("{}/api/v1/oauth-clients/local", instance.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = [
        ("client_id", client["client_id"].as_str().unwrap()),
        ("client_secret", client["client_secret"].as_str().unwrap()),
        ("grant_type", "password"),
        ("username", name),
        ("password", "a-good-password"),
    ];
    let token: Value = instance
        .http
        .post(format!("{}/api/v1/users/token", instance.base))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let (_, me) = get(instance, Some(&token), "/users/me").await;
    User {
        name: name.to_owned(),
        token,
        channel: me["videoChannels"][0]["id"].as_i64().unwrap(),
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([10, 200, 10]));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

/// A multipart playlist creation with a thumbnail.
async fn create_multipart(
    instance: &Instance,
    token: &str,
    fields: &[(&str, String)],
    thumbnail: Option<(&str, Vec<u8>)>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.clone());
    }
    if let Some((mime, bytes)) = thumbnail {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("thumbnail")
            .mime_str(mime)
            .unwrap();
        form = form.part("thumbnailfile", part);
    }
    let response = instance
        .http
        .post(format!("{}/api/v1/video-playlists", instance.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|p| p["displayName"].as_str().unwrap().to_owned())
        .collect()
}

/// The video ids of a playlist's elements as `viewer` sees them (`None` where hidden), with
/// the element types.
async fn elements(
    instance: &Instance,
    viewer: Option<&str>,
    playlist: &str,
) -> Vec<(i64, Option<i64>)> {
    let (status, list) = get(
        instance,
        viewer,
        &format!("/video-playlists/{playlist}/videos?count=100"),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(index, e)| {
            assert_eq!(e["position"], index as i64 + 1, "{list}");
            (e["type"].as_i64().unwrap(), e["video"]["id"].as_i64())
        })
        .collect()
}

async fn playlists_of(db: &Db, user: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM video_playlists p JOIN accounts a ON a.id = p.account_id \
         JOIN actors r ON r.id = a.actor_id WHERE r.preferred_username = $1",
    )
    .bind(user)
    .fetch_one(db.pool())
    .await
    .unwrap();
    count
}

async fn scenario(instance: &Instance, db: &Db) {
    let alice = user(instance, "alice").await;
    let bob = user(instance, "bob").await;
    let a = &alice.token;
    let b = &bob.token;
    let public = insert_video(db, alice.channel, "Alice public", 1, 1, 0).await;
    let second = insert_video(db, alice.channel, "Alice second", 1, 1, 0).await;
    let third = insert_video(db, alice.channel, "Alice third", 1, 1, 0).await;
    let bob_private = insert_video(db, bob.channel, "Bob private", 3, 1, 0).await;
    // A minute long each, so that timestamps have room.
    sqlx::query("UPDATE videos SET duration = 60")
        .execute(db.pool())
        .await
        .unwrap();

    // Privacies and Watch later (made with the user).
    let (status, privacies) = get(instance, None, "/video-playlists/privacies").await;
    assert_eq!(
        (status, privacies),
        (200, json!({"1": "Public", "2": "Unlisted", "3": "Private"}))
    );
    let (_, own) = get(
        instance,
        Some(a),
        &format!("/accounts/{}/video-playlists?playlistType=2", alice.name),
    )
    .await;
    assert_eq!(names(&own), vec!["Watch later"], "{own}");
    let watch_later = own["data"][0].clone();
    assert_eq!(
        (
            watch_later["type"]["id"].as_i64(),
            watch_later["privacy"]["id"].as_i64()
        ),
        (Some(2), Some(3))
    );
    let (_, anonymous) = get(
        instance,
        None,
        &format!("/accounts/{}/video-playlists", alice.name),
    )
    .await;
    assert_eq!(anonymous["total"], 0, "{anonymous}");
    let wl = watch_later["id"].as_i64().unwrap();
    let (status, body) = call(
        instance,
        Some(a),
        Method::DELETE,
        &format!("/video-playlists/{wl}"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(
        instance,
        Some(a),
        Method::PUT,
        &format!("/video-playlists/{wl}"),
        Some(json!({"displayName": "Later"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = post(
        instance,
        a,
        &format!("/video-playlists/{wl}/videos"),
        json!({"videoId": public.uuid}),
    )
    .await;
    assert_eq!(status, 200);

    // Bad creations change nothing.
    let before = playlists_of(db, "alice").await;
    for (body, field) in [
        (json!({"privacy": 3}), "displayName"),
        (json!({"displayName": ""}), "displayName"),
        (json!({"displayName": "x".repeat(121)}), "displayName"),
        (
            json!({"displayName": "ok", "description": "ab"}),
            "description",
        ),
        (json!({"displayName": "ok", "privacy": 7}), "privacy"),
        (json!({"displayName": "ok", "privacy": 1}), "videoChannelId"),
        (
            json!({"displayName": "ok", "videoChannelId": 999_999}),
            "videoChannelId",
        ),
        (json!({"displayName": "ok", "privacy": "public"}), "privacy"),
    ] {
        let (status, problem) = post(instance, a, "/video-playlists", body.clone()).await;
        assert_eq!(status, 400, "{body} → {problem}");
        assert!(
            problem["invalid-params"].get(field).is_some(),
            "{body} → {problem}"
        );
    }
    let (status, problem) = post(
        instance,
        a,
        "/video-playlists",
        json!({"displayName": "ok", "privacy": 1, "videoChannelId": bob.channel}),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    let (status, _) = call(
        instance,
        None,
        Method::POST,
        "/video-playlists",
        Some(json!({"displayName": "anonymous"})),
    )
    .await;
    assert_eq!(status, 401);
    let (status, problem) = create_multipart(
        instance,
        a,
        &[("displayName", "svg".into())],
        Some((
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
        )),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(
        playlists_of(db, "alice").await,
        before,
        "a refused creation wrote nothing"
    );

    // A private playlist (PeerTube's default), then a public one in a channel with a thumbnail.
    let (status, created) = post(
        instance,
        a,
        "/video-playlists",
        json!({"displayName": "Alice private"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let private = created["videoPlaylist"].clone();
    let private_uuid = private["uuid"].as_str().unwrap().to_owned();
    for id in [
        private["id"].to_string(),
        private_uuid.clone(),
        private["shortUUID"].as_str().unwrap().to_owned(),
    ] {
        let (status, got) = get(instance, Some(a), &format!("/video-playlists/{id}")).await;
        assert_eq!(status, 200, "{got}");
        assert_eq!(got["uuid"], private["uuid"]);
        assert_eq!(got["privacy"], json!({"id": 3, "label": "Private"}));
        assert_eq!(got["videoChannel"], Value::Null);
    }
    let (status, _) = get(instance, None, &format!("/video-playlists/{private_uuid}")).await;
    assert_eq!(
        status, 404,
        "a private playlist is hidden from anonymous visitors"
    );
    let (status, _) = get(
        instance,
        Some(b),
        &format!("/video-playlists/{private_uuid}/videos"),
    )
    .await;
    assert_eq!(status, 404, "and from other users");

    let (status, created) = create_multipart(
        instance,
        a,
        &[
            ("displayName", "Alice public list".into()),
            ("description", "Three videos in order".into()),
            ("privacy", "1".into()),
            ("videoChannelId", alice.channel.to_string()),
        ],
        Some(("image/png", png(640, 400))),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let list = created["videoPlaylist"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, got) = get(instance, None, &format!("/video-playlists/{list}")).await;
    assert_eq!(got["displayName"], "Alice public list");
    assert_eq!(got["videoChannel"]["id"], alice.channel, "{got}");
    assert_eq!(got["ownerAccount"]["name"], "alice");
    assert_eq!(got["isLocal"], true);
    assert_eq!(
        got["url"],
        format!("{}/video-playlists/{list}", instance.base)
    );
    let thumbnail = got["thumbnailPath"]
        .as_str()
        .unwrap_or_else(|| panic!("{got}"))
        .to_owned();
    let image = instance
        .http
        .get(format!("{}{thumbnail}", instance.base))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    let decoded = image::load_from_memory(&image.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (280, 157));
    assert_eq!(got["thumbnails"][0]["width"], 280);

    // Elements: append, refuse what alice may not see, order, timestamps, reorder, removal.
    let mut ids = Vec::new();
    for (video, start, stop) in [
        (&public, Some(1), Some(3)),
        (&second, None, None),
        (&third, Some(2), None),
    ] {
        let (status, added) = post(
            instance,
            a,
            &format!("/video-playlists/{list}/videos"),
            json!({"videoId": video.id, "startTimestamp": start, "stopTimestamp": stop}),
        )
        .await;
        assert_eq!(status, 200, "{added}");
        ids.push(added["videoPlaylistElement"]["id"].as_i64().unwrap());
    }
    let before = elements(instance, Some(a), &list).await;
    for (body, status) in [
        (json!({"videoId": bob_private.uuid}), 404),
        (json!({"videoId": bob_private.id}), 404),
        (json!({"videoId": "no-such-video"}), 404),
        (
            json!({"videoId": public.id, "startTimestamp": 5, "stopTimestamp": 2}),
            400,
        ),
        (json!({"videoId": public.id, "startTimestamp": -1}), 400),
        (json!({}), 400),
    ] {
        let (got, problem) = post(
            instance,
            a,
            &format!("/video-playlists/{list}/videos"),
            body.clone(),
        )
        .await;
        assert_eq!(got, status, "{body} → {problem}");
    }
    let (status, _) = post(
        instance,
        b,
        &format!("/video-playlists/{list}/videos"),
        json!({"videoId": public.id}),
    )
    .await;
    assert_eq!(status, 403, "bob may not add to alice's playlist");
    assert_eq!(
        elements(instance, Some(a), &list).await,
        before,
        "refusals wrote nothing"
    );
    assert_eq!(
        before,
        vec![
            (0, Some(public.id)),
            (0, Some(second.id)),
            (0, Some(third.id))
        ]
    );
    let (_, page) = get(instance, None, &format!("/video-playlists/{list}/videos")).await;
    assert_eq!(
        (
            page["data"][0]["startTimestamp"].as_i64(),
            page["data"][0]["stopTimestamp"].as_i64()
        ),
        (Some(1), Some(3))
    );
    assert_eq!(page["data"][0]["video"]["name"], "Alice public");
    assert_eq!(page["total"], 3);

    let (status, _) = call(
        instance,
        Some(a),
        Method::PUT,
        &format!("/video-playlists/{list}/videos/{}", ids[1]),
        Some(json!({"startTimestamp": 4})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        instance,
        Some(a),
        Method::PUT,
        &format!("/video-playlists/{list}/videos/999999"),
        Some(json!({"startTimestamp": 4})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post(
        instance,
        a,
        &format!("/video-playlists/{list}/videos/reorder"),
        json!({"startPosition": 3, "insertAfterPosition": 0}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        elements(instance, None, &list).await,
        vec![
            (0, Some(third.id)),
            (0, Some(public.id)),
            (0, Some(second.id))
        ]
    );
    for body in [
        json!({"startPosition": 0, "insertAfterPosition": 1}),
        json!({"startPosition": 4, "insertAfterPosition": 1}),
        json!({"startPosition": 1, "insertAfterPosition": 9}),
        json!({"startPosition": 2, "insertAfterPosition": 0, "reorderLength": 5}),
    ] {
        let (status, problem) = post(
            instance,
            a,
            &format!("/video-playlists/{list}/videos/reorder"),
            body.clone(),
        )
        .await;
        assert_eq!(status, 400, "{body} → {problem}");
    }
    let (status, _) = call(
        instance,
        Some(a),
        Method::DELETE,
        &format!("/video-playlists/{list}/videos/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        elements(instance, None, &list).await,
        vec![(0, Some(third.id)), (0, Some(second.id))]
    );

    // videos-exist.
    let (status, exist) = get(
        instance,
        Some(a),
        &format!(
            "/users/me/video-playlists/videos-exist?videoIds={}&videoIds={}",
            public.id, second.id
        ),
    )
    .await;
    assert_eq!(status, 200, "{exist}");
    assert_eq!(
        exist[public.id.to_string()].as_array().unwrap().len(),
        1,
        "{exist}"
    );
    assert_eq!(exist[public.id.to_string()][0]["playlistId"], wl);
    assert_eq!(exist[second.id.to_string()][0]["playlistElementId"], ids[1]);
    assert_eq!(exist[second.id.to_string()][0]["startTimestamp"], 4);
    let (status, _) = get(
        instance,
        Some(a),
        "/users/me/video-playlists/videos-exist?videoIds=abc",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = get(
        instance,
        None,
        "/users/me/video-playlists/videos-exist?videoIds=1",
    )
    .await;
    assert_eq!(status, 401);

    // Lists: the public playlist everywhere, unlisted and private ones only for their owner.
    let (status, _) = post(
        instance,
        a,
        "/video-playlists",
        json!({"displayName": "Alice unlisted", "privacy": 2, "videoChannelId": alice.channel}),
    )
    .await;
    assert_eq!(status, 200);
    for path in [
        "/video-playlists".to_owned(),
        format!("/accounts/{}/video-playlists", alice.name),
        format!("/video-channels/{}_channel/video-playlists", alice.name),
        "/search/video-playlists?search=PUBLIC%20list".to_owned(),
    ] {
        let (status, listed) = get(instance, None, &path).await;
        assert_eq!(status, 200, "{path}: {listed}");
        assert_eq!(names(&listed), vec!["Alice public list"], "{path}");
        assert_eq!(listed["data"][0]["videosLength"], 2, "{path}");
    }
    let (_, mine) = get(
        instance,
        Some(a),
        &format!("/accounts/{}/video-playlists?sort=displayName", alice.name),
    )
    .await;
    assert_eq!(
        names(&mine),
        vec![
            "Alice private",
            "Alice public list",
            "Alice unlisted",
            "Watch later"
        ]
    );
    let (_, theirs) = get(
        instance,
        Some(b),
        &format!("/accounts/{}/video-playlists", alice.name),
    )
    .await;
    assert_eq!(names(&theirs), vec!["Alice public list"]);
    for bad in [
        "/video-playlists?sort=views",
        "/video-playlists?playlistType=3",
        "/video-playlists?count=1000",
        "/video-playlists?start=-1",
    ] {
        let (status, _) = get(instance, None, bad).await;
        assert_eq!(status, 400, "{bad}");
    }

    // Element visibility: bob's playlist holds alice's video; once alice makes it private,
    // others see a private element without the video.
    let (_, bobs) = post(
        instance,
        b,
        "/video-playlists",
        json!({"displayName": "Bob picks", "privacy": 2, "videoChannelId": bob.channel}),
    )
    .await;
    let bobs = bobs["videoPlaylist"]["uuid"].as_str().unwrap().to_owned();
    let (status, _) = post(
        instance,
        b,
        &format!("/video-playlists/{bobs}/videos"),
        json!({"videoId": second.short_uuid}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = call(
        instance,
        Some(a),
        Method::PUT,
        &format!("/videos/{}", second.uuid),
        Some(json!({"privacy": 3})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(elements(instance, Some(b), &bobs).await, vec![(2, None)]);
    assert_eq!(
        elements(instance, Some(a), &bobs).await,
        vec![(0, Some(second.id))]
    );

    // Updates: a public playlist leaves its channel only by becoming unlisted or private.
    let (status, problem) = call(
        instance,
        Some(a),
        Method::PUT,
        &format!("/video-playlists/{list}"),
        Some(json!({"videoChannelId": null})),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    let (status, _) = call(
        instance,
        Some(b),
        Method::PUT,
        &format!("/video-playlists/{list}"),
        Some(json!({"displayName": "Mine now"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        instance,
        Some(a),
        Method::PUT,
        &format!("/video-playlists/{list}"),
        Some(json!({"displayName": "Renamed", "privacy": 2})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, got) = get(instance, None, &format!("/video-playlists/{list}")).await;
    assert_eq!(
        (got["displayName"].as_str(), got["privacy"]["id"].as_i64()),
        (Some("Renamed"), Some(2))
    );
    let (_, listed) = get(instance, None, "/video-playlists").await;
    assert_eq!(listed["total"], 0, "an unlisted playlist is not listed");

    // Deletion: others may not; the owner may, and the thumbnail goes with it.
    let (status, _) = call(
        instance,
        Some(b),
        Method::DELETE,
        &format!("/video-playlists/{list}"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        instance,
        Some(a),
        Method::DELETE,
        &format!("/video-playlists/{list}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = get(instance, None, &format!("/video-playlists/{list}")).await;
    assert_eq!(status, 404);
    let image = instance
        .http
        .get(format!("{}{thumbnail}", instance.base))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 404);

    element_cap(instance, db, &alice, &public).await;
}

/// PeerTube's cap: a playlist holds 5,000 videos; the 5,001st is a 400 and is not written.
async fn element_cap(instance: &Instance, db: &Db, alice: &User, video: &TestVideo) {
    let (_, created) = post(
        instance,
        &alice.token,
        "/video-playlists",
        json!({"displayName": "Full"}),
    )
    .await;
    let id = created["videoPlaylist"]["id"].as_i64().unwrap();
    // 4,999 elements written straight into the database, in chunks.
    for chunk in (1..5000).collect::<Vec<i64>>().chunks(500) {
        let values: Vec<String> = chunk
            .iter()
            .map(|position| format!("({id}, {}, {position}, 1, 1)", video.id))
            .collect();
        sqlx::query(&format!(
            "INSERT INTO video_playlist_elements (playlist_id, video_id, position, created_at, updated_at) VALUES {}",
            values.join(", ")
        ))
        .execute(db.pool())
        .await
        .unwrap();
    }
    let path = format!("/video-playlists/{id}/videos");
    let (status, body) = post(instance, &alice.token, &path, json!({"videoId": video.id})).await;
    assert_eq!(status, 200, "the 5,000th fits: {body}");
    let (status, problem) = post(instance, &alice.token, &path, json!({"videoId": video.id})).await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("5000"),
        "{problem}"
    );
    let (_, got) = get(
        instance,
        Some(&alice.token),
        &format!("/video-playlists/{id}"),
    )
    .await;
    assert_eq!(got["videosLength"], 5000);
    let (_, last) = get(instance, Some(&alice.token), &format!("{path}?start=4999")).await;
    assert_eq!(last["data"][0]["position"], 5000, "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playlists_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &url, 0, "").await;
    let db = Db::connect(&DatabaseConfig {
        url,
        ..DatabaseConfig::default()
    })
    .await
    .unwrap();
    scenario(&instance, &db).await;
    channel_positions::channel_positions(&instance).await;
    db.close().await;
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playlists_on_postgres() {
    let test_db = kinora_db::testing::TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let instance = start(dir.path(), &test_db.config.url, 0, "").await;
    scenario(&instance, &test_db.db).await;
    channel_positions::channel_positions(&instance).await;
    instance.server.terminate();
    test_db.finish().await;
}
