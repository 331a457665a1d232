import collections
import json

import pytest

from lib.dataset import Row, load_rows, normalize_title
from lib.synth import CATEGORIES, generate_dataset, write_dataset
from lib.synth.assistant_texts import analysis_sentence
from lib.synth.checks import validate_sample
from lib.parser import parse_response
from lib.synth.generate import phrases_by_split
from lib.synth.task_phrases import TRAIN_ONLY_PHRASES, task_phrases
from lib.prompts import TRAINED_PROMPT_STYLE, system_prompt


@pytest.fixture(scope="module")
def splits():
    return generate_dataset(seed=11)


def test_default_sizes_and_balance(splits):
    assert {s: len(r) for s, r in splits.items()} == {"train": 1728, "validation": 300, "test": 360}  # + v3
    for rows in splits.values():
        counts = collections.Counter(r["category"] for r in rows)
        assert set(counts) == set(CATEGORIES)
        assert min(counts.values()) >= 0.05 * len(rows)


def test_every_target_parses_strictly_matches_gold_and_executes(splits):
    for rows in splits.values():
        for row in rows:
            assert validate_sample(row) == [], row["id"]


def test_validate_sample_catches_a_wrong_gold(splits):
    row = dict(next(r for r in splits["train"] if r["category"] == "complete"))
    assert validate_sample({**row, "gold": [{"name": "complete_task", "args": {"title": "Nope"}}]})
    assert validate_sample({**row, "tasks": []})  # the task to complete is missing


def test_splits_are_disjoint(splits):
    def users(rows):
        return {m["content"] for r in rows for m in r["messages"] if m["role"] == "user"}

    def titles(rows):
        return {g["args"]["title"].casefold() for r in rows for g in r["gold"] if "title" in g["args"]}

    for held_out in ("validation", "test"):
        assert not users(splits["train"]) & users(splits[held_out])
        assert not {r["template_id"] for r in splits["train"]} & {r["template_id"] for r in splits[held_out]}
        assert not titles(splits["train"]) & titles(splits[held_out])


def test_dates_are_relative_to_each_rows_today(splits):
    todays = {r["today"][:4] for r in splits["train"]}
    assert todays >= {"2024", "2025", "2026", "2027", "2028"}
    dated = [r for r in splits["train"] if r["category"] == "add_dated"]
    for r in dated:
        assert r["gold"][0]["args"]["due_date"] >= r["today"]
    undated = [r for r in splits["train"] if r["category"] == "add_undated"]
    assert all("due_date" not in r["gold"][0]["args"] for r in undated)


def test_chat_sample_uses_the_shared_prompt(splits):
    row = Row.model_validate(splits["validation"][0])
    chat = row.chat()
    tasks = row.prepare_store().list()
    assert chat[0] == {"role": "system", "content": system_prompt(row.today, TRAINED_PROMPT_STYLE, tasks)}
    assert row.prompt().today == row.today and row.prompt().messages == chat[:-1]
    assert chat[-1] == {"role": "assistant", "content": row.target}


def test_generation_is_deterministic(tmp_path):
    sizes = {"train": 120, "validation": 48, "test": 48}
    write_dataset(tmp_path / "a", sizes, seed=5)
    write_dataset(tmp_path / "b", sizes, seed=5)
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "dataset_card.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    write_dataset(tmp_path / "c", sizes, seed=6)
    assert (tmp_path / "a" / "train.jsonl").read_bytes() != (tmp_path / "c" / "train.jsonl").read_bytes()


def test_files_load_with_datasets_and_our_loader(tmp_path):
    card = write_dataset(tmp_path, {"train": 70, "validation": 28, "test": 28}, seed=1)
    assert card["overlap"]["train_vs_test"] == {"user_messages": 0, "final_user_messages": 0, "template_ids": 0, "phrasings": 0, "gold_titles": 0}
    import datasets

    ds = datasets.load_dataset("json", data_files={"test": str(tmp_path / "test.jsonl")})["test"]
    assert len(ds) == 28 and {"id", "today", "messages", "gold", "category"} <= set(ds.column_names)
    rows = load_rows(tmp_path / "test.jsonl")
    assert len(rows) == 28 and all(parse_response(r.target).ok for r in rows)


def test_public_schema_accepts_user_or_messages_and_rejects_both(tmp_path):
    ok = {"id": "x", "today": "2026-11-25", "user": "add milk", "gold": [{"name": "add_task", "args": {"title": "Milk"}}]}
    Row.model_validate(ok)
    with pytest.raises(ValueError):
        Row.model_validate({**ok, "messages": [{"role": "user", "content": "hi"}]})
    with pytest.raises(ValueError):
        Row.model_validate({k: v for k, v in ok.items() if k != "user"})
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({**ok, "today": "someday"}) + "\n")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_rows(path)


