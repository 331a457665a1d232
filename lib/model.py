"""Load a chat model through Unsloth's FastLanguageModel, in both worlds.

GPU: `unsloth/Llama-3.1-8B-Instruct-bnb-4bit` (or any HF name), `dtype=None` (fp16 on a T4).
CPU: Unsloth's CPU fallback (stock transformers + PEFT underneath), float32, no gradient
checkpointing (bf16 and checkpointing are ~4.5x slower on these CPUs). `import unsloth` comes
before transformers/trl/peft, as Unsloth requires.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

from lib import offline_models
from lib.presets import DEFAULT_GPU_MODEL
from lib.prompts import TRAINED_PROMPT_STYLE
from lib.runtime import configure_environment, has_cuda

ALIASES = {"smollm2": "smollm2", "SmolLM2-135M-Instruct": "smollm2", "tiny": "tiny"}


def default_model_name() -> str:
    return DEFAULT_GPU_MODEL if has_cuda() else "smollm2"


def resolve_model_name(model_name: Optional[str]) -> str:
    """Aliases for the offline models become local folders (built on first use)."""
    name = model_name or default_model_name()
    if ALIASES.get(name) == "smollm2":
        return str(offline_models.prepare_smollm2())
    if ALIASES.get(name) == "tiny":
        return str(offline_models.build_tiny_llama())
    return name


def end_of_turn_token(tokenizer) -> str:
    """The token the chat template closes an assistant turn with (<|eot_id|>, <|im_end|>, ...)."""
    marker = "§TASKAGENT§"
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": "x"}, {"role": "assistant", "content": marker}], tokenize=False
    )
    after = text.split(marker, 1)[1]
    ids = tokenizer(after, add_special_tokens=False)["input_ids"]
    if not ids:
        raise ValueError("the chat template adds nothing after an assistant message: no end-of-turn token")
    return tokenizer.convert_ids_to_tokens(ids[0])


def fix_special_tokens(tokenizer, model=None) -> dict[str, Any]:
    """Make sure the end-of-turn token is known and the pad token is a different token, so the
    end of turn is learned and never masked as padding. Returns what was chosen."""
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError("this tokenizer has no chat template; taskagent needs a chat (instruct) model")
    eot = end_of_turn_token(tokenizer)
    eot_id = tokenizer.convert_tokens_to_ids(eot)
    tokenizer.clean_up_tokenization_spaces = False  # destructive for BPE tokenizers (strips spaces)
    if tokenizer.pad_token is None or tokenizer.pad_token_id == eot_id:
        vocab = tokenizer.get_vocab()
        choice = next((t for t in ("<|finetune_right_pad_id|>", "<|reserved_special_token_0|>", "<|endoftext|>",
                                   "<pad>", "<|pad|>") if t in vocab and vocab[t] != eot_id), None)
        if choice is None:
            tokenizer.add_special_tokens({"pad_token": "<|pad|>"})
            if model is not None:
                model.resize_token_embeddings(len(tokenizer))
        else:
            tokenizer.pad_token = choice
    if model is not None:
        model.config.pad_token_id = tokenizer.pad_token_id
        if getattr(model, "generation_config", None) is not None:
            model.generation_config.pad_token_id = tokenizer.pad_token_id
            # Unsloth's CUDA loader sets max_length to the context size (131,072 for Llama-3.1); every
            # generate() here passes max_new_tokens, so transformers warned "Both `max_new_tokens` and
            # `max_length` seem to have been set" on each call: dozens of lines in a Colab notebook.
            model.generation_config.max_length = None
    return {"end_of_turn": eot, "end_of_turn_id": eot_id, "pad": tokenizer.pad_token, "pad_id": tokenizer.pad_token_id}


def load_model(
    model_name: Optional[str] = None,
    max_seq_length: int = 2048,
    load_in_4bit: Optional[bool] = None,
    dtype: Any = None,
    adapter_dir: Optional[str | Path] = None,
    trainable_adapter: bool = False,
    **kwargs: Any,
):
    """Model and tokenizer through Unsloth. `load_in_4bit=None`: 4-bit with a CUDA GPU, full
    precision on a CPU. With `adapter_dir`, a saved LoRA adapter is put on top (a PeftModel:
    `with model.disable_adapter():` gives the base model back)."""
    configure_environment()
    import unsloth  # noqa: F401  (must precede transformers/peft)
    from unsloth import FastLanguageModel
    import torch

    name = resolve_model_name(model_name)
    cuda = torch.cuda.is_available()
    if load_in_4bit is None:
        load_in_4bit = cuda
    if not cuda:
        dtype = dtype or torch.float32  # bf16 autocast on these CPUs is slower, not faster
        kwargs.setdefault("use_gradient_checkpointing", False)
    model, tokenizer = FastLanguageModel.from_pretrained(
        model_name=name, max_seq_length=max_seq_length, dtype=dtype, load_in_4bit=load_in_4bit, **kwargs
    )
    if adapter_dir is not None:
        from peft import PeftModel

        adapter_dir = resolve_adapter(adapter_dir)
        model = PeftModel.from_pretrained(model, adapter_dir, is_trainable=trainable_adapter)
    tokens = fix_special_tokens(tokenizer, model)
    model.taskagent_info = {"model_name": model_name or name, "path": name, "adapter": str(adapter_dir) if adapter_dir else None,
                            "backend": "cuda" if cuda else "cpu", "load_in_4bit": load_in_4bit,
                            "prompt_style": adapter_prompt_style(adapter_dir) if adapter_dir else "contract", **tokens}
    return model, tokenizer


def latest_adapter(adapters_dir: str | Path = "outputs/adapters") -> Optional[Path]:
    """The most recently saved LoRA adapter folder, or None (notebooks 03/04 default to it)."""
    found = [p.parent for p in Path(adapters_dir).glob("*/adapter_config.json")]
    return max(found, key=lambda p: (p / "adapter_config.json").stat().st_mtime) if found else None


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def resolve_adapter(adapter: str | Path) -> str:
    """A LoRA adapter given as a local folder (notebook 02 writes one) or a Hugging Face Hub id
    ("you/taskagent-lora", e.g. pushed by notebook 02): the folder, or the id to download."""
    if (Path(adapter) / "adapter_config.json").exists():
        return str(adapter)
    if not Path(adapter).exists() and _HUB_ID.match(str(adapter)):
        return str(adapter)
    raise FileNotFoundError(f"no LoRA adapter in {adapter} (adapter_config.json missing): run notebook 02 first, "
                            "or give the Hub id of an adapter you pushed, like 'you/taskagent-lora'")


def adapter_prompt_style(adapter: str | Path) -> str:
    """The system prompt an adapter was trained with (lib.prompts): the one to serve it with."""
    log = Path(adapter) / "training_log.json"
    if log.exists():
        return json.loads(log.read_text())["config"].get("prompt_style", "contract")
    return TRAINED_PROMPT_STYLE  # an adapter from the Hub without its log: trained by this version


def adapter_base_model(adapter: str | Path) -> str:
    """The model an adapter was trained from: the name it was given in training (its
    training_log.json, so "smollm2" stays an alias), else what PEFT recorded."""
    log, config = Path(adapter) / "training_log.json", Path(adapter) / "adapter_config.json"
    if log.exists():
        return json.loads(log.read_text())["config"]["model_name"]
    if config.exists():
        return json.loads(config.read_text())["base_model_name_or_path"]
    from peft import PeftConfig  # a Hub id

    return PeftConfig.from_pretrained(str(adapter)).base_model_name_or_path
