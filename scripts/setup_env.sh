#!/usr/bin/env bash
# Create .venv and install the stack for this machine (idempotent: a stamp skips a repeat).
#   GPU (nvidia-smi works): requirements.txt (Unsloth pulls matching CUDA builds).
#   CPU: torch==2.13.0 first (the CPU wheel; anything else first would pull CUDA packages),
#        then requirements-cpu.txt, then unsloth/unsloth_zoo with --no-deps (their declared
#        requirements pull torchvision, which does not load with the CPU torch).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
stamp="$VENV/.installed-$(cat requirements.txt requirements-cpu.txt scripts/setup_env.sh | sha1sum | cut -c1-12)"
[ -f "$stamp" ] && exit 0
echo "[setup] creating $VENV and installing (a few minutes the first time)..."
"$PYTHON" -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 | grep -v "is ignored: it is neither" || true; }
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  pip -r requirements.txt
else
  pip torch==2.13.0
  pip -r requirements-cpu.txt
  pip --no-deps unsloth==2026.10.9 unsloth_zoo==2026.10.9 xgrammar==0.2.8 apache-tvm-ffi==0.1.15.post2
  "$VENV/bin/python" -m pip uninstall -y -q torchvision >/dev/null 2>&1 || true
fi
"$VENV/bin/python" -c "import torch, transformers, trl, peft, lib" \
  || { echo "[setup] the install is broken: see the messages above" >&2; exit 1; }
"$VENV/bin/python" -m ipykernel install --sys-prefix --name taskagent --display-name "taskagent" >/dev/null
touch "$stamp"
echo "[setup] done"
