#!/usr/bin/env bash
# Install convqa, index corpus/ incrementally and start the browser chat on http://127.0.0.1:7860.
# Options are `convqa serve`'s (scripts/run.sh --port 8000). One line per stage, with its time:
#   [install] packages 57 s     pip/uv (0 s when nothing changed)
#   [install] model 8 s         the embedding model's one-time conversion and ONNX export
#   [index] corpus 19 s         the app's start (imports, model load) and the index sync
#   [serve] http://127.0.0.1:7860/ after 84 s (server 0 s)   the page answers HTTP, this long
#                               after run.sh began (the page's build and Gradio's start: 6 s)
set -euo pipefail
cd "$(dirname "$0")/.."
began=$(date +%s)
scripts/install.sh
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False

# Reads the app's stderr (a copy: tee passes it through untouched, progress bars included) and
# turns its "index" and "serving" lines into timed stage lines. It reads to the end, so the
# app never writes into a closed pipe.
stages() {
  local line url tries sync indexed=$2
  # Any HTTP reply counts (a login page's too); a refused connection does not.
  local answers="import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass"
  while IFS= read -r line; do
    case $line in
      "convqa: index "*)
        # The app's line ends with the sync's own time ("... in 3.9 s"); the rest of the stage
        # is the app's start (imports, model load), the larger part when nothing changed.
        sync=""
        [[ $line =~ in\ ([0-9.]+\ s)$ ]] && sync=" (app start and model load, then the sync: ${BASH_REMATCH[1]})"
        indexed=$(date +%s)
        echo "[index] corpus $((indexed - $2)) s${sync}"
        ;;
      "convqa: serving the chat on "*)
        url=${line#convqa: serving the chat on }
        url=${url%% *}
        for tries in $(seq 1 100); do
          if .venv/bin/python -c "$answers" "$url" 2>/dev/null; then
            echo "[serve] $url after $(($(date +%s) - $1)) s (server $(($(date +%s) - indexed)) s)"
            break
          fi
          [ "$tries" = 100 ] && echo "[serve] $url does not answer HTTP" >&2
          sleep 0.2
        done
        ;;
    esac
  done
}

# Ctrl+C goes to the app, which stops cleanly; the reader ignores it and ends with the app's stderr.
# tee -a: appending, so that a stderr redirected to a file keeps the lines written before (tee would truncate it).
exec .venv/bin/python app.py "$@" 2> >(trap '' INT; tee -a /dev/stderr | stages "$began" "$(date +%s)")
