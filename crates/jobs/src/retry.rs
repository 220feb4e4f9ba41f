//! How long to wait before trying a failed job again.

use std::time::Duration;

use rand_core::{OsRng, RngCore};

/// Exponential backoff with jitter: the n-th retry waits about `base × 2^(n-1)`, capped at
/// `max`, multiplied by a random factor between 0.5 and 1.5 so retries of many jobs spread out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait before the first retry.
    pub base: Duration,
    /// Longest wait.
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(5),
            max: Duration::from_secs(6 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempt` attempts have failed (1 for the first failure).
    pub fn delay_after(&self, attempt: i64) -> Duration {
        let exponent = attempt.clamp(1, 40) as u32 - 1;
        let base_ms = self.base.as_millis() as u64;
        let uncapped = base_ms.saturating_mul(1u64 << exponent.min(40));
        let capped = uncapped.min(self.max.as_millis() as u64);
        let jitter_permille = 500 + OsRng.next_u64() % 1001;
        Duration::from_millis(capped.saturating_mul(jitter_permille) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_within_jitter_bounds() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(3600),
        };
        for (attempt, nominal) in [(1, 10_000u64), (2, 20_000), (3, 40_000), (4, 80_000)] {
            for _ in 0..50 {
                let delay = policy.delay_after(attempt).as_millis() as u64;
                assert!(
                    delay >= nominal / 2 && delay <= nominal * 3 / 2,
                    "{attempt}: {delay}"
                );
            }
        }
    }

    #[test]
    fn delays_are_capped_and_jittered() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(60),
        };
        let delays: Vec<u128> = (0..50)
            .map(|_| policy.delay_after(30).as_millis())
            .collect();
        assert!(delays.iter().all(|&d| (30_000..=90_000).contains(&d)));
        let first = delays[0];
        assert!(delays.iter().any(|&d| d != first), "no jitter: {delays:?}");
    }
}
