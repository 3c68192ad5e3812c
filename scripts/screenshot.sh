#!/usr/bin/env bash
# Regenerates docs/dossier.png, the README's picture of a dossier: the release `jzz verify` on
# the sample bundle scripts/setup.sh uses (or the bundle given as $1), then headless Chromium
# (Debian's `chromium`, installed if missing, with fonts-noto-cjk for the Chinese text)
# screenshots the self-contained dossier.html at 1280 × 2000. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-fixtures/bundles/complete-cat1}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need_apt[@]}"
fi

echo "== building jzz (release)"
cargo build --release --locked --quiet

out=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$out" "$profile"' EXIT
echo "== jzz verify $bundle --out $out"
# Exit 1 is a verdict other than pass, still a dossier; 2 is an unusable bundle.
status=0
./target/release/jzz verify "$bundle" --out "$out" >/dev/null || status=$?
[ "$status" -le 1 ] || { echo "jzz verify failed (exit $status)" >&2; exit 1; }

mkdir -p docs
# A throwaway profile and no background traffic: the page itself needs no network.
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --window-size=1280,2000 --screenshot=docs/dossier.png \
  "file://$out/dossier.html" 2>/dev/null
echo "== docs/dossier.png written"
