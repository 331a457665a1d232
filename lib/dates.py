"""Resolve the date expressions people type into a calendar date, under explicit rules. The agent
passes a due date as the user said it ("next Friday"); this module, not the model, turns it into
a date (as Alexa, Lex or Rasa with Duckling do), against the conversation's `today`.

The rules (weeks run Monday to Sunday; case, commas and a trailing "." are ignored):
- A leading "on", "by", "for", "due", "due on", "due by", "until" or "before" is ignored, and so
  are a time of day after the date ("at 5pm", "at 17:30", "morning", "afternoon", "evening",
  "night", "noon", "midnight", "eod"): only dates are stored.
- "today", "tonight", "this morning/afternoon/evening", "later (today)", "eod" -> today;
  "tomorrow" (also "tmrw", "tomorow", "tommorow") -> +1; "the day after tomorrow" -> +2.
- "in N days/weeks/months" (N as digits, or a word up to twelve, "a"/"an"/"one", "a couple of" = 2,
  "a few" = 3) -> +N days / +7N days / N calendar months (clamped to the month's last day);
  "in a fortnight" -> +14.
- "<weekday>", "on <weekday>", "by <weekday>" -> the next such day strictly after today (1-7 days
  ahead: said on a Friday, "Friday" means a week later, since today would be said "today").
- "this <weekday>" -> the same day in the current week when it is today or later; when it has
  already passed this week, the one in the next week.
- "next <weekday>" -> that day in the next week (the week after the current Monday-Sunday week).
  Said on Wednesday 2026-11-25: "on Friday" = 11-27, "this Friday" = 11-27, "next Friday" = 12-04.
- "coming <weekday>" / "this coming <weekday>" -> the plain "<weekday>" rule.
- "<weekday> after next" -> the plain "<weekday>" rule plus 7 days (the one after the coming one).
- "this weekend" -> the Saturday of the current week (today if it is Saturday or Sunday);
  "next weekend" -> the Saturday of the next week.
- "next week" -> the Monday of the next week; "the end of the week" / "end of this week" / "this
  week" -> the Sunday of the current week (today if today is Sunday); "the end of next week" -> the
  Sunday of the next week.
- "the end of the month" / "end of this month" / "this month" -> its last day; "the end of next month" -> the
  last day of the next month; "next month" -> the first day of the next month; "the end of the
  year" -> December 31.
- "March 20", "20 March", "the 2nd of April", "April 2nd", "Mar 30th", "30th of Mar" -> the next
  such date on or after today (next year once it has passed; February 29 -> the next leap year's).
  With a year ("March 20 2027", "20 March 2027") -> that date.
- "the 30th", "on the 5th" -> the next such day of a month on or after today (a month without
  that day is skipped: said on January 31, "the 30th" is March 30).
- ISO "YYYY-MM-DD" -> itself. Numeric day/month forms (03/04) are ambiguous and not accepted.
- "at some point", "sometime", "someday", "eventually", "whenever", "no rush", "no date", ... say
  that there is no date: `means_no_date` is true and a due_date given so is stored as none (a
  vague time is not a deadline to invent).
Anything else raises `DateNotUnderstood`, whose message names the accepted forms. Dates outside
years 1900-9999 are refused (calendar arithmetic past 9999 overflows).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# English names, written out: calendar.month_name follows the process locale.
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
MONTHS = {m.lower(): i for i, m in enumerate(MONTH_NAMES, 1)}
MONTHS.update({m[:3].lower(): i for i, m in enumerate(MONTH_NAMES, 1)})  # Jan, Feb, ... Dec
MONTHS["sept"] = 9
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
NUMBER_WORDS["a"] = 1
_EXTRA_NUMBERS = {"an": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "few": 3}
ACCEPTED_FORMS = ("YYYY-MM-DD, today, tonight, tomorrow, the day after tomorrow, in 3 days, in two weeks, "
                  "in a month, Friday, this Friday, next Friday, Friday after next, this weekend, next week, "
                  "end of the week, end of the month, March 30, the 30th of March, Mar 30th, the 30th")
MIN_YEAR, MAX_YEAR = 1900, 9999

# A leading preposition a date may carry ("by Friday"); lowercase text. lib.date_mentions uses it too.
DATE_PREFIX = re.compile(r"^(?:due on|due by|due|on|by|for|until|till|before)\s+")
_TIME = re.compile(r"\s+(?:at\s+\d{1,2}(?::\d{2})?\s*(?:am|pm|h)?|at noon|at midnight|noon|midnight|"
                   r"in the (?:morning|afternoon|evening)|morning|afternoon|evening|night|eod|"
                   r"first thing|end of day)$")
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = "(" + "|".join(WEEKDAYS) + ")"
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"


class DateNotUnderstood(ValueError):
    """An expression the rules above do not cover, or a date out of range."""

    def __init__(self, expression: str, reason: str = "") -> None:
        self.expression = expression
        super().__init__(f"cannot read {expression!r} as a date{': ' + reason if reason else ''}. "
                         f"Say it like one of: {ACCEPTED_FORMS}")


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    return _EXTRA_NUMBERS[word] if word in _EXTRA_NUMBERS else NUMBER_WORDS[word]


def _next_on_or_after(today: dt.date, month: int, day: int) -> dt.date:
    for year in range(today.year, today.year + 9):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # Feb 29 in a common year, or April 31
            continue
        if candidate >= today:
            return candidate
    raise ValueError(f"no such date: month {month}, day {day}")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


_TODAY = ("today", "tonight", "this morning", "this afternoon", "this evening", "later today", "later", "eod",
          "end of day", "end of the day", "end of today")


def _normalize(expression: str) -> str:
    text = " ".join(expression.lower().replace(",", " ").rstrip(".!").split())
    text = DATE_PREFIX.sub("", text)
    if text in _TODAY:  # "this evening" is a day, not "this" plus a time of day
        return text
    text = _TIME.sub("", text).strip()
    text = _TIME.sub("", text).strip()  # "tomorrow morning at 9"
    return text.removeprefix("the ").strip()


def _resolve(text: str, today: dt.date) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    next_monday = monday + dt.timedelta(days=7)
    if text in _TODAY:
        return today
    if text in ("tomorrow", "tmrw", "tmr", "tomorow", "tommorow"):
        return today + dt.timedelta(days=1)
    if text in ("day after tomorrow", "day after tmrw"):
        return today + dt.timedelta(days=2)
    if text in ("in a fortnight", "a fortnight from now", "in two weeks' time"):
        return today + dt.timedelta(days=14)
    m = re.fullmatch(r"in (\d+|[a-z]+(?: [a-z]+)?(?: of)?) (day|week|month)s?(?: time)?", text)
    if m and (m.group(1).isdigit() or m.group(1) in NUMBER_WORDS or m.group(1) in _EXTRA_NUMBERS):
        n = _number(m.group(1))
        if m.group(2) == "month":
            return _add_months(today, n)
        return today + dt.timedelta(days=n * (7 if m.group(2) == "week" else 1))
    m = re.fullmatch(rf"(this |next |coming |this coming )?{_WEEKDAY}( after next)?", text)
    if m:
        target = WEEKDAYS.index(m.group(2))
        if m.group(3):  # "Friday after next": the one after the coming one
            return today + dt.timedelta(days=((target - today.weekday()) % 7 or 7) + 7)
        if m.group(1) == "next ":
            return next_monday + dt.timedelta(days=target)
        ahead = (target - today.weekday()) % 7
        if m.group(1) == "this ":
            return today + dt.timedelta(days=ahead)
        return today + dt.timedelta(days=ahead or 7)
    if text in ("this weekend", "weekend", "the weekend"):
        return today if today.weekday() >= 5 else monday + dt.timedelta(days=5)
    if text == "next weekend":
        return next_monday + dt.timedelta(days=5)
    if text in ("next week", "early next week"):
        return next_monday
    if text in ("end of the week", "end of this week", "end of week", "this week"):
        return monday + dt.timedelta(days=6)
    if text in ("end of next week",):
        return next_monday + dt.timedelta(days=6)
    if text in ("end of the month", "end of this month", "end of month", "this month"):
        return _month_end(today)
    if text in ("end of next month",):
        return _month_end(_add_months(today.replace(day=1), 1))
    if text in ("next month", "start of next month", "beginning of next month"):
        return _add_months(today.replace(day=1), 1)
    if text in ("end of the year", "end of this year", "end of year", "new year's eve"):
        return dt.date(today.year, 12, 31)
    m = re.fullmatch(rf"{_MONTH} {_ORDINAL}(?: (\d{{4}}))?", text)
    if m:
        if m.group(3):
            return dt.date(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)))
        return _next_on_or_after(today, MONTHS[m.group(1)], int(m.group(2)))
    m = re.fullmatch(rf"{_ORDINAL} (?:of )?{_MONTH}(?: (\d{{4}}))?", text)
    if m:
        if m.group(3):
            return dt.date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        return _next_on_or_after(today, MONTHS[m.group(2)], int(m.group(1)))
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)(?: of (?:the|this) month)?", text)
    if m:
        day = int(m.group(1))
        for months in range(0, 13):
            month_start = _add_months(today.replace(day=1), months)
            if day <= calendar.monthrange(month_start.year, month_start.month)[1]:
                candidate = month_start.replace(day=day)
                if candidate >= today:
                    return candidate
        raise ValueError(f"no month has a day {day}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    raise ValueError("not a form I know")


NO_DATE_EXPRESSIONS = frozenset((
    "at some point", "some point", "sometime", "some time", "sometime soon", "someday", "some day", "one day",
    "one of these days", "eventually", "whenever", "whenever i can", "whenever you can", "anytime", "any time",
    "at any time", "no rush", "no hurry", "when i can", "when i get a chance", "when i have time", "soon",
    "no date", "no due date", "no deadline", "none", "null", "n/a", "not set", "unscheduled",
))


def means_no_date(expression: str) -> bool:
    """True for the vague times that name no day ("at some point", "no rush"): see the rules above."""
    text = " ".join(expression.lower().replace(",", " ").rstrip(".!").split())
    return text in NO_DATE_EXPRESSIONS or text.removeprefix("for ").removeprefix("by ") in NO_DATE_EXPRESSIONS


def resolve_date(expression: str, today: dt.date) -> dt.date:
    """The date `expression` names, said on `today` (see the module docstring for every rule)."""
    if not isinstance(expression, str) or not expression.strip() or len(expression) > 60:
        raise DateNotUnderstood(str(expression)[:60])
    try:
        day = _resolve(_normalize(expression), today)
    except (ValueError, OverflowError) as exc:
        raise DateNotUnderstood(expression, "" if isinstance(exc, OverflowError) else str(exc)) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DateNotUnderstood(expression, f"years {MIN_YEAR}-{MAX_YEAR} only")
    return day


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
