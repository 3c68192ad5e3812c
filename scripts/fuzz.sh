#!/usr/bin/env bash
# Runs one fuzz target (fuzz/fuzz_targets/TARGET.rs, libFuzzer through cargo-fuzz) for SECONDS
# (default 300) or RUNS executions, whichever comes first, one process at low priority. Not part
# of the test command.
#
#   scripts/fuzz.sh TARGET [SECONDS [RUNS]]     scripts/fuzz.sh --list
#
# The campaign the closing note of issue 13 reports: each target to 1,000,000 executions or
# 2 hours, e.g. `scripts/fuzz.sh pdf_text 7200 1000000`.
#
# The seed corpus is built at run time into target/fuzz-corpus/TARGET from fixtures/, the
# shared hostile corpus (../shared/corpus/hostile, or $JZZ_HOSTILE_CORPUS) and
# tests/regressions/TARGET; what the fuzzer learns stays there between runs. A crash, timeout
# or out-of-memory is minimized (cargo fuzz tmin) into tests/regressions/TARGET/, where
# tests/regressions.rs runs it. The last lines are libFuzzer's final statistics and a summary:
# executions, seconds, coverage (cov: edges, ft: features), and what was found.
#
# Toolchain: stable with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes unstable -Z flags), no
# sanitizer (jzz is safe Rust outside the OCR FFI, which no target reaches; libFuzzer itself
# catches panics, aborts, timeouts and memory past the limit). JZZ_FUZZ_SANITIZER=address
# builds with AddressSanitizer instead.
#
# Time: each target asserts its own 10 s deadline on the smaller of wall-clock and CPU time
# (jzz::fuzzing), which a loaded machine cannot trip; libFuzzer's -timeout, wall clock only,
# is set to 60 s as the guard for a true hang (a fuzzer starved by a build beside it once took
# 12 s of wall clock for an input of 0.4 s of CPU, and was reported as a timeout).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
targets=$(ls fuzz/fuzz_targets | sed -n 's/\.rs$//p')
if [ "${1:-}" = "--list" ]; then
  echo "$targets"
  exit 0
fi
if [ $# -lt 1 ] || ! grep -qx -- "$1" <<<"$targets"; then
  echo "usage: scripts/fuzz.sh TARGET [SECONDS [RUNS]]; targets:" $targets >&2
  exit 2
fi
target=$1
seconds=${2:-300}
runs_limit=${3:-0}
hostile=${JZZ_HOSTILE_CORPUS:-$root/../shared/corpus/hostile}
sanitizer=${JZZ_FUZZ_SANITIZER:-none}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

corpus=target/fuzz-corpus/$target
artifacts=target/fuzz-artifacts/$target
regressions=tests/regressions/$target
mkdir -p "$corpus" "$artifacts" "$regressions"

# seed FILE…: copies files of at most $max_seed bytes into the corpus, named by content.
max_seed=1048576
seed() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le "$max_seed" ] || continue
    cp -n "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)" 2>/dev/null || true
  done
}
# Files under DIR… whose content starts like an HTML document or table.
html_files() {
  find "$@" -type f 2>/dev/null | while read -r f; do
    head -c 512 "$f" | tr -d '\0' | grep -qiE '<(html|table|!doctype)' && echo "$f"
  done || true
}

