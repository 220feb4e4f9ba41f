//! Login attempt limits in the database (`kinora_app::login_limits`) on SQLite and PostgreSQL:
//! one budget per account across addresses, per address across accounts, unknown names as one
//! key, concurrent attempts never overspending, recovered keys forgotten.

use std::net::IpAddr;

use kinora_app::AuthConfig;
use kinora_app::login_limits::{LoginKey, LoginLimiter};
use kinora_db::backend_tests;

fn config(per_account: u32, per_address: u32) -> AuthConfig {
    AuthConfig {
        login_attempts_per_account: per_account,
        login_attempts_per_address: per_address,
        login_window_secs: 300,
        ..AuthConfig::default()
    }
}

backend_tests! {
    async fn one_account_is_limited_across_addresses(db: Db) {
        let limiter = LoginLimiter::new(&config(3, 100));
        for i in 0..3u8 {
            let address = IpAddr::from([10, 0, 0, i]);
            assert_eq!(limiter.check(&db, &LoginKey::Account(1), Some(address)).await.unwrap(), Ok(()));
        }
        let wait = limiter
            .check(&db, &LoginKey::Account(1), Some(IpAddr::from([10, 0, 0, 9])))
            .await
            .unwrap()
            .unwrap_err();
        assert!((1..=101).contains(&wait), "{wait}");
        assert_eq!(
            limiter.check(&db, &LoginKey::Account(2), Some(IpAddr::from([10, 0, 0, 9]))).await.unwrap(),
            Ok(())
        );
    }

    async fn one_address_is_limited_across_accounts(db: Db) {
        let limiter = LoginLimiter::new(&config(100, 2));
        let address = Some(IpAddr::from([192, 0, 2, 1]));
        assert!(limiter.check(&db, &LoginKey::unknown("a"), address).await.unwrap().is_ok());
        assert!(limiter.check(&db, &LoginKey::unknown("b"), address).await.unwrap().is_ok());
        assert!(limiter.check(&db, &LoginKey::unknown("c"), address).await.unwrap().is_err());
        assert!(
            limiter
                .check(&db, &LoginKey::unknown("c"), Some(IpAddr::from([192, 0, 2, 2])))
                .await
                .unwrap()
                .is_ok()
        );
        assert!(kinora_db::login_limits::remembered(db.pool()).await.unwrap() > 0);
        // Nothing has recovered yet; a budget whose time has passed is forgotten.
        assert_eq!(LoginLimiter::forget_idle(&db).await.unwrap(), 0);
        let later = kinora_db::now_millis() + 301_000;
        assert!(kinora_db::login_limits::forget_recovered(db.pool(), later).await.unwrap() > 0);
        assert_eq!(kinora_db::login_limits::remembered(db.pool()).await.unwrap(), 0);
    }

    async fn unknown_names_are_one_key_ignoring_case_and_spaces(db: Db) {
        let limiter = LoginLimiter::new(&config(2, 100));
        assert!(limiter.check(&db, &LoginKey::unknown("Ghost"), None).await.unwrap().is_ok());
        assert!(limiter.check(&db, &LoginKey::unknown(" ghost "), None).await.unwrap().is_ok());
        assert!(limiter.check(&db, &LoginKey::unknown("GHOST"), None).await.unwrap().is_err());
        assert!(limiter.check(&db, &LoginKey::Account(7), None).await.unwrap().is_ok());
    }

    async fn concurrent_attempts_never_overspend(db: Db) {
        let limiter = LoginLimiter::new(&config(5, 1000));
        let attempts = (0..40).map(|_| {
            let (db, limiter) = (db.clone(), limiter.clone());
            tokio::spawn(async move {
                limiter.check(&db, &LoginKey::Account(42), None).await.unwrap().is_ok()
            })
        });
        let mut allowed = 0;
        for attempt in attempts {
            allowed += usize::from(attempt.await.unwrap());
        }
        assert_eq!(allowed, 5);
    }
}
