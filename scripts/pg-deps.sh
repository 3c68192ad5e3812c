#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries (package postgresql) for the `jzz serve` tests:
# tests/common/pg.rs makes a fresh cluster with initdb in a temporary directory and starts it
# on a free loopback port itself (as the postgres user when run as root); nothing here starts
# a server. Idempotent: does nothing when initdb is installed. Uses sudo when not root.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
echo "== installing Debian package postgresql (for the jzz serve tests)"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql
# Debian's package starts its own cluster on port 5432; the tests need none of it.
$SUDO service postgresql stop >/dev/null 2>&1 || true
