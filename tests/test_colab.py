"""The Colab/Kaggle path, simulated here: the all-in-one notebook alone in an empty folder, the
set-up cells run twice, clear stops for a missing GPU or repository. Installing is recorded, not
run (TASKAGENT_RECORD_PIP), and checked against the documented plan."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from lib.bundle import NAME, stale_files
from lib.pipeline import NOTEBOOKS, kernel_name
from lib.runtime import GPU_MISSING, install_commands

ROOT = Path(__file__).resolve().parents[1]


def _cell(name: str, tag: str) -> str:
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    return next(c.source for c in nb.cells if tag in c.metadata.get("tags", []))


def _run(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter in `cwd` (a script file: the embedded code is too long for -c)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLAB_RELEASE_TAG")}
    script = cwd / f"cell-{abs(hash(code))}.py"
    script.write_text(code)
    return subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True, text=True,
                          env={**clean, **env}, timeout=300)


def test_the_committed_bundle_is_current():
    assert stale_files() == [], "run: python -m lib.bundle"


def test_bundle_runs_alone_in_an_empty_folder_as_on_colab(tmp_path, monkeypatch):
    """Only the .ipynb, no repository, no lib on the path: it must train, compare and chat."""
    import papermill as pm
    import torch

    notebook = tmp_path / f"{NAME}.ipynb"
    notebook.write_bytes((ROOT / "notebooks" / f"{NAME}.ipynb").read_bytes())
    record = tmp_path / "pip.jsonl"
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-simulated")
    monkeypatch.setenv("TASKAGENT_RECORD_PIP", str(record))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    pm.execute_notebook(str(notebook), str(tmp_path / "executed.ipynb"), parameters={"preset": "tiny"},
                        kernel_name=kernel_name(), cwd=str(tmp_path), progress_bar=False)
    import nbformat

    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert f"'platform': 'colab'" in printed and f"'code': '{tmp_path / 'taskagent_code'}'" in printed
    assert [json.loads(line) for line in record.read_text().splitlines()] == install_commands(torch.__version__)
    assert (tmp_path / "outputs/adapters/tiny/adapter_config.json").exists()
    assert (tmp_path / "outputs/reports/tiny/report.md").stat().st_size > 0
    assert "[you] Hi there!" in printed and "[agent]" in printed
    assert not (tmp_path / "lib").exists()  # the code lives where the notebook unpacked it


def test_bundle_setup_cell_runs_twice_and_stops_without_a_gpu(tmp_path):
    code = _cell(NAME, "lib") + "\n" + _cell(NAME, "setup")
    twice = _run(f"preset = 'tiny'\n{code}\n{code}\nprint('twice ok')", tmp_path, COLAB_RELEASE_TAG="x",
                 TASKAGENT_RECORD_PIP=str(tmp_path / "pip.jsonl"))
    assert twice.returncode == 0 and "twice ok" in twice.stdout, twice.stderr[-2000:]
    assert len((tmp_path / "pip.jsonl").read_text().splitlines()) == 2 * len(install_commands("2.10.0"))
    no_gpu = _run(f"preset = 't4'\n{code}", tmp_path, COLAB_RELEASE_TAG="x", TASKAGENT_RECORD_PIP=str(tmp_path / "t4.jsonl"))
    assert no_gpu.returncode != 0 and GPU_MISSING["colab"] in no_gpu.stderr
    assert not (tmp_path / "t4.jsonl").exists()  # stopped before installing anything


@pytest.fixture(scope="module")
def working_tree_repo(tmp_path_factory) -> Path:
    """A git repository holding this working tree's lib: what a stage notebook clones."""
    import shutil

    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "lib", repo / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "lib"], ["commit", "-q", "-m", "lib"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    return repo


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stage_setup_cell_clones_once_and_runs_twice(name, tmp_path, working_tree_repo):
    code = _cell(name, "setup")
    run = _run(f"preset = 'tiny'\n{code}\n{code}\nimport lib; print('lib at', lib.__file__)", tmp_path,
               TASKAGENT_REPO_URL=working_tree_repo.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"lib at {tmp_path / 'taskagent' / 'lib'}" in run.stdout


def test_stage_setup_cell_explains_a_failed_clone(tmp_path):
    run = _run(f"preset = 'tiny'\n{_cell('02_train_lora', 'setup')}", tmp_path,
               TASKAGENT_REPO_URL=(tmp_path / "no-such-repo").as_uri())
    assert run.returncode != 0
    assert "Could not clone" in run.stderr and "TASKAGENT_REPO_URL" in run.stderr and "00_taskagent_colab" in run.stderr