def test_title_rule_and_phrase_bank():
    assert normalize_title("  'buy milk!' ") == "Buy milk"
    assert normalize_title("call Dr. Müller's office.") == "Call Dr. Müller's office"
    assert normalize_title("BUY MILK") == "BUY MILK"
    # only a pair of quotes around the whole title goes; a quoted word keeps its closing quote
    assert normalize_title("Read 'Dune'") == "Read 'Dune'" and normalize_title('"read Dune"') == "Read Dune"
    assert normalize_title("'Emma's text'") == "Emma's text"
    assert normalize_title("'Dune' and 'Emma'") == "'Dune' and 'Emma'"
    phrases = task_phrases()
    assert len(set(phrases)) >= 300
    assert any(not p.isascii() for p in phrases) and any("'" in p for p in phrases) and any("," in p for p in phrases)


def test_some_training_requests_follow_an_unrelated_exchange(splits):
    """A chat session's second message ("Hi!" first, then "add ...") must look like training data:
    a share of single-turn training rows starts with a greeting or a list/summary exchange, whose
    replies are real (a list call carries its tool result); held-out rows are left as they were."""
    def opened(rows):
        return [r for r in rows if r["category"] != "multi_turn" and len(r["messages"]) > 1]

    train = opened(splits["train"])
    assert 0.1 * 1600 < len(train) < 0.3 * 1600
    assert {r["category"] for r in train} >= set(CATEGORIES) - {"multi_turn"}
    for r in train:
        first = r["messages"][1]
        assert first["role"] == "assistant"
        if "<action>" in first["content"]:
            assert r["messages"][2]["role"] == "tool"
    assert not opened(splits["validation"]) and not opened(splits["test"])


def test_analysis_names_the_action_first_and_never_another_tools_verb():
    # v2.1's restore wording said "deleted" and a 135M model confused delete with restore
    # (docs/benchmarks.md, E11/E12): each kind of call has one sentence, led by its own verb.
    def said(name: str, **args: str) -> str:
        return analysis_sentence([{"name": name, "args": args}])

    assert said("delete_task", title="Buy milk") == "Delete 'Buy milk'."
    assert said("restore_task", title="Buy milk") == "Restore 'Buy milk' from the trash."
    assert said("update_task", title="Buy milk", status="open") == "Reopen 'Buy milk'."
    assert said("add_task", title="Buy milk", due_date="next Friday") == "Add 'Buy milk' due next Friday."
    assert "delete" not in said("restore_task", title="x").lower()
    assert said("list_tasks", status="all") == "Show all tasks."  # not "Show the all tasks."
    assert said("list_tasks", status="done") == "Show the done tasks."
    two = analysis_sentence([{"name": "complete_task", "args": {"title": "a"}},
                             {"name": "add_task", "args": {"title": "b"}}])
    assert two == "2 requests: Mark 'a' done; Add 'b' with no due date."


def test_typographic_titles_are_trained_on_and_leave_held_out_splits_alone():
    """Phone keyboards type “ ” and ’: training holds such titles (generator 2.4.3), added after
    the 70/15/15 cut so that validation and test keep their phrases."""
    split = phrases_by_split(3407)
    assert set(TRAIN_ONLY_PHRASES) <= set(split["train"])
    assert not set(TRAIN_ONLY_PHRASES) & (set(split["validation"]) | set(split["test"]))
    assert sorted(split["validation"] + split["test"] + split["train"][:-len(TRAIN_ONLY_PHRASES)]) == \
        sorted(set(task_phrases()))
    rows = generate_dataset(seed=3407)["train"]
    typed = [r for r in rows if any(ch in json.dumps(r, ensure_ascii=False) for ch in "“”‘’")]
    assert len(typed) >= 100


