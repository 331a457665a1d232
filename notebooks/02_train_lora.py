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
# never seen in training) that the tuned model follows the contract, and show three of its answers
# beside the base model's. (Scoring the base model takes notebook 03.)

# %% tags=["parameters"]
# Which run: "t4" uses the values in this cell (Llama-3.1-8B on a free Colab/Kaggle T4 GPU).
# "cpu" trains SmolLM2-135M offline (460 steps, 15-30 min on 2 cores), "ci" and "tiny" are test runs: any preset
# but "t4" replaces the model, training and check values below with its own (printed below).
preset = "t4"
model_name = "unsloth/Llama-3.1-8B-Instruct-bnb-4bit"  # any Hugging Face chat model; its own chat template is used
load_in_4bit = True  # 4-bit weights (QLoRA): an 8B model then fits a 16 GB T4
max_seq_length = 2048  # longest row in tokens (ours are ~300); longer rows are dropped, never cut
max_steps = 120  # optimizer steps: 120 x 2 x 4 makes 960 rows seen; more steps take longer and usually help
learning_rate = 2e-4  # Unsloth's default for LoRA; try 1e-4 if the loss curve jumps around
batch_size = 2  # rows per forward pass; raise it if GPU memory allows
grad_accum = 4  # forward passes per optimizer step: the effective batch is batch_size x grad_accum
warmup_steps = 5  # steps at the start with a rising learning rate
lora_r = 16  # adapter rank, 8-64: higher can learn more and costs memory
lora_alpha = 16  # scales the adapter's output; usually equal to lora_r
batching = "buckets"  # "buckets": rows of similar length batched together (less padding, faster); "random"
compile_on_cpu = True  # CPU only: torch.compile the layers while training (~1.16x faster steps; needs a C++ compiler); GPUs ignore it
validation_rows = 96  # held-out validation rows for the "did it learn?" check (None: all 300)
min_format_strict = 0.90  # the check fails when the tuned model is below either threshold
min_tool_selection = 0.85  # the 8B target; the cpu and ci presets check a 0.50 floor (a 135M model)
seed = 3407  # same seed, same run
data_dir = "outputs/data"  # notebook 01 writes it (made here if it is missing)
adapters_dir = "outputs/adapters"  # the adapter goes to <adapters_dir>/<preset>, e.g. outputs/adapters/t4
eval_batch_size = 16  # rows generated at once when evaluating; lower it if memory runs out
export_merged_16bit = False  # GPU only: a merged fp16 model (~16 GB for 8B)
export_gguf = False  # GPU only: GGUF q4_k_m for llama.cpp / Ollama
push_to_hub = ""  # a Hub repo id like "you/taskagent-lora": upload the adapter there (needs an HF_TOKEN secret); "" for no upload
drive_folder = ""  # Colab: also copy the adapter to Google Drive, e.g. "/content/drive/MyDrive/taskagent"; "" for no copy

# %% [markdown]
# ## Set-up
# Detects Colab / Kaggle / local. On Colab and Kaggle it installs what Unsloth's own notebooks
# install (nothing is installed on a local machine: use `scripts/setup_env.sh`), clones the project
# when this notebook was opened alone, and pins one GPU on Kaggle's T4 ×2.

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

# %%
import unsloth  # noqa: F401  (before transformers, trl and peft)
import json

import pandas as pd
from IPython.display import Image, Markdown, display

from lib.dataset import load_rows
from lib.presets import TRAINING_KEYS, notebook_settings, resolve_preset_name
from lib.runtime import has_cuda
from lib.synth import write_dataset
from lib.train import TrainConfig, train

if not (Path(data_dir) / "train.jsonl").exists():  # opened alone: make the data notebook 01 makes
    write_dataset(data_dir, seed=seed)

settings = notebook_settings(
    preset, model_name=model_name, load_in_4bit=load_in_4bit, max_seq_length=max_seq_length, max_steps=max_steps,
    learning_rate=learning_rate, batch_size=batch_size, grad_accum=grad_accum, warmup_steps=warmup_steps,
    lora_r=lora_r, lora_alpha=lora_alpha, batching=batching, compile_on_cpu=compile_on_cpu,
    validation_rows=validation_rows,
    min_format_strict=min_format_strict,
    min_tool_selection=min_tool_selection)
cfg = TrainConfig(preset=resolve_preset_name(preset), seed=seed, run_name=resolve_preset_name(preset),
                  **{k: settings[k] for k in TRAINING_KEYS})
print("GPU:", has_cuda(), "· preset:", cfg.preset)
pd.Series(settings).to_frame("setting")

# %% [markdown]
# ## Train
# `lib.train.train` loads the model through Unsloth (`FastLanguageModel.from_pretrained`), adds the
# LoRA adapter, tokenizes every row with the prompt masked, and runs TRL's `SFTTrainer`. The adapter,
# tokenizer, a JSON log (loss per step, tokens/s, wall time, peak memory) and a loss curve are
# saved to `outputs/adapters/<run>/` — also if training fails or is interrupted.

# %%
result = train(cfg, data_dir=data_dir, output_dir=adapters_dir)
model, tokenizer, log = result["model"], result["tokenizer"], result["log"]
run_dir = Path(result["run_dir"])
print(json.dumps({k: log[k] for k in ("status", "global_steps", "wall_time_s", "tokens_per_s", "s_per_step",
                                       "peak_rss_mb", "train_loss") if k in log}, indent=1))
print("data:", log["data"])

# %%
display(Image(str(run_dir / "loss_curve.png")))

