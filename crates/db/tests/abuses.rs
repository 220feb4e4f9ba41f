//! Abuse reports and their messages on SQLite and PostgreSQL: inserting, each filter of the
//! moderators' list (with `videoIs` deleted and blocked), the counts next to a report, state
//! changes, the reporter's hourly count, and what deleting the reported video or the report
//! leaves.

use kinora_db::abuses::{AbuseFilter, AbuseOrder, AbusePage, NewAbuse};
use kinora_db::channels::NewChannel;
use kinora_db::testing::sample_video;
use kinora_db::{Db, backend_tests};

/// A local account named `name` (no user) with a channel; answers (account, channel).
async fn account(db: &Db, name: &str, display_name: &str) -> (i64, i64) {
    let mut tx = db.begin().await.unwrap();
    let actor = kinora_db::actors::insert_local_actor(&mut tx, "Person", name, 1)
        .await
        .unwrap();
    let account = kinora_db::accounts::insert(&mut tx, actor, None, display_name, 1)
        .await
        .unwrap();
    let channel_actor =
        kinora_db::actors::insert_local_actor(&mut tx, "Group", &format!("{name}_channel"), 1)
            .await
            .unwrap();
    let channel = kinora_db::channels::insert(
        &mut tx,
        &NewChannel {
            actor_id: channel_actor,
            account_id: account,
            display_name: name,
            description: None,
            support: None,
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (account, channel)
}

async fn video(db: &Db, channel: i64, uuid: &str, name: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = kinora_db::videos::insert(
        &mut tx,
        &kinora_db::videos::NewVideo {
            name,
            ..sample_video(uuid, name, channel)
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn report(db: &Db, abuse: NewAbuse<'_>, at: i64) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = kinora_db::abuses::insert(&mut tx, &abuse, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn page() -> AbusePage {
    AbusePage {
        order: AbuseOrder::Id,
        descending: false,
        start: 0,
        count: 100,
    }
}

async fn ids(db: &Db, filter: AbuseFilter<'_>) -> Vec<i64> {
    let (total, rows) = kinora_db::abuses::list(db.pool(), &filter, page())
        .await
        .unwrap();
    assert_eq!(total as usize, rows.len());
    rows.iter().map(|row| row.id).collect()
}

backend_tests! {
    async fn reports_are_filtered_counted_and_outlive_their_video(db: Db) {
        let (reporter, _) = account(&db, "reporter", "Rita Reporter").await;
        let (other, _) = account(&db, "other", "Otto").await;
        let (owner, channel) = account(&db, "owner", "Olga Owner").await;
        let cat = video(&db, channel, "0a0a0a0a-0000-4000-8000-000000000001", "Cat video").await;
        let dog = video(&db, channel, "0a0a0a0a-0000-4000-8000-000000000002", "Dog video").await;
        let spam = kinora_core::abuse::reason_bit(3);
        let first = report(&db, NewAbuse {
            reporter_account_id: reporter,
            flagged_account_id: Some(owner),
            object_kind: "video",
            video_id: Some(cat),
            video_uuid: Some("0a0a0a0a-0000-4000-8000-000000000001"),
            video_name: Some("Cat video"),
            start_at: Some(3),
            end_at: Some(9),
            reason: "Spam in the middle",
            predefined_reasons: spam,
            ..NewAbuse::default()
        }, 1_000).await;
        let second = report(&db, NewAbuse {
            reporter_account_id: other,
            flagged_account_id: Some(owner),
            object_kind: "video",
            video_id: Some(cat),
            reason: "Also bad",
            ..NewAbuse::default()
        }, 2_000).await;
        let third = report(&db, NewAbuse {
            reporter_account_id: reporter,
            flagged_account_id: Some(other),
            object_kind: "account",
            reason: "Rude profile",
            flag_url: Some("https://remote.example/flags/1"),
            ..NewAbuse::default()
        }, 3_000).await;
        let fourth = report(&db, NewAbuse {
            reporter_account_id: other,
            flagged_account_id: Some(owner),
            object_kind: "video",
            video_id: Some(dog),
            reason: "Barking",
            ..NewAbuse::default()
        }, 4_000).await;

        let row = kinora_db::abuses::find_by_id(db.pool(), first).await.unwrap().unwrap();
        assert_eq!((row.state, row.start_at, row.end_at), (1, Some(3), Some(9)));
        assert_eq!(row.predefined_reasons, spam);
        assert_eq!((row.video_reports, row.video_nth), (2, 1));
        assert_eq!((row.reporter_reports, row.flagged_reports), (2, 3));
        let row = kinora_db::abuses::find_by_id(db.pool(), second).await.unwrap().unwrap();
        assert_eq!((row.video_reports, row.video_nth), (2, 2));

        let all = AbuseFilter::default();
        assert_eq!(ids(&db, all).await, vec![first, second, third, fourth]);
        assert_eq!(ids(&db, AbuseFilter { id: Some(third), ..all }).await, vec![third]);
        assert_eq!(ids(&db, AbuseFilter { object_kind: Some("account"), ..all }).await, vec![third]);
        assert_eq!(ids(&db, AbuseFilter { reporter_account_id: Some(reporter), ..all }).await, vec![first, third]);
        assert_eq!(ids(&db, AbuseFilter { predefined_reason_bit: Some(spam), ..all }).await, vec![first]);
        assert_eq!(ids(&db, AbuseFilter { search: Some("CAT"), ..all }).await, vec![first, second]);
        assert_eq!(ids(&db, AbuseFilter { search: Some("rude"), ..all }).await, vec![third]);
        assert_eq!(ids(&db, AbuseFilter { search_reporter: Some("rita"), ..all }).await, vec![first, third]);
        assert_eq!(ids(&db, AbuseFilter { search_reportee: Some("otto"), ..all }).await, vec![third]);
        assert_eq!(ids(&db, AbuseFilter { search_video: Some("dog"), ..all }).await, vec![fourth]);
        // LIKE wildcards are plain text.
        assert!(ids(&db, AbuseFilter { search: Some("%"), ..all }).await.is_empty());

        // State changes: processed once, comment kept when not given.
        let mut tx = db.begin().await.unwrap();
        assert!(kinora_db::abuses::update(&mut tx, first, Some(3), Some("Removed it"), 5_000).await.unwrap());
        assert!(kinora_db::abuses::update(&mut tx, first, Some(2), None, 6_000).await.unwrap());
        assert!(!kinora_db::abuses::update(&mut tx, 9_999, Some(2), None, 6_000).await.unwrap());
        tx.commit().await.unwrap();
        let row = kinora_db::abuses::find_by_id(db.pool(), first).await.unwrap().unwrap();
        assert_eq!(row.state, 2);
        assert_eq!(row.moderation_comment.as_deref(), Some("Removed it"));
        assert_eq!((row.processed_at, row.updated_at), (Some(5_000), 6_000));
        assert_eq!(ids(&db, AbuseFilter { state: Some(2), ..all }).await, vec![first]);
        assert_eq!(ids(&db, AbuseFilter { state: Some(1), ..all }).await, vec![second, third, fourth]);

        // Sorting and paging.
        let (total, rows) = kinora_db::abuses::list(db.pool(), &all, AbusePage {
            order: AbuseOrder::CreatedAt, descending: true, start: 1, count: 2,
        }).await.unwrap();
        assert_eq!(total, 4);
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![third, second]);

        // The reporter's recent reports.
        let (recent, oldest) = kinora_db::abuses::count_recent_by_reporter(db.pool(), reporter, 500).await.unwrap();
        assert_eq!((recent, oldest), (2, Some(1_000)));
        let (recent, _) = kinora_db::abuses::count_recent_by_reporter(db.pool(), reporter, 1_000).await.unwrap();
        assert_eq!(recent, 1);

        // Messages.
        let mut tx = db.begin().await.unwrap();
        let m1 = kinora_db::abuses::insert_message(&mut tx, first, reporter, "Any news?", false, 7_000).await.unwrap();
        let m2 = kinora_db::abuses::insert_message(&mut tx, first, owner, "Looking", true, 8_000).await.unwrap();
        tx.commit().await.unwrap();
        let messages = kinora_db::abuses::list_messages(db.pool(), first).await.unwrap();
        assert_eq!(messages.iter().map(|m| (m.id, m.by_moderator)).collect::<Vec<_>>(), vec![(m1, 0), (m2, 1)]);
        assert!(kinora_db::abuses::find_message(db.pool(), second, m1).await.unwrap().is_none());
        let row = kinora_db::abuses::find_by_id(db.pool(), first).await.unwrap().unwrap();
        assert_eq!(row.count_messages, 2);

        // Blocking the dog video: only its report is of a blocked video.
        assert!(ids(&db, AbuseFilter { video_blocked: true, ..all }).await.is_empty());
        let mut tx = db.begin().await.unwrap();
        kinora_db::video_blacklist::insert(&mut tx, &kinora_db::video_blacklist::NewBlock {
            video_id: dog,
            reason: None,
            unfederated: false,
            kind: kinora_db::video_blacklist::BlockKind::Manual,
        }, 7_500).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ids(&db, AbuseFilter { video_blocked: true, ..all }).await, vec![fourth]);
        assert_eq!(ids(&db, AbuseFilter { video_blocked: true, state: Some(2), ..all }).await, Vec::<i64>::new());

        // Deleting the video keeps the report and what it said about the video.
        let mut tx = db.begin().await.unwrap();
        assert!(kinora_db::videos::delete(&mut *tx, cat).await.unwrap());
        tx.commit().await.unwrap();
        let row = kinora_db::abuses::find_by_id(db.pool(), first).await.unwrap().unwrap();
        assert_eq!(row.video_id, None);
        assert_eq!(row.video_name.as_deref(), Some("Cat video"));
        assert_eq!(ids(&db, AbuseFilter { video_deleted: true, ..all }).await, vec![first, second]);
        assert_eq!(ids(&db, AbuseFilter { search: Some("cat"), ..all }).await, vec![first]);

        // Deleting a report takes its messages.
        let mut tx = db.begin().await.unwrap();
        assert!(kinora_db::abuses::delete(&mut tx, first).await.unwrap());
        assert!(!kinora_db::abuses::delete(&mut tx, first).await.unwrap());
        tx.commit().await.unwrap();
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM abuse_messages")
            .fetch_one(db.pool()).await.unwrap();
        assert_eq!(left, 0);
    }
}
