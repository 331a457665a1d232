"""Dates read from the user's own words, by code, when the model's answer drops or garbles them.

A small model often carries a request out without the date the user gave ("pls remember I gotta
renew the domain name for tomorrow" -> add_task(title="Renew the domain name")) or copies the date
wrong ("this saturday" -> due_date="this weekend"). Assistants that must get dates right read them
from the user's message with deterministic code (Duckling in Rasa, AMAZON.DATE slots in Alexa)
instead of trusting the language model; this module does that where the date's place is clear,
and leaves the answer alone otherwise.

- `find_date_mentions(text, today)`: the stretches of a message that `lib.dates` reads as a date,
  the longest from each word ("on next saturday", "the 2nd of April", "in 2 weeks"), never across
  a sentence break (. ! ? ; :). Not counted: "later" (a time, not a day) and a bare ordinal
  without "the" or a preposition ("my 5th attempt").
- `ground_dates(calls, user, today)`: when the message names exactly one day (however often),
  says no "no date" phrase ("no rush", "sometime", "no due date", ... `lib.dates.means_no_date`),
  and the answer holds exactly one add_task or update_task call, then
    * an add_task without a due_date gets the day as the user said it;
    * an add_task or update_task whose due_date cannot be read, or names another day, gets it
      instead ("this weekend" for "this saturday");
  unless a word of the date is in a title of the answer ("Plan the weekend", "Call mom tomorrow":
  the date is then part of the task's name, or `lib.task_titles.split_trailing_date` reads it
  from the title's end), or a title holds a date of its own ("Water the tomatoes for Saturday"
  for "... for Friday": which one is meant is not code's to guess). An update_task without a
  due_date is left alone: "reopen the one I closed on Monday" names a day that is not a due date.
  An update's due_date=None (clear the date) is never touched.
- Otherwise (two or more add/update calls, or a message naming two or more days: "add buy milk
  tomorrow and call mom on Friday"; still no "no date" phrase), a call gets a day only where the
  user put one right after the call's title: the title occurs once in the message (case and quote style aside) and the
  mention follows it with nothing but spaces, commas, dashes, colons, quotes or brackets between
  ("buy milk, tomorrow"; not "buy milk and call mom tomorrow", not "buy milk. Tomorrow ..."). The
  same rules as above then say whether the call takes it. Days listed together ("Friday and
  Monday", "Friday or Saturday") go to no call, and a date word inside a title of the answer
  ("buy milk, friday drinks") to none either. A call whose title the model reworded,
  or that has no date right after it, is left as it is; "add call mom and buy milk tomorrow" may
  mean both, and code does not guess.
Nothing else in the answer changes: the tools, titles and other calls are the model's.
The tool result says the date was read from the message, so the user sees it. Evaluation scores
every system's answers after this step (`lib.scoring.score_row`), as the agent carries them out.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple, Optional, Sequence

from lib.dates import DATE_PREFIX, DateNotUnderstood, means_no_date, resolve_date
from lib.store import QUOTE_STYLES
from lib.tools import ToolCall

MAX_MENTION_WORDS = 7  # "by the end of next month at 5pm"
_LEADING = "([{\"'“‘«"
_TRAILING = ".,!?;:)]}\"'”’»"
_BREAKS = ".!?;:"  # a mention does not run across a sentence break
# Words of a mention that say nothing about which day it is: a title holding one of the others
# ("Call mom tomorrow", "Plan the weekend") holds the date.
_FRAME_WORDS = frozenset("on by for due until till before the of this next coming in a an at after".split())
_BARE_ORDINAL = re.compile(r"\d{1,2}(st|nd|rd|th)")
_WEAK = frozenset({"later"})  # resolves to today, but "I'll do it later" names no day
TARGETS = ("add_task", "update_task")
MAX_NO_DATE_WORDS = 4  # "when I get a chance"


class DateMention(NamedTuple):
    words: str  # as the user typed them: "for tomorrow"
    expression: str  # without a leading preposition: "tomorrow"
    day: dt.date
    start: int  # character offsets in the message
    end: int


class Grounding(NamedTuple):
    index: int  # which call of the answer got the date
    expression: str  # the user's words it was read from
    replaced: Optional[str]  # the model's due_date it replaced (None: the call had none)


def _tokens(text: str) -> list[tuple[str, int, int, bool]]:
    """(word without outer punctuation, start, end, a sentence break follows) per word."""
    out = []
    for m in re.finditer(r"\S+", text):
        raw = m.group()
        lead = len(raw) - len(raw.lstrip(_LEADING))
        core = raw.strip(_LEADING).rstrip(_TRAILING)
        tail = raw[lead + len(core):]
        if core:
            out.append((core, m.start() + lead, m.start() + lead + len(core), any(c in _BREAKS for c in tail)))
        elif out and any(c in _BREAKS for c in raw):  # a lone "-" or "." between words
            out[-1] = (*out[-1][:3], True)
    return out


def _without_preposition(words: str) -> str:
    """The mention as typed, without the leading preposition `lib.dates` ignores ("by Friday")."""
    m = DATE_PREFIX.match(words.lower())
    return words[m.end():] if m else words


def _counts(words: list[str]) -> bool:
    """Whether these words, which resolve, are a mention (see the module docstring)."""
    lower = [w.lower() for w in words]
    if " ".join(lower) in _WEAK or (lower[0] in _FRAME_WORDS and " ".join(lower[1:]) in _WEAK):
        return False
    return not (len(lower) == 1 and _BARE_ORDINAL.fullmatch(lower[0]))


def find_date_mentions(text: str, today: dt.date) -> list[DateMention]:
    """Every mention of a day in `text`, in order (see the module docstring)."""
    if not isinstance(text, str):
        return []
    tokens = _tokens(text)
    found: list[DateMention] = []
    i = 0
    while i < len(tokens):
        for n in range(min(MAX_MENTION_WORDS, len(tokens) - i), 0, -1):
            span = tokens[i:i + n]
            if any(t[3] for t in span[:-1]):
                continue
            words = [t[0] for t in span]
            if not _counts(words):
                continue
            phrase = " ".join(words)
            try:
                day = resolve_date(phrase, today)
            except DateNotUnderstood:
                continue
            said = text[span[0][1]:span[-1][2]]
            found.append(DateMention(said, _without_preposition(said), day, span[0][1], span[-1][2]))
            i += n
            break
        else:
            i += 1
    return found


def says_no_date(text: str) -> bool:
    """Whether `text` holds a phrase saying there is no date ("no rush", "sometime", "no due date")."""
    words = [t[0] for t in _tokens(text)] if isinstance(text, str) else []
    return any(means_no_date(" ".join(words[i:i + n]))
               for n in range(1, MAX_NO_DATE_WORDS + 1) for i in range(len(words) - n + 1))


def _titles(calls: Sequence[ToolCall]) -> list[str]:
    return [c.args[key] for c in calls if isinstance(c.args, dict)
            for key in ("title", "new_title") if isinstance(c.args.get(key), str)]


def _title_words(calls: Sequence[ToolCall]) -> set[str]:
    return {t[0].lower() for title in _titles(calls) for t in _tokens(title)}


def _reads_as(value: str, today: dt.date) -> Optional[dt.date]:
    try:
        return resolve_date(value, today)
    except DateNotUnderstood:
        return None


# What may stand between a title and the date that belongs to it ("buy milk, tomorrow", "buy milk -
# due Friday", '"buy milk" tomorrow'): no word, no sentence break.
_ADJACENT = re.compile(r"[\s,:()\[\]\-–—\"'“”‘’«»]*")
# Days listed together ("Friday and Monday", "Friday or Saturday"): which is whose is not code's to say.
_LISTED = re.compile(r"[\s,]*(?:and|or|&|/)?[\s,]*", re.IGNORECASE)


def _fold(text: str) -> str:
    """`text` with case and quote style aside, character for character (offsets hold: "İ".lower()
    is two characters, so such a character stays as it is)."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(QUOTE_STYLES))


