#!/usr/bin/env python3
"""Benchmark: HLS byte ranges of a public video, Kinora against nginx serving the same files.

Starts a release `kinora serve` (SQLite, no transcoders) on a fresh data directory, inserts one
published public video with a 720p rendition row straight into the database and writes its
fragmented MP4 (random bytes, --mib MiB) where the local storage keeps it; starts nginx (Debian
package `nginx`, as this user, config in the temporary directory) with the storage root as its
document root. Then wrk asks both for 256 KiB `Range`s of the rendition (a new offset each
request, as a player walks the segments), alternating Kinora and nginx, with keep-alive and with
`Connection: close`, --rounds times each, and prints requests/s and the ratio per pair.

Usage: scripts/bench_segments.py [--seconds 10] [--connections 32] [--rounds 2] [--mib 64]
                                 [--binary $CARGO_TARGET_DIR/release/kinora]
Needs wrk and nginx on PATH (or /usr/sbin/nginx).
"""
import argparse
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid

from bench_common import free_port, request, wait_ready, wrk_checked

RANGE = 256 * 1024

# A wrk script asking for the next 256 KiB range of the file at each request (wrapping around).
RANGE_SCRIPT = """
local size = {size}
local step = {step}
local offset = 0
request = function()
  local first = offset
  offset = (offset + step) % (size - step)
  wrk.headers["Range"] = "bytes=" .. first .. "-" .. (first + step - 1)
  {close}
  return wrk.format("GET")
end
"""

NGINX_CONF = """
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types {{ video/mp4 mp4; }}
  client_body_temp_path {dir}/nginx-body;
  proxy_temp_path {dir}/nginx-proxy;
  fastcgi_temp_path {dir}/nginx-fastcgi;
  uwsgi_temp_path {dir}/nginx-uwsgi;
  scgi_temp_path {dir}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    location /static/ {{ alias {root}/; }}
  }}
}}
"""


def seed(data, mib):
    """One published public video with a 720p rendition; answers the rendition's URL path."""
    db = sqlite3.connect(os.path.join(data, "kinora.db"), timeout=30)
    (channel,) = db.execute("SELECT id FROM channels ORDER BY id LIMIT 1").fetchone()
    now = int(time.time() * 1000)
    video = uuid.uuid4()
    db.execute(
        "INSERT INTO videos (uuid, short_uuid, channel_id, name, description, privacy, state, tags,"
        " duration, original_filename, original_size, hls_master_file, hls_segments_file,"
        " views, created_at, updated_at, published_at)"
        " VALUES (?,?,?,?,?,1,1,'[]',120,'bench.mp4',1000,?,?,0,?,?,?)",
        (str(video), video.hex[:22], channel, "Segments", "", f"{video}-master.m3u8",
         f"{video}-segments-sha256.json", now, now, now))
    (video_id,) = db.execute("SELECT id FROM videos WHERE uuid = ?", (str(video),)).fetchone()
    name = uuid.uuid4()
    file_name = f"{name}-720-fragmented.mp4"
    db.execute(
        "INSERT INTO video_files (video_id, resolution, width, height, fps, size, file_name,"
        " playlist_name, has_audio, has_video, created_at) VALUES (?,720,1280,720,30,?,?,?,1,1,?)",
        (video_id, mib << 20, file_name, f"{name}-720.m3u8", now))
    db.commit()
    db.close()
    directory = os.path.join(data, "storage", "streaming-playlists", "hls", str(video))
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, file_name)
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(secrets.token_bytes(1 << 20))
    for parent in (os.path.join(data, "storage"), os.path.dirname(directory),
                   os.path.dirname(os.path.dirname(directory)), directory):
        os.chmod(parent, 0o755)
    os.chmod(path, 0o644)
    return f"/static/streaming-playlists/hls/{video}/{file_name}"


def measure(url, seconds, connections, size, close):
    script = RANGE_SCRIPT.format(size=size, step=RANGE,
                                 close='wrk.headers["Connection"] = "close"' if close else "")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as f:
        f.write(script)
        f.flush()
        return wrk_checked(url, seconds, connections, f.name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mib", type=int, default=64)
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "kinora"))
    args = parser.parse_args()
    nginx_binary = shutil.which("nginx") or "/usr/sbin/nginx"
    with tempfile.TemporaryDirectory() as data:
        os.chmod(data, 0o755)  # nginx's workers run as another user when started by root
        port, nginx_port = free_port(), free_port()
        config = os.path.join(data, "kinora.toml")
        with open(config, "w") as f:
            f.write(f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
                    f'[database]\nurl = "sqlite://{data}/kinora.db"\n'
                    f'[storage.local]\nroot = "{data}/storage"\n[transcoding]\nworkers = 0\n'
                    f'[log]\nlevel = "warn"\n[seeder]\nenabled = false\n')
        nginx_conf = os.path.join(data, "nginx.conf")
        with open(nginx_conf, "w") as f:
            f.write(NGINX_CONF.format(dir=data, port=nginx_port, root=f"{data}/storage"))
        server = subprocess.Popen([args.binary, "serve", "--config", config],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        nginx = None
        try:
            wait_ready(port)
            path = seed(data, args.mib)
            nginx = subprocess.Popen([nginx_binary, "-c", nginx_conf, "-p", data,
                                      "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kinora_url = f"http://127.0.0.1:{port}{path}"
            nginx_url = f"http://127.0.0.1:{nginx_port}{path}"
            for url in (kinora_url, nginx_url):
                deadline = time.monotonic() + 10
                while True:
                    try:
                        status, _, body = request("GET", url, headers={"Range": "bytes=0-9"})
                    except OSError:  # nginx still starting
                        status, body = None, b""
                    if status == 206 and len(body) == 10 or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
                if status != 206 or len(body) != 10:
                    raise RuntimeError(f"{url}: {status}, {len(body)} bytes")
            size = args.mib << 20
            rows = []
            for close in (False, True):
                for _ in range(args.rounds):
                    k = measure(kinora_url, args.seconds, args.connections, size, close)
                    n = measure(nginx_url, args.seconds, args.connections, size, close)
                    rows.append((close, k, n))
        finally:
            server.terminate()
            server.wait(timeout=30)
            if nginx is not None:
                nginx.terminate()
                nginx.wait(timeout=30)
    print(f"256 KiB ranges of a {args.mib} MiB public 720p rendition, "
          f"wrk -t2 -c{args.connections} -d{args.seconds}s, Kinora and nginx alternating\n")
    print("| connections | Kinora req/s (p99) | nginx req/s (p99) | Kinora / nginx |")
    print("|---|---|---|---|")
    for close, (k, kp), (n, np_) in rows:
        kind = "`Connection: close`" if close else "keep-alive"
        print(f"| {kind} | {k:,.0f} ({kp:.2f} ms) | {n:,.0f} ({np_:.2f} ms) | {k / n:.2f}× |")


if __name__ == "__main__":
    main()
