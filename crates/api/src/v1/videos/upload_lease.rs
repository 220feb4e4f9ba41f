//! UP-04: the one-writer rule of a resumable upload session, kept in the database so that it
//! holds across every `kinora serve` process on it (a rolling restart, or several behind a
//! proxy), not only inside one.
//!
//! A `PUT` claims the session at the offset it writes at (`kinora_db::uploads::claim_writer`,
//! one conditional `UPDATE`, the same on SQLite and PostgreSQL) before it touches the file. A
//! claim lasts [`LEASE_MS`]; the writer renews it while it writes and writes a piece only while
//! at least [`MARGIN_MS`] of it are left, so a claim can end only while its writer has stopped
//! writing, and nobody else can claim before it ends. A writer refused a claim gets 423 (with `Retry-After`: when the
//! other claim ends, which is how a client resumes after the process writing it died) and
//! never opens the file; the offset only moves under the claim (`advance`).

use axum::http::StatusCode;
use kinora_db::{Db, now_millis};

use crate::ApiError;

/// How long a claim lasts without renewal, in milliseconds.
pub(crate) const LEASE_MS: i64 = 30_000;

/// A writer stops writing this long before its claim ends, in milliseconds.
pub(crate) const MARGIN_MS: i64 = 10_000;

/// A live claim on one session.
pub(crate) struct WriterLease {
    db: Db,
    session_id: i64,
    token: String,
    until: i64,
}

impl WriterLease {
    /// Claims session `session_id` at offset `at`; 423 when another writer holds it, 409 when
    /// the session moved on meanwhile is told by the caller (both refuse the same way here).
    pub(crate) async fn claim(db: &Db, session_id: i64, at: i64) -> Result<Self, ApiError> {
        let token = uuid::Uuid::new_v4().to_string();
        let now = now_millis();
        let until = now + LEASE_MS;
        if !kinora_db::uploads::claim_writer(db.pool(), session_id, &token, at, until, now).await? {
            // Another writer's claim (perhaps of a process that died mid-chunk) ends by itself:
            // say when, so the client resumes then instead of giving up.
            let other_until = kinora_db::uploads::writer_until(db.pool(), session_id).await?;
            let wait_ms = other_until.map_or(0, |other| other - now_millis());
            return Err(locked().with_retry_after(retry_after_secs(wait_ms)));
        }
        Ok(Self {
            db: db.clone(),
            session_id,
            token,
            until,
        })
    }

    /// The claim's token, which `advance` checks.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Called before each write: renews the claim when half of it is used, and answers 423
    /// (writing nothing) when it is lost or too close to its end.
    pub(crate) async fn ensure(&mut self) -> Result<(), ApiError> {
        let now = now_millis();
        if self.until - now < LEASE_MS / 2 {
            let until = now + LEASE_MS;
            let db = &self.db;
            if !kinora_db::uploads::renew_writer(
                db.pool(),
                self.session_id,
                &self.token,
                until,
                now,
            )
            .await?
            {
                return Err(locked());
            }
            self.until = until;
        }
        if now_millis() > self.until - MARGIN_MS {
            return Err(locked());
        }
        Ok(())
    }

    /// Ends the claim.
    pub(crate) async fn release(self) -> Result<(), ApiError> {
        kinora_db::uploads::release_writer(self.db.pool(), self.session_id, &self.token).await?;
        Ok(())
    }
}

/// Whole seconds to wait for a claim ending in `wait_ms` milliseconds: at least 1, at most a
/// whole lease.
pub(crate) fn retry_after_secs(wait_ms: i64) -> u64 {
    let seconds = (wait_ms.clamp(0, LEASE_MS) + 999) / 1000;
    seconds.max(1) as u64
}

/// 423: another request is writing this upload.
pub(crate) fn locked() -> ApiError {
    ApiError::new(
        StatusCode::LOCKED,
        "upload_locked",
        "Another request is writing this upload; nothing of this chunk was written. Ask for \
         the offset (Content-Range: bytes */<total>) and resume from there.",
    )
}

#[cfg(test)]
mod tests {
    use super::retry_after_secs;

    #[test]
    fn the_wait_is_the_rest_of_the_other_claim_in_whole_seconds() {
        assert_eq!(retry_after_secs(29_001), 30);
        assert_eq!(retry_after_secs(1), 1);
        assert_eq!(retry_after_secs(0), 1, "an ended claim: try again soon");
        assert_eq!(retry_after_secs(-5_000), 1);
        assert_eq!(retry_after_secs(600_000), 30, "never more than a lease");
    }
}
