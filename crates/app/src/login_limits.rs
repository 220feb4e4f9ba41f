//! Login attempt limits, per account and per client address, so neither a guessing client nor a
//! guessing botnet aimed at one account gets far. The counters live in the database
//! (`kinora_db::login_limits`), so every server process on it spends one budget.
//!
//! An account is one key however it is named: the token route resolves the login (username or
//! e-mail) to the account first ([`LoginKey::Account`]); a name that resolves to nobody is keyed by
//! itself, normalised ([`LoginKey::unknown`]), so unknown names are limited the same way and the
//! answers do not tell which accounts exist.

use std::net::IpAddr;

use kinora_db::Db;
use kinora_db::login_limits::{self, Attempt};
use sha2::{Digest, Sha256};

use crate::{AppResult, AuthConfig};

/// What the per-account limit counts an attempt against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LoginKey {
    /// A known user, by id, whichever of their names was typed.
    Account(i64),
    /// A name no user has, trimmed and lower-cased.
    Name(String),
}

impl LoginKey {
    /// The key of a name that resolves to no account (trimmed, ignoring case, as logins are
    /// looked up).
    pub fn unknown(name: &str) -> Self {
        Self::Name(name.trim().to_lowercase())
    }

    /// The stored key: the account id, or the SHA-256 of the name (bounded length, and the
    /// table holds no typed names).
    fn stored(&self) -> String {
        match self {
            Self::Account(id) => format!("account:{id}"),
            Self::Name(name) => format!("name:{}", hex::encode(Sha256::digest(name.as_bytes()))),
        }
    }
}

/// One budget: `burst` attempts, refilled one every `period_ms`.
#[derive(Debug, Clone, Copy)]
struct Budget {
    period_ms: i64,
    burst: i64,
}

impl Budget {
    fn new(attempts: u32, window_secs: u64) -> Self {
        let attempts = attempts.max(1);
        let window_ms = i64::try_from(window_secs.max(1).saturating_mul(1000)).unwrap_or(i64::MAX);
        Self {
            period_ms: (window_ms / i64::from(attempts)).max(1),
            burst: i64::from(attempts),
        }
    }
}

/// The two budgets of the `[auth]` section: by account, by client address.
#[derive(Debug, Clone)]
pub struct LoginLimiter {
    by_account: Budget,
    by_address: Budget,
}

impl LoginLimiter {
    /// Limits from the `[auth]` section.
    pub fn new(config: &AuthConfig) -> Self {
        Self {
            by_account: Budget::new(config.login_attempts_per_account, config.login_window_secs),
            by_address: Budget::new(config.login_attempts_per_address, config.login_window_secs),
        }
    }

    /// Counts one attempt: the address's budget first (a refused address spends nothing of
    /// the account's), then the account's. `Ok(Err(seconds))` says how long the caller must
    /// wait.
    pub async fn check(
        &self,
        db: &Db,
        key: &LoginKey,
        address: Option<IpAddr>,
    ) -> AppResult<Result<(), u64>> {
        let now = kinora_db::now_millis();
        if let Some(address) = address {
            let attempt = take(db, "address", &address.to_string(), now, self.by_address).await?;
            if let Attempt::Refused { wait_ms } = attempt {
                return Ok(Err(seconds(wait_ms)));
            }
        }
        if let Attempt::Refused { wait_ms } =
            take(db, "account", &key.stored(), now, self.by_account).await?
        {
            return Ok(Err(seconds(wait_ms)));
        }
        Ok(Ok(()))
    }

    /// Forgets keys whose limits have fully recovered, keeping the table small.
    pub async fn forget_idle(db: &Db) -> AppResult<u64> {
        Ok(login_limits::forget_recovered(db.pool(), kinora_db::now_millis()).await?)
    }
}

async fn take(db: &Db, scope: &str, key: &str, now: i64, budget: Budget) -> AppResult<Attempt> {
    Ok(login_limits::take(db.pool(), scope, key, now, budget.period_ms, budget.burst).await?)
}

/// Whole seconds to wait, rounded up, at least one.
fn seconds(wait_ms: i64) -> u64 {
    u64::try_from(wait_ms.max(1))
        .unwrap_or(1)
        .div_ceil(1000)
        .max(1)
}
