"""Training steps on a CPU with the decoder layers compiled (`compile_on_cpu`) and eager, alternately.

    python benchmarks/cpu_training_compile.py --batches 12 --repeats 2

Takes the `cpu` preset's model, LoRA and first training batches in the trainer's order (bucketed,
seed 3407), and times forward + backward of each batch with the layers compiled and eager,
alternating batch by batch in one process: this machine's speed drifts by tens of percent between
runs and even within minutes, so only side-by-side times say what compiling saves. The first
compiled pass (compilation) is reported apart. Also prints each batch's loss both ways.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--batches", type=int, default=12, help="training batches timed (each both ways)")
    p.add_argument("--repeats", type=int, default=1, help="passes over those batches")
    p.add_argument("--data", default="outputs/data")
    a = p.parse_args()

    import unsloth  # noqa: F401
    import torch

    from lib.dataset import load_rows
    from lib.model import load_model
    from lib.train import (IGNORE_INDEX, _decoder_layers, add_lora_layers, bucketed_order, build_train_dataset,
                           compile_decoder_layers, preset_config)

    cfg = preset_config("cpu")
    model, tok = load_model(cfg.model_name, cfg.max_seq_length, load_in_4bit=False)
    eot = model.taskagent_info["end_of_turn"]
    model = add_lora_layers(model, cfg, cuda=False)
    ds, _ = build_train_dataset(tok, load_rows(Path(a.data) / "train.jsonl"), cfg.max_seq_length, eot)
    order = bucketed_order([len(x) for x in ds["input_ids"]], cfg.batch_size, cfg.seed)
    batches = []
    for b in range(a.batches):
        rows = [ds[i] for i in order[b * cfg.batch_size:(b + 1) * cfg.batch_size]]
        n = max(len(r["input_ids"]) for r in rows)
        ids = torch.full((len(rows), n), tok.pad_token_id)
        labels = torch.full((len(rows), n), IGNORE_INDEX)
        mask = torch.zeros((len(rows), n), dtype=torch.long)
        for j, r in enumerate(rows):
            k = len(r["input_ids"])
            ids[j, :k], labels[j, :k], mask[j, :k] = torch.tensor(r["input_ids"]), torch.tensor(r["labels"]), 1
        batches.append((ids, labels, mask, int(mask.sum())))

    count, why_not = compile_decoder_layers(model)
    if not count:
        sys.exit(f"nothing compiled: {why_not}")
    compiled_calls = [layer._compiled_call_impl for layer in _decoder_layers(model)]
    model.train()
    # The trainer's loss path: unsloth_zoo's chunked cross-entropy, switched on on the inner model
    # (the one its patched forward belongs to) as its SFT compute_loss does.
    model.get_base_model()._unsloth_cpu_chunked_ce_active = True

    def step(batch, compiled: bool) -> tuple[float, float]:
        for layer, call in zip(_decoder_layers(model), compiled_calls):
            layer._compiled_call_impl = call if compiled else None
        ids, labels, mask, _ = batch
        model.zero_grad(set_to_none=True)
        t = time.perf_counter()
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        return time.perf_counter() - t, loss.item()

    warm, _ = step(batches[0], True)
    print(f"compile_on_cpu: {count} layers; first compiled pass (compilation included) {warm:.1f} s")
    times = {True: [], False: []}
    tokens = 0
    for rep in range(a.repeats):
        for i, batch in enumerate(batches):
            order_now = (True, False) if (i + rep) % 2 == 0 else (False, True)
            result = {c: step(batch, c) for c in order_now}
            for c in (True, False):
                times[c].append(result[c][0])
            tokens += batch[3]
            print(f"batch {i:2d} ({batch[3]:4d} tokens): compiled {result[True][0]:5.2f} s loss {result[True][1]:.6f}"
                  f" | eager {result[False][0]:5.2f} s loss {result[False][1]:.6f}")
    total = {c: sum(t) for c, t in times.items()}
    print(f"\nforward + backward of {len(times[True])} batches ({tokens} tokens), {torch.get_num_threads()} threads:")
    print(f"  eager    {total[False]:7.1f} s  {tokens / total[False]:6.1f} tokens/s")
    print(f"  compiled {total[True]:7.1f} s  {tokens / total[True]:6.1f} tokens/s")
    ratios = [e / c for e, c in zip(times[False], times[True])]
    print(f"  eager / compiled: {total[False] / total[True]:.2f} overall, median per batch {statistics.median(ratios):.2f}"
          f" (range {min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
