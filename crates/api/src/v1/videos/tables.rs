//! `GET /api/v1/videos/categories`, `/licences`, `/languages` and `/privacies`: PeerTube's tables
//! of what a video's ids mean, as one JSON object each from id to English label
//! (`{"1": "Music", …}`, `{"en": "English", …}`), in PeerTube's order. The tables themselves are
//! `kinora_core::labels` (the video JSON and federation label ids from the same ones).

use axum::Json;
use kinora_core::labels;
use kinora_core::video::Privacy;
use serde::{Serialize, Serializer};

/// A table from id to label, written as a JSON object in the order given.
pub struct Table(Vec<(String, &'static str)>);

impl Serialize for Table {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(id, label)| (id, label)))
    }
}

fn numbered(rows: impl Iterator<Item = (i64, &'static str)>) -> Json<Table> {
    Json(Table(
        rows.map(|(id, label)| (id.to_string(), label)).collect(),
    ))
}

/// PeerTube's video categories.
pub async fn list_categories() -> Json<Table> {
    numbered(labels::categories())
}

/// PeerTube's video licences.
pub async fn list_licences() -> Json<Table> {
    numbered(labels::licences())
}

/// The languages a video may be in.
pub async fn list_languages() -> Json<Table> {
    Json(Table(
        labels::languages()
            .map(|(code, name)| (code.to_owned(), name))
            .collect(),
    ))
}

/// The privacies Kinora supports (PeerTube's ids and labels; password-protected, 5, is not
/// offered).
pub async fn list_privacies() -> Json<Table> {
    numbered(
        (1..=5)
            .filter_map(Privacy::from_id)
            .map(|p| (p.id(), p.label())),
    )
}
