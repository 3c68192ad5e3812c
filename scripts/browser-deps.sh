#!/usr/bin/env bash
# Installs Debian's headless browser for tests/browser.rs — chromium and chromium-driver
# (chromedriver, which the test starts on a free loopback port) — and fonts-noto-cjk for the
# Chinese pages' screenshots. Idempotent: does nothing when all are installed. Uses sudo when
# not root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "== installing Debian packages: ${need[*]} (for the browser tests)"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
