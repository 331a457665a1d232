"""Generation on a CPU: grouped-query attention without KV copies, and linear weights laid out
transposed while a batch decodes, give the same tokens."""

import threading

import pytest
import torch

from lib.generation import _compute_context, _sdpa_gqa_on_cpu, _weights_transposed_on_cpu


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


def _left_padded_batch():
    """Left padding, as in generate_batch: rows of different lengths need the attention mask."""
    ids = torch.tensor([[0, 0, 0, 5, 17, 42, 8], [3, 9, 27, 64, 11, 2, 90]])
    mask = (ids != 0).long()
    return ids, mask, dict(input_ids=ids, attention_mask=mask, max_new_tokens=24, do_sample=False, pad_token_id=0)


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
    ids, mask, kwargs = _left_padded_batch()
    with _compute_context(gqa_llama):  # generation's context on a CPU takes the shared path
        assert _hook()(mask, torch.zeros(1, 2, 3, 16), torch.zeros(1, 2, 3, 16)) is True
    # compared alone: that context also turns on bf16 autocast where the CPU has bf16, which
    # changes the numbers for another reason than the KV copies this test is about
    with torch.inference_mode():
        copied = gqa_llama.generate(**kwargs)
        with _sdpa_gqa_on_cpu():
            shared = gqa_llama.generate(**kwargs)
        logits_copied = gqa_llama(input_ids=ids, attention_mask=mask).logits
        with _sdpa_gqa_on_cpu():
            logits_shared = gqa_llama(input_ids=ids, attention_mask=mask).logits
    assert torch.equal(copied, shared)
    torch.testing.assert_close(logits_shared, logits_copied, rtol=0, atol=1e-5)


def _linear_weights(model):
    return [m.weight for m in model.modules() if type(m) is torch.nn.Linear]


def test_greedy_tokens_are_the_same_with_transposed_weights_and_the_layout_is_restored(gqa_llama):
    ids, mask, kwargs = _left_padded_batch()
    before = [w.detach().clone() for w in _linear_weights(gqa_llama)]
    with torch.inference_mode():
        plain = gqa_llama.generate(**kwargs)
        logits_plain = gqa_llama(input_ids=ids, attention_mask=mask).logits
    with _weights_transposed_on_cpu(gqa_llama):
        # the layout really changed: every weight is now the transpose of a contiguous tensor
        assert all(not w.is_contiguous() and w.t().is_contiguous() for w in _linear_weights(gqa_llama))
        with torch.inference_mode():
            transposed = gqa_llama.generate(**kwargs)
            logits_transposed = gqa_llama(input_ids=ids, attention_mask=mask).logits
    assert torch.equal(plain, transposed)
    torch.testing.assert_close(logits_transposed, logits_plain, rtol=0, atol=1e-5)
    after = _linear_weights(gqa_llama)
    assert all(w.is_contiguous() for w in after)
    assert all(torch.equal(a, b) for a, b in zip(before, after))


def test_transposed_weights_leave_a_tied_head_and_training_intact():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(1)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=300, hidden_size=64, intermediate_size=128,
                                         num_hidden_layers=1, num_attention_heads=4, num_key_value_heads=2,
                                         tie_word_embeddings=True))
    head = model.get_output_embeddings().weight
    assert head is model.get_input_embeddings().weight
    saved = head.detach().clone()
    with _weights_transposed_on_cpu(model):
        assert head.t().is_contiguous()  # transposed once, not twice
        with torch.inference_mode():
            model(input_ids=torch.tensor([[1, 2, 3]]))
    assert head.is_contiguous() and torch.equal(head, saved)
    # the parameters are ordinary tensors again: a training step runs and reaches every weight
    model(input_ids=torch.tensor([[1, 2, 3]]), labels=torch.tensor([[1, 2, 3]])).loss.backward()
    assert all(p.grad is not None for p in model.parameters())


def test_transposed_weights_only_when_asked():
    model = torch.nn.Sequential(torch.nn.Linear(8, 4))
    with _weights_transposed_on_cpu(model, enabled=False):
        assert model[0].weight.is_contiguous()


def test_decoding_restores_padding_side_and_training_mode_even_on_an_error():
    """generate_batch and generate_alternatives share `_decoding`: a training loop or a right-padding
    caller finds the tokenizer and the model as it left them, also when generation fails."""
    from types import SimpleNamespace

    from lib.generation import _decoding

    model = torch.nn.Linear(2, 2).train()
    tokenizer = SimpleNamespace(padding_side="right")
    with pytest.raises(RuntimeError):
        with _decoding(model, tokenizer):
            assert tokenizer.padding_side == "left" and not model.training
            raise RuntimeError("generation failed")
    assert tokenizer.padding_side == "right" and model.training
    model.eval()
    with _decoding(model, tokenizer):
        pass
    assert not model.training  # eval stays eval
