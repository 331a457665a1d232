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
# # 02 · Fine-tune with Unsloth: 4-bit LoRA, loss on the answer only
#
# We teach an instruct model the agent's output contract: `<analysis>` + `<action>` tool calls,
# or a `<final>` reply. On a GPU (Colab/Kaggle T4) this is **Llama-3.1-8B-Instruct in 4-bit**
# with Unsloth; on a machine without a GPU it is **SmolLM2-135M-Instruct** through Unsloth's CPU
# fallback. Same code, only the model name and the preset differ.
#
# * LoRA r=16 on all seven projection matrices (`FastLanguageModel.get_peft_model`).
# * The loss covers the assistant's answer and its end-of-turn token only. The mask comes from
#   the model's own chat template, so any chat model works by changing `model_name`.
# * The end-of-turn token is learned; the pad token is a different token.
#
# At the end we check on the **held-out validation split** (template families and task phrases
# never seen in training) that the tuned model follows the contract — and show the base model's
# figures beside it.

# %% tags=["parameters"]
preset = "auto"  # "t4" (GPU, Llama-3.1-8B 4-bit), "cpu" (SmolLM2, ~30 min on 2 cores), "ci", "tiny"; auto: t4 with a GPU
model_name = None  # None: the preset's model; any HF chat model name or local folder
max_seq_length = None
max_steps = None  # set max_steps, or -1 and epochs
epochs = None
learning_rate = None
batch_size = None
grad_accum = None
lora_r = None
lora_alpha = None
seed = 3407
data_dir = "outputs/data"
output_dir = "outputs/adapters"
run_name = None  # default: <preset>-<timestamp>
eval_rows = 48  # validation rows for the quick check (spread over categories); None: all
eval_batch_size = 16
max_new_tokens = 128
min_format_strict = 0.90  # the proof that it learned: asserted on the tuned model
min_tool_selection = 0.85
export_merged_16bit = False  # GPU only: a merged fp16 model (~16 GB for 8B)
export_gguf = False  # GPU only: GGUF q4_k_m for llama.cpp / Ollama
repo_url = "https://github.com/taskagent/taskagent.git"  # used only when this notebook is opened alone

# %% [markdown]
# ## Set-up
# Detects Colab / Kaggle / local. On Colab and Kaggle it installs what Unsloth's own notebooks
# install (nothing is installed on a local machine: use `scripts/setup_env.sh`), clones the project
# when this notebook was opened alone, and pins one GPU on Kaggle's T4 ×2.

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

print(setup(needs_model=True))

# %%
import unsloth  # noqa: F401  (before transformers, trl and peft)
import json

import pandas as pd
from IPython.display import Image, Markdown, display

from lib.data import load_rows, write_dataset
from lib.model import has_cuda
from lib.train import preset_config, train

if not (Path(data_dir) / "train.jsonl").exists():  # opened alone: make the data notebook 01 makes
    write_dataset(data_dir, seed=seed)

cfg = preset_config(preset, model_name=model_name, max_seq_length=max_seq_length, max_steps=max_steps,
                    epochs=epochs, learning_rate=learning_rate, batch_size=batch_size, grad_accum=grad_accum,
                    lora_r=lora_r, lora_alpha=lora_alpha, seed=seed, run_name=run_name)
print("GPU:", has_cuda())
pd.Series(cfg.model_dump()).to_frame("setting")

# %% [markdown]
# ## Train
# `lib.train.train` loads the model through Unsloth (`FastLanguageModel.from_pretrained`), adds the
# LoRA adapter, tokenizes every row with the prompt masked, and runs TRL's `SFTTrainer`. The adapter,
# tokenizer, a JSON log (loss per step, tokens/s, wall time, peak memory) and a loss curve are
# saved to `outputs/adapters/<run>/` — also if training fails or is interrupted.

# %%
result = train(cfg, data_dir=data_dir, output_dir=output_dir)
model, tokenizer, log = result["model"], result["tokenizer"], result["log"]
run_dir = Path(result["run_dir"])
print(json.dumps({k: log[k] for k in ("status", "global_steps", "wall_time_s", "tokens_per_s", "s_per_step",
                                       "peak_rss_mb", "train_loss") if k in log}, indent=1))
print("data:", log["data"])

# %%
display(Image(str(run_dir / "loss_curve.png")))

# %% [markdown]
# ## What the loss saw
# One training sample's labels decoded: only the answer and the end-of-turn token are learned
# (masked prompt tokens are shown as `·`).

# %%
from lib.train import encode_sample

row = load_rows(Path(data_dir) / "train.jsonl", limit=1)[0]
sample = encode_sample(tokenizer, row, log["model"]["end_of_turn"])
learned = tokenizer.decode([t for t in sample["labels"] if t != -100])
print(f"{sum(t == -100 for t in sample['labels'])} prompt tokens masked · {len(learned)} answer characters learned")
print("learned text:", repr(learned))
print("end of turn:", log["model"]["end_of_turn"], "· pad:", log["model"]["pad"])
assert learned.endswith(log["model"]["end_of_turn"]) and log["model"]["end_of_turn"] != log["model"]["pad"]

# %% [markdown]
# ## Did it learn? Held-out validation, greedy
# The same loaded model with the adapter switched off (`disable_adapter()`) is the base. Identical
# prompts, greedy decoding. The full comparison on the test split is notebook 03.

# %%
from lib.evaluate import comparison_table, evaluate, select_rows

val_rows = select_rows(load_rows(Path(data_dir) / "validation.jsonl"), eval_rows)
report = evaluate(model, tokenizer, val_rows, ["base", "tuned"], batch_size=eval_batch_size,
                  max_new_tokens=max_new_tokens)
display(Markdown(comparison_table(report)))

# %%
tuned = report["systems"]["tuned"]["overall"]
check = {"format_strict": tuned["format_strict"]["rate"], "tool_selection": tuned["tool_selection"]["rate"]}
(run_dir / "validation_check.json").write_text(json.dumps({"rows": len(val_rows), **check,
    "base": {k: report["systems"]["base"]["overall"][k]["rate"] for k in check}}, indent=1) + "\n")
print(check)
assert check["format_strict"] >= min_format_strict, f"strict format {check['format_strict']:.1%} < {min_format_strict:.0%}"
assert check["tool_selection"] >= min_tool_selection, f"tool selection {check['tool_selection']:.1%} < {min_tool_selection:.0%}"

# %%
for row, base_out, tuned_out in list(zip(val_rows, report["systems"]["base"]["outputs"],
                                         report["systems"]["tuned"]["outputs"]))[:3]:
    print(f"=== {row.category} · today {row.today}\n[user] {row.history()[-1]['content']}")
    print(f"--- base:\n{base_out[:300]}\n--- tuned:\n{tuned_out}\n")

# %% [markdown]
# ## Export (GPU only)
# The adapter in `outputs/adapters/<run>/` is what notebooks 03 and 04 load. On a GPU you can also
# save a merged 16-bit model or a GGUF (q4_k_m) for llama.cpp / Ollama. Kaggle's 20 GB disk is too
# small for the merged 8B export: keep the adapter there.

# %%
if (export_merged_16bit or export_gguf) and not has_cuda():
    print("Exports need a CUDA GPU; skipped on this machine (the adapter is saved).")
if export_merged_16bit and has_cuda():
    model.save_pretrained_merged(str(run_dir / "merged_16bit"), tokenizer, save_method="merged_16bit")
if export_gguf and has_cuda():
    model.save_pretrained_gguf(str(run_dir / "gguf"), tokenizer, quantization_method="q4_k_m")
print("adapter:", run_dir)
