"""LoRA fine-tuning with Unsloth + TRL's SFTTrainer, loss on the assistant's answer only.

The masking comes from the model's own chat template: the prompt (system, history, user, and the
assistant header from `add_generation_prompt=True`) is masked; the answer and its end-of-turn
token are learned. Works for any chat model without hand-written markers.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import time
from pathlib import Path
import random
from typing import Any, Iterator, Literal, Optional

from pydantic import BaseModel, Field

from lib.dataset import Row, load_rows
from lib.generation import render_prompt
from lib.model import load_model
from lib.presets import get_preset, resolve_preset_name
from lib.prompts import TRAINED_PROMPT_STYLE, PromptStyle

IGNORE_INDEX = -100  # the label value PyTorch's cross-entropy skips: masked tokens teach nothing
LORA_TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]  # all seven


class TrainConfig(BaseModel):
    """Everything one training run uses; `preset_config` fills it from lib.presets."""

    model_config = {"protected_namespaces": ()}
    preset: str = "custom"
    model_name: str
    max_seq_length: int = Field(ge=128)
    load_in_4bit: bool
    max_steps: int = Field(description="-1: train `epochs` epochs instead")
    epochs: float = Field(1.0, gt=0)
    learning_rate: float = Field(gt=0, lt=1)
    batch_size: int = Field(ge=1)
    grad_accum: int = Field(ge=1)
    warmup_steps: int = Field(ge=0)
    lora_r: int = Field(ge=1)
    lora_alpha: int = Field(ge=1)
    prompt_style: PromptStyle = Field(TRAINED_PROMPT_STYLE, description="the system prompt trained with (lib.prompts)")
    batching: Literal["random", "buckets"] = Field(
        "buckets", description="buckets: rows of similar length batched together (less padding), batches in random order")
    seed: int = 3407
    train_rows: Optional[int] = Field(None, ge=1, description="use only the first N training rows")
    optim: str = "adamw_8bit"
    compile_on_cpu: bool = Field(
        True, description="CPU only: torch.compile (Inductor C++) each decoder layer while training; GPUs use Unsloth's kernels")
    save_steps: Optional[int] = Field(None, ge=1, description="also keep a checkpoint every N steps")
    neftune_noise_alpha: Optional[float] = Field(
        None, gt=0, description="NEFTune: uniform noise on the input embeddings while training (5 in the paper)")
    run_name: Optional[str] = None


def preset_config(preset: str = "auto", **overrides: Any) -> TrainConfig:
    """A preset's training settings (lib.presets) with `overrides` on top."""
    name = resolve_preset_name(preset)
    return TrainConfig(preset=name, **{**get_preset(name).training(), **overrides})


# -- data -------------------------------------------------------------------------------------
def encode_sample(tokenizer, row: Row, end_of_turn: str,
                  prompt_style: PromptStyle = TRAINED_PROMPT_STYLE) -> dict[str, list[int]]:
    """input_ids and labels: IGNORE_INDEX on the prompt, the answer + end-of-turn token learned."""
    if row.target is None:
        raise ValueError(f"row {row.id} has no target to learn")
    chat = row.prompt(prompt_style)  # once: the "listed" prompt replays the row's store to build it
    prompt = render_prompt(tokenizer, chat)
    full = render_prompt(tokenizer, chat, answer=row.target)
    if not full.startswith(prompt):
        raise ValueError(
            "the chat template renders the prompt differently once the answer is added; "
            "responses-only masking cannot be derived from it"
        )
    answer = full[len(prompt):]
    cut = answer.rfind(end_of_turn)
    if cut < 0:
        raise ValueError(f"the end-of-turn token {end_of_turn!r} does not follow the answer")
    answer = answer[: cut + len(end_of_turn)]  # nothing after the end-of-turn token is learned
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    return {"input_ids": prompt_ids + answer_ids, "labels": [IGNORE_INDEX] * len(prompt_ids) + answer_ids}


def build_train_dataset(tokenizer, rows: list[Row], max_seq_length: int, end_of_turn: str,
                        prompt_style: PromptStyle = TRAINED_PROMPT_STYLE):
    """A tokenized datasets.Dataset; rows longer than max_seq_length are dropped (never truncated:
    truncation would cut the answer and silently train on nothing)."""
    from datasets import Dataset

    encoded, dropped = [], 0
    for row in rows:
        sample = encode_sample(tokenizer, row, end_of_turn, prompt_style)
        if len(sample["input_ids"]) > max_seq_length:
            dropped += 1
            continue
        encoded.append(sample)
    if not encoded:
        raise ValueError(f"every training row is longer than max_seq_length={max_seq_length}")
    lengths = [len(s["input_ids"]) for s in encoded]
    stats = {"rows": len(encoded), "dropped_too_long": dropped, "mean_tokens": sum(lengths) / len(lengths),
             "max_tokens": max(lengths), "answer_tokens": sum(sum(l != IGNORE_INDEX for l in s["labels"]) for s in encoded)}
    return Dataset.from_list(encoded), stats


