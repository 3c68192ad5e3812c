#!/usr/bin/env bash
# Installs what jzz needs on a fresh Debian machine, builds it, and runs the main job on a
# sample bundle: `jzz verify` on a generated case (contract, tax export, 纳税记录, social
# insurance, ID card, residence proof …), writing dossier.json and dossier.html. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v git >/dev/null 2>&1 || need_apt+=(git)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

bash scripts/ocr-deps.sh

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "jzz needs Rust 1.88 or newer (cargo). Install it with rustup (https://rustup.rs) and run this again." >&2
  exit 1
fi
rustc_minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
if [ "${rustc_minor:-0}" -lt 88 ]; then
  echo "jzz needs Rust 1.88 or newer; found $(rustc --version). Update with 'rustup update'." >&2
  exit 1
fi

echo "== building jzz (release)"
# The commit goes into `jzz --version`.
JZZ_COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
export JZZ_COMMIT
cargo build --release --locked --quiet

sample=fixtures/bundles/complete-cat1
out=${TMPDIR:-/tmp}/jzz-sample.dossier
echo "== jzz verify $sample --out $out"
set +e
./target/release/jzz verify "$sample" --out "$out"
status=$?
set -e
echo "== exit status $status (0 pass, 1 another verdict, 2 unusable bundle); open $out/dossier.html"
[ "$status" -le 1 ]
