//! Mutes in the database (`kinora_db::blocklists`): one per owner and target, listed and removed
//! by owner; video lists, the subscription feed, comment threads and replies leave out what the
//! viewer or the instance muted; the inbox's lookup finds a muted server or account by any of
//! its actors' URLs; an instance mute removes its follows. On SQLite and PostgreSQL.

use kinora_db::blocklists::{self, MuteOwner};
use kinora_db::comments::{NewComment, ThreadOrder};
use kinora_db::video_lists::{VideoFilter, VideoOrder, VideoPage};
use kinora_db::{Db, DbError, backend_tests};

/// An account and its channel (remote when `host` is given); returns (account, channel).
async fn account(db: &Db, name: &str, host: Option<&str>) -> (i64, i64) {
    let mut ids = Vec::new();
    for (kind, actor_name) in [
        ("Person", name.to_owned()),
        ("Group", format!("{name}_channel")),
    ] {
        let path = if kind == "Person" {
            "accounts"
        } else {
            "video-channels"
        };
        let url = host.map(|host| format!("http://{host}/{path}/{actor_name}"));
        let (actor,): (i64,) = sqlx::query_as(
            "INSERT INTO actors (kind, preferred_username, host, url, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, 1) RETURNING id",
        )
        .bind(kind)
        .bind(&actor_name)
        .bind(host)
        .bind(url)
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

/// A published public video in `channel`.
async fn video(db: &Db, channel: i64, name: &str) -> i64 {
    let uuid = uuid_like(name);
    let mut tx = db.begin().await.unwrap();
    let new = kinora_db::videos::NewVideo {
        name,
        ..kinora_db::testing::sample_video(&uuid, &uuid[..8], channel)
    };
    let id = kinora_db::videos::insert(&mut tx, &new, 1).await.unwrap();
    let publication = kinora_db::testing::sample_publication();
    assert!(
        kinora_db::videos::publish(&mut tx, id, &publication, 2)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    id
}

fn uuid_like(name: &str) -> String {
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex:0<32}")
}

/// A comment by `author` on `video` (a reply when `thread` is given).
async fn comment(db: &Db, video: i64, author: i64, thread: Option<i64>) -> i64 {
    let mut connection = db.pool().acquire().await.unwrap();
    let new = NewComment {
        video_id: video,
        account_id: author,
        thread_id: thread,
        in_reply_to_id: thread,
        text: "hello",
        held_for_review: false,
    };
    kinora_db::comments::insert(&mut connection, &new, 5)
        .await
        .unwrap()
        .id
}

const PAGE: VideoPage = VideoPage {
    order: VideoOrder::PublishedAt,
    descending: true,
    start: 0,
    count: 50,
};

/// The names of the public videos listed for `muted_by` (and how many it counts).
async fn listed(db: &Db, muted_by: Option<i64>) -> (i64, Vec<String>) {
    let filter = VideoFilter {
        muted_by,
        ..VideoFilter::default()
    };
    let (total, rows) = kinora_db::video_lists::list(db.pool(), &filter, PAGE)
        .await
        .unwrap();
    let mut names: Vec<String> = rows.into_iter().map(|row| row.name).collect();
    names.sort();
    (total, names)
}

backend_tests! {
    async fn mutes_are_one_per_owner_and_target(db: Db) {
        let (alice, _) = account(&db, "alice", None).await;
        let (bob, _) = account(&db, "bob", None).await;
        let mine = MuteOwner::Account(alice);
        let mut tx = db.begin().await.unwrap();
        blocklists::insert_account(&mut tx, mine, alice, bob, 10).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let again = blocklists::insert_account(&mut tx, mine, alice, bob, 11).await;
        assert!(matches!(again, Err(DbError::Conflict(_))), "{again:?}");
        drop(tx);
        // The instance's mute of the same account is another row; it is one per target too.
        let mut tx = db.begin().await.unwrap();
        blocklists::insert_account(&mut tx, MuteOwner::Instance, alice, bob, 12).await.unwrap();
        blocklists::insert_server(&mut tx, mine, alice, "b.example", 13).await.unwrap();
        blocklists::insert_server(&mut tx, MuteOwner::Instance, alice, "b.example", 14).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let again = blocklists::insert_server(&mut tx, MuteOwner::Instance, bob, "b.example", 15).await;
        assert!(matches!(again, Err(DbError::Conflict(_))), "{again:?}");
        drop(tx);

        let (total, rows) = blocklists::list_accounts(db.pool(), mine, true, 0, 10).await.unwrap();
        assert_eq!((total, rows.len()), (1, 1));
        assert_eq!((rows[0].owner_account_id, rows[0].target_account_id), (Some(alice), bob));
        let (total, rows) = blocklists::list_servers(db.pool(), MuteOwner::Instance, true, 0, 10).await.unwrap();
        assert_eq!((total, rows[0].host.as_str(), rows[0].owner_account_id), (1, "b.example", None));
        assert!(blocklists::mutes_account(db.pool(), MuteOwner::Instance, bob).await.unwrap());
        assert!(!blocklists::mutes_account(db.pool(), MuteOwner::Account(bob), alice).await.unwrap());
        assert_eq!(blocklists::muting_account_of_user(db.pool(), 1).await.unwrap(), None);

        assert!(blocklists::delete_account(db.pool(), mine, bob).await.unwrap());
        assert!(!blocklists::delete_account(db.pool(), mine, bob).await.unwrap());
        // The instance's stays.
        assert!(blocklists::mutes_account(db.pool(), MuteOwner::Instance, bob).await.unwrap());
        assert!(blocklists::delete_server(db.pool(), mine, "b.example").await.unwrap());
        assert!(!blocklists::mutes_server(db.pool(), mine, "b.example").await.unwrap());
        assert!(blocklists::mutes_server(db.pool(), MuteOwner::Instance, "b.example").await.unwrap());
    }

    async fn lists_and_threads_leave_out_what_is_muted(db: Db) {
        let (alice, _) = account(&db, "alice", None).await;
        let (dave, dave_channel) = account(&db, "dave", None).await;
        let (bob, bob_channel) = account(&db, "bob", None).await;
        let (carol, carol_channel) = account(&db, "carol", Some("c.example:9000")).await;
        video(&db, bob_channel, "bob video").await;
        video(&db, carol_channel, "carol video").await;
        let daves = video(&db, dave_channel, "dave video").await;
        let all = vec!["bob video".to_owned(), "carol video".into(), "dave video".into()];
        assert_eq!(listed(&db, None).await, (3, all.clone()));

        let mut tx = db.begin().await.unwrap();
        blocklists::insert_account(&mut tx, MuteOwner::Account(alice), alice, bob, 1).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(listed(&db, Some(alice)).await, (2, vec!["carol video".into(), "dave video".into()]));
        assert_eq!(listed(&db, Some(dave)).await, (3, all.clone()), "another user still sees it");
        let mut tx = db.begin().await.unwrap();
        blocklists::insert_server(&mut tx, MuteOwner::Account(alice), alice, "c.example:9000", 2).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(listed(&db, Some(alice)).await, (1, vec!["dave video".into()]));

        // The subscription feed: alice follows bob's and carol's channels.
        for channel in [bob_channel, carol_channel, dave_channel] {
            sqlx::query("INSERT INTO subscriptions (account_id, channel_id, created_at) VALUES ($1, $2, 1)")
                .bind(alice).bind(channel).execute(db.pool()).await.unwrap();
        }
        let feed = VideoFilter {
            subscriber_account_id: Some(alice),
            muted_by: Some(alice),
            ..VideoFilter::default()
        };
        let (total, rows) = kinora_db::video_lists::list(db.pool(), &feed, PAGE).await.unwrap();
        assert_eq!((total, rows.len(), rows[0].name.as_str()), (1, 1, "dave video"));

        // Threads and replies on dave's video.
        let bobs_thread = comment(&db, daves, bob, None).await;
        let daves_thread = comment(&db, daves, dave, None).await;
        comment(&db, daves, carol, Some(daves_thread)).await;
        comment(&db, daves, dave, Some(daves_thread)).await;
        let threads = |viewer| {
            let db = db.clone();
            async move {
                let mut connection = db.pool().acquire().await.unwrap();
                let (total, _, rows) = kinora_db::comments::list_threads(
                    &mut connection, daves, viewer, kinora_db::comments::HeldShown::None, ThreadOrder::OldestFirst, 0, 10,
                ).await.unwrap();
                (total, rows.iter().map(|t| t.comment.id).collect::<Vec<_>>())
            }
        };
        assert_eq!(threads(alice).await, (1, vec![daves_thread]));
        assert_eq!(threads(dave).await, (2, vec![bobs_thread, daves_thread]));
        assert_eq!(threads(0).await.0, 2);
        let replies = kinora_db::comments::list_replies(db.pool(), daves_thread, alice, kinora_db::comments::HeldShown::None, 10).await.unwrap();
        assert_eq!(replies.len(), 1, "carol's reply is hidden from alice");
        let replies = kinora_db::comments::list_replies(db.pool(), daves_thread, dave, kinora_db::comments::HeldShown::None, 10).await.unwrap();
        assert_eq!(replies.len(), 2);
        assert!(blocklists::hides_account(db.pool(), bob, alice).await.unwrap());
        assert!(!blocklists::hides_account(db.pool(), bob, dave).await.unwrap());

        // The instance's mute hides carol from everyone, anonymous viewers included.
        let mut tx = db.begin().await.unwrap();
        blocklists::insert_account(&mut tx, MuteOwner::Instance, dave, carol, 3).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(listed(&db, None).await, (2, vec!["bob video".into(), "dave video".into()]));
        let replies = kinora_db::comments::list_replies(db.pool(), daves_thread, 0, kinora_db::comments::HeldShown::None, 10).await.unwrap();
        assert_eq!(replies.len(), 1);
        assert!(blocklists::hides_account(db.pool(), carol, 0).await.unwrap());
    }

    async fn instance_mutes_are_found_by_actor_url_and_remove_follows(db: Db) {
        let (dave, dave_channel) = account(&db, "dave", None).await;
        let (carol, _) = account(&db, "carol", Some("c.example")).await;
        account(&db, "erin", Some("c.example")).await;
        let carol_person = "http://c.example/accounts/carol";
        let carol_group = "http://c.example/video-channels/carol_channel";
        let erin = "http://c.example/accounts/erin";
        for url in [carol_person, carol_group, erin] {
            assert!(!blocklists::instance_mutes_actor(db.pool(), url, "c.example").await.unwrap());
        }
        // Carol's actors follow dave's channel.
        let (dave_channel_actor,): (i64,) = sqlx::query_as("SELECT actor_id FROM channels WHERE id = $1")
            .bind(dave_channel).fetch_one(db.pool()).await.unwrap();
        sqlx::query("INSERT INTO actor_follows (follower_id, following_id, state, created_at, updated_at) \
                     SELECT id, $1, 'accepted', 1, 1 FROM actors WHERE host = 'c.example'")
            .bind(dave_channel_actor).execute(db.pool()).await.unwrap();
        let follows = |db: Db| async move {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM actor_follows").fetch_one(db.pool()).await.unwrap();
            n
        };
        assert_eq!(follows(db.clone()).await, 4);

        let mut tx = db.begin().await.unwrap();
        blocklists::insert_account(&mut tx, MuteOwner::Instance, dave, carol, 1).await.unwrap();
        assert_eq!(blocklists::remove_follows_by_account(&mut tx, carol).await.unwrap(), 2);
        tx.commit().await.unwrap();
        assert!(blocklists::instance_mutes_actor(db.pool(), carol_person, "c.example").await.unwrap());
        assert!(blocklists::instance_mutes_actor(db.pool(), carol_group, "c.example").await.unwrap());
        assert!(!blocklists::instance_mutes_actor(db.pool(), erin, "c.example").await.unwrap());
        // A user's mute is no business of the inbox.
        let mut tx = db.begin().await.unwrap();
        blocklists::insert_server(&mut tx, MuteOwner::Account(dave), dave, "c.example", 2).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!blocklists::instance_mutes_actor(db.pool(), erin, "c.example").await.unwrap());

        let mut tx = db.begin().await.unwrap();
        blocklists::insert_server(&mut tx, MuteOwner::Instance, dave, "c.example", 3).await.unwrap();
        assert_eq!(blocklists::remove_follows_by_host(&mut tx, "c.example").await.unwrap(), 2);
        tx.commit().await.unwrap();
        assert_eq!(follows(db.clone()).await, 0);
        for url in [erin, "http://c.example/accounts/unknown"] {
            assert!(blocklists::instance_mutes_actor(db.pool(), url, "c.example").await.unwrap());
        }
        assert!(!blocklists::instance_mutes_actor(db.pool(), "http://d.example/a", "d.example").await.unwrap());
    }
}
