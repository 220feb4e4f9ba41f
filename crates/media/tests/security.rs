//! Hostile inputs: playlists and concat lists in disguise, header bombs, stream floods and
//! duration lies must be refused at probe, and libav must never open another file.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{ffmpeg, fixture, run_tool};
use kinora_media::{InputLimits, MediaError, probe};

/// A named pipe that records whether anyone opened it for reading.
struct Tripwire {
    path: PathBuf,
    opened: Arc<AtomicBool>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Tripwire {
    fn new(path: PathBuf) -> Self {
        let (ok, _, err) = run_tool("mkfifo", &[path.to_str().unwrap()]);
        assert!(ok, "{err}");
        let opened = Arc::new(AtomicBool::new(false));
        let (p, flag) = (path.clone(), opened.clone());
        // Opening a FIFO for writing blocks until a reader opens it.
        let writer = std::thread::spawn(move || {
            let _file = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
            flag.store(true, Ordering::SeqCst);
        });
        Tripwire {
            path,
            opened,
            writer: Some(writer),
        }
    }

    /// Whether anything opened the pipe; then releases the writer thread.
    fn was_opened(mut self) -> bool {
        std::thread::sleep(Duration::from_millis(200));
        let opened = self.opened.load(Ordering::SeqCst);
        let _release = File::open(&self.path).unwrap();
        self.writer.take().unwrap().join().unwrap();
        opened
    }
}

fn expect_refused(path: &Path) -> String {
    match probe(path, &InputLimits::default()) {
        Err(MediaError::Refused(reason)) => reason,
        other => panic!("{} must be refused, got {other:?}", path.display()),
    }
}

#[test]
fn hls_playlist_named_mp4_is_refused_without_opening_its_target() {
    let dir = tempfile::tempdir().unwrap();
    for target in [
        "secret.mp4".to_string(),
        dir.path().join("secret-abs.mp4").display().to_string(),
    ] {
        let wire = Tripwire::new(dir.path().join(&target));
        let upload = dir.path().join("upload.mp4");
        std::fs::write(
            &upload,
            format!("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{target}\n#EXT-X-ENDLIST\n"),
        )
        .unwrap();
        let reason = expect_refused(&upload);
        assert!(reason.contains("not a supported media file"), "{reason}");
        assert!(!wire.was_opened(), "libav opened {target}");
    }
}

#[test]
fn ffconcat_list_named_mp4_is_refused_without_opening_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let wire = Tripwire::new(dir.path().join("neighbour.mp4"));
    let upload = dir.path().join("upload.mp4");
    std::fs::write(&upload, "ffconcat version 1.0\nfile 'neighbour.mp4'\n").unwrap();
    let reason = expect_refused(&upload);
    assert!(reason.contains("not a supported media file"), "{reason}");
    assert!(!wire.was_opened(), "libav opened the concat target");
}

#[test]
fn header_claiming_65535x65535_is_refused_before_decoding() {
    let mut bytes = std::fs::read(fixture("video_short.mp4")).unwrap();
    // The avc1 sample entry follows `stsd` + version/flags + count + size; its width and
    // height are 24 bytes after the entry type.
    let stsd = bytes.windows(4).position(|w| w == b"stsd").unwrap();
    let entry = stsd + 16;
    assert_eq!(&bytes[entry..entry + 4], b"avc1");
    bytes[entry + 28..entry + 32].copy_from_slice(&[0xff; 4]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.mp4");
    std::fs::write(&path, bytes).unwrap();
    let reason = expect_refused(&path);
    assert!(reason.contains("65535x65535"), "{reason}");
}

fn many_streams(dir: &Path, count: usize) -> PathBuf {
    let path = dir.join(format!("streams-{count}.mkv"));
    let mut args: Vec<String> = [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=8000:cl=mono",
        "-t",
        "0.2",
    ]
    .map(String::from)
    .to_vec();
    for _ in 0..count {
        args.extend(["-map".into(), "0:a".into()]);
    }
    args.extend([
        "-c:a".into(),
        "pcm_s16le".into(),
        path.display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ffmpeg(&args);
    path
}

#[test]
fn too_many_streams_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let reason = expect_refused(&many_streams(dir.path(), 17));
    assert!(
        reason.contains("17 streams, more than the 16 allowed"),
        "{reason}"
    );
    let reason = expect_refused(&many_streams(dir.path(), 40));
    assert!(reason.contains("more than 16 streams"), "{reason}");
}

#[test]
fn a_100_hour_duration_claim_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short.mkv");
    ffmpeg(&[
        "-i",
        fixture("video_short.mp4").to_str().unwrap(),
        "-t",
        "1",
        "-c",
        "copy",
        short.to_str().unwrap(),
    ]);
    let mut bytes = std::fs::read(&short).unwrap();
    // Matroska's segment Duration element: ID 0x4489, size 8, a big-endian float in ms.
    let at = bytes
        .windows(3)
        .position(|w| w == [0x44, 0x89, 0x88])
        .unwrap()
        + 3;
    bytes[at..at + 8].copy_from_slice(&(100.0_f64 * 3600.0 * 1000.0).to_be_bytes());
    let long = dir.path().join("long.mkv");
    std::fs::write(&long, bytes).unwrap();
    let reason = expect_refused(&long);
    assert!(
        reason.contains("lasts 360000 s, more than the 43200 s allowed"),
        "{reason}"
    );
}

#[test]
fn urls_and_protocol_prefixes_are_just_file_names() {
    // A path that looks like a protocol list is still opened as one local file.
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("concat:a.mp4|b.mp4");
    std::fs::copy(fixture("video_short.mp4"), &odd).unwrap();
    let report = probe(&odd, &InputLimits::default()).unwrap();
    assert!(report.video.is_some());
}