def test_validation_v3_adds_rows_without_changing_any_earlier_row(splits):
    # Validation v3 (generator 2.4.5): validation's twelve update families had saturated while
    # test's read 25-50%, so eight more were written, drawn only by rows appended after the 240
    # that earlier figures were read on. Validation v4 (2.6.0) did the same for a finished task said
    # as a fact: six multi_intent and three complete families. The 240 never draw a v3/v4 family, and
    # the appended rows draw each of a category's new families equally.
    from lib.synth.families import split_families
    from lib.synth.generate import V2_FAMILIES, VALIDATION_V3_SHARE

    v2, v3 = splits["validation"][:240], splits["validation"][240:]
    assert len(v3) == sum(round(share * 240) for share in VALIDATION_V3_SHARE.values()) == 60
    new_families = {"update": 8, "multi_intent": 6, "complete": 3}
    assert set(VALIDATION_V3_SHARE) == {c for _, c in V2_FAMILIES} == set(new_families)
    for category, count in new_families.items():
        first_v3 = V2_FAMILIES[("validation", category)]
        assert all(int(r["template_id"].split("/")[-1]) < first_v3 for r in v2 if r["category"] == category)
        rows = [r for r in v3 if r["category"] == category]
        assert len(rows) == round(VALIDATION_V3_SHARE[category] * 240)
        assert all(r["id"].startswith(f"validation-v3-{category}-") for r in rows)
        drawn = collections.Counter(r["template_id"] for r in rows)
        assert len(drawn) == len(split_families("validation")[category]) - first_v3 == count
        assert len(set(drawn.values())) == 1  # each family as often
    # new phrasings and new messages: none is a training message (generate_split's `taken`)
    assert not {r["messages"][-1]["content"] for r in v3} & {r["messages"][-1]["content"] for r in splits["train"]}


def test_training_v3_appends_rows_without_changing_any_earlier_row(splits):
    # Training v3 (generator 2.5.0): update said as people correct themselves or ask, drawn only by rows
    # appended after training's 1,600, so every earlier row stays as it was; the 1,600 never draw one.
    # Generator 2.6.0 appends 64 multi_intent rows the same way (done statements beside a request).
    from lib.synth.families import split_families, train_v3
    from lib.synth.generate import TRAIN_V3_SHARE, first_v3_family
    from lib.synth.heldout import core, held_out_cores

    before, appended = splits["train"][:1600], splits["train"][1600:]
    assert set(TRAIN_V3_SHARE) == set(train_v3()) == {"update", "multi_intent"}
    assert len(appended) == sum(round(s * 1600) for s in TRAIN_V3_SHARE.values()) == 128
    for category, families in train_v3().items():
        first_v3 = first_v3_family("train", category)
        assert split_families("train")[category][first_v3:] == [([], t) for t in families]
        assert all(int(r["template_id"].split("/")[-1]) < first_v3 for r in before if r["category"] == category)
        # new phrasings: none held out, none already a training family (with another meaning)
        cores = [core(t) for t, _ in families]
        assert len(set(cores)) == len(cores) and not set(cores) & held_out_cores()
        assert not set(cores) & {core(t) for _, (t, _) in split_families("train")[category][:first_v3]}
        rows = [r for r in appended if r["category"] == category]
        assert all(r["id"].startswith(f"train-v3-{category}-") for r in rows)
        if category in TRAIN_V3_SHARE:  # families in turn: each drawn, none more than once above another
            drawn = collections.Counter(int(r["template_id"].split("/")[-1]) for r in rows)
            assert set(drawn) == set(range(first_v3, first_v3 + len(families)))
            assert max(drawn.values()) - min(drawn.values()) <= 1
    # the rows before them are what generator 2.4.5 made: the same with training v3 switched off
    import lib.synth.generate as generate
    saved = dict(generate.TRAIN_V3_SHARE)
    try:
        generate.TRAIN_V3_SHARE.clear()
        assert generate.generate_dataset(seed=11) == {**splits, "train": before}
    finally:
        generate.TRAIN_V3_SHARE.update(saved)


def test_done_fact_families_pair_a_done_statement_with_a_request():
    # Each composed family says one task is finished (a _DONE_STATEMENT) and asks for one more
    # thing, in either order; the calls follow the order of the sentence, and the done task is the
    # one the statement names.
    from lib.synth.compose import _DONE_STATEMENT, done_fact_multi_intent

    families = done_fact_multi_intent()
    assert len(families) == 64
    orders = collections.Counter()
    for text, calls in families:
        assert len(calls) == 2 and sum(tool == "complete_task" for tool, _ in calls) == 1
        done_at = next(i for i, (tool, _) in enumerate(calls) if tool == "complete_task")
        slot = calls[done_at][1]["title"]
        statements = [st.replace("{t1}", "{" + slot + "}") for st in _DONE_STATEMENT]
        said = [st for st in statements if (text.startswith(st) if done_at == 0 else text.endswith(st))]
        assert said, text
        orders[done_at] += 1
        other = calls[1 - done_at]
        if "title" in other[1]:  # the request's task is the other slot
            assert other[1]["title"] != slot and "{" + other[1]["title"] + "}" in text
    assert orders[0] > 0 and orders[1] > 0
