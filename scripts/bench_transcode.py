#!/usr/bin/env python3
"""Benchmark: the full-ladder transcode of a 1080p30 source, Kinora against the ffmpeg CLI.

Jobs on the same source, each run --runs times, alternating: CPU time (user+sys), wall time and
peak resident memory of each job's processes (for (a), the largest of its six processes):
  (a) PeerTube's way: one ffmpeg CLI process per rendition (1080/720/480/360/240/144), each
      decoding the source again, libx264 veryfast with PeerTube's VBV cap and `-bf 16
      -b_strategy 1`, AAC, HLS fMP4 single_file, 2 s GOP, no scene-cut keyframes (as Kinora);
  (b) the best single ffmpeg CLI command: one decode, a split filter, every rendition encoded
      in the same process, the same settings;
  (k) Kinora: `kinora-transcoder process` (one decode, every rendition in the same pass), once
      per --binary (e.g. a build from before a change and one after).
The source (--source): `noisy` (issue 22's: testsrc2 with `noise=alls=6:allf=t`, x264 fast at
12 Mb/s, AAC 192k; the default) or `testsrc2` (clean, CRF 18: compresses unusually well).

With --ssim, each job's renditions of its first run are compared with the source scaled to the
same size (bicubic): the mean SSIM (Y) per rendition, so a change to scaling or encoding can be
seen to keep the picture.

Prints Markdown tables: medians, the ratios of each Kinora binary to (a) and (b), and the SSIM.

Usage: scripts/bench_transcode.py [--runs 3] [--seconds 30] [--source noisy|testsrc2]
                                  [--binary target/release/kinora-transcoder ...] [--ssim]
"""
import argparse
import glob
import os
import re
import statistics
import subprocess
import tempfile
import time

LADDER = [1080, 720, 480, 360, 240, 144]
AVG_BPP = {144: 0.19, 240: 0.17, 360: 0.15, 480: 0.12, 720: 0.11, 1080: 0.10}


def target_bitrate(height, fps=30):
    width = height * 16 / 9
    return int(width * height * fps * AVG_BPP[height])


def measured(command, env=None):
    """Runs `command`: (wall s, CPU s, peak RSS MiB) of the process (and the children it waited for)."""
    started = time.monotonic()
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(command, env=env, stdout=null, stderr=null)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed ({status}): {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def rendition_args(height, index=None):
    rate = target_bitrate(height)
    suffix = "" if index is None else f":v:{index}"
    return [f"-c{suffix}", "libx264", f"-preset{suffix}", "veryfast", f"-maxrate{suffix}", str(rate),
            f"-bufsize{suffix}", str(2 * rate), f"-g{suffix}", "60", f"-keyint_min{suffix}", "60",
            f"-sc_threshold{suffix}", "0", f"-bf{suffix}", "16", f"-b_strategy{suffix}", "1",
            f"-pix_fmt{suffix}", "yuv420p"]


def per_rendition(source, out):
    """(a): one process per rendition, in sequence (PeerTube runs them as separate jobs)."""
    wall = cpu = peak = 0.0
    for height in LADDER:
        command = ["ffmpeg", "-y", "-i", source, "-vf", f"scale=-2:{height}", "-r", "30",
                   *rendition_args(height), "-c:a", "aac", "-b:a", "128k", "-ac", "2",
                   "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod",
                   "-hls_segment_type", "fmp4", "-hls_flags", "single_file",
                   "-hls_segment_filename", f"{out}/{height}.mp4", f"{out}/{height}.m3u8"]
        w, c, m = measured(command)
        wall += w
        cpu += c
        peak = max(peak, m)
    return wall, cpu, peak


def single_command(source, out):
    """(b): one decode, split, every rendition in one process."""
    splits = "".join(f"[v{i}]" for i in range(len(LADDER)))
    graph = f"[0:v]split={len(LADDER)}{splits};" + ";".join(
        f"[v{i}]scale=-2:{h}[o{i}]" for i, h in enumerate(LADDER))
    command = ["ffmpeg", "-y", "-i", source, "-filter_complex", graph]
    for i, height in enumerate(LADDER):
        command += ["-map", f"[o{i}]", *rendition_args(height, i)]
    for i in range(len(LADDER)):
        command += ["-map", "0:a"]
    command += ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-r", "30",
                "-var_stream_map", " ".join(f"v:{i},a:{i}" for i in range(len(LADDER))),
                "-master_pl_name", "master.m3u8", "-f", "hls", "-hls_time", "4",
                "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", "-hls_flags", "single_file",
                "-hls_segment_filename", f"{out}/%v.mp4", f"{out}/%v.m3u8"]
    return measured(command)


def kinora(binary, source, out):
    # `process` reads no database, but the transcoder's configuration must name one.
    env = {**os.environ, "KINORA__DATABASE__URL": f"sqlite://{out}/unused.db"}
    return measured([binary, "process", "--input", source, "--output", out], env=env)


