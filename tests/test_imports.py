import subprocess
import sys

LIGHT = ["lib.tools", "lib.store", "lib.parser", "lib.executor", "lib.agent", "lib.prompts", "lib.dates", "lib.data",
         "lib.evaluate"]


def test_light_modules_do_not_import_torch_and_load_fast():
    code = (
        "import sys, time; t = time.perf_counter(); "
        + "; ".join(f"import {m}" for m in LIGHT)
        + "; dt = time.perf_counter() - t; "
        "heavy = [m for m in ('torch', 'transformers', 'unsloth') if m in sys.modules]; "
        "assert not heavy, heavy; print(dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) < 1.0
