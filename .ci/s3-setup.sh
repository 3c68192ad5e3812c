#!/usr/bin/env bash
# CI: installs the S3-protocol test server (moto) that the object-storage integration tests
# start on loopback themselves (tests/common/s3.rs). Call it from .ci/run before the tests.
# Idempotent: a cached install (${JZZ_TOOLS:-$HOME/.cache/jzz-tools}/moto-venv) returns in
# milliseconds; a first install takes ~30 s (pip from PyPI). Exports nothing: the tests find
# the server through `bash scripts/s3-server.sh path` (or JZZ_MOTO_SERVER if set).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== S3 test server (moto)"
bash scripts/s3-server.sh install
