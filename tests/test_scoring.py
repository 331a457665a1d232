"""Every metric on hand-made predictions: each one can fail, and each one passes when it should."""

import datetime as dt
import json
import math

import pytest

from lib.dataset import Row, load_rows, select_rows
from lib.scoring import aggregate, canonical_call, score_row, summarize, wilson
from lib.parser import format_action, format_final

TODAY = "2026-03-10"


def row(gold, user="x", tasks=(), category="test", **kw):
    return Row(id="r", today=TODAY, user=user, gold=gold, category=category, tasks=list(tasks), **kw)


ADD = row([{"name": "add_task", "args": {"title": "Buy milk", "due_date": "2026-03-11"}}], category="add_dated")
ADD_UNDATED = row([{"name": "add_task", "args": {"title": "Buy milk"}}])
HELLO = row([], category="conversation")
DONE = row([{"name": "complete_task", "args": {"title": "Pay rent"}}],
           tasks=[{"title": "Pay rent", "due_date": None, "status": "open"},
                  {"title": "Pay gas", "due_date": None, "status": "open"}])


def test_wilson_interval_known_values():
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-3) and high == pytest.approx(0.7634, abs=1e-3)
    assert all(math.isnan(v) for v in wilson(0, 0))
    for n in range(1, 60):  # the bounds always bracket the rate (a chart's error bars need it)
        for k in (0, n // 3, n):
            low, high = wilson(k, n)
            assert 0.0 <= low <= k / n <= high <= 1.0


def test_perfect_answer_scores_everything():
    s = score_row(ADD, format_action([g.model_dump() for g in ADD.gold]))
    assert all(s[m] is True for m in ("format_strict", "format_lenient", "tool_selection", "args_exact",
                                      "date_accuracy", "execution"))
    assert s["irrelevance"] is None


def test_title_normalization_but_not_date_leniency():
    s = score_row(ADD, format_action([{"name": "add_task", "args": {"title": "buy  MILK.", "due_date": "2026-03-11"}}]))
    assert s["args_exact"] and s["execution"]
    s = score_row(ADD, format_action([{"name": "add_task", "args": {"title": "Buy milk", "due_date": "2026-03-12"}}]))
    assert s["tool_selection"] and not s["args_exact"] and not s["date_accuracy"] and not s["execution"]


def test_invented_date_fails_args_and_execution():
    s = score_row(ADD_UNDATED, format_action([{"name": "add_task", "args": {"title": "Buy milk", "due_date": "2026-03-11"}}]))
    assert s["tool_selection"] and not s["args_exact"] and not s["execution"]
    assert s["date_accuracy"] is None  # the gold has no date


def test_defaults_are_filled_before_comparing():
    day = dt.date(2026, 3, 10)
    assert canonical_call({"name": "list_tasks", "args": {}}, day) == canonical_call({"name": "list_tasks", "args": {"status": "open"}}, day)
    assert canonical_call({"name": "list_tasks", "args": {"status": "bogus"}}, day) is None
    lst = row([{"name": "list_tasks", "args": {"status": "open"}}])
    assert score_row(lst, format_action([{"name": "list_tasks", "args": {}}]))["args_exact"]
    assert not score_row(lst, format_action([{"name": "list_tasks", "args": {"status": "done"}}]))["args_exact"]


def test_wrong_tool_and_irrelevance():
    s = score_row(ADD, format_final("Sure!"))
    assert s["format_strict"] and not s["tool_selection"] and not s["execution"] and s["args_exact"] is False
    s = score_row(HELLO, format_final("Hello!"))
    assert s["irrelevance"] and s["tool_selection"] and s["execution"]
    s = score_row(HELLO, format_action([{"name": "summarize_tasks", "args": {}}]))
    assert s["irrelevance"] is False and not s["tool_selection"]
    assert s["execution"]  # summarizing changes nothing: the end state matches (tool_selection catches it)


def test_unparseable_output_fails_even_when_no_call_was_due():
    s = score_row(HELLO, "Hello there, how can I help?")
    assert not s["format_strict"] and not s["format_lenient"] and not s["tool_selection"] and not s["execution"]
    assert s["irrelevance"] is False
    assert s["errors"] == ["no_tags"]


def test_lenient_counts_where_strict_does_not():
    s = score_row(HELLO, "Sure. <final>Hello!")
    assert not s["format_strict"] and s["format_lenient"] and s["irrelevance"]


def test_execution_catches_the_wrong_task():
    s = score_row(DONE, format_action([{"name": "complete_task", "args": {"title": "Pay gas"}}]))
    assert s["tool_selection"] and not s["args_exact"] and not s["execution"]
    s = score_row(DONE, format_action([{"name": "complete_task", "args": {"title": "pay RENT"}}]))
    assert s["execution"] and s["args_exact"]


def test_multi_call_order_matters_for_selection():
    gold = row([{"name": "add_task", "args": {"title": "A"}}, {"name": "list_tasks", "args": {"status": "open"}}])
    swapped = format_action([{"name": "list_tasks", "args": {}}, {"name": "add_task", "args": {"title": "A"}}])
    assert not score_row(gold, swapped)["tool_selection"]


def test_aggregate_counts_only_applicable_rows():
    scored = [score_row(ADD, format_final("no")), score_row(HELLO, format_final("hi"))]
    agg = aggregate(scored)
    assert agg["irrelevance"]["n"] == 1 and agg["irrelevance"]["k"] == 1
    assert agg["date_accuracy"]["n"] == 1 and agg["date_accuracy"]["k"] == 0
    assert agg["format_strict"]["k"] == 2
    per = summarize([ADD, HELLO], scored)["by_category"]
    assert set(per) == {"add_dated", "conversation"}


def test_public_schema_file_with_a_multi_turn_row_is_scored(tmp_path):
    """An outside file in the public schema: `messages` history with an earlier action and its result."""
    lines = [
        {"id": "ext-1", "today": "2026-05-04", "user": "remind me to water the plants", "gold":
         [{"name": "add_task", "args": {"title": "Water the plants"}}]},
        {"id": "ext-2", "today": "2026-05-04", "category": "multi_turn", "messages": [
            {"role": "user", "content": "add call the bank"},
            {"role": "assistant", "content": format_action([{"name": "add_task", "args": {"title": "Call the bank"}}])},
            {"role": "tool", "content": json.dumps([{"status": "success"}])},
            {"role": "user", "content": "mark that one done"}],
         "gold": [{"name": "complete_task", "args": {"title": "Call the bank"}}]},
    ]
    path = tmp_path / "outside.jsonl"
    path.write_text("\n".join(json.dumps(l) for l in lines) + "\n")
    rows = load_rows(path)
    right = score_row(rows[1], format_action([{"name": "complete_task", "args": {"title": "call the bank"}}]))
    wrong = score_row(rows[1], format_action([{"name": "delete_task", "args": {"title": "Call the bank"}}]))
    assert right["execution"] and right["args_exact"]
    assert not wrong["execution"] and not wrong["tool_selection"]
    # the prepared store holds the task the history added, so completing it is what the gold does
    assert rows[1].prepare_store().snapshot()[0]["title"] == "Call the bank"
    assert summarize(rows, [score_row(rows[0], format_final("ok")), right])["by_category"].keys() == {"uncategorized", "multi_turn"}


def test_select_rows_spreads_over_categories():
    rows = [Row(id=str(i), today=TODAY, user="u", gold=[], category=c) for i, c in enumerate("aaaaabbbc")]
    picked = select_rows(rows, 4)
    assert [r.category for r in picked] == ["a", "b", "c", "a"]
    assert select_rows(rows, None) == rows
    assert [r.id for r in select_rows(rows, 6)] == ["0", "5", "8", "1", "6", "2"]  # no families: file order


def test_select_rows_spreads_over_families_within_a_category():
    # category a: family x's rows come first in the file; a small limit must still see family y
    fams = ["x", "x", "x", "x", "y", "y"]
    rows = [Row(id=f"a{i}", today=TODAY, user="u", gold=[], category="a", template_id=f)
            for i, f in enumerate(fams)] + [Row(id="b0", today=TODAY, user="u", gold=[], category="b", template_id="z")]
    assert [r.id for r in select_rows(rows, 4)] == ["a0", "b0", "a4", "a1"]
    assert {r.template_id for r in select_rows(rows, 3)} == {"x", "y", "z"}
    assert [r.id for r in select_rows(rows, 6)] == ["a0", "b0", "a4", "a1", "a5", "a2"]  # family x's last row waits


def test_rescore_scores_saved_answers_without_a_model(tmp_path):
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from rescore import rescore

    rows = [{"id": "a", "category": "add_dated", "today": "2026-11-25", "user": "water the tomatoes for Friday",
             "gold": [{"name": "add_task", "args": {"title": "Water the tomatoes", "due_date": "2026-11-27"}}]},
            {"id": "b", "category": "clarification", "today": "2026-11-25", "user": "make a task for Wednesday",
             "gold": []}]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    answers = tmp_path / "outputs.jsonl"
    answers.write_text(json.dumps({"id": "a", "output": '<action>\nadd_task(title="Water the tomatoes for Friday")\n'
                                                        '</action>'}) + "\n" +
                       json.dumps({"id": "b", "output": '<action>\nadd_task(title="On Wednesday")\n</action>'}) + "\n")
    result = rescore(answers, data)
    # the date read from the title counts; the date-only title is refused, so the store is as the gold leaves it
    assert result["overall_counts"]["date_accuracy"] == "1/1" and result["overall_counts"]["execution"] == "2/2"
    assert result["overall_counts"]["tool_selection"] == "1/2"  # the model still chose a call where none was due
    # answers given to another version of the rows are refused, not scored against the wrong ones
    answers.write_text(json.dumps({"id": "a", "user": "water the plants", "output": "<final>ok</final>"}) + "\n")
    with pytest.raises(SystemExit, match="other rows"):
        rescore(answers, data)


def test_rescore_compares_two_answer_sets_with_a_paired_family_interval(tmp_path):
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from rescore import compare

    # six families of four greetings; NEW answers every greeting of families 0-2 right, OLD none
    rows = [{"id": f"r{i}", "category": "conversation", "today": "2026-11-25", "user": f"hello {i}", "gold": [],
             "template_id": f"conversation/validation/{i // 4}"} for i in range(24)]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    # the wrong answer adds a task nobody asked for, so it fails the end state too
    right, wrong = "<final>Hi!</final>", '<analysis>a</analysis>\n<action>\nadd_task(title="Call mom")\n</action>'
    new, old = tmp_path / "new.jsonl", tmp_path / "old.jsonl"
    new.write_text("".join(json.dumps({"id": f"r{i}", "output": right if i < 12 else wrong}) + "\n" for i in range(24)))
    old.write_text("".join(json.dumps({"id": f"r{i}", "output": wrong}) + "\n" for i in range(20)))  # 20 rows only
    result = compare([new], [old], data)
    assert result["rows"] == 20 and result["families"] == 5
    ts = result["tool_selection"]
    assert ts["difference"] == 0.6 and ts["family_interval"][0] < 0.6 < ts["family_interval"][1]
    assert ts["family_interval"][1] - ts["family_interval"][0] > 0.4  # five families: wide, as it should be

    # a second seed's pair, pooled: 40 pairs of the same 5 families; NEW's second seed gets families
    # 0-1 right (8 rows), OLD's still none, so the pooled difference is (12 + 8) / 40
    new2, old2 = tmp_path / "new2.jsonl", tmp_path / "old2.jsonl"
    new2.write_text("".join(json.dumps({"id": f"r{i}", "output": right if i < 8 else wrong}) + "\n" for i in range(20)))
    old2.write_text(old.read_text())
    pooled = compare([new, new2], [old, old2], data)
    assert pooled["rows"] == 40 and pooled["families"] == 5
    assert pooled["tool_selection"]["difference"] == 0.5
    low, high = pooled["tool_selection"]["family_interval"]
    assert low < 0.5 < high
    # each family's rows from both seeds are resampled together, so five families stay five coin
    # flips' worth of evidence: [0.1, 0.9]; had the 40 pairs been 40 independent rows, [0.35, 0.65]
    assert high - low > 0.5
    assert pooled["execution_by_category"] == {"conversation": {"new": 0.5, "old": 0.0, "difference": 0.5}}
    with pytest.raises(SystemExit, match="one OLD per NEW"):
        compare([new, new2], [old], data)


# -- intervals over phrasing families ------------------------------------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

from lib.report import comparison_table, family_table  # noqa: E402
from lib.scoring import family_difference_interval, family_interval, family_of  # noqa: E402


def test_family_interval_is_wider_than_wilson_when_families_pass_or_fail_together():
    # 10 families of 10 rows: five always right, five always wrong. 50/100 looks like +-10 points
    # over rows; over families it is five coin flips' worth of evidence.
    values = [f < 5 for f in range(10) for _ in range(10)]
    families = [f"fam{f}" for f in range(10) for _ in range(10)]
    w_low, w_high = wilson(50, 100)
    f_low, f_high = family_interval(values, families)
    assert f_low <= 0.5 <= f_high
    assert (f_high - f_low) > 2 * (w_high - w_low)
    # the same rows, every row its own family: close to Wilson's width
    i_low, i_high = family_interval(values, [str(i) for i in range(100)])
    assert abs((i_high - i_low) - (w_high - w_low)) < 0.05


def test_family_interval_edge_cases():
    assert family_interval([True, False, True], ["a", "a", "a"]) == (2 / 3, 2 / 3)  # one family: nothing to resample
    assert all(math.isnan(v) for v in family_interval([None, None], ["a", "b"]))
    assert family_interval([True, None, False, True], list("abcd")) == family_interval([True, False, True], list("acd"))
    with pytest.raises(ValueError):
        family_interval([True, False], ["a"])  # one family per row, always


def test_family_difference_interval():
    fams = [f"f{i // 3}" for i in range(30)]
    same = [i % 2 == 0 for i in range(30)]
    assert family_difference_interval(same, same, fams) == (0.0, 0.0)
    assert family_difference_interval([False] * 30, [True] * 30, fams) == (1.0, 1.0)
    low, high = family_difference_interval(same, [True] * 30, fams)
    assert low <= 0.5 <= high


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.one_of(st.none(), st.booleans())), min_size=1, max_size=60))
def test_family_interval_holds_the_rate(rows):
    families = [f for f, _ in rows]
    values = [v for _, v in rows]
    low, high = family_interval(values, families)
    applicable = [v for v in values if v is not None]
    if not applicable:
        assert math.isnan(low) and math.isnan(high)
        return
    rate = sum(applicable) / len(applicable)
    assert 0.0 <= low <= rate <= high <= 1.0
    assert (low, high) == family_interval(values, families)  # fixed seed: the same report every run


