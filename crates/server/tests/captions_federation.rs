//! Captions and chapters between two real `kinora serve` processes: B follows a channel of A;
//! a caption added on A (an `Update` of the video) appears in B's caption list, pointing at A's
//! WebVTT file, and A's chapters (its `hasParts` document, fetched by B) in B's chapters; a
//! caption deleted on A leaves B's list.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, channel_followers, publish_with_torrents, start};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";
const GOOD_VTT: &str =
    include_str!("../../../../shared/fixtures/peertube/captions/subtitle-good1.vtt");

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caption_added_on_a_shows_on_b() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 1, FEDERATION).await;
    let (status, body) = api_request(
        &b,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("root_channel@localhost:{}", a.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        (channel_followers(&a).await == 1).then_some(())
    })
    .await;
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(60), "the video on B", || async {
        (get(&b, &format!("/api/v1/videos/{uuid}")).await.0 == 200).then_some(())
    })
    .await;

    let form = reqwest::multipart::Form::new().part(
        "captionfile",
        reqwest::multipart::Part::bytes(GOOD_VTT.as_bytes().to_vec()).file_name("en.vtt"),
    );
    let response = a
        .http
        .put(format!("{}/api/v1/videos/{uuid}/captions/en", a.base))
        .bearer_auth(&a.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = a
        .http
        .put(format!("{}/api/v1/videos/{uuid}/chapters", a.base))
        .bearer_auth(&a.token)
        .json(&json!({ "chapters": [{ "timecode": 0, "title": "Start" }, { "timecode": 2, "title": "Later" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (_, on_a) = get(&a, &format!("/api/v1/videos/{uuid}/captions")).await;
    let file_url = on_a["data"][0]["fileUrl"].as_str().unwrap().to_owned();

    let on_b = eventually(Duration::from_secs(60), "the caption on B", || async {
        let (_, list) = get(&b, &format!("/api/v1/videos/{uuid}/captions")).await;
        (list["total"] == 1).then_some(list)
    })
    .await;
    let caption = &on_b["data"][0];
    assert_eq!(
        caption["language"],
        json!({ "id": "en", "label": "English" })
    );
    assert_eq!(
        caption["fileUrl"],
        file_url.as_str(),
        "B points at A's file"
    );
    // The file B's player loads answers a browser on B's pages (CORS) with the WebVTT.
    let response = b
        .http
        .get(&file_url)
        .header("origin", &b.base)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert!(response.text().await.unwrap().starts_with("WEBVTT"));

    eventually(Duration::from_secs(60), "the chapters on B", || async {
        let (_, chapters) = get(&b, &format!("/api/v1/videos/{uuid}/chapters")).await;
        (chapters["chapters"]
            == json!([{ "timecode": 0, "title": "Start" }, { "timecode": 2, "title": "Later" }]))
        .then_some(())
    })
    .await;

    // B's own users cannot change a remote video's captions.
    let form = reqwest::multipart::Form::new().part(
        "captionfile",
        reqwest::multipart::Part::bytes(GOOD_VTT.as_bytes().to_vec()).file_name("fr.vtt"),
    );
    let response = b
        .http
        .put(format!("{}/api/v1/videos/{uuid}/captions/fr", b.base))
        .bearer_auth(&b.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    let response = a
        .http
        .delete(format!("{}/api/v1/videos/{uuid}/captions/en", a.base))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    eventually(
        Duration::from_secs(60),
        "the caption gone from B",
        || async {
            let (_, list) = get(&b, &format!("/api/v1/videos/{uuid}/captions")).await;
            (list["total"] == 0).then_some(())
        },
    )
    .await;
}