def add_lora_layers(model, cfg: TrainConfig, cuda: bool):
    """The LoRA layers training adds (all seven projections, no dropout or bias), seeded by cfg.seed;
    Unsloth's gradient checkpointing on a GPU, none on a CPU (a 135M model fits without it)."""
    from unsloth import FastLanguageModel

    return FastLanguageModel.get_peft_model(
        model, r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0, bias="none", target_modules=LORA_TARGET_MODULES,
        use_gradient_checkpointing="unsloth" if cuda else False, random_state=cfg.seed)


# -- compiled layers on a CPU ------------------------------------------------------------------
def compile_decoder_layers(model) -> tuple[int, Optional[str]]:
    """torch.compile each decoder layer of `model` (a PEFT model, the LoRA layers already in place),
    as Unsloth's CPU path does with UNSLOTH_CPU_COMPILE=1: Inductor fuses the many small fp32
    element-wise kernels of a layer's forward and backward into C++ loops (SmolLM2 on 2 cores:
    1.16x faster steps on the trainer's bucketed batches, more on padded ones; the same losses;
    docs/benchmarks.md). One graph with dynamic shapes serves every layer and batch length.
    Returns (layers compiled, why not): Inductor needs a C++ compiler at run time, so without a
    working one nothing is compiled and training runs eagerly."""
    import torch

    try:  # a probe kernel: fails here, not at the first training step, when no compiler works
        x = torch.linspace(-4, 4, 64)  # not randn: the probe must not move the RNG that seeds LoRA
        if not torch.allclose(torch.compile(lambda t: torch.nn.functional.silu(t) * 2, dynamic=False)(x),
                              torch.nn.functional.silu(x) * 2):
            return 0, "the probe kernel gave wrong results"
    except Exception as exc:  # no compiler, no headers, a sandbox that forbids it, ...
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return 0, f"{type(exc).__name__}: {first_line[:200]}"
    finally:
        torch._dynamo.reset()
    layers = _decoder_layers(model)
    for layer in layers:
        layer.compile(dynamic=True)
    return len(layers), None


def uncompile_decoder_layers(model) -> None:
    """Back to eager layers after training: generation (notebook 02's check, the demo) then runs the
    same code as for a loaded adapter, with its own CPU speed-ups (lib.generation)."""
    for layer in _decoder_layers(model):
        layer._compiled_call_impl = None


def _decoder_layers(model) -> list:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    inner = getattr(base, getattr(base, "base_model_prefix", "model"), None)
    return list(getattr(inner, "layers", None) or [])


