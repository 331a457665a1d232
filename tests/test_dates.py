import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.dates import ACCEPTED_FORMS, WEEKDAYS, DateNotUnderstood, resolve_date

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
    # what people say beyond the generator's own forms
    ("tomorrow morning", WED, D(2026, 11, 26)),
    ("tomorrow at 5pm", WED, D(2026, 11, 26)),
    ("Friday at 17:30", WED, D(2026, 11, 27)),
    ("tonight at 9", D(2026, 12, 31), D(2026, 12, 31)),
    ("tmrw", D(2026, 12, 31), D(2027, 1, 1)),
    ("tomorow", WED, D(2026, 11, 26)),
    ("later today", WED, WED),
    ("this afternoon", WED, WED),
    ("eod", WED, WED),
    ("day after tomorrow", D(2028, 2, 28), D(2028, 3, 1)),
    ("in a fortnight", WED, D(2026, 12, 9)),
    ("in 2 months", D(2026, 12, 31), D(2027, 2, 28)),  # clamped to the month's last day
    ("in a month", D(2028, 1, 31), D(2028, 2, 29)),
    ("in one month", D(2026, 11, 25), D(2026, 12, 25)),
    ("in a couple of days", WED, D(2026, 11, 27)),
    ("in a few days", WED, D(2026, 11, 28)),
    ("in twelve days", D(2026, 12, 25), D(2027, 1, 6)),
    ("in 1 week", D(2026, 12, 28), D(2027, 1, 4)),
    ("in 10 weeks", WED, D(2027, 2, 3)),
    ("this weekend", WED, D(2026, 11, 28)),
    ("this weekend", D(2026, 11, 28), D(2026, 11, 28)),  # Saturday: today
    ("this weekend", D(2026, 11, 29), D(2026, 11, 29)),  # Sunday: today
    ("next weekend", WED, D(2026, 12, 5)),
    ("next weekend", D(2026, 11, 29), D(2026, 12, 5)),
    ("next week", WED, D(2026, 11, 30)),
    ("next week", D(2026, 12, 28), D(2027, 1, 4)),
    ("end of next week", WED, D(2026, 12, 6)),
    ("by the end of next week", D(2026, 12, 27), D(2027, 1, 3)),
    ("this week", WED, D(2026, 11, 29)),
    ("end of next month", D(2026, 12, 15), D(2027, 1, 31)),
    ("end of next month", D(2028, 1, 31), D(2028, 2, 29)),
    ("next month", D(2026, 12, 15), D(2027, 1, 1)),
    ("end of the year", WED, D(2026, 12, 31)),
    ("this month", D(2027, 2, 10), D(2027, 2, 28)),
    ("Friday after next", WED, D(2026, 12, 4)),
    ("friday after next", D(2026, 11, 27), D(2026, 12, 11)),  # said on a Friday
    ("Monday after next", D(2026, 11, 29), D(2026, 12, 7)),
    ("this coming Tuesday", WED, D(2026, 12, 1)),
    ("coming Wednesday", WED, D(2026, 12, 2)),
    ("Mar 30th", WED, D(2027, 3, 30)),
    ("30th of Mar", D(2027, 3, 30), D(2027, 3, 30)),
    ("Sept 3rd", WED, D(2027, 9, 3)),
    ("dec. 24", WED, D(2026, 12, 24)),
    ("Dec 24th", D(2026, 12, 25), D(2027, 12, 24)),
    ("March 20 2027", WED, D(2027, 3, 20)),
    ("20 March 2030", WED, D(2030, 3, 20)),
    ("the 30th", WED, D(2026, 11, 30)),
    ("the 30th", D(2027, 1, 31), D(2027, 3, 30)),  # February has no 30th: skipped
    ("on the 5th", WED, D(2026, 12, 5)),
    ("the 25th", WED, WED),
    ("the 31st", D(2026, 12, 1), D(2026, 12, 31)),
    ("the 29th", D(2027, 1, 30), D(2027, 3, 29)),  # 2027 is not a leap year
    ("the 29th", D(2028, 1, 30), D(2028, 2, 29)),
    ("by the 1st", D(2026, 12, 31), D(2027, 1, 1)),
    ("due by next Monday", D(2026, 12, 31), D(2027, 1, 4)),
    ("until Friday", WED, D(2026, 11, 27)),
    ("before Sunday", D(2026, 12, 31), D(2027, 1, 3)),
    ("Tuesday.", WED, D(2026, 12, 1)),
    ("  NEXT   friday ", WED, D(2026, 12, 4)),
    ("2026-11-25", WED, WED),
    ("on 1999-12-31", WED, D(1999, 12, 31)),  # an ISO date in the past is taken as written
    ("today", D(2024, 2, 29), D(2024, 2, 29)),
    ("tomorrow", D(2024, 2, 29), D(2024, 3, 1)),
    ("in 365 days", D(2027, 3, 1), D(2028, 2, 29)),
    ("next Monday", D(2026, 12, 31), D(2027, 1, 4)),
    ("this Sunday", D(2026, 12, 31), D(2027, 1, 3)),
    ("end of the week", D(2026, 12, 30), D(2027, 1, 3)),
    ("end of the month", D(2024, 2, 1), D(2024, 2, 29)),
    ("February 29", D(2028, 3, 1), D(2032, 2, 29)),
    ("April 30", D(2026, 4, 30), D(2026, 4, 30)),
    ("on 1 January", D(2026, 1, 2), D(2027, 1, 1)),
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


def test_the_table_is_large_and_spans_boundaries():
    assert len(CASES) >= 100
    assert {today.weekday() for _, today, _ in CASES} == set(range(7))
    assert any(e.month == 2 and e.day == 29 for _, _, e in CASES) and any(e.year > t.year for _, t, e in CASES)


@pytest.mark.parametrize("bad", ["03/04", "someday", "April 31st", "in many days", "2026-13-01", "next year-ish",
                                 "the 32nd", "", "   ", "x" * 80, "soon", "Fri-day"])
def test_rejects_unknown_or_ambiguous_with_the_accepted_forms(bad):
    with pytest.raises(DateNotUnderstood) as err:
        resolve_date(bad, WED)
    assert ACCEPTED_FORMS in str(err.value)


def test_dates_past_year_9999_are_refused_not_crashed():
    with pytest.raises(DateNotUnderstood):
        resolve_date("in 9 days", D(9999, 12, 30))
    with pytest.raises(DateNotUnderstood):
        resolve_date("next week", D(9999, 12, 31))


@given(st.text(max_size=80), st.dates(min_value=D(1900, 1, 1), max_value=D(9999, 12, 31)))
def test_any_text_resolves_or_raises_date_not_understood(text, today):
    try:
        day = resolve_date(text, today)
    except DateNotUnderstood:
        return
    assert isinstance(day, dt.date)
