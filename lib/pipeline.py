"""The main job: run all four notebooks headless with papermill, in order.

    python -m lib.pipeline                 # preset auto: t4 with a GPU, cpu (SmolLM2) without
    python -m lib.pipeline --preset ci     # the short CI run (also used by the tests)

Executed notebooks land in outputs/notebooks/ (open them to see every table and chart); the
adapter in outputs/adapters/<preset>/, the comparison in outputs/reports/<preset>/.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any, Optional

from lib.presets import resolve_preset_name

NOTEBOOKS = ["01_generate_data", "02_train_lora", "03_compare_base_vs_tuned", "04_chat_demo"]


def kernel_name() -> str:
    """The project's kernel (scripts/setup_env.sh installs it into the venv), else python3."""
    from jupyter_client.kernelspec import find_kernel_specs

    return "taskagent" if "taskagent" in find_kernel_specs() else "python3"


def source_notebook(root: Path, name: str, work: Path) -> Path:
    """The notebook to execute, built from its .py twin (the file people edit) into `work`, so a
    run never rewrites the committed .ipynb."""
    import jupytext

    work.mkdir(parents=True, exist_ok=True)
    path = work / f"{name}.ipynb"
    jupytext.write(jupytext.read(root / "notebooks" / f"{name}.py"), path)
    return path


def run(preset: str = "auto", only: Optional[list[str]] = None, out_dir: str = "outputs/notebooks",
        root: Optional[Path] = None, extra: Optional[dict[str, dict[str, Any]]] = None) -> dict[str, Any]:
    import papermill as pm

    root = Path(root or Path(__file__).resolve().parents[1])
    preset = resolve_preset_name(preset)
    os.environ.setdefault("TASKAGENT_PLAIN_PROGRESS", "1")  # text progress bars survive in saved notebooks
    adapter = f"outputs/adapters/{preset}"
    # What each notebook evaluates comes from the preset (lib.presets); the pipeline only says
    # which preset and where the adapter and the report go.
    params = {
        "01": {},
        "02": {"preset": preset},
        "03": {"preset": preset, "adapter": adapter},
        "04": {"preset": preset, "adapter": adapter},
    }
    for key, values in (extra or {}).items():
        params[key].update(values)
    out = root / out_dir
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    kernel = kernel_name()
    for name in NOTEBOOKS:
        key = name[:2]
        if only and key not in only:
            continue
        print(f"\n=== {name} ({preset}) {json.dumps(params[key])}", flush=True)
        t0 = time.perf_counter()
        pm.execute_notebook(str(source_notebook(root, name, out / "src")), str(out / f"{name}.ipynb"),
                            parameters=params[key], kernel_name=kernel, cwd=str(root), log_output=True,
                            progress_bar=False)
        timings[name] = round(time.perf_counter() - t0, 1)
        print(f"=== {name} done in {timings[name]:.0f} s", flush=True)
    summary = {"preset": preset, "seconds": timings, "total_s": round(sum(timings.values()), 1),
               "executed_notebooks": str(out)}
    (out / f"run_{preset}.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    return summary


def main(argv: Optional[list[str]] = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lib.pipeline", description=__doc__.split("\n\n")[0])
    p.add_argument("--preset", default="auto", help="auto (t4 with a GPU, cpu without), t4, cpu, ci, tiny")
    p.add_argument("--only", nargs="*", help="notebook numbers to run, e.g. --only 03 04")
    a = p.parse_args(argv)
    run(a.preset, a.only)


if __name__ == "__main__":
    main()
