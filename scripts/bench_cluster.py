#!/usr/bin/env python3
"""Benchmark: one and two `kinora serve` processes behind nginx, on one PostgreSQL database and
one storage root (issue 21).

Makes a database of its own on the PostgreSQL server (--postgres, the tests' server by default;
dropped at the end), starts a release `kinora serve` on it (no transcoders, migrations run),
inserts --videos published public videos and one with a --mib MiB 720p rendition (random bytes
on local storage), then starts a second process of the same instance (the same config file but
its port). nginx (Debian package, run as this user) proxies to the processes with keep-alive
upstream connections; it is restarted between the two layouts: first one process behind it,
then both (round robin). wrk drives, through nginx, each layout in turn, --rounds times:
  - GET /api/v1/videos?count=15          (the catalogue's first page)
  - 256 KiB `Range`s of the rendition     (a new offset each request, as a player walks it)
and the script prints requests/s, p99 and the ratio two/one per route as a Markdown table.

Usage: scripts/bench_cluster.py [--seconds 10] [--connections 32] [--rounds 2] [--videos 1000]
                                [--mib 64] [--binary $CARGO_TARGET_DIR/release/kinora]
                                [--postgres postgres://postgres@127.0.0.1:5432/test]
Needs wrk, nginx and psql on PATH (or nginx in /usr/sbin).
"""
import argparse
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import uuid

from bench_common import free_port, request, wait_ready, wrk_checked
from bench_segments import RANGE, RANGE_SCRIPT

NGINX_CONF = """
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000;
  client_body_temp_path {dir}/nginx-body;
  proxy_temp_path {dir}/nginx-proxy;
  fastcgi_temp_path {dir}/nginx-fastcgi;
  uwsgi_temp_path {dir}/nginx-uwsgi;
  scgi_temp_path {dir}/nginx-scgi;
  upstream kinora {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://kinora;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffers 16 64k;
    }}
  }}
}}
"""


def psql(url, sql):
    """Runs SQL on `url`; answers psql's unaligned output."""
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


def database_url(base, name):
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def seed(url, storage, videos, mib):
    """`videos` public videos for the list and one with a rendition; the rendition's path."""
    channel = psql(url, "SELECT id FROM channels ORDER BY id LIMIT 1")
    now = int(time.time() * 1000)
    psql(url, f"""
        INSERT INTO videos (uuid, short_uuid, channel_id, name, description, privacy, state, tags,
            duration, original_filename, original_size, hls_master_file, hls_segments_file,
            views, created_at, updated_at, published_at)
        SELECT md5('v' || i)::uuid::text, substr(md5('s' || i), 1, 22), {channel},
            'Video ' || i, 'A benchmark video', 1, 1, '[]', 120, 'bench.mp4', 1000,
            md5('m' || i) || '-master.m3u8', md5('h' || i) || '-segments-sha256.json', i,
            {now} - i, {now} - i, {now} - i
        FROM generate_series(1, {videos}) AS i""")
    video = uuid.uuid4()
    video_id = psql(url, f"""
        INSERT INTO videos (uuid, short_uuid, channel_id, name, description, privacy, state, tags,
            duration, original_filename, original_size, hls_master_file, hls_segments_file,
            views, created_at, updated_at, published_at)
        VALUES ('{video}', '{video.hex[:22]}', {channel}, 'Segments', '', 1, 1, '[]', 120,
            'bench.mp4', 1000, '{video}-master.m3u8', '{video}-segments-sha256.json', 0,
            {now}, {now}, {now})
        RETURNING id""")
    name = uuid.uuid4()
    file_name = f"{name}-720-fragmented.mp4"
    psql(url, f"""
        INSERT INTO video_files (video_id, resolution, width, height, fps, size, file_name,
            playlist_name, has_audio, has_video, created_at)
        VALUES ({video_id}, 720, 1280, 720, 30, {mib << 20}, '{file_name}', '{name}-720.m3u8',
            1, 1, {now})""")
    directory = os.path.join(storage, "streaming-playlists", "hls", str(video))
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, file_name), "wb") as f:
        for _ in range(mib):
            f.write(secrets.token_bytes(1 << 20))
    return f"/static/streaming-playlists/hls/{video}/{file_name}"


