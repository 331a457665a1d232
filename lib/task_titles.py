"""What a task title may be: cleaned text that names a task, never only a date or a placeholder,
with a date said at its end read as the due date (as Todoist's "smart date" does).

A small model often writes the user's words into the title whole: "Water the tomatoes for
Friday" with no due date, or "On Wednesday" when the user gave no task at all ("make a task for
Wednesday"). These rules are deterministic code, so the same words always give the same task:

- `clean_title`: invisible format characters removed, outer spaces stripped; empty, over-long or
  invalid Unicode text is refused.
- `missing_title_reason`: a title that is only a date ("On Wednesday", "Tomorrow") or only
  generic words ("New task", "a reminder", "to-do item", "Add a to-do", "My list", optionally
  with a date) names no task;
  `add_task` refuses it and the result asks what the task should say. Nothing is written.
- `split_trailing_date`: when `add_task` gets no due date and the title *ends* with a date
  expression that `lib.dates` resolves, the date is read from the title: "Water the tomatoes for
  Friday" -> "Water the tomatoes", due Friday. Only where it is safe to read it so:
    * at least two words stay in the title ("Prepare for Monday" and "Plan the weekend" stay whole),
      and the title does not then end with a word that ties the date to it ("Email my manager
      about Friday", "Water the plants every Monday", "Review the notes from next week");
    * a date without a leading "on/by/for/due/before/until" must be one of the unambiguous
      forms (today, tonight, tomorrow, a weekday, "next week", "in 3 days", "March 20", "end of
      the month", ...): a bare "30th" ("Plan Sam's 30th") or "later" stays in the title;
    * the longest such ending wins ("... end of next month", not "... month").
  The tool result says that the date was read from the title, so the user sees it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Optional

from lib.dates import DateNotUnderstood, resolve_date

TITLE_MAX_CHARS = 200
MIN_WORDS_LEFT = 2  # "Prepare for Monday" keeps its date: one word would not name the task
MAX_DATE_WORDS = 6  # "by the end of next month" is the longest form the resolver reads

# Words that name no task by themselves ("a new task", "another reminder", "my to-do item"): a
# title made only of these, with at least one of the nouns, is a placeholder ("A" is a title).
# The request's own verbs and pronouns say only "make a task" ("Add a to-do", "Make me a to-do",
# "Item to my list", "Your list"); any other word names one ("Make a shopping list").
GENERIC_NOUNS = frozenset(
    "task tasks todo todos to-do to-dos do item items entry reminder reminders something thing stuff untitled "
    "placeholder list lists".split()
)
GENERIC_WORDS = GENERIC_NOUNS | frozenset(
    "a an the new another one my some to add create make write put me your our it for on in this that".split())
_DATE_PREPOSITIONS = ("on", "by", "for", "due", "before", "until", "till")
# A title ending with one of these before the date is about that date, not due on it.
_TIED_TO_DATE = frozenset(
    "about of with from to at in into after since than like every each last past the a an and or my your his "
    "her their our its this that these those per".split()
)
# Forms a title may end with, without a preposition, that are read as dates.
_BARE_DATE = re.compile(
    r"(today|tonight|tomorrow|tmrw|this (morning|afternoon|evening|weekend|week)|next (week|weekend|month)|"
    r"(this |next |coming )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)( after next)?|"
    r"in .+ (days?|weeks?|months?)|in a fortnight|(the )?day after tomorrow|(the )?end of .+|"
    r"[a-z]{3,9}\.? \d{1,2}(st|nd|rd|th)?( \d{4})?|\d{1,2}(st|nd|rd|th)? (of )?[a-z]{3,9}( \d{4})?|"
    r"\d{4}-\d{2}-\d{2})"
    r"( (morning|afternoon|evening|night|at \d{1,2}(:\d{2})? ?(am|pm)?))?"
)


def clean_title(value: str) -> str:
    """A title as stored: invisible format characters (zero-width spaces, direction marks) removed,
    outer spaces stripped; empty, over-long or invalid Unicode (lone surrogates) is refused."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("title contains characters that are not valid Unicode text") from None
    title = "".join(ch for ch in value if unicodedata.category(ch) != "Cf").strip()
    if not title:
        raise ValueError("title must not be empty")
    if len(title) > TITLE_MAX_CHARS:
        raise ValueError(f"title must be at most {TITLE_MAX_CHARS} characters")
    return title


def _words(text: str) -> list[str]:
    return text.lower().replace(",", " ").strip(" .!?'\"“”‘’").split()


def _is_date(text: str, today: dt.date) -> bool:
    try:
        resolve_date(text, today)
        return True
    except DateNotUnderstood:
        return False


def missing_title_reason(title: str, today: dt.date) -> Optional[str]:
    """Why `title` names no task (only a date, only generic words), or None when it names one."""
    words = _words(title)
    if _is_date(" ".join(words), today):
        return f"'{title}' is a date, not a task"
    for cut in range(len(words), -1, -1):  # generic words, then possibly a date
        head, tail = words[:cut], words[cut:]
        if all(w in GENERIC_WORDS for w in head) and any(w in GENERIC_NOUNS for w in head) and \
                (not tail or _is_date(" ".join(tail), today)):
            return f"'{title}' does not say what the task is"
    return None


def split_trailing_date(title: str, today: dt.date) -> tuple[str, Optional[str]]:
    """(title without its trailing date, the date expression) or (title, None); see the rules above."""
    words = title.split()
    for n in range(min(MAX_DATE_WORDS, len(words) - MIN_WORDS_LEFT), 0, -1):
        ending = " ".join(_words(" ".join(words[-n:])))
        first = ending.split(" ", 1)[0] if ending else ""
        if first not in _DATE_PREPOSITIONS and not _BARE_DATE.fullmatch(ending):
            continue
        if not _is_date(ending, today):
            continue
        kept = " ".join(words[:-n]).rstrip(" ,;:-–—")
        kept_words = _words(kept)
        if min(len(kept_words), len(kept.split())) < MIN_WORDS_LEFT or kept_words[-1] in _TIED_TO_DATE or \
                kept_words[-1] in _DATE_PREPOSITIONS:
            continue
        return kept, " ".join(words[-n:]).strip(" .!?,")
    return title, None
