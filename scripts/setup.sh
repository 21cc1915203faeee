#!/usr/bin/env bash
# Set up a fresh Debian machine for Posthantering: system packages (tesseract with Swedish, fonts,
# and with --test also PostgreSQL and Redis for the integration tests), a virtual environment in
# .venv and the package itself. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
with_bench=0
for arg in "$@"; do
  [ "$arg" = "--test" ] && with_test=1
  # bench/throughput.py and bench/ocr_throughput.py compare against OCRmyPDF (needs ghostscript)
  [ "$arg" = "--bench" ] && with_bench=1
done

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd="sudo"
fi

packages=(tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng tesseract-ocr-osd python3-venv)
if [ "$with_test" = 1 ]; then
  # Fonts for shared/tools/render_scans.py; servers the integration tests start on free ports.
  packages+=(fonts-dejavu-core fonts-liberation fonts-urw-base35 postgresql redis-server chromium)
fi
if [ "$with_bench" = 1 ]; then
  packages+=(ghostscript)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
extras=()
[ "$with_test" = 1 ] && extras+=(test)
[ "$with_bench" = 1 ] && extras+=(bench)
if [ "${#extras[@]}" -gt 0 ]; then
  .venv/bin/python -m pip install -q -e ".[$(IFS=,; echo "${extras[*]}")]"
else
  .venv/bin/python -m pip install -q -e .
fi
