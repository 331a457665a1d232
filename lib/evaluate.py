"""Honest evaluation: base versus tuned on held-out rows, greedy, identical prompts.

Generation goes through `lib.generation.generate_batch`; "base" is the same loaded model with its
adapter disabled (`model.disable_adapter()`), never a second copy; "base+grammar" is the base
under constrained decoding; "tuned+retry" is the tuned model's greedy answers where they can be
carried out, and its next-best answer that can where they cannot (lib.retry). The systems see
the same conversations but not the same system prompt: "tuned" gets the short prompt it was
trained with (the adapter records which), the base model (which was never taught the contract)
the prompt that spells the contract out (lib.prompts); reports say so.
Scoring is `lib.scoring`, reports are `lib.report`.

    python -m lib.evaluate --adapter outputs/adapters/cpu --data outputs/data/test.jsonl --out DIR
    python -m lib.evaluate --backend openai --base-url http://localhost:8000/v1 --served-model taskagent \
        --data outputs/data/test.jsonl --out DIR          # a model served by vLLM, llama.cpp, Ollama...
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import time
from typing import Any, Iterable, Optional, Sequence

from lib.dataset import Row, load_rows, select_rows
from lib.generation import MAX_NEW_TOKENS, generate_alternatives, generate_batch
from lib.grammar import contract_processor_factory
from lib.prompts import PROMPT_STYLES, TRAINED_PROMPT_STYLE
from lib.report import comparison_table, write_report
from lib.retry import choose_answer, dry_run_errors, should_retry
from lib.scoring import family_of, score_row, summarize

SYSTEMS = ("base", "base+grammar", "tuned", "tuned+retry")


def run_system(model, tokenizer, rows: Sequence[Row], system: str, batch_size: int = 16,
               max_new_tokens: int = MAX_NEW_TOKENS, progress: bool = True,
               greedy: Optional[tuple[list[str], dict[str, Any]]] = None) -> dict[str, Any]:
    """Generate and score one system: "tuned" (adapter on), "base" (adapter disabled), or
    "base+grammar" (adapter disabled, constrained decoding). A model without an adapter can only
    be "base" or "base+grammar". "tuned+retry" starts from `greedy` (the "tuned" outputs and stats
    of the same rows) when given, instead of generating them again."""
    has_adapter = hasattr(model, "disable_adapter") and bool(getattr(model, "peft_config", None))
    if system in ("tuned", "tuned+retry") and not has_adapter:
        raise ValueError(f"{system!r} needs a model loaded with an adapter (load_model(..., adapter_dir=...))")
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
    factory = contract_processor_factory(model, tokenizer) if system == "base+grammar" else None
    tuned = system.startswith("tuned")
    context = model.disable_adapter() if (not tuned and has_adapter) else contextlib.nullcontext()
    style = prompt_style_for(model, system)
    with context:
        if system == "tuned+retry" and greedy is not None:
            texts, stats = list(greedy[0]), dict(greedy[1])
        else:
            texts, stats = generate_batch(model, tokenizer, [r.prompt(style) for r in rows], max_new_tokens=max_new_tokens,
                                          batch_size=batch_size, logits_processor_factory=factory, progress=progress,
                                          desc=system)
    if system == "tuned+retry":
        texts, stats = retry_failing(model, tokenizer, rows, texts, stats, progress)
    scored = [score_row(r, t) for r, t in zip(rows, texts)]
    return {"system": system, "prompt_style": style, "outputs": texts, "scored": scored, "stats": stats,
            **summarize(rows, scored)}


def retry_failing(model, tokenizer, rows: Sequence[Row], first: Sequence[str], first_stats: dict[str, Any],
                  progress: bool = True) -> tuple[list[str], dict[str, Any]]:
    """The tuned model's greedy answers `first`, each that cannot be carried out on its row's store
    replaced as `lib.retry.choose_answer` says (beam-search alternatives, generated for those rows
    only). Stats: the greedy run's plus the retries' time, and how many rows were retried / changed."""
    style = prompt_style_for(model, "tuned")
    errors = [dry_run_errors(t, r.prepare_store(), r.today, user=r.message) for r, t in zip(rows, first)]
    failing = [i for i, e in enumerate(errors) if should_retry(e)]
    start = time.perf_counter()
    alternatives = generate_alternatives(model, tokenizer, [rows[i].prompt(style) for i in failing]) if failing else []
    texts, changed = list(first), 0
    for i, alts in zip(failing, alternatives):
        texts[i], used = choose_answer(first[i], alts, rows[i].prepare_store(), rows[i].today, errors=errors[i],
                                       user=rows[i].message)
        changed += used is not None
    seconds = first_stats["seconds"] + time.perf_counter() - start
    stats = {**first_stats, "seconds": seconds, "latency_per_prompt_s": seconds / max(len(rows), 1),
             "tokens_per_s": first_stats["new_tokens"] / seconds if seconds else 0.0,
             "retried": len(failing), "answers_changed": changed}
    if progress:
        print(f"tuned+retry: {len(failing)} of {len(rows)} greedy answers could not be carried out; "
              f"{changed} replaced by a next-best answer that can ({time.perf_counter() - start:.0f} s)")
    return texts, stats


def prompt_style_for(model, system: str) -> str:
    """The tuned model gets the prompt it was trained with; a base model the one with the contract."""
    tuned = system.startswith("tuned")
    return getattr(model, "taskagent_info", {}).get("prompt_style", TRAINED_PROMPT_STYLE) if tuned else "contract"


def evaluate_remote(backend, rows: Sequence[Row], concurrency: int = 8, system: str = "served") -> dict[str, Any]:
    """One system on an OpenAI-compatible engine (lib.remote), scored exactly like the in-process
    ones; the engine batches the concurrent requests."""
    start, tokens_before = time.perf_counter(), backend.completion_tokens
    texts = backend.generate_many([r.prompt(backend.prompt_style) for r in rows], concurrency)
    seconds = time.perf_counter() - start
    tokens = backend.completion_tokens - tokens_before
    stats = {"seconds": seconds, "prompts": len(rows), "new_tokens": tokens, "tokens_per_s": tokens / seconds,
             "latency_per_prompt_s": seconds / max(len(rows), 1), "concurrency": concurrency}
    scored = [score_row(r, t) for r, t in zip(rows, texts)]
    result = {"system": system, "prompt_style": backend.prompt_style, "outputs": texts, "scored": scored,
              "stats": stats, "rows": len(rows), **summarize(rows, scored)}
    return {"created": dt.datetime.now().isoformat(timespec="seconds"), "model": dict(backend.info), "rows": len(rows),
            "categories": dict(collections.Counter(r.category or "uncategorized" for r in rows)),
            "settings": {"concurrency": concurrency, "max_new_tokens": backend.max_tokens, "decoding": "greedy"},
            "row_ids": [r.id for r in rows], "families": [family_of(r) for r in rows], "systems": {system: result}}


def evaluate(model, tokenizer, rows: Sequence[Row], systems: Iterable[str] = ("base", "tuned"),
             batch_size: int = 16, max_new_tokens: int = MAX_NEW_TOKENS, progress: bool = True,
             grammar_limit: Optional[int] = None) -> dict[str, Any]:
    """Every system on the same rows. Returns a report dict (see `write_report`).

    Constrained decoding costs a grammar step per token in Python (~0.1-0.3 s on a CPU), so
    "base+grammar" can be limited to the first `grammar_limit` rows (still spread over
    categories by `select_rows`); its k/n in the tables shows the smaller n."""
    info = dict(getattr(model, "taskagent_info", {}))
    results = {}
    for s in systems:
        subset = list(rows[:grammar_limit]) if (s == "base+grammar" and grammar_limit) else list(rows)
        greedy = (results["tuned"]["outputs"], results["tuned"]["stats"]) if s == "tuned+retry" and "tuned" in results else None
        results[s] = run_system(model, tokenizer, subset, s, batch_size, max_new_tokens, progress, greedy)
        results[s]["rows"] = len(subset)
    return {"created": dt.datetime.now().isoformat(timespec="seconds"), "model": info, "rows": len(rows),
            "categories": dict(collections.Counter(r.category or "uncategorized" for r in rows)),
            "settings": {"batch_size": batch_size, "max_new_tokens": max_new_tokens, "decoding": "greedy"},
            "row_ids": [r.id for r in rows], "families": [family_of(r) for r in rows], "systems": results}


def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m lib.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=["local", "openai"], default="local",
                   help="local: load the model here; openai: an OpenAI-compatible server (vLLM, llama.cpp, Ollama)")
    p.add_argument("--base-url", default=None, help="openai backend: the server, e.g. http://localhost:8000/v1")
    p.add_argument("--served-model", default=None, help="openai backend: the model name the server serves")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", help="openai backend: env variable with the API key")
    p.add_argument("--concurrency", type=int, default=8, help="openai backend: requests in flight")
    p.add_argument("--engine-grammar", choices=["vllm", "llama.cpp"], default=None,
                   help="openai backend: constrain output to the contract with the engine's own grammar support")
    p.add_argument("--prompt-style", choices=list(PROMPT_STYLES), default=TRAINED_PROMPT_STYLE,
                   help="openai backend: what the adapter was trained with (listed since 2026-11-29, "
                        "compact before), contract for a base model")
    p.add_argument("--model", default=None, help="HF name or folder; 'smollm2'/'tiny' for the offline models "
                   "(default: the GPU model with CUDA, smollm2 without)")
    p.add_argument("--adapter", default=None, help="LoRA adapter folder; without it only the base is scored")
    p.add_argument("--data", required=True, help="a .jsonl file in the public test-file schema")
    p.add_argument("--out", required=True, help="output folder for the report")
    p.add_argument("--limit", type=int, default=None, help="score only N rows (spread over categories)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS)
    p.add_argument("--max-seq-length", type=int, default=2048)
    p.add_argument("--grammar", action="store_true", help="add a 'base+grammar' column (constrained decoding)")
    p.add_argument("--grammar-limit", type=int, default=None, help="run 'base+grammar' on the first N rows only")
    p.add_argument("--retry", action="store_true", help="add a 'tuned+retry' column (lib.retry; needs --adapter)")
    p.add_argument("--load-in-4bit", action=argparse.BooleanOptionalAction, default=None,
                   help="default: 4-bit with a GPU, full precision on a CPU")
    a = p.parse_args(argv)
    rows = select_rows(load_rows(a.data), a.limit)
    if a.backend == "openai":
        if not (a.base_url and a.served_model):
            p.error("--backend openai needs --base-url and --served-model")
        from lib.remote import OpenAICompatible

        backend = OpenAICompatible(a.base_url, a.served_model, api_key_env=a.api_key_env, max_tokens=a.max_new_tokens,
                                   grammar=a.engine_grammar, prompt_style=a.prompt_style)
        report = evaluate_remote(backend, rows, a.concurrency)
        paths = write_report(report, rows, a.out)
        print(comparison_table(report))
        print("\n".join(f"{k}: {v}" for k, v in paths.items()))
        return report
    from lib.model import load_model  # torch: only once the arguments are known to be good

    model, tokenizer = load_model(a.model, a.max_seq_length, load_in_4bit=a.load_in_4bit, adapter_dir=a.adapter)
    if a.retry and not a.adapter:
        p.error("--retry needs --adapter")
    systems = ["base"] + (["base+grammar"] if a.grammar else []) + (["tuned"] if a.adapter else []) \
        + (["tuned+retry"] if a.retry else [])
    report = evaluate(model, tokenizer, rows, systems, a.batch_size, a.max_new_tokens, grammar_limit=a.grammar_limit)
    paths = write_report(report, rows, a.out)
    print(comparison_table(report))
    print("\n".join(f"{k}: {v}" for k, v in paths.items()))
    return report


if __name__ == "__main__":
    main()
