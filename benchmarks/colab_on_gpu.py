"""Colab's "Run All" of the all-in-one notebook, on a CUDA machine, headless (papermill).

    python benchmarks/colab_on_gpu.py --model tiny --out outputs/colab_gpu

The notebook file alone is copied into an empty folder and run top to bottom with the `t4`
preset, as on Colab: `COLAB_RELEASE_TAG` is set, so its set-up cell takes the Colab path (the GPU
check, then the pip installs). On a machine without internet the installs are recorded, not run
(`TASKAGENT_RECORD_PIP`), and the pinned packages must already be importable. Only the model name
(a model reachable offline: `tiny` builds a 2.8M-parameter Llama in seconds) and the evaluation's
size differ from a Colab run: 4-bit loading, Unsloth's CUDA kernels, mixed precision, training,
generation, constrained decoding, the report and the chat demo all run as they would there.

Writes the executed notebook and `summary.json` (per-cell seconds, the first error if any, the
training log's figures, the validation check) to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="tiny", help="model_name for the notebook (a Hub id needs internet)")
    p.add_argument("--out", default="outputs/colab_gpu")
    p.add_argument("--preset", default="t4", help="t4 (the Colab run); tiny tries the driver on a CPU")
    p.add_argument("--max-steps", type=int, default=60)
    p.add_argument("--rows", type=int, default=24, help="validation and test rows evaluated")
    p.add_argument("--grammar-rows", type=int, default=8)
    p.add_argument("--floors", action="store_true",
                   help="keep the t4 preset's checks (85%% tool selection, the demo's end state); off for a "
                        "random-weight model, which cannot pass them")
    p.add_argument("--export-merged", action="store_true", help="also run the merged 16-bit export cell")
    p.add_argument("--fp16", action="store_true",
                   help="take a T4's precision branch on a bf16 GPU (fp16 weights, fp16=True, a GradScaler): "
                        "benchmarks/t4_dtype/sitecustomize.py, loaded by the kernel, answers 'no bf16'")
    a = p.parse_args()

    import nbformat
    import papermill as pm

    from lib.bundle import NAME
    from lib.pipeline import kernel_name

    out = Path(a.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="colab-"))
    notebook = work / f"{NAME}.ipynb"
    shutil.copy(ROOT / "notebooks" / f"{NAME}.ipynb", notebook)
    env = {"COLAB_RELEASE_TAG": "release-colab-simulated", "TASKAGENT_RECORD_PIP": str(work / "pip.jsonl")}
    if a.fp16:
        env["TASKAGENT_EMULATE_T4_DTYPE"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "benchmarks" / "t4_dtype"),
                                                          os.environ.get("PYTHONPATH")]))
    os.environ.update(env)
    params = {"preset": a.preset, "model_name": a.model, "max_steps": a.max_steps, "validation_rows": a.rows,
              "test_rows": a.rows, "grammar_rows": a.grammar_rows}
    if a.export_merged:
        params["export_merged_16bit"] = True
    if not a.floors:
        params.update(min_format_strict=0.0, min_tool_selection=0.0, expected_tasks=[])
    executed = out / f"{NAME}.executed.ipynb"
    t0 = time.perf_counter()
    error = None
    try:
        pm.execute_notebook(str(notebook), str(executed), parameters=params, kernel_name=kernel_name(),
                            cwd=str(work), progress_bar=False, log_output=True)
    except Exception as exc:  # the executed copy still holds every output up to the failing cell
        error = f"{type(exc).__name__}: {str(exc)[-3000:]}"
    wall = time.perf_counter() - t0

    nb = nbformat.read(executed, as_version=4)
    cells = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        meta = c.get("metadata", {}).get("papermill", {})
        first = next((ln for ln in c.source.splitlines() if ln.strip() and not ln.startswith("#")), "")
        cells.append({"first_line": first[:80], "seconds": meta.get("duration"), "status": meta.get("status")})
    summary = {"parameters": params, "env": env, "wall_s": round(wall, 1), "error": error, "cells": cells,
               "pip_recorded": (work / "pip.jsonl").read_text().splitlines() if (work / "pip.jsonl").exists() else []}
    for name, path in [("training_log", work / f"outputs/adapters/{a.preset}/training_log.json"),
                       ("validation_check", work / f"outputs/adapters/{a.preset}/validation_check.json")]:
        if path.exists():
            data = json.loads(path.read_text())
            summary[name] = {k: v for k, v in data.items() if k != "steps"} if name == "training_log" else data
            if name == "training_log":  # finite losses say the precision branch trained, not only ran
                summary[name]["losses"] = [s["loss"] for s in data["steps"]]
    report = work / f"outputs/reports/{a.preset}/report.md"
    if report.exists():
        shutil.copy(report, out / "report.md")
    (out / "summary.json").write_text(json.dumps(summary, indent=1, default=str) + "\n")
    print(json.dumps({k: summary[k] for k in ("wall_s", "error")}, indent=1))
    for c in cells:
        print(f"{c['status'] or '-':>9} {c['seconds'] or 0:7.1f}s  {c['first_line']}")
    raise SystemExit(1 if error else 0)


if __name__ == "__main__":
    main()
