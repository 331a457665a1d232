#!/usr/bin/env bash
# The test command: set up .venv if needed, then run the whole suite (unit tests on a tiny local
# model, then the four notebooks headless on the offline default with the `ci` preset).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec .venv/bin/python -m pytest -q -ra "$@"
