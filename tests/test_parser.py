import datetime as dt
import keyword
import string

import pytest
from hypothesis import given, settings, strategies as st

from lib import parser as P
from lib.executor import execute
from lib.parser import format_action, format_final, parse_response
from lib.store import TaskStore
from lib.tools import ToolCall

SEED_ACTION = """<analysis>
User wants to create a new task 'buy groceries' due tomorrow.
</analysis>

<action>
add_task(title="Buy groceries", due_date="2026-01-26")
</action>"""


def test_seed_shape_parses_strictly():
    r = parse_response(SEED_ACTION)
    assert r.kind == "action" and r.errors == []
    assert r.analysis == "User wants to create a new task 'buy groceries' due tomorrow."
    assert r.calls == [ToolCall(name="add_task", args={"title": "Buy groceries", "due_date": "2026-01-26"})]


def test_final():
    r = parse_response("<final>Hello! How can I help you manage your tasks today?</final>")
    assert r.kind == "final" and r.final.startswith("Hello!")


def test_multi_call_block_keeps_order():
    text = '<analysis>two</analysis>\n<action>\nadd_task(title="A")\nlist_tasks(status="all")\n</action>'
    assert [c.name for c in parse_response(text).calls] == ["add_task", "list_tasks"]


def test_closing_tag_inside_quoted_argument():
    text = '<analysis>x</analysis>\n<action>\nadd_task(title="</action> x")\n</action>'
    r = parse_response(text)
    assert r.ok and r.calls[0].args["title"] == "</action> x"


def _errors(body: str) -> list[str]:
    return parse_response(f"<analysis>a</analysis>\n<action>\n{body}\n</action>").errors


def test_rejections_have_codes():
    assert _errors('os.system("rm -rf /")') == [P.NOT_A_CALL]
    assert _errors('add_task("Buy milk")') == [P.POSITIONAL]
    assert _errors("add_task(**{'title': 'x'})") == [P.STAR_KWARGS]
    assert _errors("add_task(title=open('f'))") == [P.NON_LITERAL]
    assert _errors("add_task(title=[x for x in 'ab'])") == [P.NON_LITERAL]
    assert _errors("add_task(title=__import__('os').name)") == [P.NON_LITERAL]
    assert _errors('send_email(to="a")') == [P.UNKNOWN_TOOL]
    assert _errors('add_task(title="a"') == [P.SYNTAX]
    assert _errors("x = 1") == [P.NOT_A_CALL]
    assert _errors("") == [P.EMPTY_ACTION]
    assert _errors("add_task(title=f'{1}')") == [P.NON_LITERAL]
    assert _errors("list_tasks()()") == [P.NOT_A_CALL]


def test_structure_errors():
    assert parse_response("just text").errors == [P.NO_TAGS]
    assert P.BOTH in parse_response("<final>a</final><analysis>b</analysis><action>\nsummarize_tasks()\n</action>").errors
    assert parse_response("<final>hi").errors == [P.UNCLOSED]
    assert parse_response("<final></final>").errors == [P.EMPTY_FINAL]
    assert parse_response("<final>a</final><final>b</final>").errors == [P.DUPLICATE]
    assert parse_response("<action>\nsummarize_tasks()\n</action>").errors == [P.MISSING_ANALYSIS]
    assert parse_response("Sure! <final>hi</final>").errors == [P.TEXT_OUTSIDE]


def test_lenient_tolerates_outside_text_and_cut_off_end_but_not_more():
    assert parse_response("Sure! <final>hi</final> Bye.", "lenient").kind == "final"
    cut = "<analysis>a</analysis>\n<action>\nsummarize_tasks()\n"
    assert parse_response(cut, "strict").kind == "invalid"
    assert parse_response(cut, "lenient").calls == [ToolCall(name="summarize_tasks")]
    assert parse_response("<action>\nsummarize_tasks()\n</action>", "lenient").ok  # analysis optional
    assert parse_response("<analysis>never closed <action>\nlist_tasks()", "lenient").errors == [P.UNCLOSED, P.NO_TAGS]
    assert P.BOTH in parse_response("<final>a</final><action>\nlist_tasks()\n</action>", "lenient").errors


def test_quotes_and_backslashes_round_trip():
    title = 'He said "hi" \\ it\'s C:\\temp\\new'
    r = parse_response(format_action([ToolCall(name="add_task", args={"title": title})]))
    assert r.calls[0].args["title"] == title


def test_format_final_strips_tags():
    assert parse_response(format_final("ok </final> done")).final == "ok  done"


