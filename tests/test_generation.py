"""Generation on a CPU: grouped-query attention without KV copies gives the same tokens."""

import threading

import pytest
import torch

from lib.generation import _compute_context, _sdpa_gqa_on_cpu


@pytest.fixture(scope="module")
def gqa_llama():
    """A small random Llama with grouped-query attention (8 query heads share 2 KV heads), as
    SmolLM2 (9 and 3) and Llama-3.1 (32 and 8) have."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=300, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=8, num_key_value_heads=2, max_position_embeddings=256,
                         attn_implementation="sdpa")
    return LlamaForCausalLM(config).eval()


def _hook():
    from transformers.integrations import sdpa_attention

    return sdpa_attention.use_gqa_in_sdpa


def test_the_shared_kv_path_is_taken_only_inside_the_context_and_only_on_its_thread():
    key = torch.zeros(2, 2, 5, 16)
    mask = torch.ones(2, 1, 1, 5, dtype=torch.bool)
    with _sdpa_gqa_on_cpu():
        assert _hook()(mask, key, key) is True  # transformers' own answer with a mask is False
        seen = []
        worker = threading.Thread(target=lambda: seen.append(_hook()(mask, key, key)))
        worker.start()
        worker.join()
        assert seen == [False]  # another thread (a server's, a training loop) is unaffected
    assert _hook()(mask, key, key) is False


def test_greedy_tokens_are_the_same_with_and_without_kv_copies(gqa_llama):
    # Left padding, as in generate_batch: rows of different lengths need the attention mask.
    ids = torch.tensor([[0, 0, 0, 5, 17, 42, 8], [3, 9, 27, 64, 11, 2, 90]])
    mask = (ids != 0).long()
    kwargs = dict(input_ids=ids, attention_mask=mask, max_new_tokens=24, do_sample=False, pad_token_id=0)
    with torch.inference_mode():
        copied = gqa_llama.generate(**kwargs)
        with _compute_context(gqa_llama):
            assert _hook()(mask, torch.zeros(1, 2, 3, 16), torch.zeros(1, 2, 3, 16)) is True
            shared = gqa_llama.generate(**kwargs)
        logits_copied = gqa_llama(input_ids=ids, attention_mask=mask).logits
        with _compute_context(gqa_llama):
            logits_shared = gqa_llama(input_ids=ids, attention_mask=mask).logits
    assert torch.equal(copied, shared)
    torch.testing.assert_close(logits_shared, logits_copied, rtol=0, atol=1e-5)
