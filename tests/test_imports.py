"""The import graph: light modules load without torch, there are no cycles, and no module imports
from a layer above its own (so the core can be read, tested and reused without the model stack)."""

import ast
import subprocess
import sys
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib"
LIGHT = ["lib.tools", "lib.store", "lib.parser", "lib.executor", "lib.agent", "lib.prompts", "lib.dates", "lib.date_mentions",
         "lib.dataset", "lib.retry", "lib.synth", "lib.scoring", "lib.report", "lib.presets", "lib.runtime"]

# Lowest first. A module may import from its own layer or below, never above.
LAYERS = [
    {"lib.tools", "lib.dates", "lib.task_titles", "lib.store", "lib.runtime"},
    {"lib.parser", "lib.executor", "lib.prompts", "lib.presets", "lib.date_mentions"},
    {"lib.agent", "lib.dataset", "lib.retry"},
    {"lib.synth", "lib.scoring"},
    {"lib.report", "lib.offline_models", "lib.generation"},
    {"lib.model", "lib.grammar", "lib.remote"},
    {"lib.train", "lib.evaluate", "lib.chat_widget", "lib.server", "lib.export"},
    {"lib.pipeline", "lib.bundle"},
]


def _module(path: Path) -> str:
    parts = path.relative_to(LIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    for i, layer in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in layer):
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for path in LIB.rglob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lib"):
                deps.add(node.module if node.module != "lib" else f"lib.{node.names[0].name}")
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("lib.")}
        graph[_module(path)] = deps - {_module(path)}
    return graph


def test_no_module_imports_from_a_higher_layer():
    for module, deps in import_graph().items():
        if module == "lib":
            continue
        for dep in deps:
            assert _layer(dep) <= _layer(module), f"{module} (layer {_layer(module)}) imports {dep} (layer {_layer(dep)})"


def test_no_import_cycles():
    graph = import_graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, ()):
            assert state.get(dep) != 1, "cycle: " + " -> ".join(path + [dep])
            if dep not in state:
                visit(dep, path + [dep])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])


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
