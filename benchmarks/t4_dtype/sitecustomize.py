"""Make a bf16-capable GPU take a T4's precision branch (fp16), and nothing else.

Used by `benchmarks/colab_on_gpu.py --fp16` and `benchmarks/gpu_session.sh`: this folder goes first
on PYTHONPATH, so every Python process (the notebook's kernel too) runs this file at start-up, and
it acts only when TASKAGENT_EMULATE_T4_DTYPE=1. A T4 (compute capability 7.5) has no bf16, so on
Colab Unsloth loads the model in fp16 and our trainer sets `fp16=True` (a GradScaler). The answers
to "is bf16 supported?" are changed here, and only they: the device's real capability is left
alone, so Triton still compiles kernels the GPU can run. (Reporting capability 7.5 instead was
tried on an H200 on 2026-11-27 and failed: Triton built sm_75 kernels the H200 cannot execute.)

Patched: torch.cuda.is_bf16_supported (transformers' and accelerate's checks);
unsloth.device_type.cuda_bf16_capability, read once when unsloth.models._utils is imported to set
SUPPORTS_BFLOAT16 (so `dtype=None` loads fp16 and is_bfloat16_supported() answers False); and
unsloth_zoo.device_type._visible_cuda_capabilities, from which Unsloth's gradient checkpointing
picks its buffers' dtype.
"""

import importlib.abc
import importlib.util
import os
import sys

T4 = (7, 5)


# module -> what it gets after it has run: a T4's answer to "is bf16 supported?"
PATCHES = {
    "torch.cuda": lambda m: setattr(m, "is_bf16_supported", lambda *a, **k: False),
    "unsloth.device_type": lambda m: setattr(m, "cuda_bf16_capability", lambda: T4),
    "unsloth_zoo.device_type": lambda m: setattr(m, "_visible_cuda_capabilities", lambda *a, **k: [T4]),
}


class _Patched(importlib.abc.Loader):
    """The module's own loader, then its patch, before anyone can import a name from it."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        PATCHES[module.__name__](module)
        print(f"[t4 dtype emulation] patched {module.__name__}", file=sys.stderr)


class _AfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                spec.loader = _Patched(spec.loader)
                return spec
        return None


if os.environ.get("TASKAGENT_EMULATE_T4_DTYPE") == "1":
    sys.meta_path.insert(0, _AfterImport())


def _chain_next_sitecustomize() -> None:
    """This file shadows any other sitecustomize on the path (an image may rely on one): run it too."""
    import importlib.machinery

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.origin and os.path.abspath(spec.origin) != os.path.abspath(__file__):
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_chain_next_sitecustomize()
