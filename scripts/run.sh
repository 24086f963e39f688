#!/usr/bin/env bash
# Install convqa, index corpus/ incrementally and start the browser chat on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
exec .venv/bin/python app.py "$@"
