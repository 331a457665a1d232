"""A second try, checked by code: when the model's answer cannot be carried out, use its next-best
answer that can.

A greedy answer that does not parse, names a tool that does not exist, has bad arguments, or
fails against the store (restoring a task that is still open, adding one that is already
open, completing a title no task has) changes nothing: the block is all-or-nothing. Such an answer
is usually one wrong word early on ("Restore" for a task that is still on the list), and
the model's own beam search holds the right answer among its next few. So for a failing answer
only, the model proposes `RETRY_BEAMS` alternatives (`lib.generation.generate_alternatives`), and
the first of them (in the model's order) that passes a dry run on a copy of the store is used.
Nothing is hard-coded: every answer is the model's, code only checks it can be carried out, as
execution-guided decoding does for SQL (Wang et al., 2018).

Two limits keep a retry from doing what the user did not ask:
- failures that describe the *store* or the *request*, not the answer, are final: "ambiguous"
  (say which one), "already_done", "store_busy", and "needs_title": the code refused a title that
  is a date or a placeholder ("add a task for tomorrow" -> add_task(title="Tomorrow")) because the
  user gave none, and a retry would only find a placeholder the check does not know ("Add a to-do");
- when a call failed because no task has its title ("not_found"), no alternative may add a task
  of that title: "move the dentist to Friday" with no such task must not create one. (The user is
  told it was not found and can ask to add it.)

No torch here: answers are text, alternatives come from a callable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional, Sequence

from lib.dataset import normalize_title
from lib.date_mentions import ground_dates
from lib.executor import NOT_RUN, execute_block
from lib.parser import Mode, parse_response
from lib.store import TaskStore, title_key

RETRY_BEAMS = 4  # alternatives the model proposes for a failing answer (beam search, best first)
# the store's state or a request without a title, not a wrong answer (needs_title: added after seed 2
# of the first check turned "I'd like to add a to-do" from a refused "To-do" into a task "Add a to-do")
FINAL_CODES = frozenset({"ambiguous", "already_done", "store_busy", "needs_title"})


def dry_run_errors(raw: str, store: TaskStore, today: dt.date, mode: Mode = "lenient",
                   user: Optional[str] = None) -> list[dict[str, Any]]:
    """Why `raw` cannot be carried out on `store` (left untouched): a parse error, or the failing
    calls' results (each with its call's "title"); [] when it can (a <final> reply always can).
    `user`: the message answered, whose date is read into the calls first, as the agent does
    (lib.date_mentions)."""
    parsed = parse_response(raw, mode)
    if not parsed.ok:
        return [{"code": code, "title": None} for code in (parsed.errors or ["parse_error"])]
    if parsed.kind != "action":
        return []
    calls = ground_dates(parsed.calls, user, today)[0] if user is not None else parsed.calls
    copy = TaskStore.from_snapshot(store.snapshot())
    try:
        results = execute_block(calls, copy, today).results
    finally:
        copy.close()
    return [{"code": r.get("code", "error"), "title": (c.args.get("title") if isinstance(c.args, dict) else None)}
            for c, r in zip(calls, results) if r.get("status") != "success" and r.get("code") != NOT_RUN]


def should_retry(errors: Sequence[dict[str, Any]]) -> bool:
    """A failing answer is retried unless a failure is about the store rather than the answer."""
    return bool(errors) and not any(e["code"] in FINAL_CODES for e in errors)


def _adds_missing_title(raw: str, missing: set[str], mode: Mode) -> bool:
    parsed = parse_response(raw, mode)
    return parsed.kind == "action" and any(
        c.name == "add_task" and isinstance(c.args, dict) and isinstance(c.args.get("title"), str)
        and title_key(normalize_title(c.args["title"])) in missing for c in parsed.calls)


def choose_answer(first: str, alternatives: Sequence[str], store: TaskStore, today: dt.date,
                  mode: Mode = "lenient", errors: Optional[list[dict[str, Any]]] = None,
                  user: Optional[str] = None) -> tuple[str, Optional[int]]:
    """The answer to carry out: `first` when it can be (or must stand), else the first alternative
    that passes a dry run and does not add a task the first answer could not find. Returns the
    answer and the index of the alternative used (None: the first answer). `errors`: `first`'s
    dry run when the caller already has it; `user`: see `dry_run_errors`."""
    errors = dry_run_errors(first, store, today, mode, user) if errors is None else errors
    if not should_retry(errors):
        return first, None
    missing = {title_key(normalize_title(e["title"])) for e in errors
               if e["code"] == "not_found" and isinstance(e["title"], str)}
    for i, alternative in enumerate(alternatives):
        if alternative.strip() == first.strip() or _adds_missing_title(alternative, missing, mode):
            continue
        if not dry_run_errors(alternative, store, today, mode, user):
            return alternative, i
    return first, None


Alternatives = Callable[[Any], list[str]]  # a prompt -> the model's next-best answers, best first


def answer_with_retry(first: str, prompt: Any, alternatives: Optional[Alternatives], store: TaskStore,
                      today: dt.date, mode: Mode = "lenient", user: Optional[str] = None) -> tuple[str, Optional[int]]:
    """`choose_answer`, asking `alternatives(prompt)` only when `first` should be retried."""
    errors = dry_run_errors(first, store, today, mode, user) if alternatives is not None else []
    if not should_retry(errors):
        return first, None
    return choose_answer(first, alternatives(prompt), store, today, mode, errors, user)
