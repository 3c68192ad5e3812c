#!/usr/bin/env bash
# Installs what jzz needs on a fresh Debian machine, builds it, and runs the main job on a
# sample: `jzz precheck` on a generated 10-employee tax export. Safe to run again.
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
cargo build --release --locked --quiet

sample=fixtures/precheck/detail-current.xlsx
echo "== jzz precheck $sample --as-of 2020-12-20 --unit 北京通州某某（科技）有限公司"
set +e
./target/release/jzz precheck "$sample" --as-of 2020-12-20 --unit "北京通州某某（科技）有限公司"
status=$?
set -e
echo "== exit status $status (0 all clear, 1 someone falls short, 2 unusable input)"
[ "$status" -le 1 ]
