//! An actor's aliases (`kinora_db::actor_aliases`, ActivityPub `alsoKnownAs`): added once,
//! listed oldest first, removed, replaced as a whole (at most `MAX_ALIASES` kept), and gone
//! with their actor; and an actor row's `moved_to_url`/`moved_at`, empty until it moves, set
//! by `mark_moved` (a remote document's `movedTo` never changes a local actor). On SQLite and
//! PostgreSQL.

use kinora_db::actor_aliases::{MAX_ALIASES, add, list, remove, replace};
use kinora_db::{Db, backend_tests};

async fn actor(db: &Db, name: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = kinora_db::actors::insert_local_actor(&mut tx, "Group", name, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

backend_tests! {
    async fn aliases_are_added_once_listed_removed_and_replaced(db: Db) {
        let new = actor(&db, "films").await;
        let other = actor(&db, "music").await;
        let mut connection = db.pool().acquire().await.unwrap();
        let old = "https://old.example/video-channels/films";
        assert!(add(&mut connection, new, old, 10).await.unwrap());
        assert!(!add(&mut connection, new, old, 11).await.unwrap(), "once");
        assert!(add(&mut connection, new, "https://b.example/c/x", 12).await.unwrap());
        assert_eq!(
            list(&mut connection, new).await.unwrap(),
            vec![old.to_owned(), "https://b.example/c/x".to_owned()]
        );
        assert_eq!(list(&mut connection, other).await.unwrap(), Vec::<String>::new());
        assert!(remove(&mut connection, new, old).await.unwrap());
        assert!(!remove(&mut connection, new, old).await.unwrap());

        let many: Vec<String> = (0..MAX_ALIASES + 5)
            .map(|i| format!("https://m.example/a/{i:02}"))
            .collect();
        replace(&mut connection, other, &many, 20).await.unwrap();
        let kept = list(&mut connection, other).await.unwrap();
        assert_eq!(kept, many[..MAX_ALIASES].to_vec());
        replace(&mut connection, other, &[], 21).await.unwrap();
        assert_eq!(list(&mut connection, other).await.unwrap(), Vec::<String>::new());

        let row = kinora_db::actors::find_by_id(&mut *connection, new).await.unwrap().unwrap();
        assert_eq!((row.moved_to_url, row.moved_at), (None, None));
        let target = "https://new.example/video-channels/films";
        kinora_db::actors::mark_moved(&mut connection, new, target, 30).await.unwrap();
        // A document's claim never touches a local actor.
        kinora_db::actors::set_moved_to(&mut connection, new, None).await.unwrap();
        let row = kinora_db::actors::find_by_id(&mut *connection, new).await.unwrap().unwrap();
        assert_eq!((row.moved_to_url.as_deref(), row.moved_at), (Some(target), Some(30)));
        assert!(kinora_db::actors::delete(&mut connection, new).await.unwrap());
        let left: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM actor_aliases")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        assert_eq!(left.0, 0, "aliases go with their actor");
    }
}
