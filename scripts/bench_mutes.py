#!/usr/bin/env python3
"""Benchmark: lists and comment threads for a user who mutes 10,000 accounts and 1,000 servers,
against the same requests by a user who mutes nothing (issue 15, mutes / "blocklists").

Starts a release `kinora serve` (SQLite, no transcoders) on a fresh data directory and inserts
straight into the database: 3,000 remote hosts with 10 accounts each (a channel per account),
10,000 published public videos spread over those channels, 300 comment threads on the newest
video and a thread with 300 replies, all by accounts of every host. The user `muter` mutes every
account of hosts 0-999 (10,000 accounts) and the servers 1000-1999 (1,000 servers), through the
database (the API's POST would take minutes for 11,000 rows); `plain` mutes nothing. About a
third of the videos and comments are left for `muter`, all of them for `plain`.

Then, for each user in turn, wrk drives in the same run:
  - GET /api/v1/videos?count=15           (as served: the page kept in memory, per user for muter)
  - the search for "benchmark video" in another letter case at each request: every video
    matches, no page is kept, so each request computes the page and counts all 10,000 rows
    through the mute filter
  - GET /api/v1/videos/<id>/comment-threads (never cached)
  - GET /api/v1/videos/<id>/comment-threads/<thread> (300 replies; never cached)
and prints requests/s, p99 latency and muter / plain as a Markdown table (target: >= 0.8).

Usage: scripts/bench_mutes.py [--seconds 10] [--connections 16]
                              [--binary $CARGO_TARGET_DIR/release/kinora]
Needs wrk (Debian package `wrk`).
"""
import argparse
import json
import os
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse
import uuid

from bench_common import free_port, request, wait_ready, wrk

HOSTS = 3000
ACCOUNTS_PER_HOST = 10
VIDEOS = 10000
THREADS = 300
REPLIES = 300

# Sets the bearer token of every request.
AUTH_SCRIPT = 'wrk.headers["Authorization"] = "Bearer {token}"\n'

# Searches "benchmark video" in another letter case at each request: every video matches, and
# no two requests share a cache key, so each computes its page and its total.
MISS_ALL_SCRIPT = AUTH_SCRIPT + """
local text = "benchmark video"
request = function()
  local out = {}
  for i = 1, #text do
    local c = text:sub(i, i)
    if math.random(0, 1) == 1 then c = c:upper() end
    out[i] = c
  end
  return wrk.format("GET", "/api/v1/search/videos?count=15&search=" .. table.concat(out):gsub(" ", "%%20"))
end
"""


