"""Safe parser of the output contract.

    <analysis>...</analysis>            (one short sentence)
    <action>
    tool_name(key="literal", ...)       (one call per line, run in order)
    </action>
or
    <final>...</final>

The action body goes through `ast.parse`; only `known_tool(keyword=literal, ...)` statements are
accepted. Nothing is ever evaluated. Bodies over MAX_ACTION_CHARS are refused before parsing (a
deeply nested expression can exhaust the parser's stack), tool and argument names must be plain
ASCII (Python would read a full-width "ｄｅｌｅｔｅ_task" as delete_task), and a keyword may be
given once. `strict` demands the contract exactly; `lenient` tolerates
text around the tags and a missing closing tag at the very end of a generation.
"""

from __future__ import annotations

import ast
import io
import json
import keyword
import re
import tokenize
from typing import Any, Iterable, Literal, Optional

from pydantic import BaseModel, Field

from lib.tools import TOOLS, ToolCall

Mode = Literal["strict", "lenient"]
TAGS = ("analysis", "action", "final")
_OPEN_RE = re.compile(r"<(analysis|action|final)>")
_ANY_TAG_RE = re.compile(r"</?(analysis|action|final)>")

# Error codes (stable strings: evaluation reports count them).
NO_TAGS = "no_tags"
BOTH = "both_action_and_final"
UNCLOSED = "unclosed_tag"
DUPLICATE = "duplicate_block"
TEXT_OUTSIDE = "text_outside_tags"
MISSING_ANALYSIS = "missing_analysis"
BAD_ORDER = "analysis_after_action"
EMPTY_ACTION = "empty_action"
EMPTY_FINAL = "empty_final"
SYNTAX = "syntax_error"
NOT_A_CALL = "not_a_call"
POSITIONAL = "positional_args"
STAR_KWARGS = "star_kwargs"
NON_LITERAL = "non_literal_arg"
UNKNOWN_TOOL = "unknown_tool"
TOO_LONG = "action_too_long"
NON_ASCII_NAME = "non_ascii_name"
REPEATED_KEYWORD = "repeated_keyword"

MAX_ACTION_CHARS = 4000  # three calls with 200-character titles fit many times over


class ParseResult(BaseModel):
    kind: Literal["action", "final", "invalid"]
    mode: Mode
    analysis: Optional[str] = None
    calls: list[ToolCall] = Field(default_factory=list)
    final: Optional[str] = None
    errors: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kind != "invalid"


class _Block(BaseModel):
    tag: str
    body: str
    closed: bool


def _scan_python_until(text: str, start: int, closing: str) -> int:
    """Index of `closing` in text[start:] outside Python string literals, or -1.

    Quotes are tracked so that `title="</action> x"` does not end the block; a newline ends an
    unterminated one-line string, so one stray quote cannot swallow the rest of the output.
    """
    i, n = start, len(text)
    quote: Optional[str] = None
    while i < n:
        ch = text[i]
        if quote is None:
            if text.startswith(closing, i):
                return i
            if ch in "\"'":
                quote = ch * 3 if text.startswith(ch * 3, i) else ch
                i += len(quote)
                continue
        else:
            if ch == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            if ch == "\n" and len(quote) == 1:
                quote = None
        i += 1
    return -1


def _split_blocks(text: str) -> tuple[list[_Block], str]:
    """Blocks in order of appearance and the concatenated text outside them."""
    blocks: list[_Block] = []
    outside: list[str] = []
    pos = 0
    while True:
        m = _OPEN_RE.search(text, pos)
        if m is None:
            outside.append(text[pos:])
            break
        outside.append(text[pos : m.start()])
        tag, body_start = m.group(1), m.end()
        closing = f"</{tag}>"
        if tag == "action":
            end = _scan_python_until(text, body_start, closing)
            if end < 0:  # unbalanced quotes: fall back to the last literal closing tag
                end = text.rfind(closing, body_start)
        else:
            end = text.find(closing, body_start)
        if end < 0:
            blocks.append(_Block(tag=tag, body=text[body_start:], closed=False))
            break
        blocks.append(_Block(tag=tag, body=text[body_start:end], closed=True))
        pos = end + len(closing)
    return blocks, "".join(outside)


_LITERAL_TYPES = (str, int, bool, type(None))


