#!/usr/bin/env bash
# The S3-protocol server that the object-storage integration tests start on loopback:
# moto in server mode (PyPI "moto[server]"), installed into a venv that CI runs reuse.
#
#   bash scripts/s3-server.sh install   # install if missing (idempotent, fast when cached)
#   bash scripts/s3-server.sh path      # print the absolute path of moto_server
#   bash scripts/s3-server.sh start     # print how to start it by hand
#
# Where: ${JZZ_TOOLS:-$HOME/.cache/jzz-tools}/moto-venv. Pin: MOTO_VERSION below (change it
# here and the next install replaces the venv's moto). Tests find the server through
# JZZ_MOTO_SERVER if set, else through `bash scripts/s3-server.sh path`.
set -euo pipefail

MOTO_VERSION="5.2.5"
tools="${JZZ_TOOLS:-$HOME/.cache/jzz-tools}"
venv="$tools/moto-venv"
server="$venv/bin/moto_server"
stamp="$venv/.jzz-moto-version"

die() { echo "s3-server.sh: $*" >&2; exit 1; }

installed() {
  [ -x "$server" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$MOTO_VERSION" ] \
    && "$venv/bin/python" -c '' >/dev/null 2>&1 # the venv's interpreter still runs
}

install() {
  if installed; then
    echo "moto $MOTO_VERSION already installed: $server"
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 is required (apt-get install python3 python3-venv)"
  mkdir -p "$tools" || die "cannot create $tools (set JZZ_TOOLS to a writable folder)"
  if command -v flock >/dev/null 2>&1; then # two installs at once: the second waits
    exec 9>"$tools/.moto-install.lock"
    flock -w 600 9 || die "another install holds $tools/.moto-install.lock"
    if installed; then
      echo "moto $MOTO_VERSION already installed: $server"
      return 0
    fi
  fi
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
    echo "== creating venv $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" 2>/dev/null \
      || die "python3 -m venv failed; on Debian install python3-venv (apt-get install python3-venv)"
  fi
  echo "== pip install moto[server]==$MOTO_VERSION into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    "moto[server]==$MOTO_VERSION" \
    || die "pip install moto[server]==$MOTO_VERSION failed (is PyPI reachable?)"
  [ -x "$server" ] || die "moto installed but $server is missing"
  "$server" --help >/dev/null 2>&1 || die "$server does not run (broken venv? remove $venv and retry)"
  echo "$MOTO_VERSION" >"$stamp"
  echo "moto $MOTO_VERSION installed: $server"
}

case "${1:-}" in
  install)
    install
    ;;
  path)
    installed || die "moto is not installed; run: bash scripts/s3-server.sh install"
    echo "$server"
    ;;
  start | "")
    installed || die "moto is not installed; run: bash scripts/s3-server.sh install"
    cat <<EOF
Start an S3 server on loopback (the tests do this themselves, on a free port):
  $server -H 127.0.0.1 -p 5000
Then point a client at it:
  export AWS_ENDPOINT=http://127.0.0.1:5000 AWS_ENDPOINT_URL=http://127.0.0.1:5000
  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_ALLOW_HTTP=true
  curl -X PUT http://127.0.0.1:5000/jzz-cases      # create a bucket
EOF
    ;;
  *)
    die "usage: bash scripts/s3-server.sh install|path|start"
    ;;
esac
