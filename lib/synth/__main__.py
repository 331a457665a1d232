"""python -m lib.synth [--out outputs/data] [--seed 3407] [--train N --validation N --test N]"""

from __future__ import annotations

import argparse
import json
from typing import Optional

from lib.synth.generate import DEFAULT_SIZES, write_dataset
from lib.synth.templates import SPLITS


def main(argv: Optional[list[str]] = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m lib.synth", description="Generate the taskagent dataset.")
    ap.add_argument("--out", default="outputs/data")
    ap.add_argument("--seed", type=int, default=3407)
    for split, n in DEFAULT_SIZES.items():
        ap.add_argument(f"--{split}", type=int, default=n, help=f"rows (default {n})")
    args = ap.parse_args(argv)
    card = write_dataset(args.out, {s: getattr(args, s) for s in SPLITS}, args.seed)
    print(json.dumps({k: card[k] for k in ("sizes", "unique_user_messages", "overlap")}, indent=2))


if __name__ == "__main__":
    main()
