#!/usr/bin/env python3
"""Benchmark: `kinora backup create` and `kinora backup restore` against `sqlite3 .backup` plus
`tar` of the same data, and the server's request latency while a backup runs.

Starts a release `kinora serve` (SQLite, no transcoders), inserts --videos published videos
(bench_api.py's rows) and writes --media-gb of media files under its storage root (one HLS
directory per video: two renditions, a playlist each, a master playlist, a thumbnail). Then, in
alternating runs (medians of --runs):
  - Kinora backup: `kinora backup create --to DIR` (while the server serves; every file copied,
    hashed with SHA-256 and flushed with fsync);
  - reference backup: `sqlite3 kinora.db ".backup DIR/kinora.db"` then `tar -cf DIR/media.tar`
    of the storage root, then `sync` (so both are on disk when the time stops);
  - Kinora restore: `kinora backup restore --from DIR` onto an empty database and storage root
    (every byte hashed again before anything is put in place);
  - reference restore: `cp` of the database copy and `tar -xf`, then `sync`.
Before each timed operation the page cache is flushed and emptied (as root), so every one reads
its input from disk, as a backup of a real instance does.
Last, wrk drives `GET /api/v1/videos?count=15` for --latency-seconds, once idle and once with a
backup started at the same moment, and reports p99 of both.

Usage: scripts/bench_backup.py [--videos 1000] [--media-gb 5] [--runs 3]
                               [--binary $CARGO_TARGET_DIR/release/kinora]
Needs sqlite3, tar and wrk.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

from bench_api import seed
from bench_common import free_port, wait_ready, wrk


def write_media(root, database, gigabytes):
    """Files for every video row, `gigabytes` in all, of random bytes (nothing compresses)."""
    import sqlite3
    db = sqlite3.connect(database)
    videos = db.execute("SELECT uuid, hls_master_file, thumbnail_file FROM videos").fetchall()
    db.close()
    per_video = int(gigabytes * (1 << 30) / len(videos))
    block = os.urandom(1 << 20)
    for index, (video, master, thumbnail) in enumerate(videos):
        directory = os.path.join(root, "streaming-playlists", "hls", video)
        os.makedirs(directory, exist_ok=True)
        for resolution, share in ((720, 0.7), (360, 0.3)):
            size = int(per_video * share)
            with open(os.path.join(directory, f"{video}-{resolution}-fragmented.mp4"), "wb") as f:
                # A different start per file, so no two files are the same.
                f.write(index.to_bytes(8, "big") + resolution.to_bytes(8, "big"))
                written = 16
                while written < size:
                    chunk = block[: min(len(block), size - written)]
                    f.write(chunk)
                    written += len(chunk)
            with open(os.path.join(directory, f"{video}-{resolution}.m3u8"), "w") as f:
                f.write("#EXTM3U\n" + "#EXTINF:4.0,\n#EXT-X-BYTERANGE:1000@0\nseg\n" * 30)
        with open(os.path.join(directory, master), "w") as f:
            f.write("#EXTM3U\n")
        os.makedirs(os.path.join(root, "thumbnails"), exist_ok=True)
        with open(os.path.join(root, "thumbnails", thumbnail), "wb") as f:
            f.write(os.urandom(20_000))


def drop_caches():
    """Flushes dirty pages and empties the page cache (root only), so that every operation
    reads its input from disk: otherwise whichever ran last has its input in memory."""
    subprocess.run(["sync"], check=True)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError:
        print("note: cannot drop the page cache (not root); inputs may be cached unevenly")


def timed(command, **kwargs):
    drop_caches()
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.monotonic() - started


def config_file(path, port, data):
    with open(path, "w") as f:
        f.write(f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
                f'[database]\nurl = "sqlite://{data}/kinora.db"\n'
                f'[storage.local]\nroot = "{data}/storage"\n[transcoding]\nworkers = 0\n'
                f'[log]\nlevel = "warn"\n[seeder]\nenabled = false\n')
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--media-gb", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-seconds", type=int, default=20)
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "kinora"))
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    with tempfile.TemporaryDirectory(dir="/var/tmp") as work:
        data = os.path.join(work, "data")
        os.makedirs(data)
        port = free_port()
        config = config_file(os.path.join(data, "kinora.toml"), port, data)
        server = subprocess.Popen([binary, "serve", "--config", config],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(port)
            database = os.path.join(data, "kinora.db")
            seed(database, args.videos)
            write_media(os.path.join(data, "storage"), database, args.media_gb)
            subprocess.run(["sync"], check=True)
            total = sum(os.path.getsize(os.path.join(d, f))
                        for d, _, files in os.walk(os.path.join(data, "storage")) for f in files)
            times = {"kinora backup": [], "sqlite3 .backup + tar": [],
                     "kinora restore": [], "cp + tar -x": []}
            for run in range(args.runs):
                kinora_dir = os.path.join(work, f"kinora-{run}")
                reference_dir = os.path.join(work, f"reference-{run}")
                os.makedirs(reference_dir)
                times["kinora backup"].append(
                    timed([binary, "--config", config, "backup", "create", "--to", kinora_dir]))
                times["sqlite3 .backup + tar"].append(timed(["sh", "-c", (
                    f'sqlite3 "{database}" ".backup {reference_dir}/kinora.db" && '
                    f'tar -cf "{reference_dir}/media.tar" -C "{data}/storage" . && sync')]))
                # Restores onto an empty machine: a new database file and storage root.
                target_dir = os.path.join(work, f"target-{run}")
                os.makedirs(target_dir)
                target_config = config_file(os.path.join(target_dir, "kinora.toml"), port,
                                            target_dir)
                times["kinora restore"].append(timed(
                    [binary, "--config", target_config, "backup", "restore", "--from",
                     kinora_dir]))
                plain_dir = os.path.join(work, f"plain-{run}")
                os.makedirs(os.path.join(plain_dir, "storage"))
                times["cp + tar -x"].append(timed(["sh", "-c", (
                    f'cp "{reference_dir}/kinora.db" "{plain_dir}/kinora.db" && '
                    f'tar -xf "{reference_dir}/media.tar" -C "{plain_dir}/storage" && sync')]))
                for path in (kinora_dir, reference_dir, target_dir, plain_dir):
                    shutil.rmtree(path)

            url = f"http://127.0.0.1:{port}/api/v1/videos?count=15"
            drop_caches()
            time.sleep(5)
            wrk(url, 5, 8)  # warm-up: the list page cached, connections made
            _, idle_p99, _ = wrk(url, args.latency_seconds, 8)
            busy_dir = os.path.join(work, "busy")
            backup_seconds = []

            def backup_now():
                backup_seconds.append(timed(
                    [binary, "--config", config, "backup", "create", "--to", busy_dir]))

            thread = threading.Thread(target=backup_now)
            thread.start()
            busy_rps, busy_p99, _ = wrk(url, args.latency_seconds, 8)
            thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.videos} videos, {total / (1 << 30):.2f} GiB of media in "
          f"one storage root, {args.runs} alternating runs (medians)\n")
    print("| operation | seconds (median) | runs | vs reference |")
    print("|---|---|---|---|")
    for name, reference in (("kinora backup", "sqlite3 .backup + tar"),
                            ("kinora restore", "cp + tar -x")):
        for label in (name, reference):
            ratio = f"{median[name] / median[reference]:.2f}×" if label == name else ""
            runs = ", ".join(f"{value:.1f}" for value in times[label])
            print(f"| {label} | {median[label]:.1f} | {runs} | {ratio} |")
    print(f"\n`GET /api/v1/videos?count=15`, wrk -t2 -c8 -d{args.latency_seconds}s: p99 "
          f"{idle_p99:.2f} ms idle, {busy_p99:.2f} ms with a backup running "
          f"({busy_rps:,.0f} requests/s; that backup took {backup_seconds[0]:.1f} s)")


if __name__ == "__main__":
    main()
