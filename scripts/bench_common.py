"""What the HTTP benchmark scripts share: a free port, waiting for /readyz, wrk's numbers, one
HTTP request, a process's memory."""
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, timeout=60):
    """Waits until the server on `port` answers /readyz with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not become ready")


def wrk(url, seconds, connections, script=None):
    """Runs wrk with --latency; answers (requests/s, p99 in ms, non-2xx/3xx answers)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * scale, int(errors.group(1)) if errors else 0


def wrk_checked(url, seconds, connections, script=None):
    """wrk as above, failing on any error answer; answers (requests/s, p99 in ms)."""
    rps, p99, errors = wrk(url, seconds, connections, script)
    if errors:
        raise RuntimeError(f"{url}: {errors} error responses")
    return rps, p99


def request(method, url, token=None, data=None, headers=None):
    """One HTTP request (with a bearer token when given): (status, headers, body)."""
    req = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=300) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def proc_mib(pid, field):
    """A memory figure of /proc/PID/status (VmRSS, VmHWM…), in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def root_token(base, password):
    """Logs root in with `password` (as `kinora serve` printed it); answers the bearer token."""
    import json
    import urllib.parse
    _, _, body = request("GET", f"{base}/api/v1/oauth-clients/local")
    client = json.loads(body)
    form = urllib.parse.urlencode({"client_id": client["client_id"], "client_secret": client["client_secret"],
                                   "grant_type": "password", "username": "root", "password": password}).encode()
    _, _, body = request("POST", f"{base}/api/v1/users/token", data=form,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    return json.loads(body)["access_token"]