def _title_end(title: str, user: str) -> Optional[int]:
    """Where `title` ends in `user` (case and quote style aside), if it occurs there exactly once."""
    needle, hay = _fold(title.strip()), _fold(user)
    start = hay.find(needle) if needle else -1
    if start < 0 or hay.find(needle, start + 1) >= 0:
        return None
    return start + len(needle)


def _grounded(call: ToolCall, mention: DateMention, today: dt.date) -> Optional[ToolCall]:
    """`call` with `mention`'s day as its due date where the rules say so, else None."""
    if "due_date" not in call.args:
        if call.name != "add_task":
            return None
    else:
        value = call.args["due_date"]
        if not isinstance(value, str) or _reads_as(value, today) == mention.day:
            return None  # None clears an update's date; a non-string is the validator's to refuse
    return ToolCall(name=call.name, args={**call.args, "due_date": mention.expression})


def _holds_date(calls: Sequence[ToolCall], mentions: Sequence[DateMention], today: dt.date) -> bool:
    """Whether a word of the mentions is in a title of `calls`, or a title holds a date of its own."""
    day_words = {t[0].lower() for m in mentions for t in _tokens(m.words)} - _FRAME_WORDS
    return bool(day_words & _title_words(calls)) or any(find_date_mentions(t, today) for t in _titles(calls))