def start_nginx(binary, data, port, upstreams):
    conf = os.path.join(data, "nginx.conf")
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(dir=data, port=port, servers=servers))
    nginx = subprocess.Popen([binary, "-c", conf, "-p", data, "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            status, _, _ = request("GET", f"http://127.0.0.1:{port}/healthz")
            if status == 200:
                return nginx
        except OSError:
            pass
        time.sleep(0.1)
    nginx.terminate()
    raise RuntimeError("nginx did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--mib", type=int, default=64)
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "kinora"))
    parser.add_argument("--postgres", default=os.environ.get(
        "KINORA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    nginx_binary = shutil.which("nginx") or "/usr/sbin/nginx"
    name = f"kinora_bench_{secrets.token_hex(4)}"
    psql(args.postgres, f"CREATE DATABASE {name}")
    url = database_url(args.postgres, name)
    servers, nginx = [], None
    results = {}
    try:
        with tempfile.TemporaryDirectory() as data:
            ports = [free_port(), free_port()]
            nginx_port = free_port()
            for n, port in enumerate(ports):
                config = os.path.join(data, f"kinora-{n}.toml")
                with open(config, "w") as f:
                    f.write(f'[server]\nlisten = "127.0.0.1:{port}"\n'
                            f'public_url = "http://localhost:{nginx_port}"\n'
                            f'[database]\nurl = "{url}"\n'
                            f'[storage.local]\nroot = "{data}/storage"\n'
                            f'[transcoding]\nworkers = 0\n[log]\nlevel = "warn"\n'
                            f'[seeder]\nenabled = false\n')
                servers.append(subprocess.Popen([args.binary, "serve", "--config", config],
                                                stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL))
                wait_ready(port)  # the first migrates before the second starts
                if n == 0:
                    segment = seed(url, f"{data}/storage", args.videos, args.mib)
            base = f"http://127.0.0.1:{nginx_port}"
            script_path = os.path.join(data, "ranges.lua")
            with open(script_path, "w") as f:
                f.write(RANGE_SCRIPT.format(size=args.mib << 20, step=RANGE, close=""))
            routes = [("`GET /api/v1/videos?count=15`", "/api/v1/videos?count=15", None),
                      ("256 KiB segment ranges", segment, script_path)]
            for layout in (1, 2):
                nginx = start_nginx(nginx_binary, data, nginx_port, ports[:layout])
                for label, path, script in routes:
                    status, _, body = request("GET", base + path, headers={"Range": "bytes=0-9"})
                    if status not in (200, 206):
                        raise RuntimeError(f"{path}: {status} {body[:200]!r}")
                    for _ in range(args.rounds):
                        results.setdefault((label, layout), []).append(
                            wrk_checked(base + path, args.seconds, args.connections, script))
                nginx.terminate()
                nginx.wait(timeout=30)
                nginx = None
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=30)
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        psql(args.postgres, f"DROP DATABASE IF EXISTS {name}")
    print(f"Through nginx (keep-alive upstreams), wrk -t2 -c{args.connections} -d{args.seconds}s, "
          f"best of {args.rounds}; PostgreSQL, {args.videos} videos\n")
    print("| route | one process req/s (p99) | two processes req/s (p99) | two / one |")
    print("|---|---|---|---|")
    for label, _, _ in routes:
        one = max(results[(label, 1)])
        two = max(results[(label, 2)])
        print(f"| {label} | {one[0]:,.0f} ({one[1]:.2f} ms) | {two[0]:,.0f} ({two[1]:.2f} ms) "
              f"| {two[0] / one[0]:.2f}× |")


if __name__ == "__main__":
    main()
