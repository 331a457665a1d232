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
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Base versus fine-tuned: an honest comparison
#
# * **Held-out rows**: the test split uses template families and task phrases never seen in
#   training (notebook 01 checks it). Any file in the public schema can be scored instead.
# * **The same model, the same conversations**: "base" is the loaded model with its adapter disabled
#   (`with model.disable_adapter():`), "tuned" has it enabled. Greedy decoding, bounded length.
#   The tuned model gets the short system prompt it was trained with (the date, the tool names,
#   the tasks on the list); the base model, which never saw the contract, gets the prompt that
#   spells the contract out (tools, arguments, an example) — it could not know the format
#   otherwise. The report says which got which.
# * **Dates by code**: the model writes a due date in the user's words; scoring resolves both the
#   prediction and the gold with `lib/dates.py`, so "next Friday" and "2026-12-04" are the same date.
#   As in the chat, a date the user said that an answer's one add or update dropped or garbled is
#   read from the message by code first (`lib/date_mentions.py`), for every column alike.
# * **Stricter metrics** than "did it call a tool": strict and lenient format, the exact tools,
#   exact arguments (dates included, no invented dates), no call where none is due, and the end
#   state of a task store after executing the calls — each with a 95% Wilson interval over rows,
#   and an interval over **phrasing families** (below): the one to read when comparing runs.
# * **base + grammar**: the base model under constrained decoding (only the contract's grammar can
#   be generated). It shows what fine-tuning adds beyond the format.
# * **tuned + retry**: the tuned model's answers, except where one cannot be carried out (it does
#   not parse, or fails against the store: restoring a task that is not in the trash, say); there
#   the model's next-best answer that can, from a beam search, checked by a dry run (`lib/retry.py`).

# %% tags=["parameters"]
# "t4" scores the rows set in this cell; "cpu" and "ci" (the offline runs) replace test_rows and
# grammar_rows with their own, smaller numbers (a CPU generates slowly).
preset = "t4"
adapter = "outputs/adapters/t4"  # the fine-tuned LoRA adapter: notebook 02's folder or a Hub id; its base model comes with it
data_file = "outputs/data/test.jsonl"  # any .jsonl in the public row schema (lib/dataset.py)
test_rows = None  # None: every row; a number: that many, spread over the categories
grammar = True  # add the "base + grammar" column (constrained decoding)
grammar_rows = None  # constrained decoding is slow on a CPU: None for every row, or a number
retry = True  # add the "tuned + retry" column (beam search only for answers that cannot be carried out)
eval_batch_size = 16  # rows generated at once; lower it if memory runs out
reports_dir = "outputs/reports"  # <reports_dir>/<preset>/: report.md, charts, failures.jsonl, predictions.jsonl
drive_folder = ""  # Colab: also copy the report to Google Drive, e.g. "/content/drive/MyDrive/taskagent"; "" for no copy

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

adapter = resolve_adapter(adapter)  # a folder, or a Hub id (downloaded)
# The model the adapter was trained on, with the adapter on top; 4-bit with a GPU.
model, tokenizer = load_model(adapter_base_model(adapter), max_seq_length=2048, adapter_dir=adapter)

# %%
import json

import pandas as pd
from IPython.display import Image, Markdown, display

from lib.dataset import load_rows, select_rows
from lib.evaluate import evaluate
from lib.presets import notebook_settings, resolve_preset_name
from lib.report import category_table, comparison_table, family_table, write_report
from lib.synth import write_dataset

eval_settings = notebook_settings(preset, test_rows=test_rows, grammar_rows=grammar_rows)
report_dir = Path(reports_dir) / resolve_preset_name(preset)
if not Path(data_file).exists():  # opened alone: make the data notebook 01 makes
    write_dataset(Path(data_file).parent, seed=3407)
rows = select_rows(load_rows(data_file), eval_settings["test_rows"])
print(f"{len(rows)} rows from {data_file} · model {model.taskagent_info['path']} · adapter {model.taskagent_info['adapter']}")
pd.Series([r.category for r in rows]).value_counts().to_frame("rows")

# %% [markdown]
# ## Is "base" really the base model?
# The seed project's "base" outputs ran with the adapter switched on. Here the logits of one prompt
# must differ between the adapter enabled and disabled — or the comparison below would be void.

# %%
import torch

from lib.generation import render_prompt

enc = tokenizer(render_prompt(tokenizer, rows[0].prompt()), return_tensors="pt", add_special_tokens=False).to(model.device)
with torch.inference_mode():
    tuned_logits = model(**enc).logits[0, -1].float()
    with model.disable_adapter():
        base_logits = model(**enc).logits[0, -1].float()
gap = (tuned_logits - base_logits).abs().max().item()
print(f"max |logit difference| adapter on vs off: {gap:.3f}")
assert gap > 1e-3, "the adapter changes nothing: base and tuned would be the same model"

# %% [markdown]
# ## Generate and score
# Batched greedy generation with left padding and the KV cache, stopping at `</action>`,
# `</final>` or the end-of-turn token.

# %%
systems = ["base"] + (["base+grammar"] if grammar else []) + ["tuned"] + (["tuned+retry"] if retry else [])
report = evaluate(model, tokenizer, rows, systems, batch_size=eval_batch_size, grammar_limit=eval_settings["grammar_rows"])
paths = write_report(report, rows, report_dir)
display(Markdown(comparison_table(report)))

# %%
display(Image(paths["chart"]))

# %% [markdown]
# ## How sure: rows versus phrasing families
# Rows written from one template family share their phrasing, so they mostly pass or fail
# together: a split with 120 rows but only a few dozen families is less certain than its row count
# suggests. The second interval resamples whole families (a bootstrap); the improvement column
# above uses the same, paired. A difference between two runs that stays inside it is phrasing luck.

# %%
display(Markdown(family_table(report)))

# %% [markdown]
# ## Per category
# End-state accuracy by category: where fine-tuning helps, and where it still fails (a small
# model cannot do every date).

# %%
display(Markdown(category_table(report)))
display(Image(paths["categories"]))

# %% [markdown]
# ## Side by side
# A few rows of each kind, then the tuned model's failures (all of them are in `failures.jsonl`).

# %%
def show(i: int) -> None:
    row = rows[i]
    print(f"=== {row.id} · {row.category} · today {row.today}")
    for m in row.history()[-3:]:
        print(f"[{m['role']}] {m['content'][:200]}")
    print("gold:", [g.model_dump() for g in row.gold])
    for s in systems:
        if i < len(report["systems"][s]["outputs"]):
            sc = report["systems"][s]["scored"][i]
            print(f"--- {s} ({'ok' if sc['execution'] and sc['format_strict'] else 'FAIL'}):\n{report['systems'][s]['outputs'][i][:400]}")
    print()


seen = set()
for i, row in enumerate(rows):
    if row.category not in seen and len(seen) < 4:
        seen.add(row.category)
        show(i)

# %%
tuned_failures = [i for i, s in enumerate(report["systems"]["tuned"]["scored"]) if not (s["execution"] and s["format_strict"])]
print(f"tuned model: {len(tuned_failures)} of {len(rows)} rows fail (end state or strict format)")
for i in tuned_failures[:5]:
    show(i)

# %%
print("report files:", json.dumps(paths, indent=1))
if drive_folder:
    from lib.runtime import copy_to_drive

    print("report copied to:", copy_to_drive(str(report_dir), drive_folder))