dict=""
max_len=1048576
case $target in
  pdf_text|pdf_images)
    dict=fuzz/dict/pdf.dict
    seed fixtures/pdf/*.pdf $(find fixtures/ocr fixtures/bundles -name '*.pdf') "$hostile"/pdf/*
    # Page images: a few dozen KB reach every filter, predictor and colour space; the large
    # seeds (scans of up to 1 MB) cost ~20 ms an execution and add no new paths.
    [ "$target" = pdf_images ] && max_len=131072
    ;;
  image)
    max_seed=262144
    seed $(find fixtures/ocr fixtures/bundles -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.tif*' \)) \
      "$hostile"/png/* "$hostile"/jpg/* "$hostile"/tiff/* "$hostile"/bmp/* "$hostile"/webp/* "$hostile"/gif/*
    max_len=65536
    ;;
  xlsx)
    dict=fuzz/dict/xml.dict
    seed $(find fixtures -name '*.xlsx') "$hostile"/xlsx/* "$hostile"/zip/*
    ;;
  xls)
    seed $(find fixtures -name '*.xls') "$hostile"/xls/*
    ;;
  ods)
    dict=fuzz/dict/xml.dict
    seed $(find fixtures -name '*.ods') "$hostile"/ods/*
    ;;
  csv)
    seed $(find fixtures -name '*.csv') "$hostile"/csv/*
    max_len=65536
    ;;
  html)
    dict=fuzz/dict/xml.dict
    seed $(html_files fixtures "$hostile")
    printf '<html><body><table><tr><th>姓名</th><th colspan=2>证件&amp;号码</th></tr><tr><td>张三<br>李</td><td>&#x5F20;</td><td>3</td></tr></table></body></html>' \
      > "$corpus/seed-inline-table"
    max_len=65536
    ;;
  zip_intake)
    seed $(find fixtures/bundles -name '*.zip') "$hostile"/zip/* "$hostile"/xlsx/crafted-*
    ;;
  case_toml)
    dict=fuzz/dict/toml.dict
    seed $(find fixtures -name case.toml)
    max_len=16384
    ;;
  pipeline_toml)
    dict=fuzz/dict/toml.dict
    seed pipelines/new-application.toml pipelines/renewal.toml pipelines/unit-registration.toml
    max_len=65536
    ;;
  policy_toml)
    dict=fuzz/dict/toml.dict
    seed pipelines/policy.toml
    max_len=65536
    ;;
esac
seed "$regressions"/*
echo "== $target: $(ls "$corpus" | wc -l) inputs in $corpus; ${seconds}s; sanitizer $sanitizer"

log=target/fuzz-$target.log
flags=(-max_total_time="$seconds" -runs="${runs_limit/#0/-1}" -rss_limit_mb=2048 -timeout=60 -max_len="$max_len"
  -print_final_stats=1 -artifact_prefix="$root/$artifacts/")
[ -n "$dict" ] && flags+=(-dict="$root/$dict")
before=$(ls "$artifacts" | sort)
# `nice` alone does not make the fuzzer yield: with the kernel's autogroups (Debian's default)
# the CPU is shared between sessions first, whatever the nice values inside them, so a fuzzer in
# one terminal takes a core's half from a build or test in another. This session's group is
# lowered for the run and given back its old value at exit.
if [ -w /proc/self/autogroup ]; then
  autogroup_nice=$(awk '{ print $3 }' /proc/self/autogroup)
  if echo 10 > /proc/self/autogroup 2>/dev/null; then
    trap 'echo "$autogroup_nice" > /proc/self/autogroup 2>/dev/null || true' EXIT
  fi
fi
set +e
nice -n 10 cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- "${flags[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

found=$(comm -13 <(echo "$before") <(ls "$artifacts" | sort) | grep -E '^(crash|timeout|oom|leak)-' || true)
for a in $found; do
  out=$regressions/${a%%-*}-$(echo "$a" | sed -E 's/^[a-z]+-//' | cut -c1-12)
  echo "== minimizing $artifacts/$a"
  if nice -n 10 cargo fuzz tmin --sanitizer "$sanitizer" "$target" "$artifacts/$a" \
      -- -timeout=60 -rss_limit_mb=2048 -runs=2000 >"target/fuzz-tmin-$target.log" 2>&1; then :; fi
  # tmin names its result after the input's hash; none when it could not reproduce it (an
  # out-of-memory seen by the RSS thread often is not): then the input itself is kept.
  small=fuzz/artifacts/$target/minimized-from-${a#*-}
  if [ -f "$small" ] && [ "$(stat -c %s "$small")" -le "$(stat -c %s "$artifacts/$a")" ]; then
    cp "$small" "$out"
  else
    cp "$artifacts/$a" "$out"
  fi
  echo "== kept $out ($(stat -c %s "$out") bytes): add it to the fix's commit; tests/regressions.rs runs it"
done

stat() { grep -oE "stat::$1: +[0-9]+" "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0; }
runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
echo "== $target: $(stat number_of_executed_units) executions (${runs:-stopped early}), $(stat average_exec_per_sec) exec/s, peak $(stat peak_rss_mb) MB, ${cov:-no coverage line}, exit $status, found: ${found:-nothing}"
[ -z "$found" ] && [ "$status" -eq 0 ]
