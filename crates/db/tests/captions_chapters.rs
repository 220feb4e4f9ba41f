//! Caption tracks and chapters on SQLite and PostgreSQL: a local caption put, replaced (the
//! old row given back for its file), found by file name and removed; a remote video's caption
//! URLs replaced as a set; one caption per language; chapters replaced and read in order; and
//! both gone with their video.

use kinora_db::channels::NewChannel;
use kinora_db::testing::sample_video;
use kinora_db::{Db, backend_tests};

async fn video(db: &Db) -> i64 {
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
    let id = kinora_db::videos::insert(
        &mut tx,
        &sample_video("8f4e0c1a-5b7d-4c2e-9a1f-3d6b8e0f2a4c", "short1", channel),
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

backend_tests! {
    async fn local_captions_are_put_replaced_and_removed(db: Db) {
        use kinora_db::video_captions::{find_by_file_name, list_of, put_local, remove};
        let video = video(&db).await;
        let mut tx = db.begin().await.unwrap();
        assert!(put_local(&mut tx, video, "en", "a-en.vtt", "local", 10).await.unwrap().is_none());
        assert!(put_local(&mut tx, video, "fr", "b-fr.vtt", "local", 11).await.unwrap().is_none());
        let previous = put_local(&mut tx, video, "en", "c-en.vtt", "local", 12).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(previous.file_name.as_deref(), Some("a-en.vtt"));
        let rows = list_of(db.pool(), video).await.unwrap();
        let names: Vec<_> = rows.iter().map(|r| (r.language.as_str(), r.file_name.as_deref())).collect();
        assert_eq!(names, [("en", Some("c-en.vtt")), ("fr", Some("b-fr.vtt"))]);
        // Replacing keeps the creation date and moves the update date.
        assert_eq!((rows[0].created_at, rows[0].updated_at), (10, 12));
        assert!(find_by_file_name(db.pool(), "a-en.vtt").await.unwrap().is_none());
        assert_eq!(find_by_file_name(db.pool(), "b-fr.vtt").await.unwrap().unwrap().language, "fr");
        let mut tx = db.begin().await.unwrap();
        assert!(remove(&mut tx, video, "fr").await.unwrap().is_some());
        assert!(remove(&mut tx, video, "fr").await.unwrap().is_none());
        tx.commit().await.unwrap();
        assert_eq!(list_of(db.pool(), video).await.unwrap().len(), 1);
        // The video's deletion takes its captions.
        let mut tx = db.begin().await.unwrap();
        kinora_db::videos::delete(&mut *tx, video).await.unwrap();
        tx.commit().await.unwrap();
        assert!(list_of(db.pool(), video).await.unwrap().is_empty());
    }

    async fn remote_captions_are_replaced_as_a_set(db: Db) {
        use kinora_db::video_captions::{list_of, replace_remote};
        let video = video(&db).await;
        let mut tx = db.begin().await.unwrap();
        replace_remote(&mut tx, video, &[("en", "https://a.example/en.vtt"), ("fr", "https://a.example/fr.vtt")], 5).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        replace_remote(&mut tx, video, &[("en", "https://a.example/en.vtt"), ("de", "https://a.example/de.vtt")], 9).await.unwrap();
        tx.commit().await.unwrap();
        let rows = list_of(db.pool(), video).await.unwrap();
        let got: Vec<_> = rows.iter().map(|r| (r.language.as_str(), r.file_url.as_deref(), r.updated_at)).collect();
        assert_eq!(got, [("de", Some("https://a.example/de.vtt"), 9), ("en", Some("https://a.example/en.vtt"), 5)]);
        let mut tx = db.begin().await.unwrap();
        replace_remote(&mut tx, video, &[], 10).await.unwrap();
        tx.commit().await.unwrap();
        assert!(list_of(db.pool(), video).await.unwrap().is_empty());
    }

    async fn chapters_are_replaced_and_read_in_order(db: Db) {
        use kinora_db::video_chapters::{list_of, replace};
        let video = video(&db).await;
        let mut tx = db.begin().await.unwrap();
        replace(&mut tx, video, &[(30, "Middle"), (0, "Intro")]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(list_of(db.pool(), video).await.unwrap(), [(0, "Intro".to_owned()), (30, "Middle".to_owned())]);
        let mut tx = db.begin().await.unwrap();
        replace(&mut tx, video, &[(5, "Only")]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(list_of(db.pool(), video).await.unwrap(), [(5, "Only".to_owned())]);
        let mut tx = db.begin().await.unwrap();
        replace(&mut tx, video, &[]).await.unwrap();
        tx.commit().await.unwrap();
        assert!(list_of(db.pool(), video).await.unwrap().is_empty());
    }
}
