//! Video blocks and user bans against real SQLite and PostgreSQL databases: the
//! `video_blacklist` rows, what lists and the visibility rule leave out, the list version, the
//! federation events a block queues, and PeerTube's rules on who may ban whom.

use kinora_app::auth::{self, AuthenticatedUser};
use kinora_app::moderation::{self, BlockRequest};
use kinora_app::users::{self, NewUserInput, UserOrigin};
use kinora_app::visibility::{can_federate, can_view};
use kinora_app::{AppError, AuthConfig, InstanceConfig, user_bans};
use kinora_core::UserRole;
use kinora_db::video_blacklist::{BlockKind, BlockOrder, BlockQuery, NewBlock};
use kinora_db::video_lists::{VideoOrder, VideoPage};
use kinora_db::videos::VideoRow;
use kinora_db::{Db, backend_tests};

async fn user(db: &Db, name: &str, role: UserRole) -> (AuthenticatedUser, i64) {
    let created = users::create_user(
        db,
        &InstanceConfig::default(),
        NewUserInput {
            username: name.to_owned(),
            email: format!("{name}@example.com"),
            password: "secret-password".to_owned(),
            role,
            display_name: None,
        },
        UserOrigin::Admin,
    )
    .await
    .unwrap();
    let (pair, _) = auth::password_grant(db, &AuthConfig::default(), name, "secret-password")
        .await
        .unwrap();
    let user = auth::authenticate(db, &pair.access_token).await.unwrap();
    (user, created.channel_id)
}

