//! Benchmark: the download generator (BENCHMARKS.md, "Downloads: fragmented to progressive
//! MP4"). Not a test: it asserts no timing, it measures.
//!
//! ```sh
//! cargo bench --locked -p kinora-core --bench download_remux
//! # KINORA_BENCH_SECONDS (120,480,1920): the renditions' durations; KINORA_BENCH_RUNS (3)
//! ```
//!
//! For each duration it makes one HLS rendition as the transcoder does (H.264 with B-frames at
//! 3 Mb/s + AAC, one fragmented MP4, 4 s fragments) with the ffmpeg CLI, then turns it into a
//! progressive MP4 three ways, each in its own process under `/usr/bin/time -v` (wall time and
//! peak resident memory), alternating, `KINORA_BENCH_RUNS` times: Kinora's generator
//! ([`kinora_core::mp4`], this binary run as `remux <in> <out>`: the route's work, reading the
//! boxes, writing `ftyp` + `moov`, copying the samples), `ffmpeg -c copy` to MP4 (its `moov`
//! at the end) and `ffmpeg -c copy -movflags +faststart` (the `moov` first, as ours). Prints
//! medians, throughput in MB/s of the source, the ratio ours/ffmpeg and the peak memory.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use kinora_core::mp4::{Indexer, Limits};

/// Our generator over local files: the download route's work without HTTP.
fn remux(source: &Path, target: &Path) {
    let mut file = std::fs::File::open(source).expect("source");
    let len = file.metadata().expect("metadata").len();
    let mut indexer = Indexer::new(len, Limits::default());
    while let Some((offset, want)) = indexer.next_read() {
        let mut buf = vec![0u8; want as usize];
        file.seek(SeekFrom::Start(offset)).expect("seek");
        file.read_exact(&mut buf).expect("read");
        indexer.feed(&buf).expect("a valid fragmented MP4");
    }
    let plan = indexer.finish().expect("a progressive plan");
    let mut out = std::io::BufWriter::with_capacity(
        256 * 1024,
        std::fs::File::create(target).expect("target"),
    );
    out.write_all(&plan.head).expect("write");
    let mut chunk = vec![0u8; 256 * 1024];
    for (offset, len) in plan.copies {
        file.seek(SeekFrom::Start(offset)).expect("seek");
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            file.read_exact(&mut chunk[..n]).expect("read");
            out.write_all(&chunk[..n]).expect("write");
            left -= n as u64;
        }
    }
    out.flush().expect("flush");
}

fn make_rendition(dir: &Path, seconds: u64) -> PathBuf {
    let out = dir.join(format!("r{seconds}-fragmented.mp4"));
    if out.exists() {
        return out;
    }
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size=854x480:rate=30:duration={seconds}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!(
            "sine=frequency=440:sample_rate=48000:duration={seconds}"
        ))
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-bf",
            "3",
            "-g",
            "120",
            "-b:v",
            "3M",
            "-c:a",
            "aac",
            "-ac",
            "2",
            "-f",
            "hls",
            "-hls_segment_type",
            "fmp4",
            "-hls_time",
            "4",
            "-hls_playlist_type",
            "vod",
            "-hls_flags",
            "single_file+independent_segments",
            "-hls_segment_filename",
        ])
        .arg(&out)
        .arg(dir.join(format!("r{seconds}.m3u8")))
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the rendition");
    out
}

/// Runs `command` under `/usr/bin/time -v`: (wall seconds, peak RSS in KiB).
fn measure(command: &[&str]) -> (f64, u64) {
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .args(command)
        .output()
        .expect("/usr/bin/time runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stderr);
    let field = |name: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):");
    let seconds = wall.split(':').fold(0.0, |acc, part| {
        acc * 60.0 + part.parse::<f64>().unwrap_or(0.0)
    });
    let rss = field("Maximum resident set size (kbytes):")
        .parse()
        .unwrap_or(0);
    (seconds, rss)
}

fn packets(file: &Path) -> String {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_packets",
            "-show_entries",
            "stream=codec_type,nb_read_packets",
            "-of",
            "csv=p=0",
        ])
        .arg(file)
        .output()
        .expect("ffprobe");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("remux") {
        remux(Path::new(&args[2]), Path::new(&args[3]));
        return;
    }
    let me = std::env::current_exe().expect("own path");
    let me = me.to_str().expect("utf-8 path");
    let seconds: Vec<u64> = std::env::var("KINORA_BENCH_SECONDS")
        .unwrap_or_else(|_| "120,480,1920".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("KINORA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = std::env::var("KINORA_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("kinora-bench-download"));
    std::fs::create_dir_all(&dir).expect("work directory");
    println!(
        "| rendition | source MB | tool | median s | MB/s | ours ÷ tool (throughput) | peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|");
    for &duration in &seconds {
        let source = make_rendition(&dir, duration);
        let source_str = source.to_str().expect("utf-8 path");
        let mb = source.metadata().expect("size").len() as f64 / 1e6;
        let ours_out = dir.join("ours.mp4");
        let plain_out = dir.join("ffmpeg.mp4");
        let fast_out = dir.join("ffmpeg-faststart.mp4");
        let tools: [(&str, Vec<&str>); 3] = [
            (
                "kinora",
                vec![me, "remux", source_str, ours_out.to_str().unwrap()],
            ),
            (
                "ffmpeg -c copy",
                vec![
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-i",
                    source_str,
                    "-map",
                    "0",
                    "-c",
                    "copy",
                    plain_out.to_str().unwrap(),
                ],
            ),
            (
                "ffmpeg -c copy +faststart",
                vec![
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-i",
                    source_str,
                    "-map",
                    "0",
                    "-c",
                    "copy",
                    "-movflags",
                    "+faststart",
                    fast_out.to_str().unwrap(),
                ],
            ),
        ];
        let mut times = vec![Vec::new(); tools.len()];
        let mut peaks = vec![0u64; tools.len()];
        // One warm-up read so every tool finds the source in the page cache.
        measure(&["cat", source_str]);
        for run in 0..runs {
            for step in 0..tools.len() {
                // Alternate the order between runs.
                let index = (step + run) % tools.len();
                let (seconds, rss) = measure(&tools[index].1);
                times[index].push(seconds);
                peaks[index] = peaks[index].max(rss);
            }
        }
        assert_eq!(
            packets(&ours_out),
            packets(&plain_out),
            "same packets as ffmpeg's output"
        );
        let ours = median(&mut times[0].clone());
        for (index, (name, _)) in tools.iter().enumerate() {
            let t = median(&mut times[index]);
            println!(
                "| {duration} s | {mb:.1} | {name} | {t:.3} | {:.0} | {:.2} | {:.1} |",
                mb / t.max(1e-3),
                t / ours.max(1e-3),
                peaks[index] as f64 / 1024.0
            );
        }
    }
}
