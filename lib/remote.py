"""Generate with any OpenAI-compatible `/v1/chat/completions` server: vLLM (the adapter served with
`--enable-lora`), SGLang, TGI, llama.cpp's server, Ollama. The agent loop, the server, the widget
and the evaluation take an `OpenAICompatible` wherever they take a loaded model's generate function.

A request carries our system prompt (today's date in it) and the history, greedy decoding
(temperature 0), the contract's stop strings, and, for templates that print the date themselves
(Llama-3.1's "Today Date"), `chat_template_kwargs.date_string` (vLLM and llama.cpp read it;
`send_template_kwargs=False` for servers that refuse unknown fields). Engines leave the stop
string out of the text, so a closing tag that a stop cut off is put back.

Constrained decoding where the engine has it: `grammar="vllm"` sends the contract as a regex
(vLLM's structured outputs), `grammar="llama.cpp"` as a GBNF grammar.

Failures never crash and never write: connection errors are retried (`retries`), and a timeout, an
HTTP error, or a response without text raises `lib.agent.ModelError`, which the agent turns into
an error turn before touching the history or the store.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from typing import Any, Literal, Optional, Sequence

import httpx

from lib.agent import ModelError
from lib.generation import MAX_NEW_TOKENS, STOP_STRINGS
from lib.grammar import CONTRACT_GBNF, CONTRACT_REGEX
from lib.prompts import TRAINED_PROMPT_STYLE, ChatPrompt, template_kwargs

Grammar = Optional[Literal["vllm", "llama.cpp"]]


def close_cut_tag(text: str) -> str:
    """Put back the closing tag a stop string removed: "<action>\\nx()" -> "<action>\\nx()\\n</action>"."""
    last = max(("action", "final"), key=lambda t: text.rfind(f"<{t}>"))
    if text.rfind(f"<{last}>") >= 0 and text.rfind(f"</{last}>") < text.rfind(f"<{last}>"):
        return text + ("\n" if last == "action" else "") + f"</{last}>"
    return text


class OpenAICompatible:
    """A `generate(prompt) -> str` on a remote engine. `api_key_env` names the environment variable
    holding the key (engines started without one accept any)."""

    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY", timeout_s: float = 60.0,
                 retries: int = 2, max_tokens: int = MAX_NEW_TOKENS, grammar: Grammar = None,
                 send_template_kwargs: bool = True, prompt_style: str = TRAINED_PROMPT_STYLE) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        self.url = base_url.rstrip("/") + ("" if base_url.rstrip("/").endswith("/v1") else "/v1") + "/chat/completions"
        self.model, self.retries, self.max_tokens, self.grammar = model, retries, max_tokens, grammar
        self.send_template_kwargs = send_template_kwargs
        self.prompt_style = prompt_style
        key = os.environ.get(api_key_env, "")
        self.client = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
                                   headers={"Authorization": f"Bearer {key}"} if key else {})
        self.info = {"model_name": model, "adapter": None, "backend": f"openai-compatible {base_url}",
                     "prompt_style": prompt_style, "path": model}
        self.completion_tokens = 0  # as the engine reports them (usage), for throughput figures

    def body(self, prompt: ChatPrompt) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": prompt.messages, "temperature": 0, "top_p": 1,
                                "max_tokens": self.max_tokens, "stop": STOP_STRINGS, "seed": 3407}
        if self.send_template_kwargs:
            body["chat_template_kwargs"] = template_kwargs(prompt.today)
        if self.grammar == "vllm":
            body["structured_outputs"] = {"regex": CONTRACT_REGEX}
        elif self.grammar == "llama.cpp":
            body["grammar"] = CONTRACT_GBNF
        return body

    def __call__(self, prompt: ChatPrompt) -> str:
        for attempt in range(self.retries + 1):
            try:
                response = self.client.post(self.url, json=self.body(prompt))
                break
            except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
                if attempt == self.retries:
                    raise ModelError(f"cannot reach {self.url}: {exc}") from None
                time.sleep(0.5 * 2 ** attempt)
            except httpx.TimeoutException:
                raise ModelError(f"{self.url} did not answer in time") from None
        if response.status_code != 200:
            raise ModelError(f"{self.url} answered HTTP {response.status_code}: {response.text[:300]}")
        try:
            choice = response.json()["choices"][0]
            text = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise ModelError(f"{self.url} sent a response that is not a chat completion: {response.text[:300]}") from None
        if not isinstance(text, str):
            raise ModelError(f"{self.url} sent no text (content is {type(text).__name__})")
        usage = response.json().get("usage") or {}
        self.completion_tokens += int(usage.get("completion_tokens") or 0)
        return close_cut_tag(text) if choice.get("finish_reason") == "stop" else text

    def generate_many(self, prompts: Sequence[ChatPrompt], concurrency: int = 8) -> list[str]:
        """Many prompts at once (the engine batches concurrent requests). A failed one becomes an
        empty answer, which scores as unparseable: an evaluation never stops halfway."""
        def one(prompt: ChatPrompt) -> str:
            try:
                return self(prompt)
            except ModelError:
                return ""

        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(one, prompts))

    def close(self) -> None:
        self.client.close()
