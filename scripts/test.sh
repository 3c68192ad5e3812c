#!/usr/bin/env bash
# The test command (README): formatting, lints, then every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
echo "== OCR packages (tesseract, chi_sim, eng, osd; skipped when installed)"
bash scripts/ocr-deps.sh
echo "== S3 test server (moto, for the object-storage tests; cached after the first install)"
bash scripts/s3-server.sh install
echo "== PostgreSQL server binaries (for the jzz serve tests; skipped when installed)"
bash scripts/pg-deps.sh
echo "== Chromium and chromedriver (for the browser tests; skipped when installed)"
bash scripts/browser-deps.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for all test binaries together (cargo prints one per binary, the last
# being the doc-tests').
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
