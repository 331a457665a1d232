"""Where the code runs and what that needs: Colab, Kaggle or a local machine, a CUDA GPU or not.

The notebooks' set-up cell calls `setup`. On Colab and Kaggle it installs the stack the way
Unsloth's official notebooks do (unslothai/notebooks, `nb/Llama3.1_(8B)-Alpaca.ipynb`, 2026-08):
Unsloth and everything that names torch, xformers or triton with `--no-deps`, so the platform's
CUDA torch is never replaced; an xformers and a torchao build chosen by the installed torch;
pinned transformers/trl. Our pins are the versions `scripts/setup_env.sh` installs and the tests
run on the CPU (`PINS`; tests/test_runtime.py keeps requirements-cpu.txt equal to them). Local
machines install nothing here: scripts/setup_env.sh made the environment.

`configure_environment` is the one place that sets the environment variables the stack reads.
Named `runtime`, not `platform`, so it never shadows the standard library's module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from typing import Any

# Versions tested together on the CPU by the test command; Unsloth 2026.10.9 itself requires
# transformers <= 5.17.0, trl <= 1.15.0 and datasets < 5, and trl 1.15 requires datasets >= 4.7.
PINS = {
    "unsloth": "2026.10.9", "unsloth_zoo": "2026.10.9", "transformers": "5.17.0", "trl": "1.15.0",
    "peft": "0.21.2", "datasets": "4.8.5", "accelerate": "1.15.0", "bitsandbytes": "0.50.2",
    "xgrammar": "0.2.8", "apache-tvm-ffi": "0.1.15.post2", "gguf": "0.19.0",
    "cut_cross_entropy": "25.1.1",  # unsloth_zoo's fused loss; needs triton, so installed without deps
}
# xformers wheels are built for one torch minor version: Unsloth's own table. Any other torch
# gets no xformers, and Unsloth falls back to PyTorch's SDPA attention (slower, correct).
XFORMERS_FOR_TORCH = {"2.10": "0.0.34", "2.9": "0.0.33.post1", "2.8": "0.0.32.post2"}


def torchao_for_torch(torch_version: str) -> str:
    """peft refuses torchao < 0.16 (Colab ships an older one); torchao 0.16 is built for torch 2.10
    and 0.17+ loads its kernels only on torch >= 2.11 (both read from torchao/__init__.py)."""
    major, minor = (int(x) for x in re.match(r"(\d+)\.(\d+)", torch_version).groups())
    return "0.17.0" if (major, minor) >= (2, 11) else "0.16.0"


def install_commands(torch_version: str) -> list[list[str]]:
    """The pip commands for Colab and Kaggle (the same on both), for the torch already installed."""
    minor = re.match(r"\d+\.\d+", torch_version).group(0)
    no_torch_inside = [f"{p}=={PINS[p]}" for p in ("unsloth", "unsloth_zoo", "cut_cross_entropy", "xgrammar",
                                                     "apache-tvm-ffi")]
    if minor in XFORMERS_FOR_TORCH:
        no_torch_inside.append(f"xformers=={XFORMERS_FOR_TORCH[minor]}")
    return [
        # 1. Libraries whose requirements never pull a torch build: pinned, with their dependencies
        #    (this upgrades datasets to what trl 1.15 needs). Unsloth's light runtime needs and ours last.
        [f"{p}=={PINS[p]}" for p in ("transformers", "trl", "peft", "datasets", "accelerate", "bitsandbytes", "gguf")]
        + ["sentencepiece", "protobuf", "hf_transfer", "structlog", "msgspec", "tyro", "json5", "python-dateutil"],
        # 2. Unsloth and what names torch/triton/xformers in its requirements: --no-deps, so the
        #    platform's CUDA torch (and its triton) stay as they are.
        ["--no-deps", *no_torch_inside],
        # 3. A torchao that this torch can load (Unsloth's cell: --no-deps --upgrade "torchao>=0.16.0").
        ["--no-deps", "--upgrade", f"torchao=={torchao_for_torch(torch_version)}"],
    ]


GPU_MISSING = {
    "colab": "This runtime has no GPU. In Colab: Runtime > Change runtime type > T4 GPU > Save, then Run all "
             "again. To train the small CPU model on purpose instead (SmolLM2-135M, ~30 min), set preset = \"cpu\".",
    "kaggle": "This notebook has no GPU. On Kaggle: Settings > Accelerator > GPU T4 x2 (and Settings > Internet "
              "on), then Run All again. To train the small CPU model on purpose instead, set preset = \"cpu\".",
}
REPORTED = ["torch", "unsloth", "unsloth_zoo", "transformers", "trl", "peft", "datasets", "accelerate", "bitsandbytes",
            "xformers", "torchao", "xgrammar", "ipywidgets"]


def detect() -> str:
    if "COLAB_RELEASE_TAG" in os.environ or "google.colab" in sys.modules:
        return "colab"
    if "KAGGLE_KERNEL_RUN_TYPE" in os.environ or os.path.isdir("/kaggle/working"):
        return "kaggle"
    return "local"


def has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def configure_environment() -> None:
    """Environment variables, set before torch/unsloth are imported (a value already set wins)."""
    if detect() == "kaggle":
        # Kaggle's T4 x2: Unsloth trains on one GPU; pin it before torch initialises CUDA.
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "0")
    # Unsloth writes compiled kernels into the working directory unless told otherwise.
    os.environ.setdefault("UNSLOTH_COMPILE_LOCATION", os.path.abspath("outputs/unsloth_compiled_cache"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _pip(args: list[str]) -> None:
    """pip install, or with TASKAGENT_RECORD_PIP=<file> only record the command (a dry run)."""
    print("pip install", " ".join(args), flush=True)
    record = os.environ.get("TASKAGENT_RECORD_PIP")
    if record:
        with open(record, "a", encoding="utf-8") as f:
            f.write(json.dumps(args) + "\n")
        return
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", *args], capture_output=True, text=True)
    if done.returncode:
        hint = " On Kaggle, switch Settings > Internet on." if detect() == "kaggle" else ""
        raise RuntimeError(f"pip install {' '.join(args)} failed:{hint}\n{done.stderr[-2000:]}")


def installed_versions() -> dict[str, str]:
    out = {}
    for name in REPORTED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def setup(needs_model: bool = True, preset: str = "t4") -> dict[str, Any]:
    """Call at the top of every notebook, before unsloth is imported. On Colab/Kaggle: stop at once
    without a GPU unless a CPU preset was chosen, then install; everywhere: set the environment."""
    where = detect()
    configure_environment()
    if where != "local" and needs_model:
        import torch  # the platform's CUDA build: read its version, never replace it

        if preset == "t4" and not torch.cuda.is_available():
            raise RuntimeError(GPU_MISSING[where])
        for args in install_commands(torch.__version__):
            _pip(args)
    if where == "colab":
        try:  # Colab renders core ipywidgets without this; third-party ones need it.
            from google.colab import output  # type: ignore

            output.enable_custom_widget_manager()
        except ImportError:
            pass
    code = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # where `lib` was imported from
    return {"platform": where, "python": sys.version.split()[0], "cwd": os.getcwd(), "code": code,
            **({"versions": installed_versions()} if needs_model else {})}


# -- results that outlive the runtime (Colab and Kaggle forget every file when they stop) --------
def hub_token() -> str | None:
    """HF_TOKEN from the environment, Colab's secrets (the key icon) or Kaggle's (Add-ons > Secrets)."""
    if os.environ.get("HF_TOKEN"):
        return os.environ["HF_TOKEN"]
    try:
        if detect() == "colab":
            from google.colab import userdata  # type: ignore

            return userdata.get("HF_TOKEN")
        if detect() == "kaggle":
            from kaggle_secrets import UserSecretsClient  # type: ignore

            return UserSecretsClient().get_secret("HF_TOKEN")
    except Exception:  # no such secret, or the notebook was not given access to it
        return None
    return None


def push_folder_to_hub(folder: str, repo_id: str, private: bool = True) -> str:
    """Upload a folder (an adapter with its tokenizer and log, or a GGUF) to a Hub model repo."""
    from huggingface_hub import HfApi

    token = hub_token()
    if not token:
        raise RuntimeError("push_to_hub needs a Hugging Face token with write access: add a secret named HF_TOKEN "
                           "(Colab: the key icon on the left; Kaggle: Add-ons > Secrets) and allow this notebook to use it")
    api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True)
    # the adapter, its tokenizer, log, loss curve and a GGUF; never training checkpoints or a 16 GB merge
    api.upload_folder(folder_path=folder, repo_id=repo_id, commit_message="taskagent: upload from the notebook",
                      ignore_patterns=["checkpoints/*", "merged_16bit/*"])
    return f"https://huggingface.co/{repo_id}"


def copy_to_drive(folder: str, drive_folder: str) -> str:
    """Copy a folder into Google Drive (Colab only; asks for permission the first time)."""
    import shutil
    from pathlib import Path

    if detect() != "colab":
        raise RuntimeError("drive_folder works on Colab only; elsewhere the files stay where they are")
    from google.colab import drive  # type: ignore

    if not os.path.isdir("/content/drive/MyDrive"):
        drive.mount("/content/drive")
    target = Path(drive_folder) / Path(folder).name
    shutil.copytree(folder, target, dirs_exist_ok=True)
    return str(target)
