"""Where the code runs and what that needs: Colab, Kaggle or a local machine, a CUDA GPU or not.
The notebooks' set-up cell calls `setup`, which installs what Unsloth's own notebooks install on
Colab/Kaggle (local machines install nothing here: scripts/setup_env.sh made the environment);
`configure_environment` is the one place that sets the environment variables the stack reads.
Named `runtime`, not `platform`, so it never shadows the standard library's module."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

# What Unsloth's official Colab notebooks install (no-deps, so Colab's CUDA torch stays), kept
# inside Unsloth 2026.10's pins (transformers <= 5.17.0, trl <= 1.15.0, datasets < 5).
COLAB_STEPS = [
    ["--no-deps", "bitsandbytes", "accelerate", "peft", "trl==1.15.0", "triton", "cut_cross_entropy", "unsloth_zoo"],
    ["sentencepiece", "protobuf", "datasets>=3.4.1,<5", "huggingface_hub", "hf_transfer"],
    ["--no-deps", "unsloth"],
    ["transformers==5.17.0"],
]
# xformers builds are tied to one torch minor version; with no match Unsloth uses SDPA instead.
XFORMERS_FOR_TORCH = {"2.8": "xformers==0.0.32.post2", "2.9": "xformers==0.0.33.post1"}
PROJECT_EXTRAS = ["pydantic>=2.7", "python-dateutil", "xgrammar>=0.2.8", "jupytext", "papermill", "ipywidgets", "gguf",
                  "fastapi", "uvicorn", "matplotlib"]


def detect() -> str:
    if "COLAB_RELEASE_TAG" in os.environ or "google.colab" in sys.modules:
        return "colab"
    if "KAGGLE_KERNEL_RUN_TYPE" in os.environ or os.path.isdir("/kaggle/working"):
        return "kaggle"
    return "local"


def _pip(args: list[str]) -> None:
    print("pip install", " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *args], check=True)


def install(where: str, needs_model: bool) -> None:
    if where == "local":
        return
    if needs_model:
        if where == "colab":
            import torch  # Colab ships a CUDA torch; read its version to pick xformers

            minor = re.match(r"\d+\.\d+", torch.__version__).group(0)
            for step in COLAB_STEPS:
                _pip(step)
            if minor in XFORMERS_FOR_TORCH:
                _pip(["--no-deps", XFORMERS_FOR_TORCH[minor]])
        else:  # Kaggle: Unsloth's Kaggle notebooks use a plain install
            _pip(["unsloth", "transformers<=5.17.0", "trl<=1.15.0"])
    _pip(PROJECT_EXTRAS)


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


def setup(needs_model: bool = True, do_install: bool = True) -> dict[str, Any]:
    """Call at the top of every notebook, before torch/unsloth are imported."""
    where = detect()
    configure_environment()
    if do_install:
        install(where, needs_model)
    if where == "colab":
        try:  # Colab renders core ipywidgets without this; third-party ones need it.
            from google.colab import output  # type: ignore

            output.enable_custom_widget_manager()
        except Exception:
            pass
    return {"platform": where, "python": sys.version.split()[0], "cwd": os.getcwd()}
