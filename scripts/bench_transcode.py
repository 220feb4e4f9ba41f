#!/usr/bin/env python3
"""Benchmark: the full-ladder transcode of a 60 s 1080p30 source, Kinora against the ffmpeg CLI.

Three jobs on the same source, each run --runs times, CPU time (user+sys of the child
processes) and wall time measured:
  (a) PeerTube's way: one ffmpeg CLI process per rendition (1080/720/480/360/240/144), each
      decoding the source again, libx264 veryfast with PeerTube's VBV cap and `-bf 16
      -b_strategy 1`, AAC, HLS fMP4 single_file, 2 s GOP, no scene-cut keyframes (as Kinora);
  (b) the best single ffmpeg CLI command: one decode, a split filter, every rendition encoded
      in the same process, the same settings;
  (k) Kinora: `kinora-transcoder process` (one decode, every rendition in the same pass).
Prints a Markdown table with medians and the ratios k/a and k/b.

Usage: scripts/bench_transcode.py [--runs 3] [--seconds 60] [--binary target/release/kinora-transcoder]
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time

LADDER = [1080, 720, 480, 360, 240, 144]
AVG_BPP = {144: 0.19, 240: 0.17, 360: 0.15, 480: 0.12, 720: 0.11, 1080: 0.10}


def target_bitrate(height, fps=30):
    width = height * 16 / 9
    return int(width * height * fps * AVG_BPP[height])


def measured(command, cwd=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def rendition_args(height, index=None):
    rate = target_bitrate(height)
    suffix = "" if index is None else f":v:{index}"
    return [f"-c{suffix}", "libx264", f"-preset{suffix}", "veryfast", f"-maxrate{suffix}", str(rate),
            f"-bufsize{suffix}", str(2 * rate), f"-g{suffix}", "60", f"-keyint_min{suffix}", "60",
            f"-sc_threshold{suffix}", "0", f"-bf{suffix}", "16", f"-b_strategy{suffix}", "1",
            f"-pix_fmt{suffix}", "yuv420p"]


def per_rendition(source, out):
    """(a): one process per rendition, in sequence (PeerTube runs them as separate jobs)."""
    wall = cpu = 0.0
    for height in LADDER:
        command = ["ffmpeg", "-y", "-i", source, "-vf", f"scale=-2:{height}", "-r", "30",
                   *rendition_args(height), "-c:a", "aac", "-b:a", "128k", "-ac", "2",
                   "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod",
                   "-hls_segment_type", "fmp4", "-hls_flags", "single_file",
                   "-hls_segment_filename", f"{out}/{height}.mp4", f"{out}/{height}.m3u8"]
        w, c = measured(command)
        wall += w
        cpu += c
    return wall, cpu


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
    return measured([binary, "process", "--input", source, "--output", out])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--binary", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "kinora-transcoder"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, "source.mp4")
        subprocess.run(["ffmpeg", "-y", "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={args.seconds}",
                        "-f", "lavfi", "-i", f"sine=frequency=440:duration={args.seconds}",
                        "-c:v", "libx264", "-preset", "fast", "-crf", "18", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-shortest", source],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = {"a": [], "b": [], "k": []}
        for run in range(args.runs):
            for name, job in (("a", lambda o: per_rendition(source, o)),
                              ("b", lambda o: single_command(source, o)),
                              ("k", lambda o: kinora(args.binary, source, o))):
                out = os.path.join(work, f"{name}{run}")
                os.makedirs(out)
                results[name].append(job(out))
                subprocess.run(["rm", "-rf", out])
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in results.items()}
    print("| job | wall, median (s) | CPU user+sys, median (s) |")
    print("|---|---|---|")
    labels = {"a": "(a) ffmpeg CLI, one process per rendition (PeerTube)",
              "b": "(b) ffmpeg CLI, one command with split",
              "k": "Kinora kinora-transcoder process"}
    for key in ("a", "b", "k"):
        print(f"| {labels[key]} | {med[key][0]:.1f} | {med[key][1]:.1f} |")
    print(f"\nCPU ratio Kinora/(a) = {med['k'][1] / med['a'][1]:.2f} (target <= 0.6); "
          f"Kinora/(b) = {med['k'][1] / med['b'][1]:.2f} (target <= 1.05)")
    print(f"Wall ratio Kinora/(a) = {med['k'][0] / med['a'][0]:.2f}; Kinora/(b) = {med['k'][0] / med['b'][0]:.2f}")


if __name__ == "__main__":
    main()
