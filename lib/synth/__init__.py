"""The synthetic dataset generator, one concept per module:

    slots.py           the slot language templates are written in ({t1}, {d1}, literal values)
    templates.py       hand-written template families per category and split
    task_phrases.py    what users want done (the titles), split by phrase
    date_phrases.py    date expressions as users type them, with their gold dates
    compose.py         composed training phrasings (verbs x frames x polite wrappers)
    heldout.py         what a phrasing is (`core`) and which phrasings validation/test own
    families.py        the families of each split (hand-written + composed for training)
    assistant_texts.py the <analysis> sentences, <final> replies and reference answers
    checks.py          row validation, split overlap and balance checks, the dataset card
    generate.py        the generator and `write_dataset`
    __main__.py        python -m lib.synth

Rows follow the public schema of `lib.dataset`.
"""

from lib.synth.generate import generate_dataset, generate_split, write_dataset
from lib.synth.templates import CATEGORIES, SPLITS

__all__ = ["CATEGORIES", "SPLITS", "generate_dataset", "generate_split", "write_dataset"]
