//! What one remote host may cost the inbox, in memory (one server process):
//! - activities: `inbox_rate_per_host` per second with a burst of `inbox_burst_per_host`,
//!   counted once the signature holds (so nobody can spend another host's allowance); more are
//!   answered 429 with `Retry-After` (FD-05);
//! - Flags (abuse reports, which reach every moderator): `inbox_flags_per_host_per_hour`, a
//!   burst of that many refilled evenly over the hour; more are answered 429 too;
//! - fetches of signers' keys (SIG-09): a stored key that does not verify is fetched again at
//!   most once per actor per `key_refetch_interval_secs`, and at most `key_refetches_per_host`
//!   times per host in that interval; an actor whose fetch failed is not fetched again within
//!   the interval either. A stream of requests signed with a wrong key costs one fetch, not one
//!   per request.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use url::Url;

use crate::FederationConfig;
use crate::urls::host_and_port;

/// Remembered actors and hosts past which the old entries are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Why a signer's key is being fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFetch {
    /// None is stored, or the stored one is stale.
    Missing,
    /// The stored one did not verify (the actor may have rotated it).
    Refetch,
}

/// The last fetch of one actor's key.
#[derive(Debug, Clone, Copy)]
struct LastFetch {
    at: Instant,
    failed: bool,
}

#[derive(Default)]
struct KeyFetches {
    by_actor: HashMap<String, LastFetch>,
    /// Refetches per host: (start of the interval, refetches in it).
    refetches_by_host: HashMap<String, (Instant, u32)>,
}

/// The inbox's per-host limits.
pub struct InboxLimits {
    activities: DefaultKeyedRateLimiter<String>,
    flags: DefaultKeyedRateLimiter<String>,
    fetches: Mutex<KeyFetches>,
    interval: Duration,
    refetches_per_host: u32,
}

impl InboxLimits {
    /// The limits of the `[federation]` section.
    pub fn new(config: &FederationConfig) -> Self {
        let rate = NonZeroU32::new(config.inbox_rate_per_host.max(1)).expect("at least one");
        let burst = NonZeroU32::new(config.inbox_burst_per_host.max(1)).expect("at least one");
        let flags =
            NonZeroU32::new(config.inbox_flags_per_host_per_hour.max(1)).expect("at least one");
        Self {
            activities: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            flags: RateLimiter::keyed(Quota::per_hour(flags)),
            fetches: Mutex::default(),
            interval: Duration::from_secs(config.key_refetch_interval_secs),
            refetches_per_host: config.key_refetches_per_host,
        }
    }

    /// Counts one activity from `host`. `Err(seconds)`: over the limit, try again after that.
    pub fn admit_activity(&self, host: &str) -> Result<(), u64> {
        if self.activities.len() > PRUNE_ABOVE {
            self.activities.retain_recent();
        }
        let now = DefaultClock::default().now();
        self.activities
            .check_key(&host.to_owned())
            .map_err(|not_until| not_until.wait_time_from(now).as_secs() + 1)
    }

    /// Counts one Flag (abuse report) from `host`, on top of [`InboxLimits::admit_activity`]:
    /// each one reaches every moderator. `Err(seconds)`: over the limit, try again after that.
    pub fn admit_flag(&self, host: &str) -> Result<(), u64> {
        if self.flags.len() > PRUNE_ABOVE {
            self.flags.retain_recent();
        }
        let now = DefaultClock::default().now();
        self.flags
            .check_key(&host.to_owned())
            .map_err(|not_until| not_until.wait_time_from(now).as_secs() + 1)
    }