# -- batching ----------------------------------------------------------------------------------
def bucketed_order(lengths: list[int], batch_size: int, seed: int, chunk: int = 8) -> list[int]:
    """Row indices in training order: random chunks of `chunk` batches are sorted by length and cut
    into batches (so a batch pads to a similar length, ~1.4x fewer positions on our data), then
    every batch is shuffled. Unlike transformers' group_by_length, which runs each megabatch from its
    longest batches to its shortest, no stretch of training sees only one kind of row."""
    rng = random.Random(seed)
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    batches = []
    for start in range(0, len(idx), batch_size * chunk):
        part = sorted(idx[start:start + batch_size * chunk], key=lambda i: lengths[i])
        batches += [part[j:j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return [i for batch in batches for i in batch]


class BucketSampler:
    """A torch Sampler over `bucketed_order`, with a new order each epoch."""

    def __init__(self, lengths: list[int], batch_size: int, seed: int) -> None:
        self.lengths, self.batch_size, self.seed, self.epoch = lengths, batch_size, seed, 0

    def __iter__(self) -> Iterator[int]:
        order = bucketed_order(self.lengths, self.batch_size, self.seed + self.epoch)
        self.epoch += 1
        return iter(order)

    def __len__(self) -> int:
        return len(self.lengths)


# -- training ----------------------------------------------------------------------------------
def _peak_memory_mb() -> dict[str, float]:
    import torch

    out = {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if torch.cuda.is_available():
        out["peak_gpu_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return out


def train(cfg: TrainConfig, data_dir: str | Path = "outputs/data", output_dir: str | Path = "outputs/adapters",
          progress: bool = True, callbacks: Optional[list] = None) -> dict[str, Any]:
    """Train a LoRA adapter and save it with its tokenizer, a JSON log and a loss-curve PNG.
    On failure or interrupt the partial adapter and log are still saved, then the error is raised."""
    run_name = cfg.run_name or f"{cfg.preset}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    run_dir = Path(output_dir) / run_name
    rows = load_rows(Path(data_dir) / "train.jsonl", limit=cfg.train_rows)

    import torch
    from unsloth import is_bfloat16_supported
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    cuda = torch.cuda.is_available()
    model, tokenizer = load_model(cfg.model_name, cfg.max_seq_length, load_in_4bit=cfg.load_in_4bit)
    info = {**model.taskagent_info, "prompt_style": cfg.prompt_style}
    model = add_lora_layers(model, cfg, cuda)
    dataset, data_stats = build_train_dataset(tokenizer, rows, cfg.max_seq_length, info["end_of_turn"], cfg.prompt_style)
    compiled, not_compiled = compile_decoder_layers(model) if cfg.compile_on_cpu and not cuda else (0, None)
    if not_compiled:
        print(f"Training eagerly: torch.compile cannot build CPU kernels here ({not_compiled}).")

    log: dict[str, Any] = {"config": cfg.model_dump(), "model": info, "data": data_stats, "steps": [],
                           "precision": "bf16" if is_bfloat16_supported() else ("fp16" if cuda else "fp32"),
                           "weights_dtype": str(getattr(model, "dtype", "")).replace("torch.", ""),
                           "compiled_layers": compiled, "status": "running", "started": dt.datetime.now().isoformat(timespec="seconds")}

    class StepLog(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                log["steps"].append({"step": state.global_step, "loss": logs["loss"],
                                     "learning_rate": logs.get("learning_rate"),
                                     "tokens_seen": state.num_input_tokens_seen,
                                     "elapsed_s": round(time.perf_counter() - t0, 2)})

    args = SFTConfig(
        output_dir=str(run_dir / "checkpoints"), per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum, max_steps=cfg.max_steps, num_train_epochs=cfg.epochs,
        learning_rate=cfg.learning_rate, warmup_steps=cfg.warmup_steps, lr_scheduler_type="linear",
        optim=cfg.optim, weight_decay=0.001, seed=cfg.seed, logging_steps=1,
        save_strategy="steps" if cfg.save_steps else "no", save_steps=cfg.save_steps or 500,
        report_to="none", max_length=cfg.max_seq_length, include_num_input_tokens_seen="non_padding",
        neftune_noise_alpha=cfg.neftune_noise_alpha,
        # bf16 where the hardware has it: Ampere+ GPUs, and CPUs with AVX512-BF16/AMX (2x faster than
        # fp32 for SmolLM2 on our AMD EPYC); fp16 on a T4; fp32 on CPUs without it.
        fp16=cuda and not is_bfloat16_supported(), bf16=is_bfloat16_supported(),
        # Random order, not group_by_length: its length-sorted megabatches put all the short
        # <final> rows together, and a short run ended up answering everything with <final>.
        gradient_checkpointing=False, disable_tqdm=not progress, dataloader_num_workers=0,
    )
    class Trainer(SFTTrainer):
        def _get_train_sampler(self, train_dataset=None):
            if cfg.batching == "buckets":  # lengths of the rows the trainer kept, in its order
                rows = train_dataset if train_dataset is not None else self.train_dataset
                return BucketSampler([len(x) for x in rows["input_ids"]], cfg.batch_size * cfg.grad_accum, cfg.seed)
            return super()._get_train_sampler(train_dataset)

    trainer = Trainer(model=model, processing_class=tokenizer, train_dataset=dataset, args=args,
                      callbacks=[StepLog(), *(callbacks or [])])
    t0 = time.perf_counter()
    try:
        result = trainer.train()
        log["status"] = "finished"
    except BaseException as exc:  # KeyboardInterrupt too: keep what was learned so far
        log["status"] = f"failed: {type(exc).__name__}: {exc}"
        raise
    finally:
        if compiled:
            uncompile_decoder_layers(model)
        wall = time.perf_counter() - t0
        tokens = trainer.state.num_input_tokens_seen
        steps = trainer.state.global_step
        log.update({"wall_time_s": round(wall, 1), "global_steps": steps, "tokens_seen": tokens,
                    "tokens_per_s": round(tokens / wall, 1) if wall else None,
                    "s_per_step": round(wall / steps, 3) if steps else None, **_peak_memory_mb()})
        save_run(model, tokenizer, run_dir, log)
    log["train_loss"] = result.training_loss
    (run_dir / "training_log.json").write_text(json.dumps(log, indent=2) + "\n")
    model.taskagent_info = {**info, "adapter": str(run_dir)}  # the same adapter, still in memory
    return {"run_dir": str(run_dir), "log": log, "model": model, "tokenizer": tokenizer}


def save_run(model, tokenizer, run_dir: Path, log: dict[str, Any]) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(run_dir))
    tokenizer.save_pretrained(str(run_dir))
    (run_dir / "training_log.json").write_text(json.dumps(log, indent=2) + "\n")
    if log["steps"]:
        plot_loss(log, run_dir / "loss_curve.png")


def plot_loss(log: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [s["step"] for s in log["steps"]]
    losses = [s["loss"] for s in log["steps"]]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(steps, losses, marker=".", linewidth=1)
    if len(losses) >= 5:  # a moving average makes the trend readable at logging_steps=1
        k = max(3, len(losses) // 10)
        avg = [sum(losses[max(0, i - k + 1): i + 1]) / len(losses[max(0, i - k + 1): i + 1]) for i in range(len(losses))]
        ax.plot(steps, avg, linewidth=2, label=f"moving average ({k})")
        ax.legend()
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (answer tokens)")
    ax.set_title(f"{log['config']['preset']} · {Path(log['model']['path']).name}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
