"""Date expressions as users type them ("by Friday", "on the 2nd of April", "in three days"), each
with its ISO gold date from the one resolver, `lib.dates.resolve_date`."""

from __future__ import annotations

import datetime as dt
import random

from lib.dates import MONTH_NAMES, NUMBER_WORDS, WEEKDAYS, ordinal, resolve_date

_NUMBER_NAMES = {n: w for w, n in NUMBER_WORDS.items() if w != "a"}


def date_expression(rng: random.Random, today: dt.date) -> tuple[str, str]:
    """A date phrase as a user would type it, and its ISO gold (through the one resolver)."""
    kind = rng.randrange(14)
    wd = rng.choice(WEEKDAYS).capitalize()
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 29) if rng.random() < 0.9 else rng.choice([29, 30, 31])
    if kind in (0, 1):
        text = rng.choice(["tomorrow", "by tomorrow", "for tomorrow"])
    elif kind == 2:
        text = rng.choice(["today", "tonight", "by tonight", "the day after tomorrow"])
    elif kind == 3:
        n = rng.randrange(2, 13)
        text = f"in {rng.choice([str(n), _NUMBER_NAMES[n]])} days"
    elif kind == 4:
        text = rng.choice(["in a week", "in 2 weeks", "in three weeks", "in two weeks"])
    elif kind in (5, 6):
        text = rng.choice([f"on {wd}", f"by {wd}", f"{wd}"])
    elif kind == 7:
        text = f"this {wd}"
    elif kind == 8:
        text = f"next {wd}"
    elif kind == 9:
        text = rng.choice(["by the end of the week", "by the end of the month", "end of the month"])
    elif kind in (10, 11):
        name = MONTH_NAMES[month - 1]
        text = rng.choice([f"on {name} {day}", f"by {day} {name}", f"on the {ordinal(day)} of {name}",
                           f"by {name} {ordinal(day)}"])
    elif kind == 12:
        text = "on " + (today + dt.timedelta(days=rng.randrange(1, 400))).isoformat()
    else:
        year = rng.choice([y for y in range(today.year, today.year + 9) if y % 4 == 0 and dt.date(y, 2, 29) >= today])
        text = rng.choice(["on February 29", f"by {year}-02-29"])
    try:
        return text, resolve_date(text, today).isoformat()
    except ValueError:  # e.g. "on April 31": never generated as a gold date
        return date_expression(rng, today)
