"""What each inference engine needs from a trained adapter, and the commands that serve it.

- vLLM serves the LoRA adapter itself on top of the base model (no merge): `serve_commands`.
- llama.cpp and Ollama need one GGUF file of the merged model: on a GPU, Unsloth's
  `save_pretrained_gguf(..., quantization_method="q4_k_m")` (notebook 02's `export_gguf`) merges,
  converts and quantizes; `ollama_modelfile` then writes the Modelfile with the chat template and
  the stop tokens our contract needs (Ollama does not read a GGUF's Jinja template).
- `merge_to_folder` writes a merged 16-bit model from an adapter folder with plain PEFT: it loads
  a fresh copy, so the model in memory keeps its adapter; on a CPU this is how the small model gets
  to llama.cpp's convert_hf_to_gguf.py.

Every served engine is then used through `lib.remote.OpenAICompatible`, the same way.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Optional

from lib.model import adapter_base_model, resolve_model_name

LLAMA3_TEMPLATE = '''{{- range .Messages }}<|start_header_id|>{{ if eq .Role "tool" }}ipython{{ else }}{{ .Role }}{{ end }}<|end_header_id|>

{{ if eq .Role "system" }}Cutting Knowledge Date: December 2023

{{ end }}{{ .Content }}<|eot_id|>
{{- end }}<|start_header_id|>assistant<|end_header_id|>

'''
CHATML_TEMPLATE = '''{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
'''


def chat_family(chat_template: str) -> str:
    """"llama3" or "chatml", from a tokenizer's Jinja chat template."""
    if "<|start_header_id|>" in chat_template:
        return "llama3"
    if "<|im_start|>" in chat_template:
        return "chatml"
    raise NotImplementedError("an Ollama TEMPLATE is written here for Llama-3 and ChatML chat templates only; "
                              "write this model's TEMPLATE by hand (see ollama.com/library for its family)")


def ollama_modelfile(gguf_file: str, chat_template: str, num_ctx: int = 2048) -> str:
    """A Modelfile: the GGUF, the chat template in Ollama's syntax, greedy decoding, and the stops.
    No SYSTEM line: the agent sends its own system prompt, with today's date, on every request."""
    family = chat_family(chat_template)
    template, end = (LLAMA3_TEMPLATE, "<|eot_id|>") if family == "llama3" else (CHATML_TEMPLATE, "<|im_end|>")
    stops = [end, "</action>", "</final>"]  # the engine drops them; lib.remote puts the closing tag back
    return "\n".join([f"FROM ./{Path(gguf_file).name}", f'TEMPLATE """{template}"""',
                      *[f'PARAMETER stop "{s}"' for s in stops], "PARAMETER temperature 0",
                      f"PARAMETER num_ctx {num_ctx}", ""])


def write_ollama_modelfile(gguf_dir: str | Path, tokenizer) -> Path:
    """Write gguf_dir/Modelfile for the (first) q4_k_m GGUF in gguf_dir."""
    folder = Path(gguf_dir)
    found = sorted(folder.glob("*[Qq]4_[Kk]_[Mm]*.gguf")) or sorted(folder.glob("*.gguf"))
    if not found:
        raise FileNotFoundError(f"no .gguf file in {folder}")
    path = folder / "Modelfile"
    path.write_text(ollama_modelfile(found[0].name, tokenizer.chat_template))
    return path


def serve_commands(adapter_dir: str | Path, base_model: str, served_name: str = "taskagent",
                   gguf_dir: Optional[str | Path] = None, port: int = 8001) -> dict[str, str]:
    """The exact shell commands to serve a trained adapter and to point this project at it."""
    q = shlex.quote
    url = f"http://localhost:{port}/v1"
    commands = {
        "vllm": f"vllm serve {q(base_model)} --enable-lora --lora-modules {served_name}={q(str(adapter_dir))} "
                f"--max-lora-rank 64 --port {port}",
        "server": f"python -m lib.server --backend openai --base-url {url} --served-model {served_name}",
        "evaluate": f"python -m lib.evaluate --backend openai --base-url {url} --served-model {served_name} "
                    f"--data outputs/data/test.jsonl --out outputs/reports/served",
        "widget": f"notebook 04 with base_url = {json.dumps(url)} and served_model = {json.dumps(served_name)}",
    }
    if gguf_dir is not None:
        gguf = next(iter(sorted(Path(gguf_dir).glob("*.gguf"))), Path(gguf_dir) / "model-Q4_K_M.gguf")
        commands["llama.cpp"] = f"llama-server -m {q(str(gguf))} --port {port} --jinja -c 2048"
        commands["ollama"] = (f"cd {q(str(gguf_dir))} && ollama create {served_name} -f Modelfile && ollama serve  "
                              f"# then base_url http://localhost:11434/v1, served_model {served_name}")
    return commands


def merge_to_folder(adapter_dir: str | Path, out_dir: str | Path, base_model: Optional[str] = None) -> Path:
    """A merged 16-bit model (base + adapter) saved with its tokenizer, from a fresh copy."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = resolve_model_name(base_model or adapter_base_model(adapter_dir))
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float16)
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    out = Path(out_dir)
    merged.save_pretrained(out)
    AutoTokenizer.from_pretrained(str(adapter_dir)).save_pretrained(out)
    return out
