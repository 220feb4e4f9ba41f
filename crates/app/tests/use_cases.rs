//! Use cases against real SQLite and PostgreSQL databases.

use kinora_app::auth::{self, AuthenticatedUser};
use kinora_app::channels::{self, ChannelUpdateInput, NewChannelInput};
use kinora_app::users::{self, NewUserInput, UserOrigin};
use kinora_app::{AppError, AuthConfig, InstanceConfig};
use kinora_core::{RegistrationMode, UserRole};
use kinora_db::{Db, backend_tests};

fn input(name: &str) -> NewUserInput {
    NewUserInput {
        username: name.to_owned(),
        email: format!("{name}@example.com"),
        password: "secret-password".to_owned(),
        role: UserRole::User,
        display_name: None,
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

async fn login(db: &Db, name: &str) -> AuthenticatedUser {
    let (pair, _) = auth::password_grant(db, &AuthConfig::default(), name, "secret-password")
        .await
        .unwrap();
    auth::authenticate(db, &pair.access_token).await.unwrap()
}

backend_tests! {
    async fn a_new_user_gets_an_account_a_default_channel_and_key_jobs(db: Db) {
        let created = users::create_user(&db, &InstanceConfig::default(), input("alice"), UserOrigin::Admin)
            .await
            .unwrap();
        let channel = kinora_db::channels::find_by_id(db.pool(), created.channel_id).await.unwrap().unwrap();
        assert_eq!(channel.name, "alice_channel");
        assert_eq!(channel.display_name, "Main alice channel");
        assert_eq!(channel.account_id, created.account_id);
        let account = kinora_db::accounts::find_local_by_name(db.pool(), "alice").await.unwrap().unwrap();
        assert_eq!(account.user_id, Some(created.user_id));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'generate-actor-keys'").await, 2);
        let user = kinora_db::users::find_by_id(db.pool(), created.user_id).await.unwrap().unwrap();
        assert!(user.password_hash.starts_with("$argon2id$"));
        assert_ne!(user.password_hash, "secret-password");
    }

    async fn taken_names_and_bad_input_change_nothing(db: Db) {
        let config = InstanceConfig::default();
        users::create_user(&db, &config, input("alice"), UserOrigin::Admin).await.unwrap();
        let before = count(&db, "SELECT COUNT(*) FROM actors").await;
        let same_name = users::create_user(&db, &config, NewUserInput { email: "x@example.com".into(), ..input("alice") }, UserOrigin::Admin).await;
        assert!(matches!(same_name, Err(AppError::Conflict(_))), "{same_name:?}");
        let same_email = users::create_user(&db, &config, NewUserInput { email: "alice@example.com".into(), ..input("bob") }, UserOrigin::Admin).await;
        assert!(matches!(same_email, Err(AppError::Conflict(_))), "{same_email:?}");
        // A user named like an existing channel clashes in the shared actor namespace.
        let clash = users::create_user(&db, &config, input("alice_channel"), UserOrigin::Admin).await;
        assert!(matches!(clash, Err(AppError::Conflict(_))), "{clash:?}");
        let bad = users::create_user(&db, &config, input("Alice"), UserOrigin::Admin).await;
        assert!(matches!(bad, Err(AppError::Invalid { field: "username", .. })), "{bad:?}");
        let bad_email = users::create_user(&db, &config, NewUserInput { email: "nope".into(), ..input("carol") }, UserOrigin::Admin).await;
        assert!(matches!(bad_email, Err(AppError::Invalid { field: "email", .. })));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM actors").await, before);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs").await, 2);
    }

    async fn registration_follows_the_configured_mode(db: Db) {
        let mut config = InstanceConfig::default();
        let closed = users::create_user(&db, &config, input("dave"), UserOrigin::Registration).await;
        assert!(matches!(closed, Err(AppError::Forbidden(_))));
        config.registration = RegistrationMode::Approval;
        let created = users::create_user(&db, &config, input("dave"), UserOrigin::Registration).await.unwrap();
        let refused = auth::password_grant(&db, &AuthConfig::default(), "dave", "secret-password").await;
        assert!(matches!(refused, Err(AppError::AccountUnavailable { code: "account_waiting_for_approval", .. })));
        assert!(users::approve_registration(&db, created.user_id).await.unwrap());
        assert!(!users::approve_registration(&db, created.user_id).await.unwrap());
        login(&db, "dave").await;
        config.registration = RegistrationMode::Open;
        users::create_user(&db, &config, input("erin"), UserOrigin::Registration).await.unwrap();
        login(&db, "erin").await;
    }

    async fn tokens_rotate_and_a_reused_refresh_token_revokes_its_family(db: Db) {
        let config = AuthConfig::default();
        users::create_user(&db, &InstanceConfig::default(), input("alice"), UserOrigin::Admin).await.unwrap();
        let wrong = auth::password_grant(&db, &config, "alice", "not-the-password").await;
        assert!(matches!(wrong, Err(AppError::InvalidGrant("user credentials are invalid"))));
        let unknown = auth::password_grant(&db, &config, "nobody", "secret-password").await;
        assert!(matches!(unknown, Err(AppError::InvalidGrant("user credentials are invalid"))));
        // Logins are matched without case, by name or e-mail.
        auth::password_grant(&db, &config, "ALICE@example.com", "secret-password").await.unwrap();
        let (first, user_id) = auth::password_grant(&db, &config, "alice", "secret-password").await.unwrap();
        assert_eq!(auth::authenticate(&db, &first.access_token).await.unwrap().user_id, user_id);
        assert_eq!(first.expires_in, 86_400);

        let second = auth::refresh_grant(&db, &config, &first.refresh_token).await.unwrap();
        assert!(matches!(auth::authenticate(&db, &first.access_token).await, Err(AppError::InvalidToken)),
            "the replaced access token stops working");
        auth::authenticate(&db, &second.access_token).await.unwrap();

        // The first refresh token is presented again: refused, and the family dies.
        let reuse = auth::refresh_grant(&db, &config, &first.refresh_token).await;
        assert!(matches!(reuse, Err(AppError::InvalidGrant(_))));
        assert!(matches!(auth::authenticate(&db, &second.access_token).await, Err(AppError::InvalidToken)));
        assert!(matches!(auth::refresh_grant(&db, &config, &second.refresh_token).await, Err(AppError::InvalidGrant(_))));
        assert!(matches!(auth::refresh_grant(&db, &config, "made-up").await, Err(AppError::InvalidGrant("refresh token is invalid"))));
    }

    async fn expired_and_revoked_tokens_are_refused(db: Db) {
        let config = AuthConfig::default();
        users::create_user(&db, &InstanceConfig::default(), input("alice"), UserOrigin::Admin).await.unwrap();
        let (pair, _) = auth::password_grant(&db, &config, "alice", "secret-password").await.unwrap();
        sqlx::query("UPDATE oauth_tokens SET access_expires_at = 0").execute(db.pool()).await.unwrap();
        assert!(matches!(auth::authenticate(&db, &pair.access_token).await, Err(AppError::InvalidToken)));
        sqlx::query("UPDATE oauth_tokens SET refresh_expires_at = 0").execute(db.pool()).await.unwrap();
        assert!(matches!(auth::refresh_grant(&db, &config, &pair.refresh_token).await,
            Err(AppError::InvalidGrant("refresh token has expired"))));

        let (pair, _) = auth::password_grant(&db, &config, "alice", "secret-password").await.unwrap();
        let user = auth::authenticate(&db, &pair.access_token).await.unwrap();
        let (other, _) = auth::password_grant(&db, &config, "alice", "secret-password").await.unwrap();
        auth::revoke(&db, &user).await.unwrap();
        assert!(matches!(auth::authenticate(&db, &pair.access_token).await, Err(AppError::InvalidToken)));
        auth::authenticate(&db, &other.access_token).await.expect("another login stays valid");
        // Still live: the expired first pair (never revoked) and `other`.
        assert_eq!(auth::revoke_all(&db, user.user_id).await.unwrap(), 2);
        assert!(matches!(auth::authenticate(&db, &other.access_token).await, Err(AppError::InvalidToken)));
    }

    async fn the_local_client_is_created_once_and_checked(db: Db) {
        let client = auth::local_client(&db).await.unwrap();
        assert_eq!(auth::local_client(&db).await.unwrap(), client);
        auth::check_client(&db, &client.client_id, &client.client_secret).await.unwrap();
        assert!(matches!(auth::check_client(&db, &client.client_id, "wrong").await, Err(AppError::InvalidClient)));
    }

    async fn channels_are_managed_by_their_owner_or_an_admin(db: Db) {
        let config = InstanceConfig::default();
        users::create_user(&db, &config, input("alice"), UserOrigin::Admin).await.unwrap();
        users::create_user(&db, &config, input("bob"), UserOrigin::Admin).await.unwrap();
        users::create_user(&db, &config, NewUserInput { role: UserRole::Admin, ..input("root") }, UserOrigin::Admin).await.unwrap();
        let alice = login(&db, "alice").await;
        let bob = login(&db, "bob").await;
        let root = login(&db, "root").await;
        let new = NewChannelInput { name: "cooking".into(), display_name: "Cooking".into(), ..Default::default() };
        let id = channels::create_channel(&db, &config, &alice, new.clone()).await.unwrap();
        assert!(matches!(channels::create_channel(&db, &config, &bob, new).await, Err(AppError::Conflict(_))));
        let clash = NewChannelInput { name: "bob".into(), display_name: "Bob".into(), ..Default::default() };
        assert!(matches!(channels::create_channel(&db, &config, &alice, clash).await, Err(AppError::Conflict(_))),
            "a channel cannot take an account's name");

        let change = ChannelUpdateInput { display_name: Some("Bob's now".into()), ..Default::default() };
        assert!(matches!(channels::update_channel(&db, &bob, "cooking", change.clone()).await, Err(AppError::Forbidden(_))));
        assert!(matches!(channels::delete_channel(&db, &bob, "cooking").await, Err(AppError::Forbidden(_))));
        assert!(matches!(channels::update_channel(&db, &bob, "nothing", change).await, Err(AppError::NotFound(_))));
        let change = ChannelUpdateInput { support: Some("Tip jar".into()), ..Default::default() };
        channels::update_channel(&db, &alice, "cooking", change).await.unwrap();
        let row = kinora_db::channels::find_by_id(db.pool(), id).await.unwrap().unwrap();
        assert_eq!((row.display_name.as_str(), row.support.as_deref()), ("Cooking", Some("Tip jar")));
        let too_short = ChannelUpdateInput { description: Some("ab".into()), ..Default::default() };
        assert!(matches!(channels::update_channel(&db, &alice, "cooking", too_short).await, Err(AppError::Invalid { field: "description", .. })));

        channels::delete_channel(&db, &root, "cooking").await.unwrap();
        assert!(kinora_db::channels::find_by_id(db.pool(), id).await.unwrap().is_none());
        assert!(matches!(channels::delete_channel(&db, &alice, "alice_channel").await, Err(AppError::Conflict(_))),
            "the last channel stays");
    }

    async fn a_channel_over_the_limit_rolls_back_with_its_queued_job(db: Db) {
        let mut config = InstanceConfig::default();
        users::create_user(&db, &config, input("alice"), UserOrigin::Admin).await.unwrap();
        let alice = login(&db, "alice").await;
        config.max_channels_per_user = 1;
        let jobs_before = count(&db, "SELECT COUNT(*) FROM jobs").await;
        let actors_before = count(&db, "SELECT COUNT(*) FROM actors").await;
        let new = NewChannelInput { name: "second".into(), display_name: "Second".into(), ..Default::default() };
        let refused = channels::create_channel(&db, &config, &alice, new).await;
        assert!(matches!(refused, Err(AppError::Invalid { .. })), "{refused:?}");
        assert!(kinora_db::channels::find_local_by_name(db.pool(), "second").await.unwrap().is_none());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs").await, jobs_before, "the queued job went too");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM actors").await, actors_before);
    }

    async fn actor_keys_are_generated_once(db: Db) {
        let created = users::create_user(&db, &InstanceConfig::default(), input("alice"), UserOrigin::Admin).await.unwrap();
        let account = kinora_db::accounts::find_by_id(db.pool(), created.account_id).await.unwrap().unwrap();
        assert!(kinora_app::actors::generate_actor_keys(&db, account.actor_id).await.unwrap());
        let key = kinora_db::actors::find_public_key(db.pool(), account.actor_id).await.unwrap().unwrap();
        assert!(key.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(!kinora_app::actors::generate_actor_keys(&db, account.actor_id).await.unwrap());
        assert!(matches!(kinora_app::actors::generate_actor_keys(&db, 999_999).await, Err(AppError::NotFound(_))));
    }
}

