//! The `[transcoding]` configuration section, shared by the server (which starts transcoders)
//! and `kinora-transcoder` (which obeys the limits).

use serde::{Deserialize, Serialize};

/// PeerTube's standard resolutions (the smaller side of the picture), smallest first: the
/// renditions an upload is transcoded to, below its own size.
pub const STANDARD_RESOLUTIONS: [u32; 8] = [144, 240, 360, 480, 720, 1080, 1440, 2160];

/// The `[transcoding]` configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TranscodingConfig {
    /// How many `kinora-transcoder` processes `kinora serve` starts and restarts when they die
    /// (0: run them elsewhere against the same database and storage).
    pub workers: u32,
    /// Seconds of wall time one transcode may take before it is killed and retried.
    pub max_wall_secs: u64,
    /// Seconds of CPU time one transcode may use.
    pub max_cpu_secs: u64,
    /// Bytes of address space one transcode may map.
    pub max_memory_bytes: u64,
    /// Bytes one transcode may write in a single file.
    pub max_output_file_bytes: u64,
    /// Seconds a transcoder's claim on a job lasts without a heartbeat; a job whose transcoder
    /// died is taken over by another one after this long.
    pub lease_secs: u64,
    /// Where a `kinora-transcoder run` started on its own (on another machine) serves its
    /// Prometheus metrics, `GET /metrics`: transcode durations by outcome, job attempts and
    /// durations, storage errors. Unset (the default): none. The pool `kinora serve` starts
    /// ignores it: its transcoders report to the server's own metrics.
    pub metrics_listen: Option<std::net::SocketAddr>,
}

impl Default for TranscodingConfig {
    fn default() -> Self {
        Self {
            workers: 1,
            max_wall_secs: 6 * 3600,
            max_cpu_secs: 24 * 3600,
            max_memory_bytes: 8 * 1024 * 1024 * 1024,
            max_output_file_bytes: 64 * 1024 * 1024 * 1024,
            lease_secs: 30,
            metrics_listen: None,
        }
    }
}
