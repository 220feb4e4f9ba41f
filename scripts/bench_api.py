#!/usr/bin/env python3
"""Benchmark: the video list API and the watch page with 10,000 videos in the database.

Starts a release `kinora serve` (SQLite, no transcoders) on a fresh data directory, inserts
10,000 published public videos (each with two rendition rows) straight into the database, then
drives these routes of the same server with wrk, one after another, in the same run:
  - GET /healthz                          (the trivial route: the reference)
  - GET /api/v1/videos?count=15           (the list, newest first)
  - GET /api/v1/search/videos?search=video        (matches every video)
  - GET /api/v1/search/videos?search=video%204242 (matches one)
  - the search with another text at each request (a wrk script: every page is computed, none
    is answered from the server's page cache)
  - GET /w/<shortUUID>                    (the watch page, with its OpenGraph tags)
and prints requests/s, p99 latency and the ratio to the trivial route as a Markdown table.

Usage: scripts/bench_api.py [--videos 10000] [--seconds 10] [--connections 16]
                            [--binary $CARGO_TARGET_DIR/release/kinora] [--also /other/path ...]
Needs wrk (Debian package `wrk`) and a built front end in web/dist (npm run build in web/).
"""
import argparse
import os
import sqlite3
import subprocess
import tempfile
import time
import uuid

from bench_common import free_port, wait_ready, wrk

ALPHABET = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # Flickr base58, as PeerTube




# A wrk script that searches for "video N" with a new N at each request, so that no answer comes
# from the server's list cache: the cost of computing a page and its total.
MISS_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local n = (counter * 7919 + math.random(0, 1000000)) % 1000000
  return wrk.format("GET", "/api/v1/search/videos?search=video%20" .. n)
end
"""


def wrk_with_script(url, seconds, connections, script):
    """wrk on `url`, with `script` (Lua text) when given."""
    if script is None:
        return wrk(url, seconds, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as f:
        f.write(script)
        f.flush()
        return wrk(url, seconds, connections, f.name)


def short_uuid(value):
    number = value.int
    out = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        out = ALPHABET[rest] + out
    return out.rjust(22, ALPHABET[0])




def seed(database, count):
    db = sqlite3.connect(database, timeout=30)
    (channel,) = db.execute("SELECT id FROM channels ORDER BY id LIMIT 1").fetchone()
    now = int(time.time() * 1000)
    videos = []
    for i in range(count):
        u = uuid.uuid4()
        videos.append((str(u), short_uuid(u), channel, f"Benchmark video {i}", "A description " * 20,
                       1, 1, "[\"bench\",\"video\"]", 120, "bench.mp4", 1000, f"{u}-master.m3u8",
                       f"{u}-segments-sha256.json", f"{u}.jpg", f"{u}-preview.jpg", i % 1000,
                       now - i * 1000, now - i * 1000, now - i * 1000))
    db.executemany(
        "INSERT INTO videos (uuid, short_uuid, channel_id, name, description, privacy, state, tags,"
        " duration, original_filename, original_size, hls_master_file, hls_segments_file,"
        " thumbnail_file, preview_file, views, created_at, updated_at, published_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", videos)
    ids = [row[0] for row in db.execute("SELECT id FROM videos")]
    files = []
    for video_id in ids:
        for resolution, width in ((720, 1280), (360, 640)):
            name = uuid.uuid4()
            files.append((video_id, resolution, width, resolution, 30, 1_000_000,
                          f"{name}-{resolution}-fragmented.mp4", f"{name}-{resolution}.m3u8", 1, 1, now))
    db.executemany(
        "INSERT INTO video_files (video_id, resolution, width, height, fps, size, file_name,"
        " playlist_name, has_audio, has_video, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", files)
    db.commit()
    (short,) = db.execute("SELECT short_uuid FROM videos ORDER BY id DESC LIMIT 1").fetchone()
    db.close()
    return short




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=10000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--also", action="append", default=[],
                        help="another path to measure in the same run (repeatable)")
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "kinora"))
    args = parser.parse_args()
    web = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "web", "dist"))
    if not os.path.isfile(os.path.join(web, "index.html")):
        raise SystemExit("build the front end first: (cd web && npm ci && npm run build)")
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        config = os.path.join(data, "kinora.toml")
        with open(config, "w") as f:
            f.write(f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
                    f'[database]\nurl = "sqlite://{data}/kinora.db"\n'
                    f'[storage.local]\nroot = "{data}/storage"\n[transcoding]\nworkers = 0\n'
                    f'[web]\nroot = "{web}"\n[log]\nlevel = "warn"\n[seeder]\nenabled = false\n')
        server = subprocess.Popen([args.binary, "serve", "--config", config],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(port)
            short = seed(os.path.join(data, "kinora.db"), args.videos)
            base = f"http://127.0.0.1:{port}"
            search = f"{base}/api/v1/search/videos"
            routes = [("trivial route `GET /healthz`", f"{base}/healthz", None),
                      ("`GET /api/v1/videos?count=15`", f"{base}/api/v1/videos?count=15", None),
                      ("`GET /api/v1/search/videos?search=video` (all match)",
                       f"{search}?search=video", None),
                      ("`GET /api/v1/search/videos?search=video%204242` (one matches)",
                       f"{search}?search=video%204242", None),
                      ("search, another text each request (no page kept)",
                       f"{search}?search=video", MISS_SCRIPT),
                      ("watch page `GET /w/<shortUUID>`", f"{base}/w/{short}", None)]
            routes += [(f"`GET {path}`", f"{base}{path}", None) for path in args.also]
            results = []
            for name, url, script in routes:
                rps, p99, errors = wrk_with_script(url, args.seconds, args.connections, script)
                if errors:
                    raise RuntimeError(f"{url}: {errors} error responses")
                results.append((name, rps, p99))
        finally:
            server.terminate()
            server.wait(timeout=30)
    reference = results[0][1]
    print(f"{args.videos} videos, wrk -t2 -c{args.connections} -d{args.seconds}s\n")
    print("| route | requests/s | p99 latency | vs trivial route |")
    print("|---|---|---|---|")
    for name, rps, p99 in results:
        print(f"| {name} | {rps:,.0f} | {p99:.2f} ms | {rps / reference:.2f}× |")


if __name__ == "__main__":
    main()
