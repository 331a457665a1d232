"""What the engines get: an Ollama Modelfile with the model's chat template and our stops, and the
exact serve commands; the GBNF twin of the contract grammar accepts and refuses what the regex does."""

import pytest

from lib.export import chat_family, ollama_modelfile, serve_commands, write_ollama_modelfile
from lib.grammar import CONTRACT_GBNF
from lib.parser import format_action, format_final


def test_modelfiles_for_llama3_and_chatml_templates(tmp_path):
    from transformers import AutoTokenizer

    from lib.model import resolve_model_name

    for name, family, end in [("tiny", "llama3", "<|eot_id|>"), ("smollm2", "chatml", "<|im_end|>")]:
        tok = AutoTokenizer.from_pretrained(resolve_model_name(name))
        assert chat_family(tok.chat_template) == family
        (tmp_path / name).mkdir()
        (tmp_path / name / "model-Q4_K_M.gguf").write_bytes(b"GGUF")
        text = write_ollama_modelfile(tmp_path / name, tok).read_text()
        assert text.startswith("FROM ./model-Q4_K_M.gguf\n")
        assert f'PARAMETER stop "{end}"' in text and 'PARAMETER stop "</action>"' in text
        assert "PARAMETER temperature 0" in text and "SYSTEM" not in text
    with pytest.raises(NotImplementedError):
        ollama_modelfile("x.gguf", "{{ messages }}")


def test_serve_commands_name_the_adapter_and_the_base_model(tmp_path):
    c = serve_commands(tmp_path / "adapters/t4", "unsloth/Llama-3.1-8B-Instruct-bnb-4bit", gguf_dir=tmp_path / "gguf")
    assert c["vllm"].startswith("vllm serve unsloth/Llama-3.1-8B-Instruct-bnb-4bit --enable-lora --lora-modules taskagent=")
    assert "--backend openai --base-url http://localhost:8001/v1 --served-model taskagent" in c["server"]
    assert c["llama.cpp"].startswith("llama-server -m ") and "ollama create taskagent -f Modelfile" in c["ollama"]


def test_the_gbnf_grammar_accepts_and_refuses_what_the_regex_does():
    from lib.grammar import allows
    from lib.model import fix_special_tokens, resolve_model_name
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(resolve_model_name("tiny"))
    stops = (fix_special_tokens(tok)["end_of_turn_id"],)
    good = [format_action([{"name": "add_task", "args": {"title": "Buy milk", "due_date": "next Friday"}}]),
            format_action([{"name": "update_task", "args": {"title": "A", "due_date": None, "status": "open"}},
                           {"name": "restore_task", "args": {"title": "B"}}]),
            format_final("Hello!")]
    bad = ["Hello!", format_action([{"name": "rm_rf", "args": {}}]), format_action([{"name": "add_task", "args": {}}])]
    for text in good:
        assert allows(tok, text, stops) and allows(tok, text, stops, gbnf=CONTRACT_GBNF), text
    for text in bad:
        assert not allows(tok, text, stops) and not allows(tok, text, stops, gbnf=CONTRACT_GBNF), text
