"""The template families of each split: hand-written ones (lib.synth.templates) for every split,
plus the composed phrasings (lib.synth.compose) for training only."""

from __future__ import annotations

import functools

from lib.synth.compose import composed_multi_turn, composed_templates, done_fact_multi_intent
from lib.synth.slots import Template
from lib.synth.templates import MULTI_TURN, TEMPLATES, TRAIN_V3

Family = tuple[list[Template], Template]  # (earlier turns, the last turn the row is about)


def hand_written_count(split: str, category: str) -> int:
    """How many of `split_families(split)[category]` are hand-written (they come first)."""
    return len(MULTI_TURN[split]) if category == "multi_turn" else len(TEMPLATES[category][split])


@functools.cache
def train_v3() -> dict[str, list[Template]]:
    """Training v3's families per category: hand-written (lib.synth.templates.TRAIN_V3) and composed
    (done statements beside a request), each drawn only by the rows lib.synth.generate appends."""
    return {**TRAIN_V3, "multi_intent": done_fact_multi_intent()}


@functools.cache
def split_families(split: str) -> dict[str, list[Family]]:
    """Per category, the (earlier turns, last turn) families of a split."""
    out = {c: [([], t) for t in TEMPLATES[c][split]] for c in TEMPLATES}
    out["multi_turn"] = list(MULTI_TURN[split])
    if split == "train":
        for c, extra in composed_templates().items():
            out[c] += [([], t) for t in extra]
        out["multi_turn"] += composed_multi_turn()
        for c, extra in train_v3().items():  # last: drawn only by training v3's rows (lib.synth.generate)
            out[c] += [([], t) for t in extra]
    return out
