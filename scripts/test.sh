#!/usr/bin/env bash
# Install everything the tests need, start a Chroma server and a PostgreSQL server (the
# shared record manager) on free loopback ports, lint, run the whole suite against the
# embedded store and the servers, then stop and delete both.
#
#   scripts/test.sh [pytest args]          everything (what CI runs)
#   scripts/test.sh --fast [pytest args]   lint + the tests that need no model, server or
#                                          browser (under a minute: a developer's edit loop)
set -euo pipefail
cd "$(dirname "$0")/.."

lint() {
  .venv/bin/ruff check src tests scripts app.py
  .venv/bin/ruff format --check --quiet src tests scripts app.py
}

if [ "${1:-}" = "--fast" ]; then
  shift
  # Install only on a new checkout: the edit loop should not wait for pip.
  [ -x .venv/bin/ruff ] || scripts/install.sh --test
  lint
  export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
  exec .venv/bin/python -m pytest -m fast "$@"
fi

# EmbeddingGemma, the default model, for the tests marked gemma (named here too, so that a
# CONVQA_MODEL of the caller's does not leave it out): 37-98 s and 1.27 GB once, then a marker
# check (tests/conftest.py looks in .convqa/models). The rest of the suite runs on e5.
scripts/install.sh --test --model embeddinggemma-300m
lint
# Generated answers: llama-cpp-python (built once, cached) and the GGUF its test server loads.
gguf=$(scripts/install-llm.sh | tail -n 1)
export CONVQA_TEST_GGUF="$gguf" CONVQA_REQUIRE_LLM=1

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False

port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chroma_dir=$(mktemp -d)
.venv/bin/chroma run --path "$chroma_dir" --host 127.0.0.1 --port "$port" >"$chroma_dir.log" 2>&1 &
chroma_pid=$!
pg_dir=""
cleanup() {
  kill "$chroma_pid" 2>/dev/null || true; wait "$chroma_pid" 2>/dev/null || true; rm -rf "$chroma_dir" "$chroma_dir.log"
  if [ -n "$pg_dir" ]; then .venv/bin/python tests/pgcluster.py stop "$pg_dir" || true; fi
}
trap cleanup EXIT
for _ in $(seq 1 60); do
  if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/api/v2/heartbeat', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 1
done
export CONVQA_TEST_CHROMA_URL="http://127.0.0.1:$port"

# PostgreSQL for the record manager of several indexers: Debian's package, a temporary
# cluster on a free loopback port, run as its own non-root user (tests/pgcluster.py).
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
eval "$(.venv/bin/python tests/pgcluster.py start)"   # sets CONVQA_TEST_PG_URL and CONVQA_TEST_PG_DIR
pg_dir="$CONVQA_TEST_PG_DIR"

.venv/bin/python -m pytest "$@"
