#!/usr/bin/env bash
# The issue's training bound on ONE machine: the `cpu` preset's training as it was when issue 13 was
# filed (commit ec2e662: its own generator, 1,600 rows of ~307 tokens, random batches, eager layers)
# against today's, STEPS steps each, alternating old, new, old, new so that the machine's drift
# falls on both. Prints s/step (steps 2..N) per run and each side's full-run estimate.
#   bash benchmarks/same_machine_training.sh [STEPS]     (default 40; ~18 min on 2 cores)
# Run it alone: two CPU jobs on two cores slow each other down unevenly.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-40}
OLD_COMMIT=ec2e662
OLD_DIR=${OLD_DIR:-/tmp/taskagent_issue_day}
OUT=${OUT:-/tmp/same_machine_training}
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false PYTHONPATH=.
NEW_DIR=$PWD
[ -d "$OLD_DIR" ] || git worktree add --detach "$OLD_DIR" "$OLD_COMMIT"
[ -e "$OLD_DIR/.venv" ] || ln -s "$NEW_DIR/.venv" "$OLD_DIR/.venv"
mkdir -p "$OLD_DIR/outputs" "$OUT"
[ -e "$OLD_DIR/outputs/models" ] || ln -s "$NEW_DIR/outputs/models" "$OLD_DIR/outputs/models"
[ -f "$OLD_DIR/outputs/data/train.jsonl" ] || (cd "$OLD_DIR" && .venv/bin/python -m lib.data --out outputs/data >/dev/null)
[ -f outputs/data260/train.jsonl ] || .venv/bin/python -m lib.synth --out outputs/data260 >/dev/null

run() {  # run <checkout> <data dir> <run name>
  (cd "$1" && .venv/bin/python - "$2" "$3" "$STEPS" "$OUT" <<'EOF' 2>&1 | grep -E "^(RUN|Traceback|[A-Za-z]*Error)" || true
import sys
from lib.train import preset_config, train
data, name, steps, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
train(preset_config("cpu", max_steps=steps, run_name=name), data_dir=data, output_dir=out, progress=False)
print("RUN", name, "done")
EOF
  )
}
run "$OLD_DIR" outputs/data old_a; run "$NEW_DIR" outputs/data260 new_a
run "$OLD_DIR" outputs/data old_b; run "$NEW_DIR" outputs/data260 new_b

.venv/bin/python - "$OUT" <<'EOF'
import json, statistics, sys
from pathlib import Path
from lib.presets import get_preset
out, steady = Path(sys.argv[1]), {}
for name in ("old_a", "new_a", "old_b", "new_b"):
    log = json.loads((out / name / "training_log.json").read_text())
    st = log["steps"]
    s = (st[-1]["elapsed_s"] - st[0]["elapsed_s"]) / (len(st) - 1)
    steady.setdefault(name[:3], []).append((s, st[0]["elapsed_s"]))
    print(f"{name}: {log['data']['mean_tokens']:.1f} tokens/row, wall {log['wall_time_s']} s, "
          f"first step {st[0]['elapsed_s']} s, steps 2-{len(st)}: {s:.3f} s/step")
full = {"old": 200, "new": get_preset("cpu").max_steps}  # the issue day's cpu preset: 200 steps
est = {k: statistics.mean(f for _, f in v) + (full[k] - 1) * statistics.mean(s for s, _ in v) for k, v in steady.items()}
for k in ("old", "new"):
    print(f"{k}: {full[k]} steps ~ {est[k]:.0f} s ({est[k] / 60:.1f} min)")
print(f"today's training / the issue day's, on this machine: {est['new'] / est['old']:.2f}x")
EOF