def test_reports_show_intervals_over_families():
    rows = [row([], category="conversation", template_id=f"conversation/test/{i // 2}") for i in range(8)]
    assert family_of(rows[0]) == "conversation/test/0" and family_of(HELLO) == "r"
    good, bad = format_final("hi"), format_action([{"name": "list_tasks", "args": {}}])
    systems = {}
    for name, texts in {"base": [bad] * 8, "tuned": [good] * 6 + [bad] * 2}.items():
        scored = [score_row(r, t) for r, t in zip(rows, texts)]
        systems[name] = {"scored": scored, "stats": {"tokens_per_s": 1.0, "latency_per_prompt_s": 1.0},
                         **summarize(rows, scored)}
    report = {"systems": systems, "families": [family_of(r) for r in rows]}
    tuned = systems["tuned"]["overall"]["tool_selection"]
    assert tuned["families"] == 4 and tuned["rate"] == 0.75
    assert tuned["family_ci_low"] <= 0.75 <= tuned["family_ci_high"]
    assert "| Tool selection | 75.0% |" in family_table(report) and "| 4 |" in family_table(report)
    line = next(ln for ln in comparison_table(report).splitlines() if ln.startswith("| Tool selection"))
    assert "+75.0 pts [+" in line  # the improvement carries its interval over families
    saved = {"systems": {s: {k: v for k, v in r.items() if k != "scored"} for s, r in systems.items()}}
    assert "+75.0 pts |" in comparison_table(saved)  # a saved report.json has no per-row scores: no interval


