# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Chat with the agent
#
# An ipywidgets chat on the fine-tuned model: type a request (Enter or **Send**), watch the
# agent's analysis (click to expand), its tool calls and their results, and the task table update
# after every action. **Reset chat** forgets the conversation, **Clear tasks** empties the store,
# and the date field changes what the agent takes as "today".
#
# First a short scripted conversation runs through the same widget API (so a headless run proves
# the whole loop works), then the widget is yours.

# %% tags=["parameters"]
model_name = None  # None: the adapter's base model (or Llama-3.1-8B on a GPU / SmolLM2 without)
adapter_dir = None  # None: the newest adapter under outputs/adapters; the base model if there is none
store_path = "outputs/demo/tasks.db"
today = None  # "YYYY-MM-DD"; None: the real date
max_new_tokens = 128
script = [
    "Hi there!",
    "Add buy oat milk tomorrow",
    "Remind me to call the dentist on Friday",
    "What's on my list?",
    "I bought the oat milk",
    "Give me a summary",
]
repo_url = "https://github.com/taskagent/taskagent.git"  # used only when this notebook is opened alone

# %% [markdown]
# ## Set-up

# %%
import os, subprocess, sys
from pathlib import Path

root = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "lib" / "__init__.py").exists()), None)
if root is None:
    subprocess.run(["git", "clone", "--depth", "1", repo_url, "taskagent"], check=True)
    root = Path("taskagent").resolve()
os.chdir(root)
sys.path.insert(0, str(root))
from lib.platform import setup

print(setup(needs_model=True))  # on Colab this also enables the custom widget manager

# %%
import unsloth  # noqa: F401  (before transformers, trl and peft)
import datetime as dt

from lib.chat_widget import chat_app_for_model
from lib.model import adapter_base_model, has_cuda, latest_adapter, load_model
from lib.store import TaskStore

adapter = Path(adapter_dir) if adapter_dir else latest_adapter()
if model_name is None and adapter is not None:  # the model the adapter was trained on
    model_name = adapter_base_model(adapter)
model, tokenizer = load_model(model_name, max_seq_length=2048, load_in_4bit=has_cuda(), adapter_dir=adapter)
store = TaskStore(store_path)
store.clear()  # a fresh demo each run
app = chat_app_for_model(model, tokenizer, store, max_new_tokens=max_new_tokens,
                         today=dt.date.fromisoformat(today) if today else None)
print(app.header.value)

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

# %%
print(f"{len(app.turns)} turns · tasks in the store:")
for t in store.list("all"):
    print(f"  {t.title!r:40} due {t.due_date or '—':12} {t.status}")
assert len(app.turns) == len(script), "every scripted message got a turn"

# %% [markdown]
# ## Your turn
# The transcript above continues here; try "add water the plants next Monday", "mark the dentist
# one done", "delete everything about milk", or something the agent cannot do.

# %%
app
