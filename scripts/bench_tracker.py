#!/usr/bin/env python3
"""Benchmark: the HTTP tracker with 10,000 simulated peers in 1,000 swarms.

Starts a release `kinora serve` (SQLite, no transcoders, `[tracker] private = false` so the
simulated info hashes are tracked, and no per-address limit: every announce comes from
127.0.0.1) and drives, in the same run, one after another:
  - GET /healthz                 (the trivial route: the reference)
  - GET /tracker/announce        (wrk with a Lua script: request i announces peer i mod 10,000
                                  in swarm i mod 1,000, compact, numwant 50)
It prints announces/s, p99 latency, the ratio to the trivial route, and the server's resident
memory before and after (VmRSS, VmHWM) as a Markdown table.

Usage: scripts/bench_tracker.py [--seconds 10] [--connections 16]
                                [--binary $CARGO_TARGET_DIR/release/kinora]
Needs wrk (Debian package `wrk`).
"""
import argparse
import os
import subprocess
import tempfile

from bench_common import free_port, wait_ready, wrk

LUA = r"""
counter = 0
local function hex20(prefix, n)
  local s = string.format("%s%016d", prefix, n)
  return (s:gsub(".", function(c) return string.format("%%%02X", string.byte(c)) end))
end
request = function()
  counter = counter + 1
  local peer = counter % 10000
  local swarm = counter % 1000
  local path = "/tracker/announce?info_hash=" .. hex20("swrm", swarm) ..
    "&peer_id=" .. hex20("peer", peer) .. "&port=" .. (6000 + peer % 50000) ..
    "&uploaded=0&downloaded=0&left=" .. (peer % 3) .. "&compact=1&numwant=50"
  return wrk.format("GET", path)
end
"""






def memory(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(line.split()[1]) / 1024.0
    return values




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
                    f'[tracker]\nprivate = false\nannounces_per_second_per_address = 100000000\n'
                    f'[log]\nlevel = "warn"\n[seeder]\nenabled = false\n')
        script = os.path.join(data, "announce.lua")
        with open(script, "w") as f:
            f.write(LUA)
        server = subprocess.Popen([args.binary, "serve", "--config", config],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(port)
            base = f"http://127.0.0.1:{port}"
            idle = memory(server.pid)
            trivial = wrk(f"{base}/healthz", args.seconds, args.connections)
            announce = wrk(f"{base}/tracker/announce", args.seconds, args.connections, script)
            loaded = memory(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s; 10,000 peers in 1,000 swarms\n")
    print("| route | requests/s | p99 latency | vs trivial route | answers refused (429) |")
    print("|---|---|---|---|---|")
    print(f"| trivial route `GET /healthz` | {trivial[0]:,.0f} | {trivial[1]:.2f} ms | 1.00× | {trivial[2]} |")
    print(f"| `GET /tracker/announce` | {announce[0]:,.0f} | {announce[1]:.2f} ms | "
          f"{announce[0] / trivial[0]:.2f}× | {announce[2]} |")
    print(f"\nServer memory: {idle['VmRSS']:.1f} MiB idle, {loaded['VmRSS']:.1f} MiB after "
          f"(peak {loaded['VmHWM']:.1f} MiB).")


if __name__ == "__main__":
    main()
