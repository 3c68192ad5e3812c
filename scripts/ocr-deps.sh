#!/usr/bin/env bash
# Installs the Debian packages OCR needs — tesseract's library and headers (leptess links
# them; its build runs bindgen, hence libclang), the chi_sim, eng and osd language data, and
# poppler-utils (pdftoppm, for examples/gen_ocr_fixtures.rs) with poppler-data (the Adobe-GB1
# CMaps; without them pdftoppm draws the STSong-Light PDFs as blank pages). Idempotent: asks dpkg first and
# does nothing when everything is installed. Uses sudo when not root.
set -euo pipefail
pkgs=(libtesseract-dev libleptonica-dev libclang-dev pkg-config
      tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd poppler-utils poppler-data)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "== installing Debian packages for OCR: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
