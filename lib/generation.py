"""Prompt rendering and batched greedy generation (left padding, KV cache, stop at the closing
tag or end of turn). Shared by evaluation, the chat widget and the server."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any, Callable, Optional, Sequence

if os.environ.get("TASKAGENT_PLAIN_PROGRESS"):  # headless runs: a text bar the saved notebook keeps
    from tqdm import tqdm
else:
    from tqdm.auto import tqdm

from lib.prompts import ChatPrompt, template_kwargs
from lib.retry import RETRY_BEAMS

STOP_STRINGS = ["</action>", "</final>"]
# Longest answer we generate: the longest reference answer (three calls) is well under it, and a
# base model that rambles is cut here instead of writing for seconds.
MAX_NEW_TOKENS = 128


def render_prompt(tokenizer, prompt: ChatPrompt, answer: Optional[str] = None) -> str:
    """The model's own chat template with the prompt's date pinned (Llama-3.x writes 'Today Date'
    itself otherwise): ready for generation, or with `answer` as the assistant's turn (training)."""
    messages = list(prompt.messages)
    if answer is not None:
        messages.append({"role": "assistant", "content": answer})
    return tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=answer is None, **template_kwargs(prompt.today)
    )


def stop_token_ids(model, tokenizer) -> list[int]:
    info = getattr(model, "taskagent_info", {})
    ids = [info.get("end_of_turn_id"), tokenizer.eos_token_id]
    return list(dict.fromkeys(i for i in ids if i is not None))


def _compute_context(model):
    """bf16 autocast on CPUs with bf16 hardware (about 2x faster for SmolLM2 than fp32, as in
    training); GPUs run in the dtype the model was loaded with. On a CPU also grouped-query
    attention without copies (`_sdpa_gqa_on_cpu`)."""
    import torch

    stack = contextlib.ExitStack()
    if model.device.type == "cpu":
        if SHARE_KV_HEADS_ON_CPU:
            stack.enter_context(_sdpa_gqa_on_cpu())
        try:
            from unsloth_zoo.cpu.runtime import cpu_bf16_supported
        except ImportError:  # unsloth_zoo without its CPU backend
            return stack
        if cpu_bf16_supported():
            stack.enter_context(torch.autocast("cpu", dtype=torch.bfloat16))
    return stack


SHARE_KV_HEADS_ON_CPU = True  # False: transformers' KV copies (benchmarks/cpu_generation_switches.py compares)
TRANSPOSE_WEIGHTS_ON_CPU = True  # False: every batch decodes with the weights' own layout (same benchmark)
_GQA = threading.local()  # .active: this thread is generating on a CPU


@contextlib.contextmanager
def _sdpa_gqa_on_cpu():
    """Let torch's SDPA share each key/value head among its query heads (`enable_gqa`) on a CPU,
    while this thread generates.

    transformers only does so without an attention mask; with one (left padding: every batch of
    generation has one) it first copies the whole KV cache `num_key_value_groups` times per layer
    and per new token. For SmolLM2-135M (9 query heads, 3 KV heads) and 16 contract prompts of
    ~470 tokens that copy was a third of a decoding step. torch's CPU SDPA takes `enable_gqa` with
    a mask and gives the same numbers (`tests/test_generation.py`). The hook is installed once and
    asks a thread-local flag, so server threads and training (which never sets it) are unaffected;
    a transformers without the hook is left as it is."""
    try:
        from transformers.integrations import sdpa_attention
    except ImportError:
        sdpa_attention = None
    original = getattr(sdpa_attention, "use_gqa_in_sdpa", None)
    if original is not None and not getattr(original, "_taskagent_hook", False):

        def use_gqa_in_sdpa(attention_mask, key, *args, **kwargs):
            if getattr(_GQA, "active", False) and key.device.type == "cpu":
                return original(None, key, *args, **kwargs)  # transformers' own answer as if unmasked
            return original(attention_mask, key, *args, **kwargs)

        use_gqa_in_sdpa._taskagent_hook = True
        sdpa_attention.use_gqa_in_sdpa = use_gqa_in_sdpa
    before = getattr(_GQA, "active", False)
    _GQA.active = True
    try:
        yield
    finally:
        _GQA.active = before


