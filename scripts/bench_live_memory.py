#!/usr/bin/env python3
"""Memory of a long live (issue 20): one broadcast into `kinora serve`'s RTMP ingest for
`--minutes`, beside the same stream into the ffmpeg CLI listening for RTMP and muxing it as
PeerTube's live does without transcoding (`-c copy`, HLS of MPEG-TS segments, 4 s, 15 listed,
delete_segments). Every `--sample-secs` it reads the resident memory (VmRSS) of Kinora's ingest
(`kinora-transcoder live`), of its broadcast's remux child (`kinora-transcoder live-process`)
and of the ffmpeg listener. Reports the first sample after the warm-up (two minutes), the last,
the highest, the growth per hour of each side (least squares over the samples after the
warm-up), and Kinora's (ingest + child) last / ffmpeg's last.

    CARGO_TARGET_DIR=/var/tmp/kinora-target cargo build --release -p kinora-server -p kinora-transcoder
    python3 scripts/bench_live_memory.py [--minutes 60] [--sample-secs 30] [--profile release]

Both broadcasters are the ffmpeg CLI sending one minute of 1280x720 25 fps source (as
bench_live.py makes it: x264 veryfast 4 Mb/s, a keyframe every 2 s, AAC 128 kb/s) in a loop, in
real time, without re-encoding (`-re -stream_loop -1 -c copy`), so they cost next to nothing.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import free_port, proc_mib, request, root_token, wait_ready  # noqa: E402
from bench_live import make_source  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
WARM_UP_SECS = 120


def children(pid):
    """The pids whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def find_child(parent, argument):
    """The child of `parent` that is kinora-transcoder with `argument` (its subcommand)."""
    for pid in children(parent):
        line = cmdline(pid)
        if line and line[0].endswith(b"kinora-transcoder") and argument.encode() in line[1:]:
            return pid
    return None


def slope_per_hour(samples):
    """Least-squares growth of (seconds, MiB) samples, in MiB per hour."""
    if len(samples) < 2:
        return float("nan")
    xs = [s for s, _ in samples]
    ys = [m for _, m in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var * 3600 if var else float("nan")


def start_server(binary, work, port, rtmp_port):
    config = work / "kinora.toml"
    config.write_text(
        f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
        f'[database]\nurl = "sqlite://{work}/kinora.db"\n[storage.local]\nroot = "{work}/storage"\n'
        f'[transcoding]\nworkers = 0\n[log]\nlevel = "warn"\n[seeder]\nenabled = false\n'
        f'[live]\nenabled = true\nrtmp_listen = "127.0.0.1:{rtmp_port}"\n')
    server = subprocess.Popen([str(binary), "serve", "--config", str(config)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    password = None
    for line in server.stdout:
        if "password:" in line:
            password = line.split("password:")[1].strip()
        if "is running at" in line:
            break
    wait_ready(port)
    return server, password


def stream_key(base, password):
    token = root_token(base, password)
    _, _, body = request("GET", f"{base}/api/v1/users/me", token)
    channel = json.loads(body)["videoChannels"][0]["id"]
    status, _, body = request("POST", f"{base}/api/v1/videos/live", token,
                              json.dumps({"name": "Long live", "channelId": channel}).encode(),
                              {"Content-Type": "application/json"})
    assert status == 200, (status, body)
    uuid = json.loads(body)["video"]["uuid"]
    _, _, body = request("GET", f"{base}/api/v1/videos/live/{uuid}", token)
    return json.loads(body)["streamKey"]


def broadcaster(source, url, seconds):
    return subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", str(source),
                             "-t", str(seconds), "-c", "copy", "-f", "flv", url],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--sample-secs", type=float, default=30)
    parser.add_argument("--profile", default="release")
    args = parser.parse_args()
    binary = TARGET / args.profile / "kinora"
    if not (binary.is_file() and binary.with_name("kinora-transcoder").is_file()):
        raise SystemExit(f"build them first: {binary} and kinora-transcoder")
    seconds = int(args.minutes * 60)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        source = work / "source.flv"
        make_source(source, 60)
        port, rtmp_port, ffmpeg_port = free_port(), free_port(), free_port()
        server, password = start_server(binary, work, port, rtmp_port)
        reference_dir = work / "ffmpeg"
        reference_dir.mkdir()
        reference = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-listen", "1", "-i", f"rtmp://127.0.0.1:{ffmpeg_port}/live/reference",
             "-c:v", "copy", "-c:a", "copy", "-f", "hls", "-hls_time", "4", "-hls_list_size", "15",
             "-hls_flags", "delete_segments+independent_segments",
             "-hls_segment_filename", str(reference_dir / "0-%06d.ts"), str(reference_dir / "0.m3u8")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        senders = []
        try:
            key = stream_key(f"http://localhost:{port}", password)
            time.sleep(1)
            senders.append(broadcaster(source, f"rtmp://127.0.0.1:{rtmp_port}/live/{key}", seconds))
            senders.append(broadcaster(source, f"rtmp://127.0.0.1:{ffmpeg_port}/live/reference", seconds))
            started = time.monotonic()
            samples = {"ingest": [], "remux": [], "kinora": [], "ffmpeg": []}
            ingest = remux = None
            while time.monotonic() - started < seconds - 5:
                time.sleep(args.sample_secs)
                at = time.monotonic() - started
                ingest = ingest or find_child(server.pid, "live")
                if ingest and not remux:
                    remux = find_child(ingest, "live-process")
                if not (ingest and remux) or reference.poll() is not None:
                    raise RuntimeError(f"a process is missing: ingest {ingest}, remux {remux}, ffmpeg {reference.poll()}")
                figures = {"ingest": proc_mib(ingest, "VmRSS"), "remux": proc_mib(remux, "VmRSS"),
                           "ffmpeg": proc_mib(reference.pid, "VmRSS")}
                figures["kinora"] = figures["ingest"] + figures["remux"]
                for side, mib in figures.items():
                    samples[side].append((at, mib))
                print(json.dumps({"seconds": round(at), **{k: round(v, 1) for k, v in figures.items()}}), flush=True)
            report = {}
            for side, values in samples.items():
                warm = [s for s in values if s[0] >= WARM_UP_SECS] or values
                report[side] = {"after_warm_up_mib": round(warm[0][1], 1), "last_mib": round(values[-1][1], 1),
                                "highest_mib": round(max(m for _, m in values), 1),
                                "growth_mib_per_hour": round(slope_per_hour(warm), 2)}
            print(json.dumps({"minutes": args.minutes, "profile": args.profile, "samples": len(samples["kinora"]),
                              "resident": report,
                              "kinora_over_ffmpeg_last": round(report["kinora"]["last_mib"] / report["ffmpeg"]["last_mib"], 2)},
                             indent=2))
        finally:
            for process in senders + [reference, server]:
                process.terminate()
            for process in senders + [reference, server]:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    main()
