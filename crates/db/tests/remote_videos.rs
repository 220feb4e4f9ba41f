//! Remote videos on SQLite and PostgreSQL: versions of one video applied in any order leave
//! the newest (an object older than the stored one changes nothing), while local changes to
//! `updated_at` do not hold back the origin's versions.

use kinora_db::channels::NewChannel;
use kinora_db::remote_videos::{RemoteMedia, RemoteVideo, upsert};
use kinora_db::{Db, backend_tests};

async fn channel(db: &Db) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let actor = kinora_db::actors::insert_local_actor(&mut tx, "Person", "alice", 1)
        .await
        .unwrap();
    let account = kinora_db::accounts::insert(&mut tx, actor, None, "Alice", 1)
        .await
        .unwrap();
    let channel_actor = kinora_db::actors::insert_local_actor(&mut tx, "Group", "alice_channel", 1)
        .await
        .unwrap();
    let channel = kinora_db::channels::insert(
        &mut tx,
        &NewChannel {
            actor_id: channel_actor,
            account_id: account,
            display_name: "Alice",
            description: None,
            support: None,
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    channel
}

fn version(channel_id: i64, name: &str, updated_at: i64) -> RemoteVideo<'_> {
    RemoteVideo {
        url: "https://origin.example/videos/watch/3f0c1a5b-7d4c-4e9a-8f3d-6b8e0f2a4c11",
        uuid: "3f0c1a5b-7d4c-4e9a-8f3d-6b8e0f2a4c11",
        short_uuid: "remote1",
        channel_id,
        name,
        description: None,
        support: None,
        privacy: 1,
        category: None,
        licence: None,
        language: None,
        nsfw: false,
        comments_policy: 1,
        download_enabled: true,
        tags_json: "[]",
        duration: 5,
        views: 0,
        likes: 0,
        dislikes: 0,
        published_at: 1_000,
        updated_at,
        state: 1,
        is_live: false,
        media: RemoteMedia {
            playlist_url: None,
            segments_sha256_url: None,
            thumbnail_url: None,
            preview_url: None,
            files_json: "[]",
            tracker_urls_json: "[]",
        },
    }
}

async fn name(db: &Db, id: i64) -> String {
    kinora_db::videos::find_by_id(db.pool(), id)
        .await
        .unwrap()
        .unwrap()
        .name
}

backend_tests! {
    async fn an_older_version_of_a_remote_video_changes_nothing(db: Db) {
        let channel = channel(&db).await;
        let mut tx = db.begin().await.unwrap();
        let first = upsert(&mut tx, &version(channel, "First", 2_000), 10).await.unwrap();
        assert!(first.created && first.applied);
        let third = upsert(&mut tx, &version(channel, "Third", 4_000), 11).await.unwrap();
        assert!(!third.created && third.applied);
        // The second version arrives last: ignored.
        let second = upsert(&mut tx, &version(channel, "Second", 3_000), 12).await.unwrap();
        assert_eq!(second.id, first.id);
        assert!(!second.applied);
        tx.commit().await.unwrap();
        assert_eq!(name(&db, first.id).await, "Third");
        // The same version again applies (nothing newer is lost).
        let mut tx = db.begin().await.unwrap();
        assert!(upsert(&mut tx, &version(channel, "Third again", 4_000), 13).await.unwrap().applied);
        // A local change of updated_at (a mirror, a media location) does not hold back the
        // origin's next version.
        sqlx::query("UPDATE videos SET updated_at = 9000000 WHERE id = $1")
            .bind(first.id)
            .execute(&mut *tx)
            .await
            .unwrap();
        assert!(upsert(&mut tx, &version(channel, "Fourth", 5_000), 14).await.unwrap().applied);
        tx.commit().await.unwrap();
        assert_eq!(name(&db, first.id).await, "Fourth");
    }
}
