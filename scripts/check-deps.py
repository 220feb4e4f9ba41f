#!/usr/bin/env python3
"""Fails when a Kinora crate depends on another Kinora crate that DESIGN.md §3 forbids.

Reads `cargo metadata` (normal, build and dev dependencies all count) and compares every edge
between workspace crates with the allowed table below. Also refuses libav (ffmpeg) crates
anywhere but kinora-media, and the server linking kinora-media even indirectly.

Usage: scripts/check-deps.py            check the workspace
       scripts/check-deps.py --self-test check that the checker itself catches bad edges
"""
import json
import subprocess
import sys

ALLOWED = {
    "kinora-core": set(),
    "kinora-db": {"kinora-core"},
    "kinora-storage": {"kinora-core"},
    "kinora-media": {"kinora-core"},
    "kinora-jobs": {"kinora-core", "kinora-db"},
    "kinora-p2p": {"kinora-core", "kinora-storage"},
    "kinora-mail": {"kinora-core"},
    "kinora-app": {"kinora-core", "kinora-db", "kinora-jobs", "kinora-storage"},
    "kinora-federation": {"kinora-core", "kinora-db", "kinora-jobs", "kinora-app"},
    "kinora-api": {"kinora-core", "kinora-app", "kinora-db"},
    "kinora-server": {
        "kinora-core", "kinora-db", "kinora-jobs", "kinora-storage", "kinora-p2p",
        "kinora-app", "kinora-federation", "kinora-api", "kinora-mail",
    },
    "kinora-transcoder": {
        "kinora-core", "kinora-db", "kinora-jobs", "kinora-storage", "kinora-media",
    },
}
LIBAV_CRATES = {"ffmpeg-next", "ffmpeg-sys-next"}


def violations(packages, resolve_nodes):
    """Returns a list of human-readable rule violations."""
    problems = []
    names = {p["id"]: p["name"] for p in packages}
    workspace = {p["name"] for p in packages if p["name"] in ALLOWED or p["name"].startswith("kinora-")}
    for package in packages:
        name = package["name"]
        if name not in workspace:
            continue
        if name not in ALLOWED:
            problems.append(f"{name} is not in the dependency table of DESIGN.md §3")
            continue
        for dependency in package["dependencies"]:
            target = dependency["name"]
            kind = dependency.get("kind") or "normal"
            # A crate's own tests may turn on one of its features (kinora-db's `testing`):
            # a dev-dependency on itself adds no edge between crates.
            if target == name and kind == "dev":
                continue
            if target.startswith("kinora-") and target not in ALLOWED[name]:
                problems.append(f"{name} -> {target} ({kind}) is forbidden")
            if target in LIBAV_CRATES and name != "kinora-media":
                problems.append(f"{name} -> {target}: only kinora-media may link libav")
    # The server must not reach libav through any path.
    graph = {node["id"]: [d["pkg"] for d in node.get("deps", [])] for node in resolve_nodes}
    server = [pid for pid, n in names.items() if n == "kinora-server"]
    for start in server:
        seen, stack = set(), [start]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            if names.get(current) in LIBAV_CRATES | {"kinora-media"}:
                problems.append(f"kinora-server reaches {names[current]} through its dependencies")
            stack.extend(graph.get(current, []))
    return problems


def self_test():
    def package(name, deps):
        return {"id": name, "name": name, "dependencies": [{"name": d, "kind": None} for d in deps]}

    good = [package("kinora-core", []), package("kinora-api", ["kinora-app", "axum"])]
    assert violations(good, []) == [], violations(good, [])
    own_tests = [{"id": "kinora-db", "name": "kinora-db",
                  "dependencies": [{"name": "kinora-db", "kind": "dev"}]}]
    assert violations(own_tests, []) == [], violations(own_tests, [])
    itself = [package("kinora-db", ["kinora-db"])]
    assert violations(itself, []) == ["kinora-db -> kinora-db (normal) is forbidden"]
    bad = [package("kinora-api", ["kinora-federation"])]
    assert violations(bad, []) == ["kinora-api -> kinora-federation (normal) is forbidden"]
    bad = [package("kinora-core", ["kinora-db"])]
    assert len(violations(bad, [])) == 1
    bad = [package("kinora-app", ["ffmpeg-next"])]
    assert "only kinora-media may link libav" in violations(bad, [])[0]
    unknown = [package("kinora-extra", [])]
    assert "not in the dependency table" in violations(unknown, [])[0]
    indirect = [package("kinora-server", ["kinora-api"]), package("kinora-api", []),
                package("kinora-media", [])]
    nodes = [{"id": "kinora-server", "deps": [{"pkg": "kinora-api"}]},
             {"id": "kinora-api", "deps": [{"pkg": "kinora-media"}]}]
    found = violations(indirect, nodes)
    assert any("reaches kinora-media" in v for v in found), found
    print("check-deps self-test: 8 passed, 0 failed")


def main():
    if "--self-test" in sys.argv:
        self_test()
        return 0
    metadata = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked"]))
    members = set(metadata["workspace_members"])
    packages = [p for p in metadata["packages"] if p["id"] in members]
    problems = violations(packages, metadata["resolve"]["nodes"])
    for problem in problems:
        print(f"dependency rule broken: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"dependency rules hold for {len(packages)} workspace crates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
