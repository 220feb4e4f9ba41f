//! The web player's swarms recorded for videos published before Kinora recorded them
//! (`kinora_app::swarms::record_missing`), and the private tracker's question about them
//! (`kinora_db::swarms::is_public`), on real SQLite and PostgreSQL databases.

use kinora_app::InstanceConfig;
use kinora_app::users::{self, NewUserInput, UserOrigin};
use kinora_core::UserRole;
use kinora_core::swarm::video_swarms;
use kinora_db::videos::VideoFileRow;
use kinora_db::{Db, backend_tests};

const UUID: &str = "04af977f-4201-4697-be67-a8d8cae6fa7a";

/// A published public video with a 720p and an audio-only rendition, and no swarms yet.
async fn published_video(db: &Db) -> i64 {
    let created = users::create_user(
        db,
        &InstanceConfig::default(),
        NewUserInput {
            username: "alice".into(),
            email: "alice@example.com".into(),
            password: "secret-password".into(),
            role: UserRole::User,
            display_name: None,
        },
        UserOrigin::Admin,
    )
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let video = kinora_db::testing::sample_video(UUID, "shortuuid", created.channel_id);
    let id = kinora_db::videos::insert(&mut tx, &video, 1).await.unwrap();
    for resolution in [720, 0] {
        let file = VideoFileRow {
            id: 0,
            video_id: id,
            resolution,
            width: 1280,
            height: 720,
            fps: 25.0,
            size: 1,
            file_name: format!("f-{resolution}-fragmented.mp4"),
            playlist_name: format!("f-{resolution}.m3u8"),
            has_audio: 1,
            has_video: i64::from(resolution > 0),
            torrent_file: None,
            info_hash: None,
        };
        kinora_db::videos::insert_file(&mut tx, &file, 1)
            .await
            .unwrap();
    }
    let publication = kinora_db::testing::sample_publication();
    assert!(
        kinora_db::videos::publish(&mut tx, id, &publication, 2)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    id
}

backend_tests! {
    async fn missing_swarms_are_recorded_once_and_admitted_while_public(db: Db) {
        let id = published_video(&db).await;
        let expected = video_swarms(UUID, &[720, 0]);
        assert_eq!(expected.len(), 3, "720p main, audio main and secondary");
        for swarm in &expected {
            assert!(!kinora_db::swarms::is_public(db.pool(), &swarm.info_hash_hex()).await.unwrap());
        }
        assert_eq!(kinora_app::swarms::record_missing(&db).await.unwrap(), 1);
        let rows = kinora_db::swarms::list(db.pool(), id).await.unwrap();
        let recorded: Vec<(&str, &str)> = rows.iter().map(|r| (r.stream_swarm_id.as_str(), r.info_hash.as_str())).collect();
        let hexes: Vec<String> = expected.iter().map(|s| s.info_hash_hex()).collect();
        let wanted: Vec<(&str, &str)> = expected.iter().zip(&hexes).map(|(s, h)| (s.stream_swarm_id.as_str(), h.as_str())).collect();
        assert_eq!(recorded, wanted);
        for swarm in &expected {
            assert!(kinora_db::swarms::is_public(db.pool(), &swarm.info_hash_hex()).await.unwrap());
        }
        // Nothing is missing any more; recording again changes nothing.
        assert_eq!(kinora_app::swarms::record_missing(&db).await.unwrap(), 0);
        assert_eq!(kinora_db::swarms::list(db.pool(), id).await.unwrap().len(), 3);
        // A private video's swarms are not admitted; nor is a hash nobody has.
        sqlx::query("UPDATE videos SET privacy = 3 WHERE id = $1").bind(id).execute(db.pool()).await.unwrap();
        assert!(!kinora_db::swarms::is_public(db.pool(), &expected[0].info_hash_hex()).await.unwrap());
        sqlx::query("UPDATE videos SET privacy = 2 WHERE id = $1").bind(id).execute(db.pool()).await.unwrap();
        assert!(kinora_db::swarms::is_public(db.pool(), &expected[0].info_hash_hex()).await.unwrap());
        assert!(!kinora_db::swarms::is_public(db.pool(), &"ab".repeat(20)).await.unwrap());
        // Deleting the video deletes its swarms.
        sqlx::query("DELETE FROM videos WHERE id = $1").bind(id).execute(db.pool()).await.unwrap();
        assert!(kinora_db::swarms::list(db.pool(), id).await.unwrap().is_empty());
    }

    async fn a_video_being_processed_is_not_admitted(db: Db) {
        let id = published_video(&db).await;
        kinora_app::swarms::record_missing(&db).await.unwrap();
        sqlx::query("UPDATE videos SET state = 2 WHERE id = $1").bind(id).execute(db.pool()).await.unwrap();
        let swarm = &video_swarms(UUID, &[720])[0];
        assert!(!kinora_db::swarms::is_public(db.pool(), &swarm.info_hash_hex()).await.unwrap());
    }
}
