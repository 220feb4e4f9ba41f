//! Captions and chapters on a real `kinora serve` (SQLite, one transcoder): a WebVTT and an SRT
//! caption uploaded (the SRT served as WebVTT), PeerTube's `VideoCaption` list, the files
//! served with the hardened headers, the HLS master playlist's subtitles rendition following
//! every change (no re-transcoding), a replaced caption's old file gone; each bad caption (HTML,
//! binary, 50 MB, an SRT with a broken timestamp, a `.txt` file, an unknown language, no file)
//! refused with a 400 that says why, changing nothing; who may change captions; a private
//! video's captions hidden; chapters set, checked, read back and federated as PeerTube's
//! `hasParts` document; `subtitleLanguage` in the Video object.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, publish_with_torrents, start};
use serde_json::{Value, json};

const GOOD_VTT: &str =
    include_str!("../../../../shared/fixtures/peertube/captions/subtitle-good1.vtt");
const GOOD_SRT: &str =
    include_str!("../../../../shared/fixtures/peertube/captions/subtitle-good.srt");
const BAD_TXT: &str =
    include_str!("../../../../shared/fixtures/peertube/captions/subtitle-bad.txt");

/// A refused upload: what it is, its language, its file name, its bytes, what the 400 says.
type BadCaption = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Vec<u8>,
    &'static str,
);

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

/// `PUT /api/v1/videos/{uuid}/captions/{language}` with `bytes` as `captionfile` named
/// `file_name`, by `token` (`None`: anonymous).
async fn put_caption(
    instance: &Instance,
    uuid: &str,
    language: &str,
    file_name: Option<&str>,
    bytes: Vec<u8>,
    token: Option<&str>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    if let Some(file_name) = file_name {
        form = form.part(
            "captionfile",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
        );
    } else {
        form = form.text("other", "no file here");
    }
    let mut request = instance
        .http
        .put(format!(
            "{}/api/v1/videos/{uuid}/captions/{language}",
            instance.base
        ))
        .multipart(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
        // The server may answer a too-large body before reading it all and close.
        Err(error) => (0, json!({ "error": error.to_string() })),
    }
}

