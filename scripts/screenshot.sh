#!/usr/bin/env bash
# Regenerates docs/dossier.png, the README's picture of a dossier: `jzz verify` on the sample
# bundle, then headless Chromium (Debian's `chromium`, installed if missing) screenshots the
# self-contained HTML. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-fixtures/bundles/complete-cat1}
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk
fi
cargo build --release --locked --quiet
out=$(mktemp -d)
./target/release/jzz verify "$bundle" --out "$out" >/dev/null || true
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --window-size=1240,1754 --screenshot=docs/dossier.png "file://$out/dossier.html" 2>/dev/null
rm -rf "$out" "$profile"
echo "docs/dossier.png written"
