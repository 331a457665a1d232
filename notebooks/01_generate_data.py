# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,jupyter,cellView,-all
#     notebook_metadata_filter: kernelspec,accelerator,colab,kaggle,-jupytext.text_representation.jupytext_version
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
# # 01 · Generate the dataset
#
# A synthetic, **honestly split** dataset for the task agent. Every row carries its own `today`
# (2024–2028), and validation/test use **template families and task phrases never seen in
# training** — held out by construction and checked below. Training also gets a few hundred
# *composed* phrasings per intent (verbs × frames × polite wrappers, `lib/synth/compose.py`), so a
# small model learns the intent rather than a dozen sentences, plus the slips people make (typos,
# chatter, emoji, all lower case); none shares its phrasing with a held-out one.
#
# **Dates are not the model's job.** A reference answer passes the date on in the user's own words
# (`due_date="next Friday"`), and `lib/dates.py` turns it into a calendar date when the call runs;
# the gold calls in the files hold the ISO date the words mean, so scoring compares dates, not
# wordings. Change the parameters cell and rerun; the same seed gives byte-identical files.

# %% tags=["parameters"]
seed = 3407  # same seed, byte-identical files
train_size = 1600  # rows to train on; more rows need more training steps to be seen; +4% update and +4% multi-intent rows (training v3)
validation_size = 240  # held-out rows for choosing settings (notebook 02 checks on them); +10% update, +10% multi-intent and +5% complete rows (validation v3, v4)
test_size = 360  # held-out rows for the final comparison (notebook 03), looked at only at the end
data_dir = "outputs/data"  # where the .jsonl files and the dataset card go

# %% [markdown]
# ## Set-up
# Finds the project (or clones it when the notebook was opened alone in Colab/Kaggle) and puts
# `lib` on the path. This notebook needs no model, so nothing heavy is installed.

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

print(setup(needs_model=False))

# %% [markdown]
# ## Generate, validate, write
# `write_dataset` generates each split, checks that every reference answer parses in strict mode
# to exactly its gold calls and executes without error against the store its row describes, then
# asserts the splits are disjoint and balanced before writing anything.

# %%
import json

import pandas as pd

from lib.dataset import load_rows
from lib.synth import write_dataset

card = write_dataset(data_dir, {"train": train_size, "validation": validation_size, "test": test_size}, seed)
print(json.dumps(card["sizes"]), "rows written to", data_dir)

# %% [markdown]
# ## Rows per category and split
# No category falls under 5% of any split.

# %%
counts = pd.DataFrame(card["counts_per_category"]).fillna(0).astype(int)
counts.loc["total"] = counts.sum()
counts

# %% [markdown]
# ## The held-out check
# Zero shared user messages, template families, phrasings and task titles between training and
# each held-out split. A *phrasing* is a template without its slots, punctuation, case and polite
# wrappers ("Can you make a task for {d1}?" → `make a task for d_`), so a training template that
# only adds "please" to a held-out one counts as shared and is never generated.

# %%
pd.DataFrame(card["overlap"]).T

# %%
pd.DataFrame({"unique user messages": card["unique_user_messages"],
              "template families": card["template_families"],
              "unique task titles": card["unique_task_titles"]}).T

# %% [markdown]
# ## A few samples, as the model sees them
# System prompt (with that row's date) → history → user message → reference answer.

# %%
rows = load_rows(Path(data_dir) / "validation.jsonl")
shown = {}
for row in rows:
    if row.category in ("add_dated", "update", "multi_turn", "out_of_scope") and row.category not in shown:
        shown[row.category] = row
for category, row in shown.items():
    print(f"=== {category} · today {row.today} · {row.template_id}")
    for m in row.history():
        print(f"[{m['role']}] {m['content']}")
    print(f"[assistant, reference]\n{row.target}")
    print("gold:", [g.model_dump() for g in row.gold], "\n")

# %% [markdown]
# The system prompt the fine-tuned model is trained and served with is three short lines (today's
# date, the tool names, and the tasks on the list, so that "X is due Friday now" can tell a move
# from an add): it learns the contract from the data, and each prompt token is paid on every
# training row. The base model, which never saw the contract, is evaluated with the long prompt
# that spells it out (`lib/prompts.py`).

# %%
from lib.prompts import TRAINED_PROMPT_STYLE, system_prompt

print(rows[0].prompt(TRAINED_PROMPT_STYLE).messages[0]["content"], "\n---")
print(system_prompt(rows[0].today, "contract"))
