//! Videos written straight into the database, in any privacy and state, for tests of what
//! routes show of them.

use kinora_db::Db;
use kinora_db::testing::sample_video;
use kinora_db::videos::NewVideo;
use uuid::Uuid;

/// A video inserted for a test.
#[derive(Debug, Clone)]
pub struct TestVideo {
    pub id: i64,
    pub uuid: String,
    pub short_uuid: String,
}

/// Inserts a video in `channel` with `privacy`; published when `state` is 1 (at `1000 +
/// views`), with `views` views.
pub async fn insert_video(
    db: &Db,
    channel: i64,
    name: &str,
    privacy: i64,
    state: i64,
    views: i64,
) -> TestVideo {
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
        super::harness::publish_video(&mut tx, id, 1000 + views).await;
    }
    sqlx::query("UPDATE videos SET views = $1 WHERE id = $2")
        .bind(views)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    TestVideo {
        id,
        uuid: uuid_text,
        short_uuid: short,
    }
}
