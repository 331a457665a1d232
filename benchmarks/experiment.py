"""One training experiment, scored on held-out rows: how settings and data are chosen (on the
validation split; the test split is scored once, at the end, with --split test).

    python benchmarks/experiment.py --name steps200 --preset cpu --split validation --rows 96
    python benchmarks/experiment.py --name steps300 --preset cpu --max-steps 300
    python benchmarks/experiment.py --name final --adapter outputs/experiments/steps300/adapter --split test --rows 168

Writes outputs/experiments/<name>/ (the adapter and result.json) and prints the tuned model's
metrics overall and per category (execution), with the training time and mean tokens per row.
--keep also copies result.json and the answers to benchmarks/runs/<name>/, which git keeps: a kept
run stands in for a later candidate's control arm (same seed, code and data give the same answers;
docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# TrainConfig fields settable from the command line (each --knob-name overrides the preset).
TRAINING_KNOBS = {"max_steps": int, "learning_rate": float, "lora_r": int, "lora_alpha": int, "batch_size": int,
                  "prompt_style": str, "train_rows": int, "batching": str, "save_steps": int,
                  "neftune_noise_alpha": float, "seed": int, "compile_on_cpu": bool}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--preset", default="cpu")
    p.add_argument("--data", default="outputs/data", help="made with the current generator if missing")
    p.add_argument("--split", default="validation", choices=["validation", "test"])
    p.add_argument("--rows", type=int, default=96)
    p.add_argument("--adapter", default=None, help="score this adapter instead of training one")
    p.add_argument("--base", action="store_true", help="also score the base model (contract prompt)")
    p.add_argument("--keep", action="store_true", help="also copy result.json and the answers to benchmarks/runs/<name>/")
    for knob, kind in TRAINING_KNOBS.items():
        if kind is bool:  # --compile-on-cpu / --no-compile-on-cpu, as lib.evaluate's --load-in-4bit
            p.add_argument("--" + knob.replace("_", "-"), action=argparse.BooleanOptionalAction, default=None)
        else:
            p.add_argument("--" + knob.replace("_", "-"), type=kind, default=None)
    a = p.parse_args()

    from lib.dataset import load_rows, select_rows
    from lib.evaluate import evaluate
    from lib.model import load_model
    from lib.report import category_table, comparison_table
    from lib.synth import write_dataset
    from lib.train import preset_config, train

    out = ROOT / "outputs/experiments" / a.name
    out.mkdir(parents=True, exist_ok=True)
    if not (Path(a.data) / "train.jsonl").exists():
        write_dataset(a.data)
    result: dict = {"name": a.name, "split": a.split}
    if a.adapter:
        from lib.model import adapter_base_model

        model, tok = load_model(adapter_base_model(a.adapter), 2048, adapter_dir=a.adapter)
        result["adapter"] = a.adapter
    else:
        overrides = {k: getattr(a, k) for k in TRAINING_KNOBS if getattr(a, k) is not None}
        cfg = preset_config(a.preset, run_name="adapter", **overrides)
        t0 = time.perf_counter()
        trained = train(cfg, data_dir=a.data, output_dir=out, progress=False)
        model, tok, log = trained["model"], trained["tokenizer"], trained["log"]
        result.update({"config": cfg.model_dump(), "train_s": round(time.perf_counter() - t0),
                       "mean_tokens_per_row": round(log["data"]["mean_tokens"], 1), "s_per_step": log["s_per_step"],
                       "adapter": os.path.relpath(trained["run_dir"], ROOT)})
    rows = select_rows(load_rows(Path(a.data) / f"{a.split}.jsonl"), a.rows)
    t0 = time.perf_counter()
    report = evaluate(model, tok, rows, (["base"] if a.base else []) + ["tuned"], progress=False)
    result["eval_s"] = round(time.perf_counter() - t0)
    result["overall"] = {s: {m: v["rate"] for m, v in r["overall"].items()} for s, r in report["systems"].items()}
    result["by_category"] = {c: v["execution"]["rate"] for c, v in report["systems"]["tuned"]["by_category"].items()}
    failures = [{"id": r.id, "category": r.category, "user": r.message, "output": o}
                for r, o, s in zip(rows, report["systems"]["tuned"]["outputs"], report["systems"]["tuned"]["scored"])
                if not s["execution"]]
    (out / "result.json").write_text(json.dumps(result, indent=1) + "\n")
    (out / f"failures_{a.split}.jsonl").write_text("".join(json.dumps(f) + "\n" for f in failures))
    # every raw answer, so `benchmarks/rescore.py` can score them again under changed rules without a model
    (out / f"outputs_{a.split}.jsonl").write_text("".join(
        json.dumps({"id": r.id, "user": r.message, "output": o}) + "\n"
        for r, o in zip(rows, report["systems"]["tuned"]["outputs"])))
    if a.keep:  # outputs/ does not outlive a machine; these two files are what a later comparison needs
        kept = ROOT / "benchmarks/runs" / a.name
        kept.mkdir(parents=True, exist_ok=True)
        for name in ("result.json", f"outputs_{a.split}.jsonl"):
            shutil.copyfile(out / name, kept / name)
    print(comparison_table(report))
    print(category_table(report))
    print(json.dumps({k: v for k, v in result.items() if k not in ("by_category", "config")}, indent=1))


if __name__ == "__main__":
    main()
