#!/usr/bin/env python3
"""Benchmark: a large resumable upload through `kinora serve` against `dd` to the same disk.

Creates a source file of --size bytes, copies it with `dd ... conv=fsync` (the reference),
then uploads it with PeerTube's resumable protocol in --chunk byte chunks (sent with
sendfile, so the client costs little), and reports both throughputs, their ratio and the
server's peak RSS (VmHWM) during the upload.

Usage: scripts/bench_upload.py [--size 2147483648] [--chunk 67108864] [--binary target/release/kinora]
"""
import argparse
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.parse

from bench_common import free_port, proc_mib, request


def put_chunk(port, path, token, source, start, end, total):
    length = end - start + 1
    with socket.create_connection(("127.0.0.1", port)) as sock, open(source, "rb") as f:
        head = (f"PUT {path} HTTP/1.1\r\nHost: localhost:{port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Range: bytes {start}-{end}/{total}\r\n"
                f"Content-Length: {length}\r\nConnection: close\r\n\r\n")
        sock.sendall(head.encode())
        sock.sendfile(f, start, length)
        reply = b""
        while b"\r\n" not in reply:
            part = sock.recv(4096)
            if not part:
                break
            reply += part
        return int(reply.split(b" ")[1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2 * 1024 ** 3)
    parser.add_argument("--chunk", type=int, default=64 * 1024 ** 2)
    parser.add_argument("--binary", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "kinora"))
    parser.add_argument("--dir", default=None, help="where to put the data (same disk for both)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as work:
        source = os.path.join(work, "source.bin")
        with open(source, "wb") as f:
            # Starts like an MP4 (an ftyp box) so that the upload's content check accepts it.
            f.write(b"\0\0\0\x18ftyp")
            block = os.urandom(1024 * 1024)
            f.write(block[: len(block) - 8])
            for _ in range(args.size // len(block) - 1):
                f.write(block)
            f.write(block[: args.size % len(block)])
        subprocess.run(["sync"], check=True)
        started = time.monotonic()
        subprocess.run(["dd", f"if={source}", f"of={work}/dd-copy.bin", "bs=8M", "conv=fsync"],
                       check=True, stderr=subprocess.DEVNULL)
        dd_seconds = time.monotonic() - started
        os.remove(f"{work}/dd-copy.bin")

        port = free_port()
        config = os.path.join(work, "kinora.toml")
        with open(config, "w") as f:
            f.write(f'[server]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://localhost:{port}"\n'
                    f'[database]\nurl = "sqlite://{work}/kinora.db"\n[storage.local]\nroot = "{work}/storage"\n'
                    f'[transcoding]\nworkers = 0\n[log]\nlevel = "warn"\n[seeder]\nenabled = false\n'
                    f'[uploads]\nmax_file_size = {args.size * 2}\n[instance]\ndefault_video_quota = -1\n')
        server = subprocess.Popen([args.binary, "serve", "--config", config],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        password = None
        for line in server.stdout:
            if "password:" in line:
                password = line.split("password:")[1].strip()
            if "is running at" in line:
                break
        base = f"http://localhost:{port}"
        try:
            _, _, body = request("GET", f"{base}/api/v1/oauth-clients/local")
            client = json.loads(body)
            form = urllib.parse.urlencode({"client_id": client["client_id"], "client_secret": client["client_secret"],
                                           "grant_type": "password", "username": "root", "password": password}).encode()
            _, _, body = request("POST", f"{base}/api/v1/users/token", data=form,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
            token = json.loads(body)["access_token"]
            _, _, body = request("GET", f"{base}/api/v1/users/me", token)
            channel = json.loads(body)["videoChannels"][0]["id"]
            status, headers, _ = request("POST", f"{base}/api/v1/videos/upload-resumable", token,
                                         json.dumps({"name": "Benchmark", "channelId": channel, "filename": "b.mp4"}).encode(),
                                         {"Content-Type": "application/json", "X-Upload-Content-Length": str(args.size),
                                          "X-Upload-Content-Type": "video/mp4"})
            assert status == 201, status
            path = {k.lower(): v for k, v in headers.items()}["location"]
            baseline = proc_mib(server.pid, "VmHWM")
            started = time.monotonic()
            offset = 0
            while offset < args.size:
                end = min(offset + args.chunk, args.size) - 1
                status = put_chunk(port, path, token, source, offset, end, args.size)
                assert status in (200, 308), status
                offset = end + 1
            upload_seconds = time.monotonic() - started
            peak = proc_mib(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
    mib = args.size / 1024 ** 2
    print(f"| {mib:.0f} MiB, {args.chunk // 1024 ** 2} MiB chunks | dd conv=fsync: {mib / dd_seconds:.0f} MiB/s "
          f"| kinora resumable: {mib / upload_seconds:.0f} MiB/s | ratio {dd_seconds / upload_seconds:.2f} "
          f"| server RSS before {baseline:.1f} MiB, peak {peak:.1f} MiB |")


if __name__ == "__main__":
    main()