backend_tests! {
    async fn mirrors_about_to_expire_are_announced_again(db: Db) {
        use kinora_app::mirrors::{ANNOUNCED_FOR_MILLIS, RENEW_WITHIN_MILLIS, renew_expiring};
        use kinora_db::redundancies::{NewRedundancy, find_by_url, upsert};
        let created = users::create_user(&db, &InstanceConfig::default(), input("alice"), UserOrigin::Admin)
            .await
            .unwrap();
        let now = 1_800_000_000_000;
        let mut tx = db.begin().await.unwrap();
        let sample = kinora_db::testing::sample_video("7b6f3c1e-0000-4000-8000-000000000001", "mirrored", created.channel_id);
        let video_id = kinora_db::videos::insert(&mut tx, &sample, now).await.unwrap();
        for (url, local, expires_at) in [
            ("http://b.example/redundancy/soon", true, now + RENEW_WITHIN_MILLIS - 1),
            ("http://b.example/redundancy/later", true, now + RENEW_WITHIN_MILLIS + 1),
            ("http://c.example/redundancy/theirs", false, now + 1),
        ] {
            let mirror = NewRedundancy { video_id, url, base_url: url, local, actor_id: None, size: 1, expires_at: Some(expires_at) };
            upsert(&mut tx, &mirror, now).await.unwrap();
        }
        tx.commit().await.unwrap();
        let before = count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate'").await;

        assert_eq!(renew_expiring(&db, now).await.unwrap(), 1);
        let expiry = |url: &'static str| {
            let db = db.clone();
            async move { find_by_url(db.pool(), url).await.unwrap().unwrap().expires_at }
        };
        assert_eq!(expiry("http://b.example/redundancy/soon").await, Some(now + ANNOUNCED_FOR_MILLIS));
        assert_eq!(expiry("http://b.example/redundancy/later").await, Some(now + RENEW_WITHIN_MILLIS + 1));
        assert_eq!(expiry("http://c.example/redundancy/theirs").await, Some(now + 1), "others' mirrors are theirs to renew");
        let queued = count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate' AND payload LIKE '%redundancy-created%'").await;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate'").await, before + 1);
        assert_eq!(queued, 1);
        // Renewed: nothing to do until it nears its end again.
        assert_eq!(renew_expiring(&db, now).await.unwrap(), 0);
    }
}
