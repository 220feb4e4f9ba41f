#!/usr/bin/env python3
"""Live remux (issue 20): `kinora-transcoder live-process` against the ffmpeg CLI doing the same
thing (PeerTube's muxing command without transcoding: `-c copy`, HLS of MPEG-TS segments, 4 s,
15 listed, delete_segments), on the same FLV as the RTMP ingest pipes it, read as fast as it
comes. Alternating runs; reports each side's CPU seconds, wall seconds and peak resident memory,
and the ratios Kinora / ffmpeg (medians).

    CARGO_TARGET_DIR=/var/tmp/kinora-target cargo build --release -p kinora-transcoder
    python3 scripts/bench_live.py [--seconds 300] [--runs 5]

The source: `--seconds` of 1280x720 25 fps testsrc2 with temporal noise (so that it is not
unusually compressible), x264 veryfast at 4 Mb/s with a keyframe every 2 s, and a tone (AAC
128 kb/s), made once with the ffmpeg CLI.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def make_source(path, seconds):
    subprocess.run([
        "ffmpeg", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={seconds},noise=alls=12:allf=t",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "veryfast", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M",
        "-g", "50", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-f", "flv", str(path),
    ], check=True)


def measure(command, source, env=None):
    """Runs `command` with `source` on stdin; answers (cpu s, wall s, peak MiB) of the child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with open(source, "rb") as stdin:
        result = subprocess.run(command, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, result


def peak_mib(command, source, env=None):
    """Peak resident memory of one run, from GNU time (the children's ru_maxrss would be the
    largest of every run so far)."""
    with open(source, "rb") as stdin:
        result = subprocess.run(["/usr/bin/time", "-v"] + command, stdin=stdin,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                text=True)
    for line in result.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    raise RuntimeError("no peak memory reported")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", default="release",
                        help="the cargo profile whose kinora-transcoder runs (release or debug)")
    args = parser.parse_args()
    binary = TARGET / args.profile / "kinora-transcoder"
    if not binary.is_file():
        raise SystemExit(f"build it first: {binary} is missing")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        source = work / "source.flv"
        make_source(source, args.seconds)
        env = dict(os.environ, KINORA_TRANSCODER_SETTINGS="{}")

        def kinora(out):
            return [str(binary), "live-process", "--output", str(out)]

        def ffmpeg(out):
            return ["ffmpeg", "-v", "error", "-f", "flv", "-i", "pipe:0", "-c:v", "copy",
                    "-c:a", "copy", "-map", "0:a?", "-map", "0:v?", "-f", "hls",
                    "-hls_time", "4", "-hls_list_size", "15",
                    "-hls_flags", "delete_segments+independent_segments+program_date_time",
                    "-hls_segment_filename", str(out / "0-%06d.ts"), str(out / "0.m3u8")]

        rows = {"kinora": [], "ffmpeg": []}
        for run in range(args.runs):
            for side, build in (("kinora", kinora), ("ffmpeg", ffmpeg)) if run % 2 == 0 else (("ffmpeg", ffmpeg), ("kinora", kinora)):
                out = work / f"{side}-{run}"
                out.mkdir()
                cpu, wall, _ = measure(build(out), source, env)
                out2 = work / f"{side}-{run}-mem"
                out2.mkdir()
                peak = peak_mib(build(out2), source, env)
                rows[side].append((cpu, wall, peak))
                if side == "kinora":
                    playlist = (out / "0.m3u8").read_text()
                    assert "#EXT-X-ENDLIST" in playlist, playlist
        summary = {}
        for side, values in rows.items():
            summary[side] = {
                "cpu_s": statistics.median(v[0] for v in values),
                "wall_s": statistics.median(v[1] for v in values),
                "peak_mib": statistics.median(v[2] for v in values),
            }
        ratios = {key: summary["kinora"][key] / summary["ffmpeg"][key] for key in summary["kinora"]}
        print(json.dumps({"source_seconds": args.seconds, "runs": args.runs, "profile": args.profile,
                          "medians": summary, "kinora_over_ffmpeg": ratios}, indent=2))


if __name__ == "__main__":
    main()