@contextlib.contextmanager
def _weights_transposed_on_cpu(model, enabled: bool = True):
    """Lay every linear layer's weight out as a transposed copy while a batch is decoded on a CPU.

    `F.linear(x, W)` multiplies by W's transpose. For a decoding step's few rows (one per prompt
    of the batch) MKL does that 2-4x faster when the transpose is contiguous in memory than from
    the stored [out, in] weight (SmolLM2's 576x1536 projection at 16 rows: 0.29 ms against 1.11;
    its 49,152-row LM head: 17 ms against 35); at prefill's thousands of rows both are the same.
    The values are the same tensors, only their strides change; the layout is restored on exit,
    so training (and its adapter's bytes) never sees it. Costs ~1 s for SmolLM2-135M (both ways),
    so `generate_batch` asks for it only when it decodes several prompts at once; the chat widget
    and the server decode one, where one row gains nothing. Plain `torch.nn.Linear` only: 4-bit and
    other quantised layers keep their own kernels. Outside inference mode, so that the swapped
    tensors stay trainable parameters' ordinary data."""
    import torch

    weights = {}
    if enabled and TRANSPOSE_WEIGHTS_ON_CPU:
        for module in model.modules():
            w = module.weight if type(module) is torch.nn.Linear else None
            if w is not None and w.device.type == "cpu" and w.is_floating_point():
                weights[id(w)] = w  # a tied LM head and embedding share one tensor: once
    with torch.no_grad():
        for w in weights.values():
            w.data = w.data.t().contiguous().t()
    try:
        yield
    finally:
        with torch.no_grad():
            for w in weights.values():
                w.data = w.data.contiguous()


@contextlib.contextmanager
def _decoding(model, tokenizer):
    """Left padding (a batch's prompts end where generation starts) and eval mode while a batch
    is generated; both restored afterwards, also on an error, so a training run or another caller
    finds the tokenizer and model as it left them."""
    old_side = tokenizer.padding_side
    was_training = model.training
    tokenizer.padding_side = "left"
    model.eval()
    try:
        yield
    finally:
        tokenizer.padding_side = old_side
        model.train(was_training)


def generate_batch(
    model,
    tokenizer,
    prompts: Sequence[ChatPrompt],
    max_new_tokens: int = MAX_NEW_TOKENS,
    batch_size: int = 8,
    logits_processor_factory: Optional[Callable[[], Any]] = None,
    progress: bool = True,
    desc: str = "generating",
) -> tuple[list[str], dict[str, float]]:
    """Greedy completions for many prompts, batched by prompt length. Returns the texts (in input
    order) and timing stats (seconds, new tokens, tokens/s, mean latency per prompt)."""
    import torch

    texts = [render_prompt(tokenizer, p) for p in prompts]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    outputs: list[str] = [""] * len(texts)
    new_tokens = 0
    stops = stop_token_ids(model, tokenizer)
    start = time.perf_counter()
    with _decoding(model, tokenizer):
        bar = tqdm(total=len(texts), desc=desc, disable=not progress)
        with _weights_transposed_on_cpu(model, enabled=len(texts) > 1 and batch_size > 1):
            for b in range(0, len(order), batch_size):
                idx = order[b : b + batch_size]
                enc = tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False)
                enc = {k: v.to(model.device) for k, v in enc.items()}
                kwargs: dict[str, Any] = dict(
                    max_new_tokens=max_new_tokens, do_sample=False, use_cache=True, eos_token_id=stops,
                    pad_token_id=tokenizer.pad_token_id, stop_strings=STOP_STRINGS, tokenizer=tokenizer,
                )
                if logits_processor_factory is not None:
                    from transformers import LogitsProcessorList

                    kwargs["logits_processor"] = LogitsProcessorList([logits_processor_factory()])
                with torch.inference_mode(), _compute_context(model):
                    out = model.generate(**enc, **kwargs)
                gen = out[:, enc["input_ids"].shape[1] :]
                for row, i in enumerate(idx):
                    ids = gen[row]
                    keep = ids[(ids != tokenizer.pad_token_id)]
                    new_tokens += int(keep.numel())
                    outputs[i] = tokenizer.decode(keep, skip_special_tokens=True)
                bar.update(len(idx))
        bar.close()
    seconds = time.perf_counter() - start
    stats = {"seconds": seconds, "prompts": len(texts), "new_tokens": new_tokens,
             "tokens_per_s": new_tokens / seconds if seconds else 0.0,
             "latency_per_prompt_s": seconds / max(len(texts), 1)}
    return outputs, stats


