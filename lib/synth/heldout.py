"""What "held out" means: a template's *phrasing* (its core), and the phrasings validation and
test own, which training must never use.

`core` strips what does not make a phrasing: slot numbers, punctuation, case, and the polite
wrappers below (the generator adds them to training templates). So "Can you make a task for {d1}?"
and "make a task for {d2}, thanks" are one phrasing, `make a task for d_`. `lib.synth.compose`
drops every composed template whose core is held out; `lib.synth.checks` asserts that no generated
training row shares a core with a held-out one.
"""

from __future__ import annotations

import re

from lib.synth.slots import SLOT_RE
from lib.synth.templates import MULTI_TURN, TEMPLATES

# Polite wrappers: imperative frames take PREFIXES, every frame may take a TAIL.
PREFIXES = ["", "please ", "hey, ", "ok, ", "could you ", "can you ", "would you ", "go ahead and ",
            "I'd like you to ", "quick one: ", "hi, ", "so, ", "btw, ", "um, ", "right, "]
TAILS = ["", " please", ", thanks", "!", " for me", " thank you", " pls", " now", " thx", " :)", " ok?"]

_WRAPPERS = sorted({" ".join(re.sub(r"[^\w' -]+", " ", w.lower()).split()) for w in PREFIXES + TAILS} - {""},
                   key=lambda w: (-len(w), w))  # longest first; a fixed order whatever the hash seed


def core(template: str) -> str:
    """A template without slot numbers, punctuation, case and polite prefixes/tails: what makes it
    one phrasing. Two templates with the same core are one family."""
    text = SLOT_RE.sub(r" \1_ ", template.lower())  # a slot stays a word: "t_" (task) or "d_" (date)
    text = re.sub(r"[^\w' -]+", " ", text).replace("todo", "to-do")
    words = " ".join(text.split())
    changed = True
    while changed:
        changed = False
        for w in _WRAPPERS:
            if words.startswith(w + " "):
                words, changed = words[len(w) + 1:], True
            elif words.endswith(" " + w):
                words, changed = words[: -len(w) - 1], True
    return words


def held_out_cores() -> set[str]:
    """Every phrasing a validation or test template uses (their last turns included)."""
    cores = {core(text) for families in TEMPLATES.values() for split in ("validation", "test")
             for text, _ in families[split]}
    cores |= {core(text) for split in ("validation", "test") for _, (text, _) in MULTI_TURN[split]}
    return cores
