//! The child side: one transcode, in its own process, under resource limits. It probes and
//! validates the input, plans the ladder, names every output with fresh UUIDs, transcodes to
//! HLS, makes the images, and reports on stdout (see [`crate::protocol`]).

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use kinora_core::transcoding::{STANDARD_RESOLUTIONS, TranscodingConfig};
use kinora_media::{
    HlsRequest, ImageNames, InputLimits, MediaError, RenditionNames, make_images,
    plan_ladder_within, probe, transcode_to_hls,
};
use uuid::Uuid;

use crate::protocol::{ChildEvent, ProcessResult, RenditionResult, StoryboardResult};

/// Writes one line for the parent. If the parent is gone (its end of the pipe closed), this
/// process has no one to report to: it exits at once instead of working on as an orphan.
fn emit(event: &ChildEvent) {
    let mut stdout = std::io::stdout().lock();
    if let Ok(line) = serde_json::to_string(event)
        && (writeln!(stdout, "{line}").is_err() || stdout.flush().is_err())
    {
        std::process::exit(3);
    }
}

/// Applies the CPU, memory and file-size limits to this process.
fn apply_limits(limits: &TranscodingConfig) {
    use rlimit::Resource;
    let set = |resource: Resource, value: u64| {
        if let Err(error) = rlimit::setrlimit(resource, value, value) {
            tracing::warn!(?resource, %error, "could not set a resource limit");
        }
    };
    set(Resource::CPU, limits.max_cpu_secs);
    set(Resource::AS, limits.max_memory_bytes);
    set(Resource::FSIZE, limits.max_output_file_bytes);
}

/// Runs one transcode of `input` into `output` (which gets `hls/` and `images/`), making the
/// standard `resolutions` below the source's own (`None`: every one). Never returns an error:
/// the outcome is the last line written.
pub fn run(input: &Path, output: &Path, resolutions: Option<&[u32]>, limits: &TranscodingConfig) {
    apply_limits(limits);
    let enabled = resolutions.unwrap_or(&STANDARD_RESOLUTIONS);
    let event = match transcode(input, output, enabled) {
        Ok(result) => ChildEvent::Done { result },
        Err(MediaError::Refused(reason)) => ChildEvent::Refused { reason },
        Err(error) => ChildEvent::Failed {
            reason: error.to_string(),
        },
    };
    emit(&event);
}

fn name() -> String {
    Uuid::new_v4().to_string()
}

fn transcode(input: &Path, output: &Path, enabled: &[u32]) -> Result<ProcessResult, MediaError> {
    let report = probe(input, &InputLimits::default())?;
    let renditions = plan_ladder_within(&report, enabled);
    let names: Vec<RenditionNames> = renditions
        .iter()
        .map(|rendition| {
            let stem = format!("{}-{}", name(), rendition.resolution);
            RenditionNames {
                fragmented_file: format!("{stem}-fragmented.mp4"),
                playlist_file: format!("{stem}.m3u8"),
            }
        })
        .collect();
    let master_file = format!("{}-master.m3u8", name());
    let segments_file = format!("{}-segments-sha256.json", name());
    let hls_dir = output.join("hls");
    let images_dir = output.join("images");
    std::fs::create_dir_all(&hls_dir).map_err(MediaError::Io)?;
    std::fs::create_dir_all(&images_dir).map_err(MediaError::Io)?;
    let cancel = AtomicBool::new(false);
    let mut last = std::time::Instant::now();
    let mut progress = |value: f64| {
        if last.elapsed() >= std::time::Duration::from_millis(900) {
            last = std::time::Instant::now();
            emit(&ChildEvent::Progress { value });
        }
    };
    let hls = transcode_to_hls(
        &HlsRequest {
            input,
            report: &report,
            renditions: &renditions,
            names: &names,
            master_file: &master_file,
            segments_sha256_file: &segments_file,
            output_dir: &hls_dir,
            segment_secs: 4,
        },
        &mut progress,
        &cancel,
    )?;
    let image_names = ImageNames {
        thumbnail: format!("{}.jpg", name()),
        preview: format!("{}.jpg", name()),
        storyboard: format!("{}.jpg", name()),
    };
    let images = make_images(input, &report, &images_dir, &image_names)?;
    Ok(ProcessResult {
        duration_secs: hls.duration_secs,
        master_file,
        segments_file,
        renditions: hls
            .renditions
            .iter()
            .map(|r| RenditionResult {
                resolution: r.resolution,
                width: r.width,
                height: r.height,
                fps: r.fps,
                fragmented_file: r.fragmented_file.clone(),
                playlist_file: r.playlist_file.clone(),
                size_bytes: r.size_bytes,
                has_audio: r.has_audio,
                has_video: r.has_video,
            })
            .collect(),
        thumbnail: image_names.thumbnail,
        preview: image_names.preview,
        storyboard: images.storyboard.map(|s| StoryboardResult {
            file: image_names.storyboard.clone(),
            total_width: s.total_width,
            total_height: s.total_height,
            sprite_width: s.sprite_width,
            sprite_height: s.sprite_height,
            sprite_duration: s.sprite_duration,
        }),
    })
}