def _literal(node: ast.expr) -> tuple[bool, Any]:
    """(True, value) for a str/int/bool/None literal (negative ints included), else (False, None)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, _LITERAL_TYPES):
        return True, node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return True, -node.operand.value
    return False, None


def parse_calls(body: str) -> tuple[list[ToolCall], list[str]]:
    """Parse an action body into calls. Returns (calls, error codes); calls are [] on any error."""
    source = body.strip()
    if not source:
        return [], [EMPTY_ACTION]
    if len(source) > MAX_ACTION_CHARS:
        return [], [TOO_LONG]
    try:
        tree = ast.parse(source, mode="exec")
        names_ascii = all(t.string.isascii() for t in tokenize.generate_tokens(io.StringIO(source).readline)
                          if t.type == tokenize.NAME)
    except (SyntaxError, ValueError, tokenize.TokenError):  # ValueError: null bytes in source
        return [], [SYNTAX]
    except (RecursionError, MemoryError):  # nesting deeper than the parser's stack
        return [], [SYNTAX]
    if not tree.body:  # only comments
        return [], [EMPTY_ACTION]
    if not names_ascii:
        return [], [NON_ASCII_NAME]
    calls: list[ToolCall] = []
    errors: list[str] = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
            errors.append(NOT_A_CALL)
            continue
        call = stmt.value
        if not isinstance(call.func, ast.Name):  # os.system(...), f()(...), x[0](...)
            errors.append(NOT_A_CALL)
            continue
        if call.func.id not in TOOLS:
            errors.append(UNKNOWN_TOOL)
        if call.args:
            errors.append(POSITIONAL)
        args: dict[str, Any] = {}
        for kw in call.keywords:
            if kw.arg is None:
                errors.append(STAR_KWARGS)
                continue
            ok, value = _literal(kw.value)
            if not ok:
                errors.append(NON_LITERAL)
                continue
            if kw.arg in args:
                errors.append(REPEATED_KEYWORD)
                continue
            args[kw.arg] = value
        calls.append(ToolCall(name=call.func.id, args=args))
    if errors:
        return [], list(dict.fromkeys(errors))
    return calls, []


def parse_response(text: str, mode: Mode = "strict") -> ParseResult:
    """Parse one model response. Never raises; never executes anything."""
    if not isinstance(text, str):
        return ParseResult(kind="invalid", mode=mode, errors=[NO_TAGS])
    blocks, outside = _split_blocks(text)
    errors: list[str] = []
    by_tag: dict[str, list[_Block]] = {t: [b for b in blocks if b.tag == t] for t in TAGS}

    if not blocks:
        return ParseResult(kind="invalid", mode=mode, errors=[NO_TAGS])
    if by_tag["action"] and by_tag["final"]:
        errors.append(BOTH)
    if any(len(v) > 1 for v in by_tag.values()):
        errors.append(DUPLICATE)
    unclosed = [b for b in blocks if not b.closed]
    # Lenient: only the last block may lack its closing tag (generation stopped early).
    if unclosed and (mode == "strict" or unclosed[0] is not blocks[-1] or unclosed[0].tag == "analysis"):
        errors.append(UNCLOSED)
    if mode == "strict":
        if outside.strip():
            errors.append(TEXT_OUTSIDE)
        if by_tag["action"] and not by_tag["analysis"]:
            errors.append(MISSING_ANALYSIS)
        if by_tag["final"] and by_tag["analysis"]:
            errors.append(TEXT_OUTSIDE)
    if by_tag["action"] and by_tag["analysis"] and blocks.index(by_tag["analysis"][0]) > blocks.index(
        by_tag["action"][0]
    ):
        errors.append(BAD_ORDER)

    analysis = by_tag["analysis"][0].body.strip() if by_tag["analysis"] else None
    if not by_tag["action"] and not by_tag["final"]:
        errors.append(NO_TAGS)
        return ParseResult(kind="invalid", mode=mode, analysis=analysis, errors=_dedupe(errors))

    if by_tag["final"] and not by_tag["action"]:
        final = by_tag["final"][0].body.strip()
        if not final:
            errors.append(EMPTY_FINAL)
        if errors:
            return ParseResult(kind="invalid", mode=mode, analysis=analysis, final=final, errors=_dedupe(errors))
        return ParseResult(kind="final", mode=mode, final=final)

    calls, call_errors = parse_calls(by_tag["action"][0].body) if by_tag["action"] else ([], [])
    errors += call_errors
    if errors:
        return ParseResult(kind="invalid", mode=mode, analysis=analysis, errors=_dedupe(errors))
    return ParseResult(kind="action", mode=mode, analysis=analysis, calls=calls)


def _dedupe(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def format_literal(value: Any) -> str:
    """A Python literal in canonical form: double-quoted strings, True/False/None, ints."""
    if isinstance(value, str):
        # JSON's escapes (\" \\ \n \t \uXXXX) are all valid Python escapes.
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    raise TypeError(f"not a contract literal: {value!r}")


def format_call(call: ToolCall | dict[str, Any]) -> str:
    name, args = (call["name"], call.get("args", {})) if isinstance(call, dict) else (call.name, call.args)
    bad = [k for k in [name, *args] if not k.isidentifier() or keyword.iskeyword(k)]
    if bad:
        raise ValueError(f"not usable as a tool or argument name: {bad}")
    return f"{name}(" + ", ".join(f"{k}={format_literal(v)}" for k, v in args.items()) + ")"


def format_action(calls: Iterable[ToolCall | dict[str, Any]], analysis: str = "Calling the requested tool.") -> str:
    """The canonical action response; `parse_response` returns exactly these calls."""
    analysis = _ANY_TAG_RE.sub("", analysis).strip() or "Calling the requested tool."
    body = "\n".join(format_call(c) for c in calls)
    return f"<analysis>\n{analysis}\n</analysis>\n\n<action>\n{body}\n</action>"


def format_final(message: str) -> str:
    return f"<final>{_ANY_TAG_RE.sub('', message).strip()}</final>"
