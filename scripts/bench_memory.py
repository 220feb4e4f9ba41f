#!/usr/bin/env python3
"""Benchmark: the server's resident memory after use.

Starts a release `kinora serve` on fresh data (SQLite, or PostgreSQL with --postgres; no
transcoders, no seeder), waits 5 s, then: 8 logins (OAuth password grant, Argon2id, two at a
time), one multipart upload of a PeerTube fixture, and 1,000 API requests (the video list, the
search, the config, the uploaded video; 8 at a time). Prints VmRSS before, right after and 30 s
after, and the peak (VmHWM), as a Markdown table row. --binary runs another build (e.g. one
from before a change) for a side-by-side comparison; --runs repeats, alternating binaries.

Usage: scripts/bench_memory.py [--runs 1] [--binary target/release/kinora ...] [--postgres]
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import tempfile
import time
import urllib.parse
import uuid

from bench_common import free_port, proc_mib, request

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures", "peertube", "media",
                       "video_short.mp4")


def call(method, url, token=None, data=None, headers=None):
    """A request that must succeed: (status, body)."""
    status, _, body = request(method, url, token, data, headers)
    if status >= 400:
        raise RuntimeError(f"{method} {url}: {status} {body[:300]!r}")
    return status, body


def login(base, client, password):
    form = urllib.parse.urlencode({"client_id": client["client_id"], "client_secret": client["client_secret"],
                                   "grant_type": "password", "username": "root", "password": password}).encode()
    _, body = call("POST", f"{base}/api/v1/users/token", data=form,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    return json.loads(body)["access_token"]


def upload(base, token, channel, path):
    boundary = uuid.uuid4().hex
    with open(path, "rb") as f:
        content = f.read()
    parts = []
    for name, value in (("name", "Memory benchmark"), ("channelId", str(channel)), ("privacy", "1")):
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"videofile\"; filename=\"v.mp4\"\r\n"
                 f"Content-Type: video/mp4\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    _, body = call("POST", f"{base}/api/v1/videos/upload", token, b"".join(parts),
                   {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return json.loads(body)["video"]["uuid"]


def one_run(binary, database_url, data):
    port = free_port()
    config = os.path.join(data, "kinora.toml")
    with open(config, "w") as f:
        f.write(f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
                f'[database]\nurl = "{database_url}"\n[storage.local]\nroot = "{data}/storage"\n'
                f'[transcoding]\nworkers = 0\n[log]\nlevel = "warn"\n[seeder]\nenabled = false\n')
    server = subprocess.Popen([binary, "serve", "--config", config], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    password = None
    for line in server.stdout:
        if "password:" in line:
            password = line.split("password:")[1].strip()
        if "is running at" in line:
            break
    base = f"http://localhost:{port}"
    try:
        time.sleep(5)
        before = proc_mib(server.pid, "VmRSS")
        _, body = call("GET", f"{base}/api/v1/oauth-clients/local")
        client = json.loads(body)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            tokens = list(pool.map(lambda _: login(base, client, password), range(8)))
        token = tokens[0]
        _, body = call("GET", f"{base}/api/v1/users/me", token)
        channel = json.loads(body)["videoChannels"][0]["id"]
        video = upload(base, token, channel, FIXTURE)
        paths = ["/api/v1/videos?count=15", "/api/v1/search/videos?search=memory", "/api/v1/config",
                 f"/api/v1/videos/{video}"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda i: call("GET", base + paths[i % len(paths)], token)[0], range(1000)))
        assert all(status == 200 for status in statuses), statuses
        right_after = proc_mib(server.pid, "VmRSS")
        time.sleep(30)
        later = proc_mib(server.pid, "VmRSS")
        peak = proc_mib(server.pid, "VmHWM")
        return before, right_after, later, peak
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--binary", action="append", default=[])
    parser.add_argument("--postgres", nargs="?", const=os.environ.get(
        "KINORA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    binaries = args.binary or [os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "kinora")]
    print("| binary | database | RSS before (MiB) | right after (MiB) | 30 s later (MiB) | peak (MiB) |")
    print("|---|---|---|---|---|---|")
    for _ in range(args.runs):
        for binary in binaries:
            with tempfile.TemporaryDirectory() as data:
                if args.postgres:
                    name = "kinora_bench_" + uuid.uuid4().hex[:12]
                    subprocess.check_call(["psql", args.postgres, "-qc", f"CREATE DATABASE {name}"])
                    url = args.postgres.rsplit("/", 1)[0] + "/" + name
                else:
                    url = f"sqlite://{data}/kinora.db"
                try:
                    before, right_after, later, peak = one_run(binary, url, data)
                finally:
                    if args.postgres:
                        subprocess.call(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
            database = "postgres" if args.postgres else "sqlite"
            print(f"| {binary} | {database} | {before:.1f} | {right_after:.1f} | {later:.1f} | {peak:.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
