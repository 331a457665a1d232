# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     gpuType: T4
#     provenance: []
#     toc_visible: true
#   jupytext:
#     cell_metadata_filter: tags,jupyter,cellView,-all
#     notebook_metadata_filter: kernelspec,accelerator,colab,kaggle,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kaggle:
#     accelerator: nvidiaTeslaT4
#     dataSources: []
#     isGpuEnabled: true
#     isInternetEnabled: true
#     language: python
#     sourceType: notebook
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Chat with the agent
#
# An ipywidgets chat on the fine-tuned model: type a request (Enter or **Send**), watch the
# agent's analysis (click to expand), its tool calls and their results, and the task table update
# after every action. **Reset chat** forgets the conversation, **Clear tasks** empties the store,
# and the date field changes what the agent takes as "today". When an answer of the fine-tuned
# model cannot be carried out (restoring a task that is not in the trash, say), the agent takes the
# model's next-best answer that can (a beam search checked by a dry run, `lib/retry.py`) and the
# turn shows the first answer under "second try".
#
# First a short scripted conversation runs through the same widget API (so a headless run proves
# the whole loop works), then the widget is yours.

# %% tags=["parameters"]
preset = "t4"  # without an adapter, which base model to chat with: "t4" Llama-3.1-8B, "cpu"/"ci" SmolLM2, "tiny"
adapter = "outputs/adapters/t4"  # notebook 02's adapter folder or a Hub id ("you/taskagent-lora"); "" for the base model alone
base_url = ""  # an OpenAI-compatible server (vLLM, llama.cpp, Ollama) to chat with instead, e.g. "http://localhost:8000/v1"
served_model = "taskagent"  # the name that server serves the model under (vLLM: the --lora-modules name)
store_path = "outputs/demo/tasks.db"  # the SQLite file the demo's tasks live in (emptied at the start)
today = ""  # "YYYY-MM-DD" to pretend it is another day; "" for the real date
script = [  # sent through the widget's own API before the widget is shown
    "Hi there!",
    "Add buy oat milk tomorrow",
    "Remind me to call the dentist on Friday",
    "What's on my list?",
    "I bought the oat milk",
    "Give me a summary",
]
# What the script must leave in the store: (words of the title, due date as said, status).
# Checked below; change it together with the script.
expected_tasks = [("oat milk", "tomorrow", "done"), ("dentist", "Friday", "open")]

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import os, subprocess, sys
from pathlib import Path

# The project's code: the clone this notebook sits in, else a fresh clone (Colab/Kaggle). Safe to re-run.
REPO_URL = os.environ.get("TASKAGENT_REPO_URL", "https://github.com/taskagent/taskagent")  # a fork: set TASKAGENT_REPO_URL
root = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "lib" / "__init__.py").exists()), None)
if root is None and not Path("taskagent/lib/__init__.py").exists():
    clone = subprocess.run(["git", "clone", "--depth", "1", REPO_URL, "taskagent"], capture_output=True, text=True)
    if clone.returncode:
        raise RuntimeError(f"Could not clone {REPO_URL}:\n{clone.stderr.strip()}\nOn Kaggle switch Settings > Internet on; "
                           "for a fork set TASKAGENT_REPO_URL; or upload notebooks/00_taskagent_colab.ipynb, which needs no clone.")
root = root or Path("taskagent").resolve()
os.chdir(root)
if str(root) not in sys.path:
    sys.path.insert(0, str(root))
from lib.runtime import setup

print(setup(needs_model=True, preset=preset))  # on Colab without a GPU: stops here and says how to get one

# %% tags=["stage-only"]
import unsloth  # noqa: F401  (before transformers, trl and peft)

from lib.model import adapter_base_model, load_model, resolve_adapter
from lib.presets import get_preset

if not base_url:  # a served model needs nothing loaded here
    adapter = resolve_adapter(adapter) if adapter else None  # a folder, a Hub id, or none: the base model
    # The model the adapter was trained on (or the preset's model); 4-bit with a GPU.
    model_name = adapter_base_model(adapter) if adapter else get_preset(preset).model_name
    model, tokenizer = load_model(model_name, max_seq_length=2048, adapter_dir=adapter)

# %%
import datetime as dt

from lib.chat_widget import chat_app_for_model, chat_app_for_server
from lib.presets import get_preset
from lib.store import TaskStore

store = TaskStore(store_path)
store.clear()  # a fresh demo each run
demo_day = dt.date.fromisoformat(today) if today else None
if base_url:
    app = chat_app_for_server(base_url, served_model, store, today=demo_day)
else:
    app = chat_app_for_model(model, tokenizer, store, today=demo_day)
print(app.title)

# %% [markdown]
# ## A scripted conversation
# Each line goes through `app.send(...)` — exactly what the Send button does.

# %%
for message in script:
    turn = app.send(message)
    if turn is None:
        print(f"[you] {message}\n  (the model failed: see the transcript)")
        continue
    shown = turn.parsed.final if turn.parsed.kind == "final" else \
        "; ".join(f"{c.name}({c.args}) -> {r.get('message')}" for c, r in zip(turn.parsed.calls, turn.results)) \
        if turn.parsed.kind == "action" else f"unparseable ({', '.join(turn.parsed.errors)}): {turn.raw[:120]!r}"
    print(f"[you] {message}\n[agent] {shown}\n")

# %% [markdown]
# ## Did the agent do what was asked?
# The end state is checked, not just printed: the tasks the script asks for, with the right due
# dates (resolved against the demo's date by `lib.dates`), the right one completed, and a summary
# whose numbers match the store. Only the `tiny` test model is let off.

# %%
from lib.chat_widget import check_script

print(f"{len(app.turns)} turns · tasks in the store:")
for t in store.list("all"):
    print(f"  {t.title!r:40} due {t.due_date or '—':12} {t.status}")
problems = check_script(app, expected_tasks)
print("\n".join(problems) or "The scripted conversation ended in the expected state.")
if get_preset(preset).check_demo:
    assert not problems, problems

# %% [markdown]
# ## Your turn
# The transcript above continues here; try "add water the plants next Monday", "mark the dentist
# one done", "delete everything about milk", or something the agent cannot do.

# %%
app
