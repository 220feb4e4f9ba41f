//! Login attempt limits, per account and per client address, so neither a guessing client nor a
//! guessing botnet aimed at one account gets far. The limits are in memory (one server process).
//!
//! An account is one key however it is named: the token route resolves the login (username or
//! e-mail) to the account first ([`LoginKey::Account`]); a name that resolves to nobody is keyed by
//! itself, normalised ([`LoginKey::unknown`]), so unknown names are limited the same way and the
//! answers do not tell which accounts exist.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kinora_app::AuthConfig;

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
}

/// Two keyed rate limiters: one by account, one by client address.
pub struct LoginLimiter {
    by_account: DefaultKeyedRateLimiter<LoginKey>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(attempts: u32, window: Duration) -> Quota {
    let attempts = NonZeroU32::new(attempts.max(1)).expect("at least one");
    let period = window / attempts.get();
    Quota::with_period(period.max(Duration::from_millis(1)))
        .expect("non-zero period")
        .allow_burst(attempts)
}

impl LoginLimiter {
    /// Limits from the `[auth]` section.
    pub fn new(config: &AuthConfig) -> Self {
        let window = Duration::from_secs(config.login_window_secs.max(1));
        Self {
            by_account: RateLimiter::keyed(quota(config.login_attempts_per_account, window)),
            by_address: RateLimiter::keyed(quota(config.login_attempts_per_address, window)),
        }
    }

    /// Counts one attempt. `Err(seconds)` says how long the caller must wait.
    pub fn check(&self, key: &LoginKey, address: Option<IpAddr>) -> Result<(), u64> {
        let now = DefaultClock::default().now();
        if let Some(address) = address
            && let Err(not_until) = self.by_address.check_key(&address)
        {
            return Err(not_until.wait_time_from(now).as_secs() + 1);
        }
        if let Err(not_until) = self.by_account.check_key(key) {
            return Err(not_until.wait_time_from(now).as_secs() + 1);
        }
        Ok(())
    }

    /// Forgets keys whose limits have fully recovered, keeping memory bounded.
    pub fn forget_idle(&self) {
        self.by_account.retain_recent();
        self.by_address.retain_recent();
    }

    /// How many keys are remembered.
    pub fn remembered(&self) -> usize {
        self.by_account.len() + self.by_address.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(per_account: u32, per_address: u32) -> AuthConfig {
        AuthConfig {
            login_attempts_per_account: per_account,
            login_attempts_per_address: per_address,
            login_window_secs: 300,
            ..AuthConfig::default()
        }
    }

    #[test]
    fn one_account_is_limited_across_addresses() {
        let limiter = LoginLimiter::new(&config(3, 100));
        for i in 0..3u8 {
            let address = IpAddr::from([10, 0, 0, i]);
            assert!(limiter.check(&LoginKey::Account(1), Some(address)).is_ok());
        }
        let wait = limiter
            .check(&LoginKey::Account(1), Some(IpAddr::from([10, 0, 0, 9])))
            .unwrap_err();
        assert!((1..=101).contains(&wait), "{wait}");
        assert!(
            limiter
                .check(&LoginKey::Account(2), Some(IpAddr::from([10, 0, 0, 9])))
                .is_ok()
        );
    }

    #[test]
    fn one_address_is_limited_across_accounts() {
        let limiter = LoginLimiter::new(&config(100, 2));
        let address = Some(IpAddr::from([192, 0, 2, 1]));
        assert!(limiter.check(&LoginKey::unknown("a"), address).is_ok());
        assert!(limiter.check(&LoginKey::unknown("b"), address).is_ok());
        assert!(limiter.check(&LoginKey::unknown("c"), address).is_err());
        assert!(
            limiter
                .check(&LoginKey::unknown("c"), Some(IpAddr::from([192, 0, 2, 2])))
                .is_ok()
        );
        assert!(limiter.remembered() > 0);
    }

    #[test]
    fn unknown_names_are_one_key_ignoring_case_and_spaces() {
        let limiter = LoginLimiter::new(&config(2, 100));
        assert!(limiter.check(&LoginKey::unknown("Ghost"), None).is_ok());
        assert!(limiter.check(&LoginKey::unknown(" ghost "), None).is_ok());
        assert!(limiter.check(&LoginKey::unknown("GHOST"), None).is_err());
        assert!(limiter.check(&LoginKey::Account(7), None).is_ok());
    }
}
