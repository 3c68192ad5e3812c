#!/usr/bin/env bash
# Regenerates every committed fixture into a temporary directory and compares it, file by file
# (sha256), with what is committed under fixtures/. Prints each file that differs, is missing
# from the new output, or was generated but is not committed; exits 1 on any difference, 0 when
# the generators reproduce the committed fixtures byte for byte.
#
# Usage: scripts/fixtures-unchanged.sh [--release] [--keep] [--only GENERATOR]...
#   --release  build and run the generators in the release profile (faster OCR pages)
#   --keep     leave the temporary directory in place and print its path
#   --only     run and compare only this generator (repeatable), e.g. `--only gen_bundles`;
#              gen_ocr_fixtures alone reads the committed fixtures/pdf and fixtures/bundles
#
# The generators run in the order the fixtures depend on each other, in a scratch tree laid
# out like the repository (gen_ocr_fixtures reads fixtures/pdf and fixtures/bundles relative to
# the working directory, so it reads the freshly generated ones, not the committed ones):
#
#   gen_fixtures      → fixtures/precheck  (exports, truth/, README.md)
#   gen_pdf_fixtures  → fixtures/pdf       (PDFs, truth/, README.md)
#   gen_bundles       → fixtures/bundles   (bundle folders, zips, expected/, README.md)
#   gen_ocr_fixtures  → fixtures/ocr       (page images, special/, set-*/, bundles/, truth.json,
#                                           manifest.json)
#
# Committed files that no generator writes (hand-written): fixtures/ocr/README.md.
# No generator writes to tests/golden (the golden dossiers are written by the tests).
#
# Needs fonts-noto-cjk (embedded / rasterised CJK font), poppler-utils (pdftoppm, used by
# gen_ocr_fixtures) and poppler-data (scripts/ocr-deps.sh installs both poppler packages). The
# OCR images are byte-identical only for the same poppler version (22.12 made the committed
# ones). Without poppler-data, pdftoppm renders the STSong-Light (non-embedded font) PDFs as
# blank pages and says so only on stderr: the five STSong pages of
# fixtures/ocr/bundles/scan-cat1 then differ. The script checks for it first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

profile=debug
cargo_profile=()
keep=0
only=()
usage="usage: $0 [--release] [--keep] [--only gen_fixtures|gen_pdf_fixtures|gen_bundles|gen_ocr_fixtures]..."
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release; cargo_profile=(--release) ;;
    --keep) keep=1 ;;
    --only) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; only+=("$2"); shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done

missing=()
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -d /usr/share/poppler/cMap/Adobe-GB1 ] || missing+=(poppler-data)
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing Debian packages: ${missing[*]} (scripts/ocr-deps.sh installs the poppler ones)" >&2
  exit 2
fi

# Files under a generator's folder that are committed but written by hand.
hand_written=(fixtures/ocr/README.md)

all=(gen_fixtures:precheck gen_pdf_fixtures:pdf gen_bundles:bundles gen_ocr_fixtures:ocr)
gens=()
for g in "${all[@]}"; do
  if [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -qx "${g%%:*}"; then
    gens+=("$g")
  fi
done
if [ ${#gens[@]} -eq 0 ] || [ ${#only[@]} -gt ${#gens[@]} ]; then
  echo "$usage" >&2
  exit 2
fi

echo "== building the generators ($profile)"
build_args=()
for g in "${gens[@]}"; do build_args+=(--example "${g%%:*}"); done
cargo build --quiet "${cargo_profile[@]}" "${build_args[@]}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fixtures-unchanged.XXXXXX")
if [ "$keep" = 1 ]; then
  echo "scratch tree kept at $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/fixtures"
# gen_ocr_fixtures reads fixtures/pdf and fixtures/bundles: when their generators do not run,
# it reads the committed ones (copied, and not compared).
for d in pdf bundles; do
  case " ${gens[*]} " in
    *":$d "*) ;;
    *) cp -a "fixtures/$d" "$tmp/fixtures/$d" ;;
  esac
done

for g in "${gens[@]}"; do
  name=${g%%:*}
  dir=${g#*:}
  echo "== $name → fixtures/$dir"
  start=$SECONDS
  (cd "$tmp" && "$root/target/$profile/examples/$name" "fixtures/$dir" >"$tmp/$name.log" 2>&1) || {
    echo "$name failed; its output:" >&2
    tail -n 30 "$tmp/$name.log" >&2
    exit 1
  }
  echo "   $(($SECONDS - start)) s"
done

# sha256 of every file, by path relative to the repository root, one "hash  path" a line.
list() {
  (
    cd "$1"
    for g in "${gens[@]}"; do
      find "fixtures/${g#*:}" -type f -print0
    done | LC_ALL=C sort -z | xargs -0 sha256sum
  )
}
list "$root" >"$tmp/committed.sha"
list "$tmp" >"$tmp/generated.sha"

# Only the files git tracks count as committed (an untracked scratch file is not a fixture).
git ls-files -z fixtures | tr '\0' '\n' | LC_ALL=C sort >"$tmp/tracked"
for h in "${hand_written[@]}"; do echo "$h"; done | LC_ALL=C sort >"$tmp/hand"

status=0
report=$(
  python3 - "$tmp/committed.sha" "$tmp/generated.sha" "$tmp/tracked" "$tmp/hand" <<'PY'
import sys

def read(path):
    out = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            h, p = line.rstrip("\n").split("  ", 1)
            out[p] = h
    return out

committed = read(sys.argv[1])
generated = read(sys.argv[2])
tracked = set(open(sys.argv[3], encoding="utf-8", errors="surrogateescape").read().split("\n")) - {""}
hand = set(open(sys.argv[4], encoding="utf-8").read().split("\n")) - {""}
committed = {p: h for p, h in committed.items() if p in tracked}

rows = []
for p in sorted(set(committed) | set(generated)):
    if p in hand:
        continue
    c, g = committed.get(p), generated.get(p)
    if c is None:
        rows.append(f"not committed: {p}")
    elif g is None:
        rows.append(f"not generated: {p}")
    elif c != g:
        rows.append(f"differs:       {p}")
print(f"{len(generated)} generated, {len(committed) - len(hand & set(committed))} committed")
for r in rows:
    print(r)
sys.exit(1 if rows else 0)
PY
) || status=$?
echo "$report"
if [ "$status" = 0 ]; then
  echo "fixtures unchanged: every generated file matches its committed sha256"
else
  echo "fixtures differ (see above)" >&2
  exit 1
fi
