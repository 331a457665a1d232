"""Greedy generation on a CPU with one of `lib.generation`'s CPU switches on and off.

    python benchmarks/cpu_generation_switches.py --switch share_kv_heads --rows 16 --repeats 2
    python benchmarks/cpu_generation_switches.py --switch transposed_weights --adapter outputs/adapters/cpu --rows 32

Switches: `share_kv_heads` (`SHARE_KV_HEADS_ON_CPU`: torch SDPA shares each KV head among its
query heads, instead of transformers' default under an attention mask, the KV cache copied
`num_key_value_groups` times per layer and token) and `transposed_weights`
(`TRANSPOSE_WEIGHTS_ON_CPU`: linear weights laid out transposed while a batch decodes). Generates
the same test rows alternately with the switch on and off, in one process so that the machine's
speed, which drifts between runs here, is the same for both. Prints seconds per pass, the ratio,
and whether every answer is identical. Base rows use the contract prompt (long), tuned rows the
adapter's own prompt (short), as notebook 03 does.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SWITCHES = {"share_kv_heads": "SHARE_KV_HEADS_ON_CPU", "transposed_weights": "TRANSPOSE_WEIGHTS_ON_CPU"}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--switch", choices=sorted(SWITCHES), required=True)
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
    switch = SWITCHES[a.switch]
    systems = [("base", "contract")] + ([("tuned", model.taskagent_info["prompt_style"])] if a.adapter else [])
    for system, style in systems:
        prompts = [r.prompt(style) for r in rows]
        seconds: dict[str, list[float]] = {"on": [], "off": []}
        texts: dict[str, list[str]] = {}
        for _ in range(a.repeats):
            for label in ("on", "off"):
                setattr(generation, switch, label == "on")
                try:
                    with model.disable_adapter() if system == "base" and a.adapter else contextlib.nullcontext():
                        out, stats = generation.generate_batch(model, tok, prompts, batch_size=a.batch_size,
                                                               progress=False)
                finally:
                    setattr(generation, switch, True)
                seconds[label].append(stats["seconds"])
                texts.setdefault(label, out)
        on, off = (statistics.median(seconds[k]) for k in ("on", "off"))
        print(f"{switch}, {system} ({style} prompt, {len(rows)} rows, batch {a.batch_size}): "
              + ", ".join(f"{k} {' / '.join(f'{s:.1f}' for s in v)} s" for k, v in seconds.items())
              + f"; median ratio on/off {on / off:.2f}; identical answers: "
              + f"{sum(x == y for x, y in zip(texts['on'], texts['off']))}/{len(rows)}")


if __name__ == "__main__":
    main()
