"""Build the all-in-one notebook, notebooks/00_taskagent_colab.ipynb (and its Jupytext .py twin),
from the four stage notebooks and `lib`, so it runs in Colab or Kaggle with nothing else uploaded.

    python -m lib.bundle            # write both files
    python -m lib.bundle --check    # exit 1 if the committed files are not what this would write

What it does with the stage notebooks' cells:
- "parameters" cells are merged into one (a name may appear in several stages only with the same
  value; `preset` goes first);
- "setup" cells (find or clone the repository) are replaced by one set-up cell that unpacks `lib`
  from a hidden cell holding it as a base64 zip, then installs the stack as every notebook does;
- "stage-only" cells (loading a saved adapter from disk) are left out: in one kernel the model
  trained in part 2 is still in memory;
- everything else is kept in order; "# 01 · Title" becomes "## Part 1 · Title".
The zip is deterministic (sorted names, fixed timestamps), so the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import ast
import base64
import copy
import hashlib
import io
import re
import sys
import zipfile
from pathlib import Path

from lib.pipeline import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
NAME = "00_taskagent_colab"
SKIPPED_PARAMETERS = {"adapter"}  # used only by the stage-only cells that load a saved adapter
JUPYTEXT = {
    "cell_metadata_filter": "tags,jupyter,cellView,-all",
    "notebook_metadata_filter": "kernelspec,accelerator,colab,kaggle,-jupytext.text_representation.jupytext_version",
}
METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    # Colab opens the notebook on a T4 runtime; Kaggle reads its own block for the accelerator.
    "accelerator": "GPU",
    "colab": {"gpuType": "T4", "provenance": [], "toc_visible": True},
    "kaggle": {"accelerator": "nvidiaTeslaT4", "isGpuEnabled": True, "isInternetEnabled": True,
               "language": "python", "sourceType": "notebook", "dataSources": []},
}

INTRO = """# TaskAgent: fine-tune Llama-3.1-8B into a task-management agent, in one notebook