# %% [markdown]
# ## What the loss saw
# One training sample's labels decoded: only the answer and the end-of-turn token are learned.
# Every prompt token carries the label `IGNORE_INDEX` (-100), which the loss skips.

# %%
from lib.train import IGNORE_INDEX, encode_sample

row = load_rows(Path(data_dir) / "train.jsonl", limit=1)[0]
sample = encode_sample(tokenizer, row, log["model"]["end_of_turn"])
learned = tokenizer.decode([t for t in sample["labels"] if t != IGNORE_INDEX])
print(f"{sum(t == IGNORE_INDEX for t in sample['labels'])} prompt tokens masked · {len(learned)} answer characters learned")
print("learned text:", repr(learned))
print("end of turn:", log["model"]["end_of_turn"], "· pad:", log["model"]["pad"])
assert learned.endswith(log["model"]["end_of_turn"]) and log["model"]["end_of_turn"] != log["model"]["pad"]

# %% [markdown]
# ## Did it learn? Held-out validation, greedy
# Only the tuned model is scored here: the base model, scored on the same rows, writes prose up to
# the token limit (~4 s a row on 2 CPU cores: 6 minutes of the `cpu` preset's run) and almost never
# follows the contract (SmolLM2 on 96 rows: 5% strict format, no task right); notebook 03 compares
# the two on the test split. Greedy decoding, the prompt training used.

# %%
from lib.dataset import select_rows
from lib.evaluate import evaluate
from lib.report import comparison_table

val_rows = select_rows(load_rows(Path(data_dir) / "validation.jsonl"), settings["validation_rows"])
report = evaluate(model, tokenizer, val_rows, ["tuned"], batch_size=eval_batch_size)
display(Markdown(comparison_table(report)))

# %%
tuned = report["systems"]["tuned"]["overall"]
check = {"format_strict": tuned["format_strict"]["rate"], "tool_selection": tuned["tool_selection"]["rate"],
         "date_accuracy": tuned["date_accuracy"]["rate"], "execution": tuned["execution"]["rate"]}
(run_dir / "validation_check.json").write_text(json.dumps({"rows": len(val_rows), **check}, indent=1) + "\n")
print(check)
assert check["format_strict"] >= settings["min_format_strict"], \
    f"strict format {check['format_strict']:.1%} < {settings['min_format_strict']:.0%}"
assert check["tool_selection"] >= settings["min_tool_selection"], \
    f"tool selection {check['tool_selection']:.1%} < {settings['min_tool_selection']:.0%}"

# %% [markdown]
# Before and after: the same three prompts, the adapter switched off (`disable_adapter()`: the base
# model, given the prompt that spells the contract out) and on.

# %%
examples = val_rows[:3]
before = evaluate(model, tokenizer, examples, ["base"], batch_size=eval_batch_size, progress=False)
for row, base_out, tuned_out in zip(examples, before["systems"]["base"]["outputs"],
                                    report["systems"]["tuned"]["outputs"]):
    print(f"=== {row.category} · today {row.today}\n[user] {row.history()[-1]['content']}")
    print(f"--- base:\n{base_out[:300]}\n--- tuned:\n{tuned_out}\n")

# %% [markdown]
# ## Export: what an inference engine needs
# The adapter folder is all that vLLM needs: it serves LoRA adapters on top of the base model
# (commands printed below; the README's "Serve it" section has them all). llama.cpp and Ollama need
# one GGUF file: on a GPU, `export_gguf` merges, converts and quantizes it (q4_k_m) and writes an
# Ollama `Modelfile` with the chat template and stop tokens. Kaggle's 20 GB disk is too small for
# the merged 8B export: keep the adapter there. On a CPU, `export_merged_16bit` merges a fresh copy.

# %%
from lib.export import merge_to_folder, serve_commands, write_ollama_modelfile

if export_merged_16bit:
    if has_cuda():
        model.save_pretrained_merged(str(run_dir / "merged_16bit"), tokenizer, save_method="merged_16bit")
    else:  # plain PEFT on a fresh copy: the model in memory keeps its adapter
        merge_to_folder(run_dir, run_dir / "merged_16bit")
    print("merged 16-bit model:", run_dir / "merged_16bit")
if export_gguf and not has_cuda():
    print("The GGUF export needs a CUDA GPU (Unsloth builds llama.cpp); skipped (the adapter is saved).")
if export_gguf and has_cuda():
    model.save_pretrained_gguf(str(run_dir / "gguf"), tokenizer, quantization_method="q4_k_m")
    print("Ollama Modelfile:", write_ollama_modelfile(run_dir / "gguf", tokenizer))
for engine, command in serve_commands(run_dir, cfg.model_name, gguf_dir=run_dir / "gguf" if export_gguf else None).items():
    print(f"{engine:>9}: {command}")

# %% [markdown]
# ## Keep the results
# Colab and Kaggle delete every file when the runtime stops. Set `push_to_hub` to upload the
# adapter (and the GGUF, if exported) to your Hugging Face account: add a secret named `HF_TOKEN`
# with write access first (Colab: the key icon on the left; Kaggle: Add-ons > Secrets). On Colab,
# `drive_folder` copies it into Google Drive instead. Notebooks 03 and 04 take the Hub id as their
# `adapter`.

# %%
from lib.runtime import copy_to_drive, push_folder_to_hub

if push_to_hub:
    print("adapter uploaded:", push_folder_to_hub(str(run_dir), push_to_hub))
if drive_folder:
    print("adapter copied to:", copy_to_drive(str(run_dir), drive_folder))
if not (push_to_hub or drive_folder):
    print(f"The adapter is in {run_dir} on this machine only (set push_to_hub or drive_folder to keep it).")
