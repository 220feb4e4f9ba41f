//! Playlists in the database (`kinora_db::playlists`): one "Watch later" per account, elements
//! appended in order, a removal closing the gap, reorders in both directions, lists that show
//! only public playlists in a channel unless asked for every privacy, `videos-exist`, and a
//! deleted video leaving its element behind without it. On SQLite and PostgreSQL.

use kinora_db::playlists::{NewElement, NewPlaylist, PlaylistFilter, PlaylistOrder, PlaylistRow};
use kinora_db::{Db, DbError, backend_tests};

/// An account and its channel; returns (account, channel).
async fn account(db: &Db, name: &str) -> (i64, i64) {
    let mut ids = Vec::new();
    for (kind, actor_name) in [
        ("Person", name.to_owned()),
        ("Group", format!("{name}_channel")),
    ] {
        let (actor,): (i64,) = sqlx::query_as(
            "INSERT INTO actors (kind, preferred_username, created_at, updated_at) \
             VALUES ($1, $2, 1, 1) RETURNING id",
        )
        .bind(kind)
        .bind(&actor_name)
        .fetch_one(db.pool())
        .await
        .unwrap();
        ids.push(actor);
    }
    let (account,): (i64,) = sqlx::query_as(
        "INSERT INTO accounts (actor_id, display_name, created_at, updated_at) \
         VALUES ($1, $2, 1, 1) RETURNING id",
    )
    .bind(ids[0])
    .bind(name)
    .fetch_one(db.pool())
    .await
    .unwrap();
    let (channel,): (i64,) = sqlx::query_as(
        "INSERT INTO channels (actor_id, account_id, display_name, created_at, updated_at) \
         VALUES ($1, $2, $3, 1, 1) RETURNING id",
    )
    .bind(ids[1])
    .bind(account)
    .bind(name)
    .fetch_one(db.pool())
    .await
    .unwrap();
    (account, channel)
}

