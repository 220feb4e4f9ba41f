//! The child side of a broadcast (`kinora-transcoder live-process`): reads the FLV the ingest
//! pipes to its standard input and remuxes it into the live's directory, under memory and
//! file-size limits (no CPU-time limit: a permanent live may run for days). It reports on
//! stdout, one JSON line: [`ChildReport`].

use std::io::Write;
use std::path::Path;

use kinora_core::transcoding::TranscodingConfig;
use kinora_media::MediaError;
use kinora_media::live::{LiveHlsRequest, LiveLimits, LiveSource, remux_live_to_hls};
use serde::{Deserialize, Serialize};

/// What the child tells the ingest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildReport {
    /// The stream is accepted; the master playlist is written.
    Started {
        /// Picture width.
        width: u32,
        /// Picture height.
        height: u32,
    },
    /// The stream is not one a live may be (no H.264 video, too large, not FLV…).
    Refused {
        /// Why, for the broadcaster's log and ours.
        reason: String,
    },
    /// libav or the disk failed.
    Failed {
        /// What failed.
        reason: String,
    },
    /// The stream ended and the playlist is complete.
    Ended,
}

fn report(report: &ChildReport) {
    let mut stdout = std::io::stdout().lock();
    if let Ok(line) = serde_json::to_string(report) {
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
    }
}

/// Runs one broadcast's remux; never returns an error (the last report says how it ended).
pub fn run(
    output: &Path,
    segment_secs: u32,
    playlist_size: u32,
    start_number: u32,
    limits: &TranscodingConfig,
) {
    use rlimit::Resource;
    for (resource, value) in [
        (Resource::AS, limits.max_memory_bytes),
        (Resource::FSIZE, limits.max_output_file_bytes),
    ] {
        if let Err(error) = rlimit::setrlimit(resource, value, value) {
            tracing::warn!(?resource, %error, "could not set a resource limit");
        }
    }
    let request = LiveHlsRequest {
        input: LiveSource::Stdin,
        output_dir: output.to_owned(),
        segment_secs,
        playlist_size,
        start_number,
        limits: LiveLimits::default(),
    };
    let outcome = remux_live_to_hls(&request, |info| {
        report(&ChildReport::Started {
            width: info.width,
            height: info.height,
        });
    });
    report(&match outcome {
        Ok(_) => ChildReport::Ended,
        Err(MediaError::Refused(reason)) => ChildReport::Refused { reason },
        Err(error) => ChildReport::Failed {
            reason: error.to_string(),
        },
    });
}