def ground_dates(calls: Sequence[ToolCall], user: str, today: dt.date) -> tuple[list[ToolCall], list[Grounding]]:
    """`calls` with the user's dates put where the rules above say, and what was done, one
    Grounding per call changed (none: the calls are returned unchanged)."""
    calls = list(calls)
    targets = [i for i, c in enumerate(calls) if c.name in TARGETS and isinstance(c.args, dict)]
    if not targets or not isinstance(user, str):
        return calls, []
    mentions = find_date_mentions(user, today)
    if not mentions or says_no_date(user):
        return calls, []
    if len(targets) == 1 and len({m.day for m in mentions}) == 1:
        index, mention = targets[0], mentions[0]
        new = None if _holds_date(calls, mentions, today) else _grounded(calls[index], mention, today)
        if new is None:
            return calls, []
        replaced = calls[index].args.get("due_date")
        calls[index] = new
        return calls, [Grounding(index, mention.words, replaced)]
    listed = {i for i, (a, b) in enumerate(zip(mentions, mentions[1:])) if _LISTED.fullmatch(user[a.end:b.start])}
    mentions = [m for i, m in enumerate(mentions) if i not in listed and i - 1 not in listed]
    # a date word inside a title the answer uses ("buy milk, friday drinks") is that title's
    ends = {t: _title_end(t, user) for t in _titles(calls)}
    spans = [(end - len(t.strip()), end) for t, end in ends.items() if end is not None]
    mentions = [m for m in mentions if not any(a < m.end and m.start < b for a, b in spans)]
    done: list[Grounding] = []
    for index in targets:
        call = calls[index]
        title = call.args.get("title")
        end = ends.get(title) if isinstance(title, str) else None
        if end is None:
            continue
        mention = next((m for m in mentions if m.start >= end and _ADJACENT.fullmatch(user[end:m.start])), None)
        if mention is None or _holds_date([call], [mention], today):
            continue
        new = _grounded(call, mention, today)
        if new is not None:
            done.append(Grounding(index, mention.words, call.args.get("due_date")))
            calls[index] = new
    return calls, done


def grounding_note(grounding: Grounding) -> str:
    """What the tool result adds, so the user sees where the date came from."""
    if grounding.replaced is None:
        return f" The due date was read from your message ('{grounding.expression}')."
    return f" The due date was read from your message ('{grounding.expression}'), not '{grounding.replaced}'."
