#!/usr/bin/env bash
# Create .venv and install convqa with its pinned stack (CPU torch from this machine's disk).
# Usage: scripts/install.sh [--test]   (--test adds pytest, Hypothesis, Playwright and Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned: letting the resolver pick it pulls a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".${extras}"

if [ -n "$extras" ] && [ ! -x /usr/bin/chromium ]; then
  # Browser tests drive Debian's Chromium; Playwright's own browser download is not reachable.
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
echo "convqa installed in .venv"
