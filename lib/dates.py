"""Resolve the relative date expressions our data uses, under explicit rules.

The rules (weeks run Monday to Sunday):
- "today", "tonight" -> today; "tomorrow" -> +1; "the day after tomorrow" -> +2.
- "in N days" / "in N weeks" (N as digits or a word up to twelve; "a"/"one") -> +N / +7N.
- "<weekday>", "on <weekday>", "by <weekday>" -> the next such day strictly after today (1-7 days
  ahead: said on a Friday, "on Friday" means a week later, since today would be said "today").
- "this <weekday>" -> the same day in the current week when it is today or later; when it has
  already passed this week, the one in the next week.
- "next <weekday>" -> that day in the next week (the week after the current Monday-Sunday week).
  Said on Wednesday 2026-11-25: "on Friday" = 11-27, "this Friday" = 11-27, "next Friday" = 12-04.
- "the end of the week" -> the Sunday of the current week (today if today is Sunday);
  "the end of the month" -> the last day of the current month.
- "March 20", "20 March", "the 2nd of April", "April 2nd" -> the next such date on or after today
  (next year once it has passed; a February 29 -> the next leap year's when needed).
- ISO "YYYY-MM-DD" -> itself. Numeric day/month forms (03/04) are ambiguous and not accepted.
A leading "on", "by", "for", "due" or "due on" is ignored. Unknown text raises ValueError.
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
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
NUMBER_WORDS["a"] = 1
_PREFIX = re.compile(r"^(?:due on|due by|due|on|by|for)\s+")
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _next_on_or_after(today: dt.date, month: int, day: int) -> dt.date:
    for year in range(today.year, today.year + 9):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # Feb 29 in a common year, or April 31
            continue
        if candidate >= today:
            return candidate
    raise ValueError(f"no such date: month {month}, day {day}")


def resolve_date(expression: str, today: dt.date) -> dt.date:
    text = " ".join(expression.lower().replace(",", " ").split())
    text = _PREFIX.sub("", text).removeprefix("the ").strip()
    if text in ("today", "tonight", "this evening"):
        return today
    if text == "tomorrow":
        return today + dt.timedelta(days=1)
    if text == "day after tomorrow":
        return today + dt.timedelta(days=2)
    m = re.fullmatch(r"in (\d+|[a-z]+) (day|week)s?", text)
    if m and (m.group(1).isdigit() or m.group(1) in NUMBER_WORDS):
        n = _number(m.group(1)) * (7 if m.group(2) == "week" else 1)
        return today + dt.timedelta(days=n)
    m = re.fullmatch(r"(this |next )?(" + "|".join(WEEKDAYS) + ")", text)
    if m:
        target = WEEKDAYS.index(m.group(2))
        if m.group(1) == "next ":
            next_monday = today + dt.timedelta(days=7 - today.weekday())
            return next_monday + dt.timedelta(days=target)
        ahead = (target - today.weekday()) % 7
        if m.group(1) == "this ":
            return today + dt.timedelta(days=ahead)
        return today + dt.timedelta(days=ahead or 7)
    if text in ("end of the week", "end of this week", "end of week"):
        return today + dt.timedelta(days=6 - today.weekday())
    if text in ("end of the month", "end of this month", "end of month"):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    month_names = "|".join(sorted(MONTHS, key=len, reverse=True))
    m = re.fullmatch(rf"({month_names})\.? {_ORDINAL}", text)
    if m:
        return _next_on_or_after(today, MONTHS[m.group(1)], int(m.group(2)))
    m = re.fullmatch(rf"{_ORDINAL} (?:of )?({month_names})\.?", text)
    if m:
        return _next_on_or_after(today, MONTHS[m.group(2)], int(m.group(1)))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    raise ValueError(f"cannot resolve date expression {expression!r}")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
