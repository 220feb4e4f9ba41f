//! Login attempt limits shared by every server process on the database (`login_limits`).
//!
//! Each limited key is one row holding the generic cell rate algorithm's "theoretical arrival
//! time" (TAT, epoch milliseconds): an attempt at `now` is allowed when
//! `max(tat, now) + period - now <= burst * period`, and then moves the TAT to
//! `max(tat, now) + period`; a refused attempt changes nothing. The decision and the new time are
//! one atomic upsert, so concurrent attempts on several processes never overspend a budget.

use sqlx::AnyPool;

use crate::DbResult;

/// One attempt's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted.
    Allowed,
    /// Over the limit: the caller must wait this many milliseconds.
    Refused {
        /// Milliseconds until one more attempt would be allowed.
        wait_ms: i64,
    },
}

/// Counts one attempt of `key` in `scope` at `now` against a budget of `burst` attempts
/// refilled one every `period_ms`.
pub async fn take(
    pool: &AnyPool,
    scope: &str,
    key: &str,
    now: i64,
    period_ms: i64,
    burst: i64,
) -> DbResult<Attempt> {
    let period_ms = period_ms.max(1);
    let tolerance = period_ms.saturating_mul(burst.max(1));
    // A new key always has room for its first attempt (period <= burst * period).
    let (tat, allowed): (i64, i64) = sqlx::query_as(
        "INSERT INTO login_limits (scope, limit_key, tat_ms, last_allowed) \
         VALUES ($1, $2, $3 + $4, 1) \
         ON CONFLICT (scope, limit_key) DO UPDATE SET \
           tat_ms = CASE WHEN (CASE WHEN login_limits.tat_ms > $3 THEN login_limits.tat_ms \
                                    ELSE $3 END) + $4 - $3 <= $5 \
                         THEN (CASE WHEN login_limits.tat_ms > $3 THEN login_limits.tat_ms \
                                    ELSE $3 END) + $4 \
                         ELSE login_limits.tat_ms END, \
           last_allowed = CASE WHEN (CASE WHEN login_limits.tat_ms > $3 \
                                          THEN login_limits.tat_ms ELSE $3 END) + $4 - $3 <= $5 \
                               THEN 1 ELSE 0 END \
         RETURNING tat_ms, last_allowed",
    )
    .bind(scope)
    .bind(key)
    .bind(now)
    .bind(period_ms)
    .bind(tolerance)
    .fetch_one(pool)
    .await?;
    Ok(if allowed == 1 {
        Attempt::Allowed
    } else {
        Attempt::Refused {
            wait_ms: (tat.max(now) + period_ms - now - tolerance).max(1),
        }
    })
}

/// Forgets keys whose budget has fully recovered by `now`. Returns how many.
pub async fn forget_recovered(pool: &AnyPool, now: i64) -> DbResult<u64> {
    let result = sqlx::query("DELETE FROM login_limits WHERE tat_ms <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}

/// How many keys are remembered.
pub async fn remembered(pool: &AnyPool) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_limits")
        .fetch_one(pool)
        .await?;
    Ok(count)
}

/// Forgets every key (an administrator lifting all limits at once, and tests).
pub async fn forget_all(pool: &AnyPool) -> DbResult<u64> {
    let result = sqlx::query("DELETE FROM login_limits")
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}