def seed(database, muter_account):
    db = sqlite3.connect(database, timeout=30)
    now = int(time.time() * 1000)
    accounts = []  # account id per (host, n)
    for h in range(HOSTS):
        host = f"host{h}.example"
        for n in range(ACCOUNTS_PER_HOST):
            ids = []
            for kind, path, name in (("Person", "accounts", f"user{n}"), ("Group", "video-channels", f"user{n}_channel")):
                cur = db.execute(
                    "INSERT INTO actors (kind, preferred_username, host, url, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)", (kind, name, host, f"https://{host}/{path}/{name}", now, now))
                ids.append(cur.lastrowid)
            account = db.execute("INSERT INTO accounts (actor_id, display_name, created_at, updated_at)"
                                 " VALUES (?, ?, ?, ?)", (ids[0], f"User {n} of {host}", now, now)).lastrowid
            channel = db.execute("INSERT INTO channels (actor_id, account_id, display_name, created_at, updated_at)"
                                 " VALUES (?, ?, ?, ?, ?)", (ids[1], account, f"Channel {n}", now, now)).lastrowid
            accounts.append((account, channel, host))
    videos = []
    for i in range(VIDEOS):
        _, channel, host = accounts[(i * 3) % len(accounts)]
        u = uuid.uuid4()
        videos.append((str(u), u.hex[:22], channel, f"Benchmark video {i}", 1, 1, "[]", 120, "b.mp4", 1,
                       f"{u}-master.m3u8", f"{u}-segments-sha256.json", f"https://{host}/videos/watch/{u}",
                       now - i * 1000, now - i * 1000, now - i * 1000))
    db.executemany(
        "INSERT INTO videos (uuid, short_uuid, channel_id, name, privacy, state, tags, duration,"
        " original_filename, original_size, hls_master_file, hls_segments_file, url, created_at,"
        " updated_at, published_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", videos)
    (video_id, video_uuid) = db.execute("SELECT id, uuid FROM videos ORDER BY published_at DESC LIMIT 1").fetchone()
    thread = None
    for i in range(THREADS + REPLIES):
        # The thread with the replies is by an account nobody mutes (host 2999).
        account, _, _ = accounts[-1] if i == 0 else accounts[(i * 101) % len(accounts)]
        reply = i >= THREADS
        cur = db.execute(
            "INSERT INTO video_comments (video_id, account_id, thread_id, in_reply_to_id, text, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (video_id, account, thread if reply else None, thread if reply else None, f"Comment {i}", now + i, now + i))
        if thread is None:
            thread = cur.lastrowid
    # The mutes: every account of hosts 0-999, and the servers 1000-1999.
    db.executemany("INSERT INTO account_blocks (owner_account_id, by_account_id, target_account_id, created_at)"
                   " VALUES (?, ?, ?, ?)",
                   [(muter_account, muter_account, account, now) for account, _, host in accounts
                    if int(host[4:].split(".")[0]) < 1000])
    db.executemany("INSERT INTO server_blocks (owner_account_id, by_account_id, host, created_at) VALUES (?, ?, ?, ?)",
                   [(muter_account, muter_account, f"host{h}.example", now) for h in range(1000, 2000)])
    db.commit()
    counts = (db.execute("SELECT COUNT(*) FROM account_blocks").fetchone()[0],
              db.execute("SELECT COUNT(*) FROM server_blocks").fetchone()[0])
    db.execute("ANALYZE")
    db.close()
    return video_uuid, thread, counts


def login(base, username, password):
    _, _, body = request("GET", f"{base}/api/v1/oauth-clients/local")
    client = json.loads(body)
    form = urllib.parse.urlencode({"client_id": client["client_id"], "client_secret": client["client_secret"],
                                   "grant_type": "password", "username": username, "password": password}).encode()
    _, _, body = request("POST", f"{base}/api/v1/users/token", data=form,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    return json.loads(body)["access_token"]


def measure(url, seconds, connections, script):
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as f:
        f.write(script)
        f.flush()
        rps, p99, errors = wrk(url, seconds, connections, f.name)
    if errors:
        raise RuntimeError(f"{url}: {errors} error responses")
    return rps, p99


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "kinora"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        config = os.path.join(data, "kinora.toml")
        with open(config, "w") as f:
            f.write(f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
                    f'[database]\nurl = "sqlite://{data}/kinora.db"\n'
                    f'[storage.local]\nroot = "{data}/storage"\n[transcoding]\nworkers = 0\n'
                    f'[log]\nlevel = "warn"\n[seeder]\nenabled = false\n')
        server = subprocess.Popen([args.binary, "serve", "--config", config],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        password = None
        for line in server.stdout:
            if "password:" in line:
                password = line.split("password:")[1].strip()
            if "is running at" in line:
                break
        try:
            wait_ready(port)
            base = f"http://localhost:{port}"
            root = login(base, "root", password)
            tokens = {}
            for name in ("plain", "muter"):
                body = json.dumps({"username": name, "email": f"{name}@example.com",
                                   "password": "bench-password", "role": 2}).encode()
                status, _, answer = request("POST", f"{base}/api/v1/users", root, body,
                                            {"Content-Type": "application/json"})
                assert status == 200, (status, answer)
                tokens[name] = login(base, name, "bench-password")
            _, _, me = request("GET", f"{base}/api/v1/users/me", tokens["muter"])
            muter_account = json.loads(me)["account"]["id"]
            video, thread, counts = seed(os.path.join(data, "kinora.db"), muter_account)
            routes = [
                ("`GET /api/v1/videos?count=15` (page kept in memory)", f"{base}/api/v1/videos?count=15", None),
                ("search matching all 10,000, another case each request (page and total computed)",
                 f"{base}/api/v1/search/videos", MISS_ALL_SCRIPT),
                ("`GET /api/v1/videos/<id>/comment-threads` (300 threads)",
                 f"{base}/api/v1/videos/{video}/comment-threads", None),
                ("`GET /api/v1/videos/<id>/comment-threads/<thread>` (300 replies)",
                 f"{base}/api/v1/videos/{video}/comment-threads/{thread}", None),
            ]
            results = []
            for name, url, script in routes:
                row = [name]
                for user in ("plain", "muter"):
                    text = (script or AUTH_SCRIPT).replace("{token}", tokens[user])
                    row.append(measure(url, args.seconds, args.connections, text))
                results.append(row)
            shown = {}
            for user in ("plain", "muter"):
                _, _, body = request("GET", f"{base}/api/v1/videos?count=0", tokens[user])
                _, _, threads = request("GET", f"{base}/api/v1/videos/{video}/comment-threads?count=0", tokens[user])
                shown[user] = (json.loads(body)["total"], json.loads(threads)["total"])
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{VIDEOS} videos on {HOSTS * ACCOUNTS_PER_HOST} remote accounts of {HOSTS} hosts; muter mutes "
          f"{counts[0]} accounts and {counts[1]} servers; videos and threads listed: plain {shown['plain']}, "
          f"muter {shown['muter']}; wrk -t2 -c{args.connections} -d{args.seconds}s\n")
    print("| route | plain (no mutes): requests/s, p99 | muter: requests/s, p99 | muter / plain |")
    print("|---|---|---|---|")
    for name, (plain_rps, plain_p99), (muter_rps, muter_p99) in results:
        print(f"| {name} | {plain_rps:,.0f}, {plain_p99:.2f} ms | {muter_rps:,.0f}, {muter_p99:.2f} ms "
              f"| **{muter_rps / plain_rps:.2f}×** |")


if __name__ == "__main__":
    main()
