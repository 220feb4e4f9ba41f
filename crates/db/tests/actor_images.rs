//! Avatars and banners in the database (`kinora_db::actor_images`): a set of sizes replaces the
//! previous set of its kind only (the replaced rows come back for their files to be deleted),
//! lists come widest first by actor, a file is found only under its own kind, removal answers
//! what it removed, a remote image keeps its origin URL, and an actor's deletion takes its
//! images with it; each change moves the video list version. On SQLite and PostgreSQL.

use kinora_db::actor_images::{
    AVATAR, BANNER, NewActorImage, find_by_file, list_for_actor, list_of, remove, replace,
};
use kinora_db::{Db, backend_tests};

async fn actor(db: &Db, name: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = kinora_db::actors::insert_local_actor(&mut tx, "Group", name, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn sizes<'a>(names: &'a [&'a str], widths: &[i64]) -> Vec<NewActorImage<'a>> {
    names
        .iter()
        .zip(widths)
        .map(|(name, width)| NewActorImage {
            file_name: name,
            width: *width,
            height: *width,
        })
        .collect()
}

async fn list_version(db: &Db) -> i64 {
    kinora_db::video_lists::version(db.pool()).await.unwrap()
}

backend_tests! {
    async fn sizes_are_replaced_as_a_set_listed_and_removed(db: Db) {
        let channel = actor(&db, "films").await;
        let other = actor(&db, "music").await;
        let before = list_version(&db).await;
        let mut tx = db.begin().await.unwrap();
        let old = replace(&mut tx, channel, AVATAR, &sizes(&["a48.jpg", "a1500.jpg", "a600.jpg"], &[48, 1500, 600]), "local", None, 10)
            .await
            .unwrap();
        assert!(old.is_empty());
        replace(&mut tx, channel, BANNER, &sizes(&["b1920.jpg"], &[1920]), "local", None, 10)
            .await
            .unwrap();
        replace(&mut tx, other, AVATAR, &sizes(&["o.jpg"], &[120]), "s3-public", Some("https://r.example/a.png"), 10)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(list_version(&db).await > before, "lists show avatars: their version moves");

        let listed = list_of(db.pool(), &[channel, other, 999]).await.unwrap();
        let mine: Vec<(i64, &str)> = listed[&channel].iter().map(|r| (r.kind, r.file_name.as_str())).collect();
        assert_eq!(mine, [(AVATAR, "a1500.jpg"), (AVATAR, "a600.jpg"), (AVATAR, "a48.jpg"), (BANNER, "b1920.jpg")]);
        assert_eq!(listed[&other][0].remote_url.as_deref(), Some("https://r.example/a.png"));
        assert_eq!(listed[&other][0].location, "s3-public");
        assert!(!listed.contains_key(&999));
        assert!(list_of(db.pool(), &[]).await.unwrap().is_empty());

        assert_eq!(find_by_file(db.pool(), "a600.jpg", AVATAR).await.unwrap().unwrap().width, 600);
        assert!(find_by_file(db.pool(), "a600.jpg", BANNER).await.unwrap().is_none());
        assert!(find_by_file(db.pool(), "b1920.jpg", BANNER).await.unwrap().is_some());

        // A new avatar replaces the three old sizes and leaves the banner alone.
        let mut tx = db.begin().await.unwrap();
        let old = replace(&mut tx, channel, AVATAR, &sizes(&["n1500.jpg"], &[1500]), "local", None, 20)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut replaced: Vec<&str> = old.iter().map(|r| r.file_name.as_str()).collect();
        replaced.sort_unstable();
        assert_eq!(replaced, ["a1500.jpg", "a48.jpg", "a600.jpg"]);
        let now: Vec<String> = list_for_actor(db.pool(), channel).await.unwrap().into_iter().map(|r| r.file_name).collect();
        assert_eq!(now, ["n1500.jpg", "b1920.jpg"]);

        let mut tx = db.begin().await.unwrap();
        let removed = remove(&mut tx, channel, BANNER).await.unwrap();
        assert_eq!(removed.len(), 1);
        assert!(remove(&mut tx, channel, BANNER).await.unwrap().is_empty());
        tx.commit().await.unwrap();
        assert_eq!(list_for_actor(db.pool(), channel).await.unwrap().len(), 1);
    }

    async fn an_actors_deletion_takes_its_images(db: Db) {
        let channel = actor(&db, "gone").await;
        let mut tx = db.begin().await.unwrap();
        replace(&mut tx, channel, AVATAR, &sizes(&["g.jpg"], &[48]), "local", None, 1).await.unwrap();
        kinora_db::actors::delete(&mut tx, channel).await.unwrap();
        tx.commit().await.unwrap();
        assert!(find_by_file(db.pool(), "g.jpg", AVATAR).await.unwrap().is_none());
    }

    async fn a_file_name_is_used_once(db: Db) {
        let a = actor(&db, "one").await;
        let b = actor(&db, "two").await;
        let mut tx = db.begin().await.unwrap();
        replace(&mut tx, a, AVATAR, &sizes(&["same.jpg"], &[48]), "local", None, 1).await.unwrap();
        assert!(replace(&mut tx, b, AVATAR, &sizes(&["same.jpg"], &[48]), "local", None, 1).await.is_err());
    }
}
