"""Batched versus one-by-one greedy generation (the evaluation's and the server's path).

    python benchmarks/generation_speed.py [--model smollm2] [--adapter DIR] [--rows 16] [--batch-sizes 1 4 16]

Prints prompts/s and tokens/s per batch size on the same held-out prompts, and the speed-up over
batch size 1. With an adapter the tuned model is timed (short answers); without, the base model.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="smollm2")
    p.add_argument("--adapter", default=None, help="LoRA adapter folder (default: the newest one, if any)")
    p.add_argument("--data", default="outputs/data/validation.jsonl")
    p.add_argument("--rows", type=int, default=16)
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument("--max-new-tokens", type=int, default=96)
    a = p.parse_args()

    import torch

    from lib.dataset import load_rows, select_rows
    from lib.generation import generate_batch
    from lib.model import latest_adapter, load_model
    from lib.synth import write_dataset

    if not Path(a.data).exists():
        write_dataset(Path(a.data).parent)
    adapter = a.adapter or latest_adapter()
    model, tok = load_model(a.model, 2048, adapter_dir=adapter)
    rows = select_rows(load_rows(a.data), a.rows)
    convs = [r.prompt() for r in rows]
    generate_batch(model, tok, convs[:2], max_new_tokens=8, batch_size=2, progress=False)  # warm-up
    results = []
    for bs in a.batch_sizes:
        texts, stats = generate_batch(model, tok, convs, max_new_tokens=a.max_new_tokens, batch_size=bs, progress=False)
        results.append({"batch_size": bs, "prompts_per_s": round(len(convs) / stats["seconds"], 3),
                        "tokens_per_s": round(stats["tokens_per_s"], 1), "seconds": round(stats["seconds"], 1),
                        "new_tokens": stats["new_tokens"]})
    base = results[0]["prompts_per_s"]
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    print(f"\nmodel {model.taskagent_info['path']} · adapter {adapter} · {len(convs)} prompts · {device}")
    print(f"{'batch':>5} {'prompts/s':>10} {'tokens/s':>9} {'seconds':>8} {'speed-up':>9}")
    for r in results:
        print(f"{r['batch_size']:>5} {r['prompts_per_s']:>10.2f} {r['tokens_per_s']:>9.1f} {r['seconds']:>8.1f} "
              f"{r['prompts_per_s'] / base:>8.2f}x")
    print(json.dumps({"device": device, "model": model.taskagent_info["path"], "adapter": str(adapter), "results": results}))


if __name__ == "__main__":
    main()
