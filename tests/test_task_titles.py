"""lib.task_titles: titles that name no task are refused, a date said at a title's end becomes the
due date (only where that reading is safe), and vague times store no date."""

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lib.executor import execute
from lib.scoring import score_row
from lib.dataset import Row
from lib.store import TaskStore
from lib.task_titles import missing_title_reason, split_trailing_date
from lib.tools import validate_call

TODAY = dt.date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize("title, kept, expression", [
    ("Water the tomatoes for Friday", "Water the tomatoes", "for Friday"),
    ("Swap winter tires end of next month", "Swap winter tires", "end of next month"),
    ("Finish the report by the end of next month", "Finish the report", "by the end of next month"),
    ("Call mom tonight", "Call mom", "tonight"),
    ("Renew passport in 3 weeks", "Renew passport", "in 3 weeks"),
    ("Clean garage this weekend.", "Clean garage", "this weekend"),
    ("Pay invoice March 3", "Pay invoice", "March 3"),
    ("Pay rent on the 1st", "Pay rent", "on the 1st"),
    ("Book the dentist, next Tuesday", "Book the dentist", "next Tuesday"),
    ("Send the draft due 2026-12-01", "Send the draft", "due 2026-12-01"),
    # stays whole: one word would be left, the date is tied to the words before it, or it is no date
    ("Prepare for Monday", "Prepare for Monday", None),
    ("Plan the weekend", "Plan the weekend", None),
    ("Email my manager about Friday", "Email my manager about Friday", None),
    ("Water the plants every Monday", "Water the plants every Monday", None),
    ("Review the notes from next week", "Review the notes from next week", None),
    ("Plan Sam's 30th", "Plan Sam's 30th", None),
    ("Pay bills later", "Pay bills later", None),
    ("Buy tickets for May", "Buy tickets for May", None),
    ("Book the table for two", "Book the table for two", None),
    ("Watch Apollo 13", "Watch Apollo 13", None),
    ("Buy milk", "Buy milk", None),
])
def test_split_trailing_date(title, kept, expression):
    assert split_trailing_date(title, TODAY) == (kept, expression)


@pytest.mark.parametrize("title", ["On Wednesday", "Tomorrow", "by the end of the day", "to-do item", "A new task",
                                   "a reminder for tomorrow", "Something", "New to-do", "task",
                                   # the request's own words (validation answers to "I'd like to add a to-do")
                                   "Add a to-do", "Add a task", "My list", "Item to my list", "Your list",
                                   "Make me a to-do", "Write a task", "My to-do list", "Add it to the list on Friday"])
def test_titles_that_name_no_task(title):
    assert missing_title_reason(title, TODAY)


@pytest.mark.parametrize("title", ["A", "Buy milk", "Review new items", "Finish task list", "Call the bank tomorrow",
                                   "Plan the weekend", "🛒", "Make a shopping list", "Add Bob to the group chat",
                                   "Write the report", "Put the bins out", "Add", "Create the invoice"])
def test_titles_that_name_a_task(title):
    assert missing_title_reason(title, TODAY) is None


@given(st.text(max_size=80))
@example("a,b Friday")  # a comma joins two words: one word would be left
@example("x  for  Friday")
def test_title_rules_never_raise_and_keep_the_words(title):
    kept, expression = split_trailing_date(title, TODAY)
    if expression is None:
        assert kept == title
    else:
        assert title.split()[:len(kept.split())] == kept.split() and len(kept.split()) >= 2
    missing_title_reason(title, TODAY)


def test_add_task_reads_the_date_at_the_end_of_its_title():
    store = TaskStore()
    result = execute([{"name": "add_task", "args": {"title": "Water the tomatoes for Friday"}}], store, TODAY)[0]
    assert result["message"] == ("Task added: 'Water the tomatoes' (due Friday 2026-11-27, read from 'for Friday' "
                                 "at the end of the title)")
    assert store.snapshot() == [{"title": "Water the tomatoes", "due_date": "2026-11-27", "status": "open"}]
    # a given due date wins: the title is kept as it is
    execute([{"name": "add_task", "args": {"title": "Pay rent on the 1st", "due_date": "tomorrow"}}], store, TODAY)
    assert store.snapshot()[1] == {"title": "Pay rent on the 1st", "due_date": "2026-11-26", "status": "open"}
    # the same words name the task afterwards
    done = execute([{"name": "complete_task", "args": {"title": "water the tomatoes for Friday"}}], store, TODAY)[0]
    assert done["status"] == "success" and store.snapshot()[0]["status"] == "done"


def test_a_title_that_names_no_task_is_refused_and_nothing_is_written():
    store = TaskStore()
    results = execute([{"name": "add_task", "args": {"title": "Buy milk"}},
                       {"name": "add_task", "args": {"title": "On Wednesday"}}], store, TODAY)
    assert results[1]["code"] == "needs_title"
    assert results[1]["message"] == ("'On Wednesday' is a date, not a task; nothing was added. "
                                     "What should the task say?")
    assert results[0]["code"] == "not_executed" and store.count() == 0


@pytest.mark.parametrize("vague", ["at some point", "sometime", "someday", "no rush", "whenever", "No due date."])
def test_vague_times_store_no_date(vague):
    _, args, error = validate_call({"name": "add_task", "args": {"title": "Take my vitamins", "due_date": vague}},
                                   TODAY)
    assert error is None and args.due_date is None
    _, cleared, _ = validate_call({"name": "update_task", "args": {"title": "X", "due_date": vague}}, TODAY)
    assert cleared.canonical() == {"title": "X", "due_date": None}


def test_date_accuracy_counts_the_date_read_from_the_title():
    row = Row.model_validate({"id": "t", "category": "add_dated", "today": TODAY.isoformat(),
                              "messages": [{"role": "user", "content": "water the tomatoes for Friday"}],
                              "gold": [{"name": "add_task", "args": {"title": "Water the tomatoes",
                                                                     "due_date": "2026-11-27"}}]})
    in_title = '<action>\nadd_task(title="Water the tomatoes for Friday")\n</action>'
    wrong_day = '<action>\nadd_task(title="Water the tomatoes for Saturday")\n</action>'
    assert score_row(row, in_title)["date_accuracy"] and score_row(row, in_title)["execution"]
    assert not score_row(row, wrong_day)["date_accuracy"] and not score_row(row, wrong_day)["execution"]
