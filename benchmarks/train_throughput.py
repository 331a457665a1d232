"""Training throughput: Unsloth versus plain transformers + PEFT, same data, same settings.

    python benchmarks/train_throughput.py --model tiny --steps 10            # CPU, seconds
    python benchmarks/train_throughput.py --model smollm2 --steps 6          # CPU, minutes
    python benchmarks/train_throughput.py --model random-1b --steps 20 --4bit  # a GPU
    python benchmarks/train_throughput.py --model random-8b --steps 6 --4bit --backends unsloth \
        --batch-size 2 --grad-accum 4                                          # a GPU: the T4 preset's shape

Each backend runs in its own process (Unsloth patches transformers when imported, so the plain
run must never see it). Both train the same LoRA (r=16, all seven projections) on the same
tokenized rows of our training split (Unsloth through TRL's SFTTrainer as lib.train does, plain
through transformers' Trainer), same batch size, precision, sequence lengths and steps; the first step (compilation, caches) is excluded from the timing. Prints tokens/s,
s/step, peak memory and the ratio Unsloth / plain.

`random-1b` is a Llama-shaped model with random weights (TinyLlama-1.1B's layer shape, ~1.0B
parameters; our BPE tokenizer) built locally: speed does not depend on the weights, and no hub is needed.
`random-8b` is Llama-3.1-8B's shape (32 layers of 4096, 14336 MLP, 8 KV heads, its 128,256-row
embedding and LM head, ~8.0B parameters) with random weights, built on the GPU in seconds: what the
`t4` preset trains, for its memory and speed without downloading 16 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lib.train import LORA_TARGET_MODULES as MODULES  # noqa: E402  (light: imports no torch)


SHAPES = {  # layer shapes of real models; the weights are random
    "random-1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
                      num_key_value_heads=4, max_position_embeddings=4096),  # TinyLlama-1.1B
    "random-8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                      num_key_value_heads=8, max_position_embeddings=131072, rope_theta=500000.0,
                      vocab_size=128256),  # Llama-3.1-8B (its vocabulary size; our tokenizer uses the first rows)
}


def build_random_llama(out: Path, vocab: int = 32000, shape: str = "random-1b") -> Path:
    """A real model's layer shape with random weights and a BPE tokenizer trained on our prompts."""
    if (out / "config.json").exists():
        return out
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from lib.offline_models import build_tiny_llama

    tiny = build_tiny_llama(out.parent / f"{out.name}-tokenizer", vocab_size=vocab)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny)
    dims = {"vocab_size": len(tok), **SHAPES[shape]}
    cfg = LlamaConfig(**dims, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, tie_word_embeddings=False)
    torch.manual_seed(0)
    # built in bf16 on the GPU when there is one: an 8B model in fp32 on the CPU takes minutes
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        torch.set_default_dtype(torch.bfloat16)
        model = LlamaForCausalLM(cfg)
        torch.set_default_dtype(torch.float32)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    del model
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return out


