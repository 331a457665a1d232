"""The notebooks: paired files in sync, and the whole pipeline headless on the offline default.

`test_pipeline_ci` is the CI proof that it learns: papermill runs 01 → 04 with the `ci` preset on
SmolLM2-135M-Instruct (Unsloth's CPU fallback). Notebook 02 itself asserts the preset's floors
(>= 90% strict format, >= 50% tool selection) for the tuned model on 48 held-out validation rows,
and notebook 04 the end state of its scripted conversation (papermill fails the run otherwise);
the checks below read what the run wrote."""

import json
from pathlib import Path

import jupytext
import pytest

from lib.pipeline import NOTEBOOKS, run
from lib.presets import PRESETS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["00_taskagent_colab", *NOTEBOOKS])
def test_pairs_are_in_sync_and_have_parameters(name):
    py = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.ipynb")
    assert [c.source for c in py.cells] == [c.source for c in nb.cells], "run: jupytext --sync notebooks/*.py"
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    # papermill reads a parameter's help from its comment and skips a line with a second "="
    assert not [line for line in cell.source.splitlines() if line.count("=") > 1]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    if name != "01_generate_data":  # the others need a GPU: Colab must open them on a T4 runtime
        assert nb.metadata["accelerator"] == "GPU" and nb.metadata["colab"]["gpuType"] == "T4"
        assert nb.metadata["kaggle"]["accelerator"] == "nvidiaTeslaT4"


def parameters(name: str) -> dict:
    """The values a notebook's parameters cell assigns (literals only)."""
    import ast

    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    return {t.id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body
            if isinstance(node, ast.Assign) for t in node.targets}


def test_notebook_02_shows_the_values_a_t4_run_uses():
    """The parameters cell is the t4 preset written out: what a Colab user reads is what runs."""
    values = parameters("02_train_lora")
    assert values["preset"] == "t4"
    for key, value in PRESETS["t4"].model_dump().items():
        if key in values:
            assert values[key] == value, key
    assert set(PRESETS["t4"].training()) <= set(values)


def test_preset_values_are_never_hidden_behind_none():
    for name in NOTEBOOKS:
        values = parameters(name)
        hidden = [k for k, v in values.items() if v is None and k in PRESETS["t4"].model_dump()
                  and PRESETS["t4"].model_dump()[k] is not None]
        assert not hidden, (name, hidden)


def test_ci_preset_is_cpu_with_one_epoch_and_fewer_rows():
    """CI's run stands for the main job's: the same training but fewer steps (one epoch of the
    1,600 training rows, so the test command stays as long; the main job trains 460, 2.1
    passes over generator 2.6.0's 1,728 rows), and fewer rows scored."""
    cpu, ci = PRESETS["cpu"].model_dump(), PRESETS["ci"].model_dump()
    assert {k for k in cpu if cpu[k] != ci[k]} == {"max_steps", "validation_rows", "test_rows", "grammar_rows"}
    assert ci["max_steps"] * ci["batch_size"] * ci["grad_accum"] == 1600 and cpu["max_steps"] == 460


def check_ci_outputs(out: Path) -> None:
    check = json.loads((out / "adapters/ci/validation_check.json").read_text())
    assert check["rows"] == PRESETS["ci"].validation_rows == 48
    assert check["format_strict"] >= PRESETS["ci"].min_format_strict == 0.90
    assert check["tool_selection"] >= PRESETS["ci"].min_tool_selection
    report = json.loads((out / "reports/ci/report.json").read_text())
    base, tuned = (report["systems"][s]["overall"] for s in ("base", "tuned"))
    assert tuned["tool_selection"]["rate"] > base["tool_selection"]["rate"] + 0.3
    assert tuned["format_strict"]["rate"] > base["format_strict"]["rate"]
    assert tuned["execution"]["rate"] > base["execution"]["rate"]
    assert "base+grammar" in report["systems"]
    for name in ("comparison.png", "categories.png", "report.md", "failures.jsonl"):
        assert (out / "reports/ci" / name).stat().st_size > 0
    demo = jupytext.read(out / "notebooks/04_chat_demo.ipynb")
    printed = "".join(o.get("text", "") for c in demo.cells for o in c.get("outputs", []))
    assert "[you] Add buy oat milk tomorrow" in printed and "[agent]" in printed


def test_pipeline_ci():
    summary = run("ci", root=ROOT)
    assert list(summary["seconds"]) == NOTEBOOKS
    check_ci_outputs(ROOT / "outputs")
