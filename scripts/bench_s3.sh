#!/usr/bin/env bash
# Benchmark: S3 upload and download throughput of a 1 GiB object through kinora-storage
# against the AWS CLI, to the same s3s-fs server in the same run (BENCHMARKS.md, "S3
# throughput"). Installs a pinned awscli from PyPI in a venv (unless KINORA_AWS_CLI names an
# `aws` binary), s3s-fs if missing, then runs the bench binary in release mode.
#
#   scripts/bench_s3.sh
#   KINORA_BENCH_S3_BYTES=268435456 KINORA_BENCH_ROUNDS=5 scripts/bench_s3.sh
#
# Environment: KINORA_BENCH_S3_BYTES (object size, default 1 GiB), KINORA_BENCH_ROUNDS
# (default 3), KINORA_BENCH_DIR (where the files go), KINORA_AWS_CLI, KINORA_S3S_FS,
# CARGO_TARGET_DIR. The results table goes to stdout, progress to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

awscli_version="1.46.3"

if [ -z "${KINORA_AWS_CLI:-}" ]; then
  venv="${TMPDIR:-/tmp}/kinora-bench-venv"
  if [ "$("$venv/bin/python" -m pip show awscli 2>/dev/null | sed -n 's/^Version: //p')" != "$awscli_version" ]; then
    echo "Installing awscli $awscli_version in $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "awscli==$awscli_version"
  fi
  export PATH="$venv/bin:$PATH"
  export KINORA_AWS_CLI="$venv/bin/aws"
fi
echo "AWS CLI: $("$KINORA_AWS_CLI" --version 2>&1)" >&2

scripts/install-s3s-fs >&2

cargo bench --locked -p kinora-storage --bench s3_transfer
