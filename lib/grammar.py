"""Constrained decoding: only outputs in the contract's grammar can be generated.

Built on xgrammar (maintained, C++ matcher: ~15 µs per token on a CPU, so the constraint costs
next to nothing beside the model): the contract is written once as a regular expression that
follows the tool schemas. lm-format-enforcer was tried first: correct, but its pure-Python token
walk cost ~0.3 s per token on SmolLM2's 49k vocabulary.
Used by evaluation as its own column ("base + grammar") to show what fine-tuning adds beyond
format.
"""

from __future__ import annotations

import functools

from lib.generation import stop_token_ids
from lib.tools import TITLE_MAX_CHARS

_STR = r'"[^"\\\n<>]{1,%d}"' % TITLE_MAX_CHARS  # a plain double-quoted title
_DATE = r'"[^"\\\n<>]{1,40}"'  # a date as the user said it, or YYYY-MM-DD: lib.dates resolves it
_TITLE = r"title=" + _STR
CALL = (
    r"(add_task\(" + _TITLE + r"(, due_date=" + _DATE + r")?\)"
    r'|list_tasks\(status="(open|done|all)"\)'
    r"|summarize_tasks\(\)"
    r"|complete_task\(" + _TITLE + r"\)"
    r"|delete_task\(" + _TITLE + r"\)"
    r"|update_task\(" + _TITLE + r"(, new_title=" + _STR + r")?(, due_date=(" + _DATE + r"|None))?"
    r'(, status="(open|done)")?\)'
    r"|restore_task\(" + _TITLE + r"\))"
)
ACTION = r"<analysis>\n[^<>\n]{1,200}\n</analysis>\n\n<action>\n" + CALL + r"(\n" + CALL + r"){0,2}\n</action>"
FINAL = r"<final>[^<>]{1,400}</final>"
CONTRACT_REGEX = "(" + ACTION + "|" + FINAL + ")"

# The same contract as a GBNF grammar, for llama.cpp's server (`"grammar"` in a request). xgrammar
# reads GBNF too, which is how the tests check that both accept and refuse the same outputs.
CONTRACT_GBNF = r"""root ::= action | final
final ::= "<final>" [^<>]{1,400} "</final>"
action ::= "<analysis>\n" [^<>\n]{1,200} "\n</analysis>\n\n<action>\n" call ("\n" call){0,2} "\n</action>"
call ::= add | list | summarize | complete | delete | update | restore
str ::= "\"" [^"\\\n<>]{1,%d} "\""
date ::= "\"" [^"\\\n<>]{1,40} "\""
title ::= "title=" str
add ::= "add_task(" title (", due_date=" date)? ")"
list ::= "list_tasks(status=\"" ("open" | "done" | "all") "\")"
summarize ::= "summarize_tasks()"
complete ::= "complete_task(" title ")"
delete ::= "delete_task(" title ")"
update ::= "update_task(" title (", new_title=" str)? (", due_date=" (date | "None"))? (", status=\"" ("open" | "done") "\"")? ")"
restore ::= "restore_task(" title ")"
""" % TITLE_MAX_CHARS


@functools.lru_cache(maxsize=4)
def compiled_contract(tokenizer, vocab_size: int, stop_ids: tuple[int, ...], regex: str = CONTRACT_REGEX,
                      gbnf: str | None = None):
    """The contract compiled for one tokenizer (a few seconds, cached): the regex, or a GBNF grammar."""
    import xgrammar as xgr

    info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size, stop_token_ids=list(stop_ids))
    compiler = xgr.GrammarCompiler(info)
    return compiler.compile_grammar(gbnf) if gbnf is not None else compiler.compile_regex(regex)


class ContractLogitsProcessor:
    """Masks every token that would leave the contract's grammar. One instance per generate()
    call. Unlike xgrammar's own HF processor it tolerates rows that `generate` has already
    finished (stop strings) and then pads: those rows are left alone."""

    def __init__(self, compiled) -> None:
        self.compiled = compiled
        self.matchers: list = []
        self.active: list[bool] = []
        self.bitmask = None
        self.started = False

    def __call__(self, input_ids, scores):
        import xgrammar as xgr

        batch = input_ids.shape[0]
        if not self.matchers:
            self.matchers = [xgr.GrammarMatcher(self.compiled) for _ in range(batch)]
            self.active = [True] * batch
            self.bitmask = xgr.allocate_token_bitmask(batch, self.compiled.tokenizer_info.vocab_size)
        elif self.started:
            last = input_ids[:, -1].tolist()
            for i, m in enumerate(self.matchers):
                if self.active[i] and (m.is_terminated() or not m.accept_token(last[i])):
                    self.active[i] = False  # finished (stop string / end of turn) and now padding
        self.started = True
        self.bitmask.fill_(-1)  # all allowed, then each active row gets its grammar mask
        for i, m in enumerate(self.matchers):
            if self.active[i] and not m.is_terminated():
                m.fill_next_token_bitmask(self.bitmask, i)
        device = scores.device
        cpu_scores = scores if device.type in ("cpu", "cuda") else scores.to("cpu")
        xgr.apply_token_bitmask_inplace(cpu_scores, self.bitmask.to(cpu_scores.device), vocab_size=scores.shape[-1])
        return cpu_scores.to(device)


def contract_processor_factory(model, tokenizer):
    """A factory for `generate_batch(..., logits_processor_factory=...)`."""
    vocab = int(model.get_output_embeddings().weight.shape[0])
    compiled = compiled_contract(tokenizer, vocab, tuple(stop_token_ids(model, tokenizer)))
    return lambda: ContractLogitsProcessor(compiled)


def allows(tokenizer, text: str, stop_ids: tuple[int, ...] = (), vocab_size: int | None = None,
           gbnf: str | None = None) -> bool:
    """Whether `text` is a complete sentence of the contract's grammar (the regex, or `gbnf`)."""
    import xgrammar as xgr

    compiled = compiled_contract(tokenizer, vocab_size or len(tokenizer), tuple(stop_ids), gbnf=gbnf)
    matcher = xgr.GrammarMatcher(compiled)
    return matcher.accept_string(text) and matcher.is_completed()
