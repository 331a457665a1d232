"""Date expressions as users type them ("by Friday", "on the 2nd of April", "in three days"), each
with its ISO gold date from the one resolver, `lib.dates.resolve_date`. The reference answer
passes the user's words on (`date_argument`: without a leading "by"/"on"/"for"/"due"), and the
executor resolves them: the model copies, the code counts."""

from __future__ import annotations

import datetime as dt
import random
import re

from lib.dates import MONTH_NAMES, NUMBER_WORDS, WEEKDAYS, DateNotUnderstood, ordinal, resolve_date

_NUMBER_NAMES = {n: w for w, n in NUMBER_WORDS.items() if w != "a"}
_LEADING = re.compile(r"^(?:due on|due by|due|on|by|for|until|before)\s+", re.I)


def date_argument(expression: str) -> str:
    """What the answer's due_date holds: the user's words without a leading preposition."""
    return _LEADING.sub("", expression.strip())


def _phrase(rng: random.Random, today: dt.date) -> str:
    wd = rng.choice(WEEKDAYS).capitalize() if rng.random() < 0.7 else rng.choice(WEEKDAYS)
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 29) if rng.random() < 0.9 else rng.choice([29, 30, 31])
    name = MONTH_NAMES[month - 1] if rng.random() < 0.75 else MONTH_NAMES[month - 1][:3]
    prep = rng.choice(["", "", "by ", "on ", "for ", "due "])
    kind = rng.randrange(20)
    if kind in (0, 1, 2):
        return rng.choice(["tomorrow", "by tomorrow", "for tomorrow", "tomorrow morning", "tomorrow evening",
                           "tomorrow at 9am", "due tomorrow", "Tomorrow"])
    if kind == 3:
        return rng.choice(["today", "tonight", "by tonight", "later today", "this evening", "by the end of the day",
                           "the day after tomorrow", "day after tomorrow"])
    if kind == 4:
        n = rng.randrange(2, 13)
        return f"in {rng.choice([str(n), _NUMBER_NAMES[n]])} days"
    if kind == 5:
        return rng.choice(["in a week", "in 2 weeks", "in three weeks", "in two weeks", "in a fortnight",
                           "in a couple of days", "in a few days", "in a month", "in 2 months"])
    if kind in (6, 7, 8):
        return rng.choice([f"on {wd}", f"by {wd}", f"{wd}", f"for {wd}", f"{wd} morning", f"{wd} at 3pm",
                           f"this coming {wd}"])
    if kind == 9:
        return f"{rng.choice(['', 'by ', 'on '])}this {wd}"
    if kind == 10:
        return f"{rng.choice(['', 'by ', 'on ', 'for '])}next {wd}"
    if kind == 11:
        return f"{rng.choice(['', 'on ', 'by '])}{wd} after next"
    if kind == 12:
        return rng.choice(["by the end of the week", "by the end of the month", "end of the month", "this weekend",
                           "for the weekend", "next weekend", "next week",
                           "by the end of next week", "end of next month", "by the end of the year"])
    if kind in (13, 14, 15):
        return prep + rng.choice([f"{name} {day}", f"{day} {name}", f"the {ordinal(day)} of {name}",
                                  f"{name} {ordinal(day)}", f"{ordinal(day)} of {name}"])
    if kind == 16:
        return prep + f"the {ordinal(day)}"
    if kind == 17:
        return rng.choice(["on ", "by ", "due ", ""]) + (today + dt.timedelta(days=rng.randrange(1, 400))).isoformat()
    if kind == 18:
        year = rng.choice([y for y in range(today.year, today.year + 9) if y % 4 == 0 and dt.date(y, 2, 29) >= today])
        return rng.choice(["on February 29", f"by {year}-02-29", "Feb 29th"])
    return prep + f"{name} {ordinal(day)} {today.year + 1}"


def date_expression(rng: random.Random, today: dt.date) -> tuple[str, str]:
    """A date phrase as a user would type it, and its ISO gold (through the one resolver)."""
    for _ in range(50):
        text = _phrase(rng, today)
        try:
            return text, resolve_date(text, today).isoformat()
        except DateNotUnderstood:  # e.g. "on April 31": never generated as a gold date
            continue
    raise RuntimeError(f"no date expression resolved for {today}")
