#!/usr/bin/env python3
"""Runs schemathesis with PeerTube's OpenAPI document against a real `kinora serve`.

Only the operations Kinora implements are tested: PeerTube's document is cut down to the
(method, path) pairs our own document (`/api/v1/openapi.json`) lists, path parameters matched
by position whatever their names. The instance is fresh (SQLite, no transcoders) with one
uploaded video, and requests carry the administrator's token unless --anonymous. The run is
bounded (--seconds, default 300) and fails when any answer is a 5xx (`not_a_server_error`);
--schema-checks adds schemathesis' response-schema checks, reported but not fatal, since
PeerTube's own document disagrees with PeerTube in places.

Usage:
  scripts/schemathesis.py [--st /var/tmp/schemathesis-venv/bin/st] [--methods GET]
                          [--examples 10] [--seconds 300] [--anonymous] [--schema-checks]

Needs the debug binary ($CARGO_TARGET_DIR/debug/kinora) and schemathesis
(`python3 -m venv /var/tmp/schemathesis-venv && /var/tmp/schemathesis-venv/bin/pip install
schemathesis`). The PeerTube document is ../shared/fixtures/peertube/openapi.yaml (or
$KINORA_PEERTUBE_OPENAPI).
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERTUBE = os.environ.get(
    "KINORA_PEERTUBE_OPENAPI",
    os.path.join(REPO, "..", "shared", "fixtures", "peertube", "openapi.yaml"),
)
FIXTURE = os.path.join(REPO, "..", "shared", "fixtures", "peertube", "media", "video_short.mp4")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shape(path):
    """A path with every parameter replaced by `{}` (and no trailing slash)."""
    return re.sub(r"\{[^}]*\}", "{}", path).rstrip("/") or "/"


def request(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with urllib.request.urlopen(req, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def start_server(kinora, work):
    port = free_port()
    config = os.path.join(work, "kinora.toml")
    with open(config, "w") as f:
        f.write(
            f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
            f'shutdown_grace_secs = 2\n[database]\nurl = "sqlite://{work}/kinora.db"\n'
            f'[storage.local]\nroot = "{work}/storage"\n[transcoding]\nworkers = 0\n'
            f'[seeder]\nenabled = false\n'
        )
    env = dict(os.environ)
    env.pop("KINORA_CONFIG", None)
    child = subprocess.Popen(
        [kinora, "serve", "--config", config],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    password = None
    deadline = time.time() + 60
    for line in child.stderr:
        if line.strip().startswith("password: "):
            password = line.strip()[len("password: "):]
        if "is running at" in line:
            break
        if time.time() > deadline:
            break
    base = f"http://localhost:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=2)
            break
        except Exception:
            time.sleep(0.1)
    # Keep draining stderr so the server never blocks on a full pipe.
    import threading

    threading.Thread(target=lambda: [None for _ in child.stderr], daemon=True).start()
    return child, base, password


def login(base, password):
    client = request(f"{base}/api/v1/oauth-clients/local")
    form = urllib.parse.urlencode(
        {
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
            "grant_type": "password",
            "username": "root",
            "password": password,
        }
    ).encode()
    token = request(
        f"{base}/api/v1/users/token",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return token["access_token"]


def upload(base, token):
    me = request(f"{base}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    channel = me["videoChannels"][0]["id"]
    boundary = uuid.uuid4().hex
    with open(FIXTURE, "rb") as f:
        video = f.read()
    parts = []
    for name, value in [("name", "Schemathesis video"), ("channelId", str(channel)), ("privacy", "1")]:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="videofile"; filename="video.mp4"\r\n'
        f"Content-Type: video/mp4\r\n\r\n".encode()
        + video
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    request(
        f"{base}/api/v1/videos/upload",
        data=b"".join(parts),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )


def reduced_document(base, methods):
    """PeerTube's document with only the operations Kinora implements (and `methods`)."""
    import yaml

    with open(PEERTUBE) as f:
        peertube = yaml.safe_load(f)
    ours = request(f"{base}/api/v1/openapi.json")
    implemented = {
        (method.lower(), shape(path))
        for path, operations in ours["paths"].items()
        for method in operations
    }
    kept = {}
    for path, operations in peertube["paths"].items():
        chosen = {
            method: operation
            for method, operation in operations.items()
            if method.upper() in methods and (method.lower(), shape(path)) in implemented
        }
        if chosen:
            # Path-level parameters stay with the path.
            if "parameters" in operations:
                chosen["parameters"] = operations["parameters"]
            kept[path] = chosen
    peertube["paths"] = kept
    return peertube, sum(len([m for m in ops if m != "parameters"]) for ops in kept.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--st", default="/var/tmp/schemathesis-venv/bin/st")
    parser.add_argument("--kinora", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "debug", "kinora"))
    parser.add_argument("--methods", default="GET")
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--schema-checks", action="store_true")
    args = parser.parse_args()
    methods = {m.strip().upper() for m in args.methods.split(",")}
    with tempfile.TemporaryDirectory(prefix="kinora-schemathesis-") as work:
        child, base, password = start_server(args.kinora, work)
        try:
            token = login(base, password)
            upload(base, token)
            document, count = reduced_document(base, methods)
            spec = os.path.join(work, "peertube-implemented.json")
            with open(spec, "w") as f:
                json.dump(document, f)
            print(f"{count} of PeerTube's operations ({','.join(sorted(methods))}) are implemented here", flush=True)
            checks = "not_a_server_error"
            if args.schema_checks:
                checks += ",response_schema_conformance,status_code_conformance,content_type_conformance"
            command = [
                args.st, "run", spec, "--url", base, "--checks", checks,
                "--max-examples", str(args.examples), "--max-time", str(args.seconds),
                "--request-timeout", "20", "--workers", "1", "--no-color",
                "--suppress-health-check", "all", "--phases", "examples,coverage,fuzzing",
                "--report", "ndjson", "--report-ndjson-path", os.path.join(work, "events.ndjson"),
            ]
            if not args.anonymous:
                command += ["-H", f"Authorization: Bearer {token}"]
            run = subprocess.run(command, timeout=args.seconds + 120, capture_output=True, text=True)
            print(run.stdout[-20000:])
            server_errors = [
                line for line in run.stdout.splitlines() if "Server error" in line or "5xx" in line
            ]
            if args.schema_checks:
                # Schema mismatches are reported; only server errors fail the run.
                return 1 if server_errors else 0
            return run.returncode
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    sys.exit(main())
