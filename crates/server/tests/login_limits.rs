//! The per-account login limit counts an account once however it is named: guesses by username
//! and by e-mail share one budget, and names of nobody are limited the same way (on SQLite and
//! PostgreSQL, through the whole HTTP stack).

use crate::common;

use axum::http::StatusCode;
use common::harness::Harness;
use kinora_core::UserRole;
use kinora_db::{Db, backend_tests};

const LIMIT: u32 = 4;

/// Sends wrong-password guesses for each login in turn; returns how many were answered before
/// the first 429 (panics when none is refused within three times the limit).
async fn guesses_before_refusal(h: &Harness, logins: &[&str]) -> usize {
    let client = h.client_form().await;
    for attempt in 0..(LIMIT as usize * 3) {
        let login = logins[attempt % logins.len()];
        let form = format!("{client}&grant_type=password&username={login}&password=wrong-password");
        let (status, _, body) = h.token_request(&form).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return attempt;
        }
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    panic!("{logins:?}: never refused");
}

/// A fresh stack on `db` with fresh limits (the limits live in the database: forgotten first).
async fn fresh(db: &Db) -> Harness {
    kinora_db::login_limits::forget_all(db.pool())
        .await
        .unwrap();
    Harness::new(db, |c| {
        c.auth.login_attempts_per_account = LIMIT;
        c.auth.login_attempts_per_address = 1000;
    })
}

/// A fresh stack on `db` after adding user alice (alice@example.com) through another stack,
/// whose login does not count here.
async fn harness_with_alice(db: &Db) -> Harness {
    fresh(db).await.user("alice", UserRole::User).await;
    fresh(db).await
}

backend_tests! {
    async fn username_and_email_guesses_share_one_account_budget(db: Db) {
        let one_form = guesses_before_refusal(&harness_with_alice(&db).await, &["alice"]).await;
        assert_eq!(one_form, LIMIT as usize);
        let email = guesses_before_refusal(&fresh(&db).await, &["alice%40example.com"]).await;
        assert_eq!(email, one_form, "e-mail alone");
        let h = fresh(&db).await;
        let alternating = guesses_before_refusal(&h, &["alice", "alice%40example.com"]).await;
        assert_eq!(alternating, one_form, "alternating username and e-mail");
        let cased = guesses_before_refusal(&fresh(&db).await, &["ALICE", "Alice%40Example.com"]).await;
        assert_eq!(cased, one_form, "the same names in other cases");
        // The account is refused by either name, even with the right password.
        let right = format!("{}&grant_type=password&username=alice%40example.com&password=secret-password", h.client_form().await);
        assert_eq!(h.token_request(&right).await.0, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn unknown_names_are_limited_like_accounts(db: Db) {
        let h = harness_with_alice(&db).await;
        let unknown = guesses_before_refusal(&h, &["ghost", "GHOST", "%20Ghost%20"]).await;
        assert_eq!(unknown, LIMIT as usize, "one budget for one unknown name");
        // Other accounts keep their own budget.
        assert_eq!(guesses_before_refusal(&h, &["alice"]).await, LIMIT as usize);
    }
}