def test_rescore_compares_answers_with_themselves_scored_without_reading_dates(tmp_path):
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from rescore import compare

    rows = [{"id": "a", "category": "add_dated", "today": "2026-11-25",
             "user": "pls remember I gotta renew the domain name for tomorrow",
             "gold": [{"name": "add_task", "args": {"title": "Renew the domain name", "due_date": "2026-11-26"}}]},
            {"id": "b", "category": "add_undated", "today": "2026-11-25", "user": "add call mom",
             "gold": [{"name": "add_task", "args": {"title": "Call mom"}}]}]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    answers = tmp_path / "outputs.jsonl"
    answers.write_text(json.dumps({"id": "a", "output": '<action>\nadd_task(title="Renew the domain name")\n</action>'})
                       + "\n" + json.dumps({"id": "b", "output": '<action>\nadd_task(title="Call mom")\n</action>'}) + "\n")
    result = compare([answers], [answers], data, old_reads_dates=False)
    assert result["execution"]["difference"] == 0.5 and result["date_accuracy"]["difference"] == 1.0
    assert result["tool_selection"]["difference"] == 0.0
    assert compare([answers], [answers], data)["execution"]["difference"] == 0.0


def test_a_title_retyped_with_other_quotes_is_the_same_task():
    row = Row(id="r", today=dt.date(2026, 11, 25), user="Put read “Dune” and buy dog food on my list",
              gold=[{"name": "add_task", "args": {"title": "Read “Dune”"}},
                    {"name": "add_task", "args": {"title": "Buy dog food"}}])
    answer = '<action>\nadd_task(title="Read \'Dune\'")\nadd_task(title="Buy dog food")\n</action>'
    scores = score_row(row, answer)
    assert scores["execution"] and scores["args_exact"]
    assert not score_row(row, answer.replace("Dune", "Dunes", 1))["execution"]