/// A new user on `instance` and their access token.
async fn user_token(instance: &Instance, name: &str) -> String {
    let (status, body) = api_request(
        instance,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({ "username": name, "email": format!("{name}@example.com"), "password": "secret-password" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, client) = get(instance, "/api/v1/oauth-clients/local").await;
    let form = [
        ("client_id", client["client_id"].as_str().unwrap()),
        ("client_secret", client["client_secret"].as_str().unwrap()),
        ("grant_type", "password"),
        ("username", name),
        ("password", "secret-password"),
    ];
    let body: Value = instance
        .http
        .post(format!("{}/api/v1/users/token", instance.base))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// A file's status, headers and text, anonymously.
async fn fetch(instance: &Instance, url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let url = if url.starts_with('/') {
        format!("{}{url}", instance.base)
    } else {
        url.to_owned()
    };
    let response = instance.http.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap_or_default())
}

async fn captions(instance: &Instance, uuid: &str) -> Value {
    let (status, body) = get(instance, &format!("/api/v1/videos/{uuid}/captions")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The languages the master playlist's subtitles rendition lists, once it lists `wanted`.
async fn master_languages(instance: &Instance, master_url: &str, wanted: &[&str]) -> String {
    let wanted: Vec<String> = wanted.iter().map(|l| format!("LANGUAGE=\"{l}\"")).collect();
    eventually(
        Duration::from_secs(30),
        "the master playlist's subtitles",
        || async {
            let (status, _, text) = fetch(instance, master_url).await;
            let listed = text.matches("TYPE=SUBTITLES").count();
            (status == 200 && listed == wanted.len() && wanted.iter().all(|w| text.contains(w)))
                .then_some(text)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captions_are_uploaded_converted_served_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let a = start(dir.path(), &database, 1, "").await;
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let master_url = video["streamingPlaylists"][0]["playlistUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, _, original_master) = fetch(&a, &master_url).await;
    assert!(!original_master.contains("SUBTITLES"), "{original_master}");
    let token = a.token.clone();

    // A WebVTT caption, then an SRT one (served as WebVTT).
    let put = put_caption(
        &a,
        &uuid,
        "en",
        Some("good.vtt"),
        GOOD_VTT.into(),
        Some(&token),
    )
    .await;
    assert_eq!(put.0, 204, "{}", put.1);
    let put = put_caption(
        &a,
        &uuid,
        "fr",
        Some("good.srt"),
        GOOD_SRT.into(),
        Some(&token),
    )
    .await;
    assert_eq!(put.0, 204, "{}", put.1);
    let list = captions(&a, &uuid).await;
    assert_eq!(list["total"], 2, "{list}");
    let english = &list["data"][0];
    assert_eq!(
        english["language"],
        json!({ "id": "en", "label": "English" })
    );
    assert_eq!(english["automaticallyGenerated"], false);
    let path = english["captionPath"].as_str().unwrap().to_owned();
    assert!(
        path.starts_with("/lazy-static/video-captions/") && path.ends_with("-en.vtt"),
        "{path}"
    );
    assert_eq!(english["fileUrl"], format!("{}{path}", a.base));
    assert!(
        english["m3u8Url"].as_str().unwrap().ends_with("-en.m3u8"),
        "{english}"
    );
    assert!(english["updatedAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(list["data"][1]["language"]["id"], "fr");

    let (status, headers, text) = fetch(&a, &path).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/vtt; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    assert!(
        text.starts_with("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nSubtitle good 1."),
        "{text}"
    );
    let french = list["data"][1]["captionPath"].as_str().unwrap().to_owned();
    let (status, _, text) = fetch(&a, &french).await;
    assert_eq!(status, 200);
    assert!(
        text.starts_with("WEBVTT\n\n1\n00:00:01.600 --> 00:00:04.200\nEnglish (US)\n"),
        "the SRT is served as WebVTT: {text}"
    );

    // The HLS master lists both (the transcoder's variants kept), each with its playlist.
    let master = master_languages(&a, &master_url, &["en", "fr"]).await;
    assert_eq!(
        master.matches("#EXT-X-STREAM-INF:").count(),
        original_master.matches("#EXT-X-STREAM-INF:").count()
    );
    assert_eq!(
        master.matches("SUBTITLES=\"subtitles\"").count(),
        original_master.matches("#EXT-X-STREAM-INF:").count(),
        "{master}"
    );
    let playlist = english["m3u8Url"].as_str().unwrap();
    assert!(master.contains(playlist), "{master}");
    let (status, headers, text) = fetch(&a, playlist).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/vnd.apple.mpegurl");
    assert!(
        text.contains(&format!("\n{}{path}\n#EXT-X-ENDLIST", a.base)),
        "{text}"
    );

    // Replacing a caption: a new file, the old one gone.
    let replacement = GOOD_VTT.replace("Subtitle good 1.", "Replaced line.");
    let put = put_caption(
        &a,
        &uuid,
        "en",
        Some("new.vtt"),
        replacement.into(),
        Some(&token),
    )
    .await;
    assert_eq!(put.0, 204, "{}", put.1);
    let list = captions(&a, &uuid).await;
    let new_path = list["data"][0]["captionPath"].as_str().unwrap().to_owned();
    assert_ne!(new_path, path);
    assert_eq!(fetch(&a, &path).await.0, 404);
    assert!(fetch(&a, &new_path).await.2.contains("Replaced line."));

    // Each bad caption: a 400 that says why, nothing changed.
    let before = captions(&a, &uuid).await;
    let broken_srt =
        "1\n00:00:01,600 --> 00:00:04,200\nFine\n\n2\n00:00:05,9 --> 00:00:07,999\nBroken\n";
    let png: Vec<u8> = [
        &[
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
        ][..],
        &[7u8; 200][..],
    ]
    .concat();
    let cases: Vec<BadCaption> = vec![
        (
            "an HTML document",
            "en",
            Some("page.vtt"),
            b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>".to_vec(),
            "HTML",
        ),
        ("a binary file", "en", Some("image.vtt"), png, "not text"),
        (
            "an SRT with a broken timestamp",
            "en",
            Some("broken.srt"),
            broken_srt.into(),
            "line 6",
        ),
        (
            "a .txt file",
            "en",
            Some("subtitle-bad.txt"),
            BAD_TXT.into(),
            ".vtt or .srt",
        ),
        (
            "an unknown language",
            "xx-nope",
            Some("good.vtt"),
            GOOD_VTT.into(),
            "languages",
        ),
        ("no file", "en", None, Vec::new(), "required"),
    ];
    for (what, language, file_name, bytes, reason) in cases {
        let (status, body) = put_caption(&a, &uuid, language, file_name, bytes, Some(&token)).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert!(body.to_string().contains(reason), "{what}: {body}");
    }
    // 50 MB: refused (before it is all read, so the client may see the connection end).
    let (status, body) = put_caption(
        &a,
        &uuid,
        "en",
        Some("huge.vtt"),
        vec![b'a'; 50 * 1024 * 1024],
        Some(&token),
    )
    .await;
    assert!(matches!(status, 0 | 400 | 413), "50 MB: {status} {body}");
    if status != 0 {
        assert!(body.to_string().contains("larger than"), "{body}");
    }
    assert_eq!(
        captions(&a, &uuid).await,
        before,
        "bad captions changed nothing"
    );

    // Who may: not another user, not anonymous; the owner deletes.
    let other = user_token(&a, "mallory").await;
    let (status, _) = put_caption(
        &a,
        &uuid,
        "de",
        Some("good.vtt"),
        GOOD_VTT.into(),
        Some(&other),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = put_caption(&a, &uuid, "de", Some("good.vtt"), GOOD_VTT.into(), None).await;
    assert_eq!(status, 401);
    let delete = |token: String, language: &'static str| {
        let request = a
            .http
            .delete(format!(
                "{}/api/v1/videos/{uuid}/captions/{language}",
                a.base
            ))
            .bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(delete(other.clone(), "fr").await, 403);
    assert_eq!(delete(token.clone(), "fr").await, 204);
    assert_eq!(delete(token.clone(), "fr").await, 404);
    assert_eq!(fetch(&a, &french).await.0, 404);
    let master = master_languages(&a, &master_url, &["en"]).await;
    assert!(!master.contains("LANGUAGE=\"fr\""));

    // Federation: the Video object's subtitleLanguage, as PeerTube writes it.
    let object = common::instance::ap_document(&a, &format!("/videos/watch/{uuid}")).await;
    let subtitles = object["subtitleLanguage"].as_array().unwrap();
    assert_eq!(subtitles.len(), 1, "{object}");
    assert_eq!(subtitles[0]["identifier"], "en");
    assert_eq!(subtitles[0]["name"], "English");
    assert_eq!(subtitles[0]["url"][0]["mediaType"], "text/vtt");
    assert_eq!(
        subtitles[0]["url"][0]["href"],
        format!("{}{new_path}", a.base)
    );
    assert_eq!(
        object["hasParts"],
        format!("{}/videos/watch/{uuid}/chapters", a.base)
    );

    // Chapters: none in the description; set, checked, read back sorted, federated.
    let chapters_path = format!("/api/v1/videos/{uuid}/chapters");
    assert_eq!(get(&a, &chapters_path).await.1, json!({ "chapters": [] }));
    let put_chapters = |token: String, body: Value| {
        let request = a
            .http
            .put(format!("{}{chapters_path}", a.base))
            .bearer_auth(token)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let set = json!({ "chapters": [{ "timecode": 3, "title": "Second" }, { "timecode": 0, "title": "First" }] });
    let (status, body) = put_chapters(token.clone(), set.clone()).await;
    assert_eq!(status, 204, "{body}");
    let expected = json!({ "chapters": [{ "timecode": 0, "title": "First" }, { "timecode": 3, "title": "Second" }] });
    assert_eq!(get(&a, &chapters_path).await.1, expected);
    for (what, body) in [
        (
            "duplicate timecodes",
            json!({ "chapters": [{ "timecode": 1, "title": "A" }, { "timecode": 1, "title": "B" }] }),
        ),
        (
            "an empty title",
            json!({ "chapters": [{ "timecode": 1, "title": " " }] }),
        ),
        (
            "a title of 101 characters",
            json!({ "chapters": [{ "timecode": 1, "title": "x".repeat(101) }] }),
        ),
        (
            "a negative timecode",
            json!({ "chapters": [{ "timecode": -1, "title": "A" }] }),
        ),
        (
            "a timecode that is not a number",
            json!({ "chapters": [{ "timecode": "soon", "title": "A" }] }),
        ),
    ] {
        let (status, answer) = put_chapters(token.clone(), body).await;
        assert_eq!(status, 400, "{what}: {answer}");
    }
    assert_eq!(put_chapters(other.clone(), set).await.0, 403);
    assert_eq!(
        get(&a, &chapters_path).await.1,
        expected,
        "refusals changed nothing"
    );
    let document =
        common::instance::ap_document(&a, &format!("/videos/watch/{uuid}/chapters")).await;
    assert_eq!(
        document["id"],
        format!("{}/videos/watch/{uuid}/chapters", a.base)
    );
    assert_eq!(
        document["hasPart"][0],
        json!({ "name": "First", "startOffset": 0, "endOffset": 3 })
    );
    assert_eq!(document["hasPart"][1]["endOffset"], video["duration"]);

    // A private video's captions are not served to others.
    let response = a
        .http
        .put(format!("{}/api/v1/videos/{uuid}", a.base))
        .bearer_auth(&token)
        .json(&json!({ "privacy": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(fetch(&a, &new_path).await.0, 404);
    let as_other = a
        .http
        .get(format!("{}{new_path}", a.base))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(as_other.status(), 404);
    let as_owner = a
        .http
        .get(format!("{}{new_path}", a.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(as_owner.status(), 200);
}
