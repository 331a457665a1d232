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



def _normalized(wrapper: str) -> str:
    return " ".join(re.sub(r"[^\w' -]+", " ", wrapper.lower()).split())


def _alternation(wrappers: list[str]) -> str:
    # longest first, so "thank you" wins over a shorter wrapper; sorted, so the hash seed never matters
    words = sorted({_normalized(w) for w in wrappers} - {""}, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in words)


# A prefix is stripped only at the start and a tail only at the end, and never the last word:
# "hi, thanks" could be a greeting with a tail or a thank-you with a prefix, so the generator
# never wraps conversation turns (lib.synth.compose), and stripping by side keeps one answer.
_PREFIX_RE = re.compile(rf"^(?:{_alternation(PREFIXES)}) (?=.)")
_TAIL_RE = re.compile(rf"(?<=.) (?:{_alternation(TAILS)})$")


def core(template: str) -> str:
    """A template without slot numbers, punctuation, case and polite prefixes/tails: what makes it
    one phrasing. Two templates with the same core are one family."""
    # a slot stays a word: "t_" (task), "d_" (date), "t_obj" / "t_past" (a task's forms)
    text = SLOT_RE.sub(lambda m: f" {m.group(1)}_{m.group(2) or ''} ", template.lower())
    text = re.sub(r"[^\w' -]+", " ", text).replace("todo", "to-do")
    words = " ".join(text.split())
    while True:
        stripped = _TAIL_RE.sub("", _PREFIX_RE.sub("", words))
        if stripped == words:
            return words
        words = stripped


def held_out_cores() -> set[str]:
    """Every phrasing a validation or test template uses (their last turns included)."""
    cores = {core(text) for families in TEMPLATES.values() for split in ("validation", "test")
             for text, _ in families[split]}
    cores |= {core(text) for split in ("validation", "test") for _, (text, _) in MULTI_TURN[split]}
    return cores
