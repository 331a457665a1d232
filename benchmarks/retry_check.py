"""What the checked retry (lib.retry) does to an adapter's answers, and what it risks.

    python benchmarks/retry_check.py --experiment outputs/experiments/buckets_s7 --data outputs/data/validation.jsonl

Takes the experiment's adapter and its greedy answers (outputs_<split>.jsonl, written by
`experiment.py`), replaces each that cannot be carried out as `lib.evaluate.retry_failing` does,
and writes the result to outputs/experiments/<name>_retry/outputs_<split>.jsonl, so that
`rescore.py NEW --against OLD` compares the two answer sets row by row (pooled over seeds too).

--probe measures the risk: a retry may turn an answer that *should* fail into one that changes
the store. Every single-turn complete/delete/update/restore row of the split whose gold names a
task is taken with that task removed from the store, so the right answer now fails ("not found")
and must change nothing. Printed: how many of those rows end with a changed store, greedy and
with the retry, and which.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.dataset import load_rows, normalize_title  # noqa: E402
from lib.parser import parse_response  # noqa: E402
from lib.store import title_key  # noqa: E402

PROBE_CATEGORIES = ("complete", "delete", "update", "restore")


def probe_rows(rows):
    """The rows of the risk probe: the task the gold call names taken out of the store."""
    out = []
    for r in rows:
        if r.category in PROBE_CATEGORIES and len(r.messages) == 1 and len(r.gold) == 1:
            named = title_key(normalize_title(str(r.gold[0].args.get("title", ""))))
            kept = [t for t in r.tasks if title_key(normalize_title(t["title"])) != named]
            if len(kept) < len(r.tasks):
                out.append(r.model_copy(update={"tasks": kept}))
    return out


def store_changed(row, raw: str) -> bool:
    from lib.executor import execute_block

    parsed = parse_response(raw, "lenient")
    store = row.prepare_store()
    before = store.snapshot()
    if parsed.ok and parsed.kind == "action":
        execute_block(parsed.calls, store, row.today)
    return store.snapshot() != before


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--experiment", required=True, help="an experiment folder with adapter/ and outputs_<split>.jsonl")
    p.add_argument("--data", required=True)
    p.add_argument("--split", default="validation")
    p.add_argument("--probe", action="store_true", help="also run the risk probe")
    a = p.parse_args()
    from lib.evaluate import prompt_style_for, retry_failing
    from lib.generation import generate_batch
    from lib.model import load_model

    exp = Path(a.experiment)
    rows = {r.id: r for r in load_rows(a.data)}
    greedy = [json.loads(line) for line in open(exp / f"outputs_{a.split}.jsonl", encoding="utf-8")]
    chosen = [rows[g["id"]] for g in greedy]
    model, tokenizer = load_model("smollm2", 1024, load_in_4bit=False, adapter_dir=str(exp / "adapter"))
    texts, stats = retry_failing(model, tokenizer, chosen, [g["output"] for g in greedy],
                                 {"seconds": 0.0, "new_tokens": 0})
    out = exp.parent / f"{exp.name}_retry"
    out.mkdir(exist_ok=True)
    with open(out / f"outputs_{a.split}.jsonl", "w", encoding="utf-8") as f:
        for row, text in zip(chosen, texts):
            f.write(json.dumps({"id": row.id, "output": text}, ensure_ascii=False) + "\n")
    summary = {"rows": len(chosen), "retried": stats["retried"], "answers_changed": stats["answers_changed"],
               "retry_seconds": round(stats["seconds"], 1)}
    if a.probe:
        probe = probe_rows(rows.values())
        style = prompt_style_for(model, "tuned")
        first, first_stats = generate_batch(model, tokenizer, [r.prompt(style) for r in probe], progress=False)
        retried, probe_stats = retry_failing(model, tokenizer, probe, first, first_stats, progress=False)
        harm = [(r, t) for r, t in zip(probe, retried) if store_changed(r, t)]
        summary["probe"] = {"rows": len(probe), "retried": probe_stats["retried"],
                            "store_changed_greedy": sum(store_changed(r, t) for r, t in zip(probe, first)),
                            "store_changed_retry": len(harm)}
        for r, t in harm:
            print(f"  changed: {r.category}: {r.messages[-1]['content']!r} -> {' '.join(t.split())[-90:]}")
    (out / f"retry_{a.split}.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
