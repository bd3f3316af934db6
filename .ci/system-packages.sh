#!/usr/bin/env bash
# The Debian packages Jixiao needs, installed only when missing. Used by `make` and `.ci/run`.
#   bash .ci/system-packages.sh          what `make run` needs
#   bash .ci/system-packages.sh --test   plus what `make test` needs (Node, and poppler to read the PDFs back)
#   bash .ci/system-packages.sh --ci     plus the servers CI's second pass talks to
set -euo pipefail

# libgl1 and libglib2.0-0: OpenCV, which the screenshot OCR (RapidOCR) loads; fonts-noto-cjk: the demo's
# generated screenshots and the console's Chinese; chromium: renders the report PDFs (Playwright drives
# Debian's Chromium, never a browser of its own download), and the browser tests use it too;
# fonts-wqy-microhei: the PDFs' Chinese, a TrueType face Chromium can embed as a subset (docs/reports.md)
packages=(python3-venv python3-dev build-essential libgl1 libglib2.0-0 fonts-noto-cjk chromium fonts-wqy-microhei)
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--ci" ]; then
  # pdffonts and pdftotext: the tests read the report PDFs back
  packages+=(poppler-utils)
fi
if [ "${1:-}" = "--ci" ]; then
  packages+=(mariadb-server mariadb-client redis-server)
fi

# the mini-program's tests run under Node (jest); a machine without Node gets Debian's
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--ci" ]; then
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# A Python without Debian's venv package (pyenv, python.org builds) needs no python3-venv.
if python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
