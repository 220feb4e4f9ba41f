//! The `[federation]` configuration section.

use serde::{Deserialize, Serialize};

/// The `[federation]` configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationConfig {
    /// Let the outbound client reach private, loopback and link-local addresses, and plain
    /// http (otherwise https only). Off by default; meant for tests that run several instances
    /// on one machine.
    pub allow_private_addresses: bool,
    /// Remote hosts delivered to at once (each host gets one request at a time, in order).
    pub delivery_concurrency: usize,
    /// Days a host may keep failing before it is marked dead (then it is only tried once a day
    /// until it answers again).
    pub host_dead_after_days: u64,
    /// Attempts of one delivery that fails with a transient error before it is given up.
    pub delivery_max_attempts: i64,
    /// Largest inbox request body accepted, in bytes (larger ones are answered 413 unread).
    pub inbox_max_body_bytes: usize,
    /// Largest remote object fetched, in bytes, counted after decompression.
    pub max_object_bytes: u64,
    /// Seconds a remote fetch or delivery may take in all.
    pub request_timeout_secs: u64,
    /// How far a signed request's `Date` may lie in the past, in seconds.
    pub signature_max_age_secs: u64,
    /// How far a signed request's `Date` may lie in the future, in seconds.
    pub signature_max_future_secs: u64,
    /// Pages of a remote outbox read after a follow is accepted (back-fill).
    pub backfill_max_pages: usize,
    /// Items of a remote outbox taken in after a follow is accepted (back-fill).
    pub backfill_max_items: usize,
    /// Levels of `inReplyTo` followed to find the video a remote comment belongs to.
    pub max_reply_depth: usize,
    /// Largest total size of one mirrored video's files, in bytes.
    pub mirror_max_video_bytes: u64,
    /// Seconds before the key of the same signer may be fetched again for the inbox (a key
    /// that does not verify is fetched at most once per interval; SIG-09).
    pub key_refetch_interval_secs: u64,
    /// Refetches of stored keys that did not verify allowed per remote host within
    /// `key_refetch_interval_secs`.
    pub key_refetches_per_host: u32,
    /// Activities one remote host may post to the inbox per second, on average (more: 429
    /// with `Retry-After`).
    pub inbox_rate_per_host: u32,
    /// Activities one remote host may post to the inbox in a burst above the average rate.
    pub inbox_burst_per_host: u32,
    /// Seconds over which changes of a local video's likes and dislikes are gathered into
    /// one `Update` of the video for its followers.
    pub rating_update_interval_secs: u64,
    /// Flags (abuse reports) one remote host may send per hour, as a burst refilled evenly
    /// over the hour (more: 429 with `Retry-After`).
    pub inbox_flags_per_host_per_hour: u32,
    /// Objects one relay may announce per hour (new ones; repeats are free): past it the
    /// relay is answered 429 with `Retry-After` and nothing is stored.
    pub relay_objects_per_hour: u32,
    /// Objects of one relay whose fetch from their origin may wait at once: past it the relay
    /// is answered 429 until some are fetched.
    pub relay_max_pending_fetches: u32,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            delivery_concurrency: 32,
            host_dead_after_days: 7,
            delivery_max_attempts: 20,
            inbox_max_body_bytes: 1024 * 1024,
            max_object_bytes: 1024 * 1024,
            request_timeout_secs: 20,
            signature_max_age_secs: 3600,
            signature_max_future_secs: 300,
            backfill_max_pages: 20,
            backfill_max_items: 500,
            max_reply_depth: 100,
            mirror_max_video_bytes: 8 * 1024 * 1024 * 1024,
            key_refetch_interval_secs: 60,
            key_refetches_per_host: 10,
            inbox_rate_per_host: 20,
            inbox_burst_per_host: 200,
            rating_update_interval_secs: 10,
            inbox_flags_per_host_per_hour: 30,
            relay_objects_per_hour: 1000,
            relay_max_pending_fetches: 100,
        }
    }
}