/// A video in `channel`.
async fn video(db: &Db, channel: i64, name: &str) -> i64 {
    let uuid = uuid::Uuid::new_v4().simple().to_string();
    let mut tx = db.begin().await.unwrap();
    let new = kinora_db::videos::NewVideo {
        name,
        ..kinora_db::testing::sample_video(&uuid, &uuid[..22], channel)
    };
    let id = kinora_db::videos::insert(&mut tx, &new, 1).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn playlist(
    db: &Db,
    account: i64,
    channel: Option<i64>,
    name: &str,
    privacy: i64,
    kind: i64,
) -> i64 {
    let uuid = uuid::Uuid::new_v4().to_string();
    let short = format!("s{}", &uuid[..20]);
    let mut tx = db.begin().await.unwrap();
    let id = kinora_db::playlists::insert(
        &mut tx,
        &NewPlaylist {
            uuid: &uuid,
            short_uuid: &short,
            account_id: account,
            channel_id: channel,
            display_name: name,
            description: None,
            privacy,
            kind,
            url: None,
            remote_thumbnail_url: None,
            remote_total: None,
        },
        10,
    )
    .await
    .map_err(|e| e.to_string());
    match id {
        Ok(id) => {
            tx.commit().await.unwrap();
            id
        }
        Err(message) => panic!("{message}"),
    }
}

async fn append(db: &Db, playlist: i64, video: i64) -> i64 {
    let mut tx = db.begin().await.unwrap();
    assert!(
        kinora_db::playlists::lock(&mut tx, playlist, 20)
            .await
            .unwrap()
    );
    let id = kinora_db::playlists::append(
        &mut tx,
        playlist,
        &NewElement {
            video_id: video,
            start_timestamp: None,
            stop_timestamp: Some(3),
            url: None,
        },
        20,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The element ids of the playlist in order, with their positions checked dense from 1.
async fn order(db: &Db, playlist: i64) -> Vec<i64> {
    let (rows, total) = kinora_db::playlists::list_elements(db.pool(), playlist, 0, 100)
        .await
        .unwrap();
    assert_eq!(total as usize, rows.len());
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row.position, index as i64 + 1, "{rows:?}");
    }
    rows.into_iter().map(|row| row.id).collect()
}

async fn names(db: &Db, filter: &PlaylistFilter) -> (i64, Vec<String>) {
    let (rows, total) =
        kinora_db::playlists::list(db.pool(), filter, PlaylistOrder::DisplayName(false), 0, 50)
            .await
            .unwrap();
    (
        total,
        rows.into_iter()
            .map(|r: PlaylistRow| r.display_name)
            .collect(),
    )
}

backend_tests! {
    async fn one_watch_later_per_account(db: Db) {
        let (alice, _) = account(&db, "alice").await;
        playlist(&db, alice, None, "Watch later", 3, 2).await;
        let mut tx = db.begin().await.unwrap();
        let second = kinora_db::playlists::insert(
            &mut tx,
            &NewPlaylist {
                uuid: "00000000-0000-4000-8000-000000000001",
                short_uuid: "second",
                account_id: alice,
                channel_id: None,
                display_name: "Watch later",
                description: None,
                privacy: 3,
                kind: 2,
                url: None,
                remote_thumbnail_url: None,
                remote_total: None,
            },
            10,
        )
        .await;
        assert!(matches!(second, Err(DbError::Conflict(_))), "{second:?}");
        drop(tx);
        let found = kinora_db::playlists::find_watch_later(db.pool(), alice).await.unwrap();
        assert_eq!(found.unwrap().kind, 2);
        // Regular playlists are not limited.
        playlist(&db, alice, None, "one", 3, 1).await;
        playlist(&db, alice, None, "two", 3, 1).await;
    }

    async fn elements_keep_dense_positions_through_removals_and_reorders(db: Db) {
        let (alice, channel) = account(&db, "alice").await;
        let list = playlist(&db, alice, Some(channel), "mine", 1, 1).await;
        let mut elements = Vec::new();
        for n in 0..5 {
            let video = video(&db, channel, &format!("video{n}")).await;
            elements.push(append(&db, list, video).await);
        }
        let [a, b, c, d, e] = elements[..] else { unreachable!() };
        assert_eq!(order(&db, list).await, vec![a, b, c, d, e]);

        // Move d, e (positions 4-5) to the front.
        let mut tx = db.begin().await.unwrap();
        kinora_db::playlists::reorder(&mut tx, list, 4, 0, 2, 30).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(order(&db, list).await, vec![d, e, a, b, c]);

        // Move d (position 1) after c (position 5).
        let mut tx = db.begin().await.unwrap();
        kinora_db::playlists::reorder(&mut tx, list, 1, 5, 1, 31).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(order(&db, list).await, vec![e, a, b, c, d]);

        // A move onto itself changes nothing.
        let mut tx = db.begin().await.unwrap();
        kinora_db::playlists::reorder(&mut tx, list, 2, 2, 2, 32).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(order(&db, list).await, vec![e, a, b, c, d]);

        // Removing b closes the gap.
        let element = kinora_db::playlists::find_element(db.pool(), list, b).await.unwrap().unwrap();
        assert_eq!(element.stop_timestamp, Some(3));
        let mut tx = db.begin().await.unwrap();
        kinora_db::playlists::remove_element(&mut tx, &element).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(order(&db, list).await, vec![e, a, c, d]);
        // An element of another playlist is not found through this one.
        let other = playlist(&db, alice, None, "other", 3, 1).await;
        assert!(kinora_db::playlists::find_element(db.pool(), other, a).await.unwrap().is_none());
        let counts = kinora_db::playlists::element_counts(db.pool(), &[list, other]).await.unwrap();
        assert_eq!(counts.get(&list), Some(&4));
        assert_eq!(counts.get(&other), None);
    }

    async fn lists_show_public_playlists_in_a_channel_unless_all_are_asked(db: Db) {
        let (alice, channel) = account(&db, "alice").await;
        let (bob, bob_channel) = account(&db, "bob").await;
        playlist(&db, alice, Some(channel), "Alice public", 1, 1).await;
        playlist(&db, alice, Some(channel), "Alice unlisted", 2, 1).await;
        playlist(&db, alice, None, "Alice private", 3, 1).await;
        playlist(&db, alice, None, "Watch later", 3, 2).await;
        playlist(&db, bob, Some(bob_channel), "Bob public", 1, 1).await;

        let everyone = PlaylistFilter::default();
        assert_eq!(names(&db, &everyone).await, (2, vec!["Alice public".into(), "Bob public".into()]));
        let alice_own = PlaylistFilter { account_id: Some(alice), all_privacies: true, ..PlaylistFilter::default() };
        assert_eq!(names(&db, &alice_own).await.0, 4);
        let watch_later = PlaylistFilter { kind: Some(2), ..alice_own.clone() };
        assert_eq!(names(&db, &watch_later).await, (1, vec!["Watch later".into()]));
        let searched = PlaylistFilter { search: Some("BOB".into()), ..PlaylistFilter::default() };
        assert_eq!(names(&db, &searched).await, (1, vec!["Bob public".into()]));
        let wildcard = PlaylistFilter { search: Some("%".into()), ..PlaylistFilter::default() };
        assert_eq!(names(&db, &wildcard).await.0, 0);
        let of_channel = PlaylistFilter { channel_id: Some(bob_channel), ..PlaylistFilter::default() };
        assert_eq!(names(&db, &of_channel).await, (1, vec!["Bob public".into()]));
        let local = PlaylistFilter { host: Some(None), ..PlaylistFilter::default() };
        assert_eq!(names(&db, &local).await.0, 2);
        let remote = PlaylistFilter { host: Some(Some("elsewhere.example".into())), ..PlaylistFilter::default() };
        assert_eq!(names(&db, &remote).await.0, 0);
    }

    async fn videos_exist_and_deleted_videos_leave_their_element(db: Db) {
        let (alice, channel) = account(&db, "alice").await;
        let (bob, _) = account(&db, "bob").await;
        let first = video(&db, channel, "first").await;
        let second = video(&db, channel, "second").await;
        let mine = playlist(&db, alice, None, "mine", 3, 1).await;
        let theirs = playlist(&db, bob, None, "theirs", 3, 1).await;
        let element = append(&db, mine, first).await;
        append(&db, theirs, first).await;
        append(&db, theirs, second).await;
        let found = kinora_db::playlists::videos_in_playlists_of(db.pool(), alice, &[first, second])
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].video_id, found[0].element_id, found[0].playlist_id), (first, element, mine));
        assert_eq!(found[0].display_name, "mine");

        assert!(kinora_db::videos::delete(db.pool(), first).await.unwrap());
        let (rows, total) = kinora_db::playlists::list_elements(db.pool(), mine, 0, 10).await.unwrap();
        assert_eq!(total, 1);
        assert_eq!(rows[0].video_id, None);
        // Deleting the playlist takes its elements.
        let mut tx = db.begin().await.unwrap();
        kinora_db::playlists::delete(&mut tx, mine).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(kinora_db::playlists::count_elements(db.pool(), mine).await.unwrap(), 0);
        assert!(kinora_db::playlists::find_by_id(db.pool(), mine).await.unwrap().is_none());
    }
}