def make_source(kind, seconds, path):
    if kind == "noisy":
        video = ["-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds},noise=alls=6:allf=t",
                 "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                 "-c:v", "libx264", "-preset", "fast", "-b:v", "12M", "-maxrate", "14M", "-bufsize", "24M",
                 "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k"]
    else:
        video = ["-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
                 "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                 "-c:v", "libx264", "-preset", "fast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    subprocess.run(["ffmpeg", "-y", *video, "-shortest", path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def rendition_files(out):
    """{height: playable input} of a job's output directory: Kinora's fragmented MP4 files
    (which hold their own init section), the CLI's media playlists (which name theirs)."""
    found = {}
    for path in glob.glob(os.path.join(out, "**", "*"), recursive=True):
        name = os.path.basename(path)
        kinora_file = re.search(r"-(\d+)-fragmented\.mp4$", name)
        if kinora_file:
            found[int(kinora_file.group(1))] = path
        elif re.fullmatch(r"\d\.m3u8", name):  # (b): %v is the stream's index in LADDER
            found[LADDER[int(name[0])]] = path
        elif re.fullmatch(r"\d{3,4}\.m3u8", name):  # (a): named by height
            found[int(name[:-5])] = path
    return found


def ssim(rendition, source):
    """Mean SSIM (Y) of `rendition` against `source` scaled to its size (bicubic)."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0", rendition],
                           check=True, capture_output=True, text=True).stdout.strip().splitlines()[0].split(",")
    width, height = probe[0], probe[1]
    result = subprocess.run(["ffmpeg", "-i", rendition, "-i", source, "-lavfi",
                             f"[1:v]scale={width}:{height}:flags=bicubic[ref];[0:v][ref]ssim", "-f", "null", "-"],
                            check=True, capture_output=True, text=True)
    match = re.search(r"SSIM Y:([0-9.]+)", result.stderr)
    return float(match.group(1)) if match else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--source", choices=["noisy", "testsrc2"], default="noisy")
    parser.add_argument("--binary", action="append")
    parser.add_argument("--ssim", action="store_true")
    args = parser.parse_args()
    binaries = args.binary or [os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "kinora-transcoder")]
    jobs = [("a", "(a) ffmpeg CLI, one process per rendition (PeerTube)", None),
            ("b", "(b) ffmpeg CLI, one command with split", None)]
    jobs += [(f"k{i}", f"Kinora `{path}`", path) for i, path in enumerate(binaries)]
    with tempfile.TemporaryDirectory(dir="/var/tmp") as work:
        source = os.path.join(work, "source.mp4")
        make_source(args.source, args.seconds, source)
        results = {key: [] for key, _, _ in jobs}
        quality = {}
        for run in range(args.runs):
            for key, _, binary in jobs:
                out = os.path.join(work, f"{key}-{run}")
                os.makedirs(out)
                if key == "a":
                    results[key].append(per_rendition(source, out))
                elif key == "b":
                    results[key].append(single_command(source, out))
                else:
                    results[key].append(kinora(binary, source, out))
                if args.ssim and run == 0:
                    quality[key] = {h: ssim(path, source) for h, path in rendition_files(out).items()}
                subprocess.run(["rm", "-rf", out], check=True)
    med = {key: tuple(statistics.median(r[i] for r in runs) for i in range(3)) for key, runs in results.items()}
    print(f"Source: {args.seconds} s of 1920x1080 at 30 fps ({args.source}); {args.runs} runs, medians.\n")
    print("| job | wall (s) | CPU user+sys (s) | peak RSS (MiB) |")
    print("|---|---|---|---|")
    for key, label, _ in jobs:
        print(f"| {label} | {med[key][0]:.1f} | {med[key][1]:.1f} | {med[key][2]:.0f} |")
    print()
    for key, label, binary in jobs:
        if binary is None:
            continue
        print(f"{label}: CPU /(a) = {med[key][1] / med['a'][1]:.2f}, /(b) = {med[key][1] / med['b'][1]:.2f}; "
              f"wall /(a) = {med[key][0] / med['a'][0]:.2f}, /(b) = {med[key][0] / med['b'][0]:.2f}; "
              f"peak RSS /(a) = {med[key][2] / med['a'][2]:.2f}")
    if quality:
        heights = sorted({h for q in quality.values() for h in q}, reverse=True)
        print("\n| job (SSIM Y against the source at the rendition's size) | "
              + " | ".join(f"{h}p" for h in heights) + " |")
        print("|---|" + "---|" * len(heights))
        for key, label, _ in jobs:
            row = quality.get(key, {})
            print(f"| {label} | " + " | ".join(f"{row[h]:.4f}" if h in row else "–" for h in heights) + " |")


if __name__ == "__main__":
    main()
