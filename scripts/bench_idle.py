#!/usr/bin/env python3
"""Benchmark: start-up time and idle memory of `kinora serve` (release build).

For each database (SQLite file, PostgreSQL database) it starts the server N times on a fresh
data directory and measures:
  - start-up: from spawn until /readyz answers 200 (first start includes migrations and the
    creation of the root user; later starts reuse the data);
  - idle RSS: VmRSS after 5 s without requests, and after 200 /api/v1/config requests and 5 s
    of rest (VmHWM is the peak).
Each series runs twice: with the seeding session (the default, on a loopback port, nothing to
seed) and with `[seeder] enabled = false`, the reference for what the session costs.

Usage: scripts/bench_idle.py [--runs 5] [--binary target/release/kinora]
Prints a Markdown table for BENCHMARKS.md.
"""
import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0  # MiB
    return float("nan")


def wait_ready(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError("server did not become ready")


def one_run(binary, database_url, data_dir, seeder):
    port = free_port()
    seeder_section = (f'[seeder]\nlisten = "127.0.0.1:0"\nresume_dir = "{data_dir}/seeder"\n'
                      if seeder else '[seeder]\nenabled = false\n')
    config = os.path.join(data_dir, "kinora.toml")
    with open(config, "w") as f:
        f.write(f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
                f'[database]\nurl = "{database_url}"\n'
                f'[storage.local]\nroot = "{data_dir}/storage"\n[log]\nlevel = "warn"\n'
                + seeder_section)
    started = time.monotonic()
    process = subprocess.Popen([binary, "serve", "--config", config],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port)
        ready = time.monotonic() - started
        time.sleep(5)
        idle = proc_status(process.pid, "VmRSS")
        for _ in range(200):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/config").read()
        time.sleep(5)
        after = proc_status(process.pid, "VmRSS")
        peak = proc_status(process.pid, "VmHWM")
        return ready, idle, after, peak
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "kinora"))
    parser.add_argument("--postgres", default=os.environ.get(
        "KINORA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    rows = []
    for backend, seeder in [(b, s) for b in ("sqlite", "postgres") for s in (True, False)]:
        with tempfile.TemporaryDirectory() as data_dir:
            if backend == "sqlite":
                url = f"sqlite://{data_dir}/kinora.db"
            else:
                name = "kinora_bench_" + uuid.uuid4().hex[:12]
                subprocess.check_call(["psql", args.postgres, "-qc", f"CREATE DATABASE {name}"])
                url = args.postgres.rsplit("/", 1)[0] + "/" + name
            try:
                runs = [one_run(args.binary, url, data_dir, seeder) for _ in range(args.runs)]
            finally:
                if backend == "postgres":
                    subprocess.call(["psql", args.postgres, "-qc",
                                     f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
        first = runs[0][0]
        later = statistics.median(r[0] for r in runs[1:]) if len(runs) > 1 else float("nan")
        rows.append((backend, "on" if seeder else "off", first * 1000, later * 1000,
                     statistics.median(r[1] for r in runs),
                     statistics.median(r[2] for r in runs),
                     max(r[3] for r in runs)))
    print("| database | seeder | first start to ready (ms) | later starts, median (ms) | idle RSS, median (MiB) "
          "| RSS after 200 requests (MiB) | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|")
    for backend, seeder, first, later, idle, after, peak in rows:
        print(f"| {backend} | {seeder} | {first:.0f} | {later:.0f} | {idle:.1f} | {after:.1f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
