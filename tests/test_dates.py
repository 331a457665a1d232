import datetime as dt

import pytest

from lib.dates import WEEKDAYS, resolve_date

D = dt.date
WED = D(2026, 11, 25)  # a Wednesday

CASES = [
    ("today", WED, D(2026, 11, 25)),
    ("tonight", WED, D(2026, 11, 25)),
    ("tomorrow", WED, D(2026, 11, 26)),
    ("by tomorrow", D(2026, 12, 31), D(2027, 1, 1)),
    ("the day after tomorrow", D(2026, 12, 30), D(2027, 1, 1)),
    ("in 3 days", D(2026, 2, 27), D(2026, 3, 2)),
    ("in 3 days", D(2028, 2, 27), D(2028, 3, 1)),  # leap year
    ("in two weeks", WED, D(2026, 12, 9)),
    ("in a week", D(2026, 12, 28), D(2027, 1, 4)),
    ("in 10 days", D(2024, 2, 20), D(2024, 3, 1)),
    ("on Friday", WED, D(2026, 11, 27)),
    ("this Friday", WED, D(2026, 11, 27)),
    ("next Friday", WED, D(2026, 12, 4)),
    ("by friday", D(2026, 11, 27), D(2026, 12, 4)),  # said on a Friday: a week later
    ("this Friday", D(2026, 11, 27), D(2026, 11, 27)),  # this week's, today counts
    ("next Friday", D(2026, 11, 27), D(2026, 12, 4)),
    ("this Monday", WED, D(2026, 11, 30)),  # passed this week: next week's
    ("on Monday", D(2026, 11, 29), D(2026, 11, 30)),  # Sunday -> next day
    ("next Monday", D(2026, 11, 29), D(2026, 11, 30)),  # next week starts tomorrow
    ("next Sunday", D(2026, 11, 30), D(2026, 12, 13)),
    ("Sunday", D(2026, 12, 31), D(2027, 1, 3)),
    ("the end of the week", WED, D(2026, 11, 29)),
    ("end of the week", D(2026, 11, 29), D(2026, 11, 29)),
    ("by the end of the month", WED, D(2026, 11, 30)),
    ("end of the month", D(2028, 2, 3), D(2028, 2, 29)),
    ("end of the month", D(2027, 2, 3), D(2027, 2, 28)),
    ("end of the month", D(2026, 12, 31), D(2026, 12, 31)),
    ("March 20", WED, D(2027, 3, 20)),
    ("on 20 March", D(2026, 3, 20), D(2026, 3, 20)),
    ("the 2nd of April", D(2026, 4, 3), D(2027, 4, 2)),
    ("April 2nd", D(2026, 1, 1), D(2026, 4, 2)),
    ("by Dec 1st", WED, D(2026, 12, 1)),
    ("February 29", D(2026, 11, 25), D(2028, 2, 29)),
    ("the 29th of February", D(2028, 1, 10), D(2028, 2, 29)),
    ("January 1", D(2026, 12, 31), D(2027, 1, 1)),
    ("due 2027-03-05", WED, D(2027, 3, 5)),
    ("on 2028-02-29", WED, D(2028, 2, 29)),
    ("in 0 days", WED, WED),
    ("for the 31st of December", D(2026, 12, 31), D(2026, 12, 31)),
    ("Tomorrow", D(2028, 2, 28), D(2028, 2, 29)),
]


@pytest.mark.parametrize("expr,today,expected", CASES)
def test_table(expr, today, expected):
    assert resolve_date(expr, today) == expected


@pytest.mark.parametrize("offset", range(7))
def test_every_weekday_as_today(offset):
    today = D(2026, 11, 23) + dt.timedelta(days=offset)  # Monday .. Sunday
    for i, name in enumerate(WEEKDAYS):
        on = resolve_date(f"on {name}", today)
        this = resolve_date(f"this {name}", today)
        nxt = resolve_date(f"next {name}", today)
        assert on.weekday() == this.weekday() == nxt.weekday() == i
        assert 1 <= (on - today).days <= 7
        assert 0 <= (this - today).days <= 6
        assert nxt >= D(2026, 11, 30) and (nxt - D(2026, 11, 30)).days < 7  # next week


@pytest.mark.parametrize("bad", ["03/04", "someday", "next month", "April 31st", "in many days", "2026-13-01"])
def test_rejects_unknown_or_ambiguous(bad):
    with pytest.raises(ValueError):
        resolve_date(bad, WED)