def _cut_at_stop(text: str) -> str:
    """The text up to and including the first closing tag, as `stop_strings` would end it."""
    ends = [text.find(s) + len(s) for s in STOP_STRINGS if s in text]
    return text[: min(ends)] if ends else text


def generate_alternatives(
    model,
    tokenizer,
    prompts: Sequence[ChatPrompt],
    beams: int = RETRY_BEAMS,
    max_new_tokens: int = MAX_NEW_TOKENS,
    batch_size: int = 4,
) -> list[list[str]]:
    """The model's `beams` best answers per prompt by beam search, best first (lib.retry asks for
    them only when the greedy answer cannot be carried out). Same prompts and stops as
    `generate_batch` and its compute context (bf16 autocast and shared KV heads on a CPU), but not
    its transposed weights: the retry decodes a few prompts, where their ~1 s set-up would not pay.
    Each answer is cut at its first closing tag."""
    import torch

    texts = [render_prompt(tokenizer, p) for p in prompts]
    out_texts: list[list[str]] = [[] for _ in texts]
    stops = stop_token_ids(model, tokenizer)
    with _decoding(model, tokenizer):
        for b in range(0, len(texts), batch_size):
            idx = list(range(b, min(b + batch_size, len(texts))))
            enc = tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False)
            enc = {k: v.to(model.device) for k, v in enc.items()}
            with torch.inference_mode(), _compute_context(model):
                out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, num_beams=beams,
                                     num_return_sequences=beams, early_stopping=True, use_cache=True,
                                     eos_token_id=stops, pad_token_id=tokenizer.pad_token_id)
            gen = out[:, enc["input_ids"].shape[1]:]
            for j, i in enumerate(idx):
                for ids in gen[j * beams:(j + 1) * beams]:
                    keep = ids[ids != tokenizer.pad_token_id]
                    out_texts[i].append(_cut_at_stop(tokenizer.decode(keep, skip_special_tokens=True)))
    return out_texts


def make_alternatives_fn(model, tokenizer, beams: int = RETRY_BEAMS, max_new_tokens: int = MAX_NEW_TOKENS):
    """An `alternatives(prompt) -> list[str]` callable for `lib.agent.Agent` (lib.retry)."""
    def alternatives(prompt: ChatPrompt) -> list[str]:
        return generate_alternatives(model, tokenizer, [prompt], beams=beams, max_new_tokens=max_new_tokens)[0]

    return alternatives


def make_generate_fn(model, tokenizer, max_new_tokens: int = MAX_NEW_TOKENS, logits_processor_factory=None):
    """A `generate(prompt) -> str` callable for `lib.agent.Agent`."""
    def generate(prompt: ChatPrompt) -> str:
        texts, _ = generate_batch(model, tokenizer, [prompt], max_new_tokens=max_new_tokens, batch_size=1,
                                  logits_processor_factory=logits_processor_factory, progress=False)
        return texts[0]

    return generate
