#!/usr/bin/env bash
# The main job: set up .venv if needed, then run the notebooks headless (see lib/pipeline.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
exec .venv/bin/python -m lib.pipeline "$@"