def cpu_has_bf16() -> bool:
    """bf16 autocast on CPUs with bf16 hardware, as lib.train does (read without importing Unsloth)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def model_path(name: str) -> str:
    if name in SHAPES:
        return str(build_random_llama(ROOT / f"outputs/models/{name.replace('random-', 'random-llama-')}", shape=name))
    from lib.model import resolve_model_name

    return resolve_model_name(name)


def worker(a: argparse.Namespace) -> dict:
    """One backend, one process."""
    if a.backend == "unsloth":
        import unsloth  # noqa: F401
        from unsloth import FastLanguageModel
    import torch
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from lib.dataset import load_rows
    from lib.model import fix_special_tokens
    from lib.train import build_train_dataset

    cuda = torch.cuda.is_available()
    path = model_path(a.model)
    dtype = torch.float16 if cuda and not torch.cuda.is_bf16_supported() else (torch.bfloat16 if cuda else torch.float32)
    if a.backend == "unsloth":
        from lib.model import load_model

        model, tok = load_model(path, a.seq_len, load_in_4bit=a.four_bit, dtype=dtype if cuda else None)
        model = FastLanguageModel.get_peft_model(model, r=16, lora_alpha=16, lora_dropout=0, bias="none",
                                                 target_modules=MODULES, random_state=3407,
                                                 use_gradient_checkpointing="unsloth" if cuda else False)
    else:
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
        from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

        tok = AutoTokenizer.from_pretrained(path)
        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype,
                                   bnb_4bit_use_double_quant=True) if a.four_bit else None
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, quantization_config=quant,
                                                     device_map={"": 0} if cuda else None)
        fix_special_tokens(tok, model)
        if a.four_bit:
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=cuda)
        elif cuda:
            model.gradient_checkpointing_enable()
            model.enable_input_require_grads()
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=16, lora_dropout=0, bias="none",
                                                 target_modules=MODULES, task_type="CAUSAL_LM"))
    eot = fix_special_tokens(tok)["end_of_turn"]
    rows = load_rows(ROOT / "outputs/data/train.jsonl", limit=a.batch_size * a.steps * a.grad_accum)
    ds, stats = build_train_dataset(tok, rows, a.seq_len, eot)
    times: list[float] = []

    class Timer(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            self.t = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            if cuda:
                torch.cuda.synchronize()
            times.append(time.perf_counter() - self.t)

    args = SFTConfig(output_dir=str(ROOT / "outputs/bench_tmp"), per_device_train_batch_size=a.batch_size,
                     gradient_accumulation_steps=a.grad_accum, max_steps=a.steps, learning_rate=2e-4,
                     warmup_steps=0, logging_steps=1, save_strategy="no", report_to="none", max_length=a.seq_len,
                     optim="adamw_8bit" if cuda else "adamw_torch", seed=3407, disable_tqdm=True,
                     fp16=dtype == torch.float16, bf16=dtype == torch.bfloat16 or (not cuda and cpu_has_bf16()),
                     gradient_checkpointing=False, use_cpu=not cuda,
                     include_num_input_tokens_seen="non_padding", dataloader_num_workers=0)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    if a.backend == "unsloth":
        trainer = SFTTrainer(model=model, processing_class=tok, train_dataset=ds, args=args, callbacks=[Timer()])
    else:
        # Plain transformers Trainer: TRL 1.15's SFTTrainer patches in a fused LM head whose kernels
        # need triton, which a CPU-only install lacks; the rows are pre-tokenized, so nothing is lost.
        from transformers import DataCollatorForSeq2Seq, Trainer

        trainer = Trainer(model=model, args=args, train_dataset=ds, callbacks=[Timer()],
                          data_collator=DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=-100))
    trainer.train()
    timed = times[1:] or times  # step 1 pays for compilation and allocator warm-up
    tokens = trainer.state.num_input_tokens_seen * len(timed) / max(len(times), 1)
    n_params = sum(p.numel() for p in model.parameters())
    return {"backend": a.backend, "model": a.model, "params_m": round(n_params / 1e6, 1), "4bit": a.four_bit,
            "batch_size": a.batch_size, "grad_accum": a.grad_accum, "seq_len_max": a.seq_len,
            "mean_tokens_per_row": round(stats["mean_tokens"], 1), "steps_timed": len(timed),
            "s_per_step": round(sum(timed) / len(timed), 3), "tokens_per_s": round(tokens / sum(timed), 1),
            "peak_gpu_mb": round(torch.cuda.max_memory_allocated() / 2**20) if cuda else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "device": torch.cuda.get_device_name(0) if cuda else f"CPU {platform.machine()} × {torch.get_num_threads()} threads"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="tiny", help="tiny, smollm2, random-1b, random-8b, or a local model folder")
    p.add_argument("--backends", nargs="+", default=["unsloth", "peft"])
    p.add_argument("--backend", help=argparse.SUPPRESS)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--grad-accum", type=int, default=1)
    p.add_argument("--seq-len", type=int, default=1024)
    p.add_argument("--4bit", dest="four_bit", action="store_true", help="QLoRA: load the base in 4-bit (bitsandbytes)")
    a = p.parse_args()
    if a.backend:  # the worker process
        print("RESULT " + json.dumps(worker(a)), flush=True)
        return
    if not (ROOT / "outputs/data/train.jsonl").exists():
        from lib.synth import write_dataset

        write_dataset(ROOT / "outputs/data")
    if a.model in SHAPES:  # built once, here: the workers only load it
        model_path(a.model)
    results = []
    for backend in a.backends:
        cmd = [sys.executable, __file__, "--backend", backend, "--model", a.model, "--steps", str(a.steps),
               "--batch-size", str(a.batch_size), "--grad-accum", str(a.grad_accum), "--seq-len", str(a.seq_len)]
        cmd += ["--4bit"] if a.four_bit else []
        print("$", " ".join(cmd[1:]), flush=True)
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
        line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
        if line is None:
            print(out.stdout[-3000:], out.stderr[-5000:], sep="\n")
            raise SystemExit(f"{backend} run failed (exit {out.returncode})")
        results.append(json.loads(line[7:]))
    print(f"\n{'backend':8} {'model':10} {'params':>8} {'4bit':>5} {'tokens/s':>9} {'s/step':>7} {'peak GPU MB':>11} {'peak RSS MB':>11}")
    for r in results:
        print(f"{r['backend']:8} {r['model']:10} {r['params_m']:>7}M {str(r['4bit']):>5} {r['tokens_per_s']:>9.1f} "
              f"{r['s_per_step']:>7.3f} {str(r['peak_gpu_mb']):>11} {r['peak_rss_mb']:>11}")
    by = {r["backend"]: r for r in results}
    if {"unsloth", "peft"} <= set(by):
        print(f"Unsloth / plain PEFT: {by['unsloth']['tokens_per_s'] / by['peft']['tokens_per_s']:.2f}x tokens/s, "
              f"peak memory {((by['unsloth']['peak_gpu_mb'] or by['unsloth']['peak_rss_mb']) / (by['peft']['peak_gpu_mb'] or by['peft']['peak_rss_mb'])):.2f}x")
    print("device:", results[0]["device"])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
