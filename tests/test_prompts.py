"""The system prompts: what each style tells the model, and that a bad style is refused."""

import datetime as dt

import pytest

from lib.prompts import PROMPT_STYLES, build_prompt, system_prompt
from lib.tools import TOOLS

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize("style", PROMPT_STYLES)
def test_every_style_says_today_and_its_weekday(style):
    assert "Friday, 2026-11-27" in system_prompt(TODAY, style)


def test_compact_names_every_tool_and_minimal_none():
    compact, minimal = system_prompt(TODAY, "compact"), system_prompt(TODAY, "minimal")
    assert all(name in compact for name in TOOLS)
    assert not any(name in minimal for name in TOOLS)
    assert compact.startswith(minimal) and len(minimal) < len(compact) / 2


def test_contract_spells_out_the_reply_format():
    contract = system_prompt(TODAY, "contract")
    assert all(name + "(" in contract for name in TOOLS)
    assert "<analysis>" in contract and "<final>" in contract


def test_build_prompt_puts_the_styles_system_prompt_first():
    history = [{"role": "system", "content": "ignored"}, {"role": "user", "content": "hi"},
               {"role": "assistant", "content": "<final>Hello!</final>"}]
    prompt = build_prompt(TODAY, user="add milk", history=history, style="minimal")
    assert prompt.messages[0] == {"role": "system", "content": system_prompt(TODAY, "minimal")}
    assert [m["role"] for m in prompt.messages] == ["system", "user", "assistant", "user"]


def test_an_unknown_style_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="compact, minimal, contract"):
        system_prompt(TODAY, "verbose")
