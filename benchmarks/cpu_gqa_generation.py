"""Greedy generation on a CPU with and without KV-head copies (`lib.generation.SHARE_KV_HEADS_ON_CPU`).

    python benchmarks/cpu_gqa_generation.py --rows 16 --repeats 2
    python benchmarks/cpu_gqa_generation.py --adapter outputs/adapters/cpu --rows 32

Generates the same test rows alternately with the hook (torch SDPA shares each KV head among its
query heads) and without it (transformers' default under an attention mask: the KV cache copied
`num_key_value_groups` times per layer and token), in one process so that the machine's speed,
which drifts between runs here, is the same for both. Prints seconds per pass, the ratio, and
whether every answer is identical. Base rows use the contract prompt (long), tuned rows the
adapter's own prompt (short), as notebook 03 does.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="smollm2")
    p.add_argument("--adapter", default=None, help="also time the tuned model (its own prompt style)")
    p.add_argument("--data", default="outputs/data/test.jsonl")
    p.add_argument("--rows", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--repeats", type=int, default=2, help="passes per variant, alternating")
    a = p.parse_args()

    import lib.generation as generation
    from lib.dataset import load_rows, select_rows
    from lib.model import load_model

    model, tok = load_model(a.model, 2048, adapter_dir=a.adapter)
    rows = select_rows(load_rows(a.data), a.rows)
    systems = [("base", "contract")] + ([("tuned", model.taskagent_info["prompt_style"])] if a.adapter else [])
    for system, style in systems:
        prompts = [r.prompt(style) for r in rows]
        seconds: dict[str, list[float]] = {"shared KV heads": [], "copied KV heads": []}
        texts: dict[str, list[str]] = {}
        for _ in range(a.repeats):
            for label, share in (("shared KV heads", True), ("copied KV heads", False)):
                generation.SHARE_KV_HEADS_ON_CPU = share
                try:
                    with model.disable_adapter() if system == "base" and a.adapter else contextlib.nullcontext():
                        out, stats = generation.generate_batch(model, tok, prompts, batch_size=a.batch_size,
                                                               progress=False)
                finally:
                    generation.SHARE_KV_HEADS_ON_CPU = True
                seconds[label].append(stats["seconds"])
                texts.setdefault(label, out)
        shared, copied = (statistics.median(seconds[k]) for k in ("shared KV heads", "copied KV heads"))
        print(f"{system} ({style} prompt, {len(rows)} rows, batch {a.batch_size}): "
              + ", ".join(f"{k} {' / '.join(f'{s:.1f}' for s in v)} s" for k, v in seconds.items())
              + f"; median ratio {shared / copied:.2f}; identical answers: "
              + f"{sum(x == y for x, y in zip(texts['shared KV heads'], texts['copied KV heads']))}/{len(rows)}")


if __name__ == "__main__":
    main()