This notebook does the whole project in one runtime: it makes a synthetic dataset, fine-tunes
**Llama-3.1-8B-Instruct in 4-bit with LoRA** using [Unsloth](https://github.com/unslothai/unsloth),
compares the base model with the fine-tuned one on held-out data, and opens a chat with the agent.
Nothing else needs uploading: the project's code travels inside this notebook.

**Run it**
1. Colab: *Runtime → Change runtime type → T4 GPU*. Kaggle: *Settings → Accelerator → GPU T4 x2*
   and *Settings → Internet → on*.
2. *Runtime → Run all* (Kaggle: *Run All*).

**How long**: about 30–40 minutes on a T4 — an estimate (installing ~3 min, downloading the 5.7 GB
model ~3 min, training 6–10 min, the comparison ~15 min); the GPU run has not been measured yet.

**What you get**: a LoRA adapter (`outputs/adapters/t4/`), a base-vs-tuned report with charts
(`outputs/reports/t4/`), and a chat widget at the end. Colab and Kaggle delete files when the
runtime stops: set `push_to_hub` or `drive_folder` below to keep the adapter.

No GPU? `preset = "cpu"` trains the small SmolLM2-135M on the CPU instead (~20 minutes in all on a
recent 2-core CPU, up to an hour on an older one).
"""

LIB_NOTE = """The next cell is hidden: it holds this project's code (the `lib` package) as a zip, written by
`python -m lib.bundle` from the repository. Never edit it by hand."""

SETUP = '''# Unpack the project's code from the hidden cell above, then install the stack (Colab/Kaggle)
# and check for a GPU. Safe to run again.
import base64, hashlib, io, sys, zipfile
from pathlib import Path

code_dir = Path("taskagent_code").resolve()
zipfile.ZipFile(io.BytesIO(base64.b64decode(TASKAGENT_LIB))).extractall(code_dir)
if str(code_dir) not in sys.path:
    sys.path.insert(0, str(code_dir))
from lib.runtime import setup

print("taskagent code", hashlib.sha256(TASKAGENT_LIB.encode()).hexdigest()[:12], "in", code_dir)
print(setup(needs_model=True, preset=preset))  # on Colab without a GPU: stops here and says how to get one'''


def lib_zip_base64(root: Path = ROOT) -> str:
    """lib/**/*.py as a zip, deterministic, base64-encoded."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted((root / "lib").rglob("*.py")):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return base64.b64encode(buffer.getvalue()).decode()


def _statements(source: str) -> list[tuple[str, str, str]]:
    """(name, its value's AST dump, its text with the comment lines right above it) per assignment."""
    lines = source.splitlines()
    out = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            raise ValueError(f"parameters cells hold plain assignments only, not: {ast.unparse(node)}")
        start = node.lineno - 1
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        out.append((node.targets[0].id, ast.dump(node.value), "\n".join(lines[start:node.end_lineno])))
    return out


def merged_parameters(stages: list) -> str:
    seen: dict[str, tuple[str, str]] = {}
    blocks: list[tuple[str, str]] = []
    for stage_name, nb in stages:
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        for name, value, text in _statements(cell.source):
            if name in SKIPPED_PARAMETERS:
                continue
            if name in seen:
                if seen[name][0] != value:
                    raise ValueError(f"parameter {name!r} differs between {seen[name][1]} and {stage_name}")
                continue
            seen[name] = (value, stage_name)
            blocks.append((name, text))
    blocks.sort(key=lambda b: b[0] != "preset")  # the switch first, the rest in stage order
    return _parts("\n".join(text for _, text in blocks))


def _as_part(source: str, number: int) -> str:
    """A stage's markdown inside the bundle: its title becomes "Part N", every heading one level
    deeper, and "notebook 02" reads "part 2"."""
    lines = []
    for line in source.splitlines():
        title = re.match(r"# 0\d · (.*)", line)
        if title:
            line = f"## Part {number} · {title.group(1)}"
        elif re.match(r"#{1,5} ", line):
            line = "#" + line
        lines.append(line)
    return _parts("\n".join(lines))


def _parts(text: str) -> str:
    """"notebook 02" reads "part 2" inside the bundle."""
    return re.sub(r"\b([Nn])otebook 0([1-4])\b", lambda m: ("P" if m.group(1) == "N" else "p") + "art " + m.group(2), text)


def build(root: Path = ROOT) -> "nbformat.NotebookNode":
    import jupytext  # here, not at the top: NAME and the helpers import without the notebook tools
    import nbformat

    stages = [(name, jupytext.read(root / "notebooks" / f"{name}.py")) for name in NOTEBOOKS]
    new = nbformat.v4
    cells = [new.new_markdown_cell(INTRO),
             new.new_code_cell(merged_parameters(stages), metadata={"tags": ["parameters"]}),
             new.new_markdown_cell(LIB_NOTE),
             new.new_code_cell(f'#@title The project\'s code (generated by python -m lib.bundle; do not edit)\n'
                               f'TASKAGENT_LIB = "{lib_zip_base64(root)}"',
                               metadata={"tags": ["lib"], "cellView": "form", "jupyter": {"source_hidden": True}}),
             new.new_code_cell(SETUP, metadata={"tags": ["setup"]})]
    for number, (_, nb) in enumerate(stages, 1):
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            if {"parameters", "setup", "stage-only"} & set(tags):
                continue
            if cell.cell_type == "markdown":
                cells.append(new.new_markdown_cell(_as_part(cell.source, number)))
            else:
                cells.append(new.new_code_cell(cell.source, metadata=copy.deepcopy(dict(cell.metadata))))
    nb = new.new_notebook(cells=cells, metadata={**copy.deepcopy(METADATA), "jupytext": dict(JUPYTEXT)})
    for i, cell in enumerate(nb.cells):  # stable ids: the same sources give the same file
        cell["id"] = hashlib.sha1(f"{i}:{cell.source}".encode()).hexdigest()[:8]
    return nb


def render(root: Path = ROOT) -> dict[Path, str]:
    import jupytext

    nb = build(root)
    texts = {root / "notebooks" / f"{NAME}.ipynb": jupytext.writes(nb, fmt="ipynb"),
             root / "notebooks" / f"{NAME}.py": jupytext.writes(nb, fmt="py:percent")}
    return {path: text if text.endswith("\n") else text + "\n" for path, text in texts.items()}  # as jupytext.write


def stale_files(root: Path = ROOT) -> list[str]:
    """The bundle files that differ from what `render` writes (empty: up to date)."""
    return [str(p.relative_to(root)) for p, text in render(root).items()
            if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lib.bundle", description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="exit 1 if the committed bundle is stale")
    a = p.parse_args(argv)
    if a.check:
        stale = stale_files()
        if stale:
            sys.exit(f"stale: {', '.join(stale)}; run python -m lib.bundle and commit the result")
        print("the bundle is up to date")
        return
    for path, text in render().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(text) // 1024} KB)")


if __name__ == "__main__":
    main()
