//! PeerTube's tables of what a video's ids mean (`/api/v1/videos/categories`, `/licences`,
//! `/languages`, `/privacies`) and their labels in the video JSON, through the whole HTTP stack
//! on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::harness::Harness;
use common::videos::insert_video;
use kinora_db::backend_tests;
use serde_json::{Value, json};

/// The table at `path`, checked to be a JSON object of strings; and its raw text.
async fn table(h: &Harness, path: &str) -> (serde_json::Map<String, Value>, String) {
    let (status, headers, text) = h.get_text(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let table: Value = serde_json::from_str(&text).unwrap();
    let table = table
        .as_object()
        .unwrap_or_else(|| panic!("{path}: {text}"))
        .clone();
    assert!(table.values().all(Value::is_string), "{path}: {text}");
    (table, text)
}

/// Edits the video at `path` as its owner, then answers its JSON.
async fn edit_then_get(h: &Harness, path: &str, token: &str, edit: Value) -> Value {
    let (status, body) = h.send_json("PUT", path, Some(token), edit).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = h.get(path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

backend_tests! {
    async fn the_four_tables_answer_in_peertubes_shape(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (categories, text) = table(&h, "/api/v1/videos/categories").await;
        assert_eq!(categories.len(), 18);
        assert!(text.starts_with(r#"{"1":"Music","2":"Films","3":"Vehicles""#), "in id order: {text}");
        assert_eq!(categories["15"], "Science & Technology");
        assert_eq!(categories["18"], "Food");

        let (licences, text) = table(&h, "/api/v1/videos/licences").await;
        assert_eq!(licences.len(), 9);
        assert!(text.starts_with(r#"{"1":"Attribution","2":"Attribution - Share Alike""#), "{text}");
        assert_eq!(licences["7"], "Public Domain Dedication");
        assert_eq!(licences["9"], "All Rights Reserved");

        let (languages, _) = table(&h, "/api/v1/videos/languages").await;
        assert!(languages.len() > 200, "{}", languages.len());
        for (code, name) in [("en", "English"), ("fr", "French"), ("el", "Greek"), ("oc", "Occitan"),
                             ("pt", "Portuguese (Brazilian)"), ("es-419", "Spanish (Latin America)"),
                             ("zh-Hans", "Simplified Chinese"), ("fsl", "French Sign Language"),
                             ("eo", "Esperanto"), ("la", "Latin"), ("tok", "Toki Pona"), ("zxx", "No linguistic content")] {
            assert_eq!(languages[code], name, "{code}");
        }

        let (privacies, text) = table(&h, "/api/v1/videos/privacies").await;
        assert_eq!(text, r#"{"1":"Public","2":"Unlisted","3":"Private","4":"Internal"}"#, "{privacies:?}");
    }

    async fn the_video_json_shows_labels_and_words_are_not_video_ids(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "Labelled", 1, 1, 0).await;
        let path = format!("/api/v1/videos/{}", video.uuid);
        let (status, body) = h.get(&path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["category"], json!({"id": null, "label": "Unknown"}));
        assert_eq!(body["language"], json!({"id": null, "label": "Unknown"}));

        let edit = json!({"category": 1, "licence": 1, "language": "en"});
        let body = edit_then_get(&h, &path, &token, edit).await;
        assert_eq!(body["category"], json!({"id": 1, "label": "Music"}));
        assert_eq!(body["licence"], json!({"id": 1, "label": "Attribution"}));
        assert_eq!(body["language"], json!({"id": "en", "label": "English"}));
        assert_eq!(body["privacy"], json!({"id": 1, "label": "Public"}));

        // Ids outside the tables keep their id, labelled Unknown.
        let edit = json!({"category": 99, "licence": 99, "language": "xx"});
        let body = edit_then_get(&h, &path, &token, edit).await;
        assert_eq!(body["category"], json!({"id": 99, "label": "Unknown"}));
        assert_eq!(body["licence"], json!({"id": 99, "label": "Unknown"}));
        assert_eq!(body["language"], json!({"id": "xx", "label": "Unknown"}));

        // Any other word is still read as a video id: 404 problem+json.
        for word in ["category", "licenses", "privacy", "999999"] {
            let (status, body) = h.get(&format!("/api/v1/videos/{word}"), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{word}: {body}");
            assert_eq!(body["detail"], "Video not found", "{word}: {body}");
        }
    }
}