/// A published public video in `channel`.
async fn video(db: &Db, channel: i64, name: &str) -> VideoRow {
    let uuid = uuid::Uuid::new_v4();
    let uuid_text = uuid.to_string();
    let short = kinora_core::video::short_uuid(&uuid);
    let mut tx = db.begin().await.unwrap();
    let new = kinora_db::videos::NewVideo {
        name,
        ..kinora_db::testing::sample_video(&uuid_text, &short, channel)
    };
    let id = kinora_db::videos::insert(&mut tx, &new, 1).await.unwrap();
    let publication = kinora_db::testing::sample_publication();
    assert!(
        kinora_db::videos::publish(&mut tx, id, &publication, 2)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    kinora_db::videos::find_by_id(db.pool(), id)
        .await
        .unwrap()
        .unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

const PAGE: VideoPage = VideoPage {
    order: VideoOrder::PublishedAt,
    descending: true,
    start: 0,
    count: 100,
};

async fn listed(db: &Db, video: &VideoRow) -> bool {
    let (total, rows) = kinora_db::video_lists::list_public(db.pool(), PAGE)
        .await
        .unwrap();
    let found = rows.iter().any(|row| row.id == video.id);
    assert_eq!(total as usize, rows.len());
    found
}

fn request(reason: Option<&str>, unfederate: bool) -> BlockRequest {
    BlockRequest {
        reason: reason.map(str::to_owned),
        unfederate,
    }
}

backend_tests! {
    async fn block_rows_are_written_found_listed_and_removed(db: Db) {
        let (_, channel) = user(&db, "alice", UserRole::User).await;
        let first = video(&db, channel, "First cat").await;
        let second = video(&db, channel, "Second dog").await;
        let version = kinora_db::video_lists::version(db.pool()).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let manual = NewBlock { video_id: first.id, reason: Some("spam"), unfederated: true, kind: BlockKind::Manual };
        kinora_db::video_blacklist::insert(&mut tx, &manual, 10).await.unwrap();
        let auto = NewBlock { video_id: second.id, reason: None, unfederated: false, kind: BlockKind::Automatic };
        kinora_db::video_blacklist::insert(&mut tx, &auto, 20).await.unwrap();
        tx.commit().await.unwrap();
        assert!(kinora_db::video_lists::version(db.pool()).await.unwrap() > version, "blocking moves the list version");

        let mut tx = db.begin().await.unwrap();
        let again = kinora_db::video_blacklist::insert(&mut tx, &manual, 30).await;
        assert!(matches!(again, Err(kinora_db::DbError::Conflict(_))), "{again:?}");
        drop(tx);

        let row = kinora_db::video_blacklist::find_by_video(db.pool(), first.id).await.unwrap().unwrap();
        assert_eq!((row.reason.as_deref(), row.unfederated, row.kind, row.created_at), (Some("spam"), 1, 1, 10));
        let query = |kind, search| BlockQuery { kind, search, order: BlockOrder::Name, descending: false, start: 0, count: 10 };
        let (total, page) = kinora_db::video_blacklist::list(db.pool(), &query(None, None)).await.unwrap();
        assert_eq!(total, 2);
        assert_eq!(page.iter().map(|(_, v)| v.name.as_str()).collect::<Vec<_>>(), ["First cat", "Second dog"]);
        let (total, page) = kinora_db::video_blacklist::list(db.pool(), &query(Some(BlockKind::Automatic), None)).await.unwrap();
        assert_eq!((total, page[0].1.id), (1, second.id));
        let (total, page) = kinora_db::video_blacklist::list(db.pool(), &query(None, Some("CAT"))).await.unwrap();
        assert_eq!((total, page[0].0.id), (1, row.id));
        let (total, _) = kinora_db::video_blacklist::list(db.pool(), &query(None, Some("%"))).await.unwrap();
        assert_eq!(total, 0, "wildcards are searched as text");

        let mut tx = db.begin().await.unwrap();
        assert!(kinora_db::video_blacklist::set_reason(&mut tx, first.id, Some("other"), 40).await.unwrap());
        let removed = kinora_db::video_blacklist::delete(&mut tx, second.id).await.unwrap().unwrap();
        assert_eq!(removed.kind, 2);
        assert!(kinora_db::video_blacklist::delete(&mut tx, second.id).await.unwrap().is_none());
        assert!(!kinora_db::video_blacklist::set_reason(&mut tx, second.id, None, 40).await.unwrap());
        tx.commit().await.unwrap();
        let row = kinora_db::video_blacklist::find_by_video(db.pool(), first.id).await.unwrap().unwrap();
        assert_eq!((row.reason.as_deref(), row.updated_at), (Some("other"), 40));
        // A deleted video takes its block with it.
        kinora_db::videos::delete(db.pool(), first.id).await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_blacklist").await, 0);
    }

    async fn a_blocked_video_is_hidden_but_from_its_owner_and_staff(db: Db) {
        let (owner, channel) = user(&db, "owner", UserRole::User).await;
        let (stranger, _) = user(&db, "stranger", UserRole::User).await;
        let (moderator, _) = user(&db, "moderator", UserRole::Moderator).await;
        let shown = video(&db, channel, "Shown").await;
        let blocked = video(&db, channel, "Blocked").await;
        assert!(listed(&db, &blocked).await);

        let refused = moderation::block_video(&db, &owner, &blocked, &request(None, false)).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");
        let long = "x".repeat(301);
        let refused = moderation::block_video(&db, &moderator, &blocked, &request(Some(&long), false)).await;
        assert!(matches!(refused, Err(AppError::Invalid { field: "reason", .. })), "{refused:?}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_blacklist").await, 0);

        let hash = "ab".repeat(20);
        sqlx::query("INSERT INTO video_swarms (video_id, stream_swarm_id, info_hash) VALUES ($1, 'swarm', $2)")
            .bind(blocked.id)
            .bind(hash.as_str())
            .execute(db.pool())
            .await
            .unwrap();
        assert!(kinora_db::swarms::is_public(db.pool(), &hash).await.unwrap());
        moderation::block_video(&db, &moderator, &blocked, &request(Some("Not allowed here"), false)).await.unwrap();
        assert!(!kinora_db::swarms::is_public(db.pool(), &hash).await.unwrap(), "the tracker refuses its swarm");
        let twice = moderation::block_video(&db, &moderator, &blocked, &request(None, false)).await;
        assert!(matches!(twice, Err(AppError::Conflict(_))), "{twice:?}");
        assert!(!listed(&db, &blocked).await);
        assert!(listed(&db, &shown).await);
        assert!(!can_view(&db, &blocked, None).await.unwrap());
        assert!(!can_view(&db, &blocked, Some(&stranger)).await.unwrap());
        assert!(can_view(&db, &blocked, Some(&owner)).await.unwrap());
        assert!(can_view(&db, &blocked, Some(&moderator)).await.unwrap());
        // Without `unfederate` it stays federated; nothing is sent.
        assert!(can_federate(&db, &blocked).await.unwrap());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate'").await, 0);

        moderation::unblock_video(&db, &moderator, &blocked).await.unwrap();
        assert!(listed(&db, &blocked).await);
        assert!(can_view(&db, &blocked, None).await.unwrap());
        let missing = moderation::unblock_video(&db, &moderator, &blocked).await;
        assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
    }

    async fn unfederating_queues_the_change_and_holds_the_video_back(db: Db) {
        let (_, channel) = user(&db, "owner", UserRole::User).await;
        let (admin, _) = user(&db, "admin", UserRole::Admin).await;
        let local = video(&db, channel, "Local").await;
        moderation::block_video(&db, &admin, &local, &request(Some("Gone"), true)).await.unwrap();
        assert!(!can_federate(&db, &local).await.unwrap());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate'").await, 1);
        moderation::unblock_video(&db, &admin, &local).await.unwrap();
        assert!(can_federate(&db, &local).await.unwrap());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate'").await, 2);

        // A remote video cannot be unfederated (PeerTube: 409).
        sqlx::query("UPDATE videos SET url = 'https://remote.example/videos/watch/x' WHERE id = $1")
            .bind(local.id)
            .execute(db.pool())
            .await
            .unwrap();
        let remote = kinora_db::videos::find_by_id(db.pool(), local.id).await.unwrap().unwrap();
        let refused = moderation::block_video(&db, &admin, &remote, &request(None, true)).await;
        assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
    }

    async fn bans_follow_peertube_rules_and_hide_the_videos(db: Db) {
        let (admin, _) = user(&db, "admin", UserRole::Admin).await;
        let (moderator, _) = user(&db, "moderator", UserRole::Moderator).await;
        let (member, channel) = user(&db, "member", UserRole::User).await;
        let clip = video(&db, channel, "Clip").await;

        let own = user_bans::ban_user(&db, &admin, admin.user_id, None).await;
        assert!(matches!(own, Err(AppError::Unsupported { .. })), "{own:?}");
        let up = user_bans::ban_user(&db, &moderator, admin.user_id, None).await;
        assert!(matches!(up, Err(AppError::Forbidden(_))), "{up:?}");
        let by_user = user_bans::ban_user(&db, &member, moderator.user_id, None).await;
        assert!(matches!(by_user, Err(AppError::Forbidden(_))), "{by_user:?}");
        let short = user_bans::ban_user(&db, &admin, member.user_id, Some("x")).await;
        assert!(matches!(short, Err(AppError::Invalid { field: "reason", .. })), "{short:?}");
        let missing = user_bans::ban_user(&db, &admin, 9999, None).await;
        assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM users WHERE blocked <> 0").await, 0);

        user_bans::ban_user(&db, &moderator, member.user_id, Some("Spam everywhere")).await.unwrap();
        let row = kinora_db::users::find_by_id(db.pool(), member.user_id).await.unwrap().unwrap();
        assert_eq!((row.blocked, row.blocked_reason.as_deref()), (1, Some("Spam everywhere")));
        assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM oauth_tokens WHERE user_id = {} AND revoked_at IS NULL", member.user_id)).await, 0);
        let login = auth::password_grant(&db, &AuthConfig::default(), "member", "secret-password").await;
        assert!(matches!(login, Err(AppError::AccountUnavailable { code: "access_denied", .. })), "{login:?}");
        assert!(!listed(&db, &clip).await);
        assert!(!can_view(&db, &clip, None).await.unwrap());
        assert!(can_view(&db, &clip, Some(&admin)).await.unwrap());

        user_bans::unban_user(&db, &admin, member.user_id).await.unwrap();
        assert!(listed(&db, &clip).await);
        let row = kinora_db::users::find_by_id(db.pool(), member.user_id).await.unwrap().unwrap();
        assert_eq!((row.blocked, row.blocked_reason), (0, None));
        auth::password_grant(&db, &AuthConfig::default(), "member", "secret-password").await.unwrap();
        let (total, blocked) = kinora_db::users::list(db.pool(), &kinora_db::users::UserQuery { blocked: Some(true), search: None, start: 0, count: 10 }).await.unwrap();
        assert_eq!((total, blocked.len()), (0, 0));
        let (total, _) = kinora_db::users::list(db.pool(), &kinora_db::users::UserQuery { blocked: None, search: Some("MEMB"), start: 0, count: 10 }).await.unwrap();
        assert_eq!(total, 1);
    }

    async fn deleting_a_user_removes_their_account_channels_and_videos(db: Db) {
        let (admin, _) = user(&db, "admin", UserRole::Admin).await;
        let (moderator, _) = user(&db, "moderator", UserRole::Moderator).await;
        let (member, channel) = user(&db, "member", UserRole::User).await;
        let clip = video(&db, channel, "Clip").await;
        let root = std::env::temp_dir().join(format!("kinora-moderation-{}", uuid::Uuid::new_v4()));
        let storage = kinora_app::MediaStorage::open(&kinora_storage::StorageConfig {
            local: kinora_storage::LocalStorageConfig { root: root.clone() },
            ..Default::default()
        })
        .unwrap();
        let refused = user_bans::delete_user(&db, &storage, &moderator, admin.user_id).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");
        let own = user_bans::delete_user(&db, &storage, &admin, admin.user_id).await;
        assert!(matches!(own, Err(AppError::Unsupported { .. })), "{own:?}");
        let actors = count(&db, "SELECT COUNT(*) FROM actors").await;
        user_bans::delete_user(&db, &storage, &admin, member.user_id).await.unwrap();
        assert!(kinora_db::users::find_by_id(db.pool(), member.user_id).await.unwrap().is_none());
        assert!(kinora_db::videos::find_by_id(db.pool(), clip.id).await.unwrap().is_none());
        assert!(kinora_db::channels::find_by_id(db.pool(), channel).await.unwrap().is_none());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM actors").await, actors - 2, "the account's and the channel's actors");
        let gone = user_bans::delete_user(&db, &storage, &admin, member.user_id).await;
        assert!(matches!(gone, Err(AppError::NotFound(_))), "{gone:?}");
        let _ = std::fs::remove_dir_all(root);
    }
}