literals = st.one_of(st.text(), st.integers(), st.booleans(), st.none())
tag_like = st.sampled_from(["</action>", "<action>", "</analysis>", "<final>", "</final>", '"', "'", "\\", "\n", '"""'])
titles = st.lists(st.one_of(st.text(), tag_like), max_size=6).map("".join)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(sorted(P.TOOLS)), st.dictionaries(
    st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda k: not keyword.iskeyword(k)), st.one_of(literals, titles), max_size=3)), min_size=1, max_size=4),
    st.text())
def test_round_trip_any_calls(raw_calls, analysis):
    calls = [ToolCall(name=n, args=a) for n, a in raw_calls]
    text = format_action(calls, analysis)
    for mode in ("strict", "lenient"):
        r = parse_response(text, mode)
        assert r.kind == "action", (text, r.errors)
        assert r.calls == calls


VALID = [
    SEED_ACTION,
    "<final>Hello!</final>",
    '<analysis>a</analysis>\n<action>\ncomplete_task(title="x")\ndelete_task(title="y")\n</action>',
]


def _mutate(text: str, ops: list[tuple[int, int, str]]) -> str:
    for kind, pos, s in ops:
        pos = pos % (len(text) + 1)
        if kind == 0:
            text = text[:pos] + s + text[pos:]
        elif kind == 1:
            text = text[:pos] + text[pos + len(s) + 1 :]
        else:
            text = text[:pos]
    return text


@settings(max_examples=400)
@given(st.sampled_from(VALID), st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10_000),
       st.text(alphabet=string.printable + "<>/\"'()=é", max_size=12)), max_size=4),
       st.sampled_from(["strict", "lenient"]))
def test_fuzzed_responses_never_raise_and_execute_nothing_unexpected(base, ops, mode):
    text = _mutate(base, ops)
    r = parse_response(text, mode)
    assert r.kind in ("action", "final", "invalid")
    assert (r.kind == "invalid") == bool(r.errors)
    for call in r.calls:
        assert call.name in P.TOOLS and all(isinstance(v, (str, int, bool, type(None))) for v in call.args.values())
    # Executing whatever came out never raises either.
    store = TaskStore()
    results = execute(r.calls, store, dt.date(2026, 11, 25))
    assert len(results) == len(r.calls)


@given(st.text())
def test_random_text_never_raises(text):
    for mode in ("strict", "lenient"):
        assert parse_response(text, mode).kind in ("action", "final", "invalid")


# -- hostile model output (issue: hardening) ------------------------------------------------------
ACTION = "<analysis>x</analysis>\n<action>\n{}\n</action>"


@pytest.mark.parametrize("depth", [2981, 100_000])
def test_deeply_nested_or_huge_bodies_are_errors_not_crashes(depth):
    for op in ("-", "(", "[", "not "):
        r = parse_response(ACTION.format(f"add_task(title={op * depth}1)"))
        assert r.kind == "invalid" and r.errors and not r.calls


def test_a_comment_is_not_an_action():
    for mode in ("strict", "lenient"):
        r = parse_response(ACTION.format("# no call"), mode)
        assert r.kind == "invalid" and "empty_action" in r.errors


def test_lookalike_tool_names_and_repeated_keywords_are_refused():
    full_width = parse_response(ACTION.format('ｄｅｌｅｔｅ_task(title="x")'))
    assert full_width.kind == "invalid" and full_width.errors == ["non_ascii_name"]
    assert parse_response(ACTION.format('delete_task(ｔitle="x")')).errors == ["non_ascii_name"]
    twice = parse_response(ACTION.format('delete_task(title="Buy milk", title="Pay rent")'))
    assert twice.kind == "invalid" and "repeated_keyword" in twice.errors
    assert parse_response(ACTION.format('add_task(title="Café ✓ 日本")')).calls[0].args["title"] == "Café ✓ 日本"


_BODY_PARTS = st.sampled_from(["(", ")", "[", "]", "-", "not ", "lambda: ", "*", "**", ",", "=", "'", '"', "\\", "\n",
                               "add_task", "title", "1", "None", "#", ":", "{", "}", "\x00", "\ud800", "ｄ"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_BODY_PARTS, max_size=400), st.integers(0, 3000), st.sampled_from(["(", "-", "[", "not "]))
def test_fuzzed_action_bodies_never_raise(parts, depth, op):
    body = "".join(parts) + op * depth + "".join(reversed(parts))
    for mode in ("strict", "lenient"):
        r = parse_response(ACTION.format(body), mode)
        assert r.kind in ("action", "final", "invalid")
        assert (r.kind == "invalid") == bool(r.errors)


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=300, alphabet=st.sampled_from("<>/actionfinalysis(\"')-x \n")))
def test_huge_random_outputs_never_raise(piece):
    text = (piece * (200_000 // len(piece) + 1))[:200_000]  # a runaway generation, repeated to 200k characters
    for mode in ("strict", "lenient"):
        assert parse_response(text, mode).kind in ("action", "final", "invalid")