    /// Whether the key of `actor` may be fetched now, for `why`; a fetch allowed is counted.
    /// Report how it went with [`InboxLimits::fetched`].
    pub fn allow_key_fetch(&self, actor: &Url, why: KeyFetch) -> bool {
        let now = Instant::now();
        let mut fetches = self.fetches.lock().unwrap_or_else(|e| e.into_inner());
        if fetches.by_actor.len() > PRUNE_ABOVE || fetches.refetches_by_host.len() > PRUNE_ABOVE {
            let interval = self.interval;
            fetches
                .by_actor
                .retain(|_, last| now.duration_since(last.at) < interval);
            fetches
                .refetches_by_host
                .retain(|_, (start, _)| now.duration_since(*start) < interval);
        }
        let recent = fetches
            .by_actor
            .get(actor.as_str())
            .copied()
            .filter(|last| now.duration_since(last.at) < self.interval);
        let allowed = match why {
            KeyFetch::Missing => !recent.is_some_and(|last| last.failed),
            KeyFetch::Refetch => recent.is_none() && self.count_refetch(&mut fetches, actor, now),
        };
        if allowed {
            fetches.by_actor.insert(
                actor.to_string(),
                LastFetch {
                    at: now,
                    failed: false,
                },
            );
        }
        allowed
    }

    /// Records that the fetch of `actor`'s key just allowed failed.
    pub fn fetch_failed(&self, actor: &Url) {
        let mut fetches = self.fetches.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(last) = fetches.by_actor.get_mut(actor.as_str()) {
            last.failed = true;
        }
    }

    /// Counts a refetch against the actor's host; false when the host used up its refetches.
    fn count_refetch(&self, fetches: &mut KeyFetches, actor: &Url, now: Instant) -> bool {
        let host = host_and_port(actor).unwrap_or_default();
        let (start, count) = fetches.refetches_by_host.entry(host).or_insert((now, 0));
        if now.duration_since(*start) >= self.interval {
            *start = now;
            *count = 0;
        }
        if *count >= self.refetches_per_host {
            return false;
        }
        *count += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(refetches_per_host: u32) -> InboxLimits {
        InboxLimits::new(&FederationConfig {
            key_refetches_per_host: refetches_per_host,
            ..FederationConfig::default()
        })
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_key_is_refetched_once_per_interval_and_a_few_times_per_host() {
        let limits = limits(3);
        let x = url("https://b.example/accounts/x");
        assert!(limits.allow_key_fetch(&x, KeyFetch::Missing));
        // Fetched moments ago: not again for a key that does not verify.
        assert!(!limits.allow_key_fetch(&x, KeyFetch::Refetch));
        // A missing key that was fetched fine may be fetched again (an alias of another id).
        assert!(limits.allow_key_fetch(&x, KeyFetch::Missing));
        limits.fetch_failed(&x);
        assert!(!limits.allow_key_fetch(&x, KeyFetch::Missing));
        let others: Vec<Url> = (0..5)
            .map(|n| url(&format!("https://b.example/accounts/{n}")))
            .collect();
        let allowed = others
            .iter()
            .filter(|actor| limits.allow_key_fetch(actor, KeyFetch::Refetch))
            .count();
        assert_eq!(allowed, 3);
        // Another host has its own allowance.
        assert!(limits.allow_key_fetch(&url("https://c.example/accounts/x"), KeyFetch::Refetch));
    }

    #[test]
    fn activities_past_the_burst_wait() {
        let limits = InboxLimits::new(&FederationConfig {
            inbox_rate_per_host: 1,
            inbox_burst_per_host: 3,
            ..FederationConfig::default()
        });
        for _ in 0..3 {
            assert_eq!(limits.admit_activity("b.example"), Ok(()));
        }
        assert!(limits.admit_activity("b.example").is_err());
        assert_eq!(limits.admit_activity("c.example"), Ok(()));
    }

    #[test]
    fn flags_past_the_hourly_allowance_wait() {
        let limits = InboxLimits::new(&FederationConfig {
            inbox_flags_per_host_per_hour: 2,
            ..FederationConfig::default()
        });
        assert_eq!(limits.admit_flag("b.example"), Ok(()));
        assert_eq!(limits.admit_flag("b.example"), Ok(()));
        let wait = limits.admit_flag("b.example").unwrap_err();
        assert!(wait > 60, "{wait}");
        assert_eq!(limits.admit_flag("c.example"), Ok(()));
        // Other activities are counted apart.
        assert_eq!(limits.admit_activity("b.example"), Ok(()));
    }
}
