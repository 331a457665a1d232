"""The install plan for Colab/Kaggle: pinned to what the tests run with, never replacing the
platform's torch, matched to the installed torch, and documented in the README word for word."""

import re
from pathlib import Path

import pytest

from lib.runtime import PINS, XFORMERS_FOR_TORCH, install_commands, torchao_for_torch

ROOT = Path(__file__).resolve().parents[1]


def _pins(text: str) -> dict[str, str]:
    return dict(re.findall(r"(?m)(?:^|\s)([A-Za-z0-9_.-]+)==([0-9][^\s\"']*)", text))


def test_cpu_requirements_and_setup_script_use_the_same_pins():
    installed = {**_pins((ROOT / "requirements-cpu.txt").read_text()), **_pins((ROOT / "scripts/setup_env.sh").read_text())}
    gpu = _pins((ROOT / "requirements.txt").read_text())
    for name, version in PINS.items():
        if name != "cut_cross_entropy":  # GPU only: not installed on the CPU
            assert installed.get(name) == version, name
        if name in gpu:
            assert gpu[name] == version, name


@pytest.mark.parametrize("torch_version", ["2.8.0+cu126", "2.9.1+cu128", "2.10.0+cu128", "2.11.0+cu130", "2.13.0"])
def test_nothing_that_can_pull_a_torch_is_installed_with_its_dependencies(torch_version):
    steps = install_commands(torch_version)
    for args in steps:
        names = {re.split(r"[=<>]", a)[0] for a in args if not a.startswith("-")}
        if "--no-deps" not in args:
            # these declare torch/torchvision/triton/xformers requirements: with deps they could
            # replace Colab's or Kaggle's CUDA torch
            assert not names & {"unsloth", "unsloth_zoo", "xformers", "torchao", "cut_cross_entropy", "xgrammar",
                                "torch", "torchvision", "triton"}, args
    flat = " ".join(" ".join(a) for a in steps)
    assert "torch==" not in flat.replace("torchao==", "") and "torchvision" not in flat
    assert f"unsloth=={PINS['unsloth']}" in flat and f"transformers=={PINS['transformers']}" in flat


def test_xformers_and_torchao_follow_the_installed_torch():
    assert "xformers==0.0.34" in " ".join(install_commands("2.10.0+cu128")[1])
    assert not any(a.startswith("xformers") for a in install_commands("2.11.0+cu130")[1])  # SDPA instead
    assert torchao_for_torch("2.10.0+cu128") == "0.16.0" and torchao_for_torch("2.11.0") == "0.17.0"
    assert set(XFORMERS_FOR_TORCH) == {"2.8", "2.9", "2.10"}


def test_readme_documents_the_exact_colab_and_kaggle_commands():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- install-commands torch=(\S+) -->\n```bash\n(.*?)```", readme, re.S)
    assert block, "README: the install-commands block is missing"
    documented = [line.removeprefix("pip install ").split() for line in block.group(2).strip().splitlines()]
    assert documented == install_commands(block.group(1))
