"""Language models behind one method, ``generate(prompt, max_tokens) -> Iterator[str]`` (text as it streams).

``local`` runs the bundled GGUF with llama-cpp-python on 2 threads; ``openai`` calls any
OpenAI-compatible endpoint (Ollama, vLLM, ...) through llama-index's ``OpenAILike``. Both load
lazily, on the first answer, and once per process (``shared_generator``). Both libraries are the
optional ``llm`` extra and are imported only here. Decoding is greedy: the same passages give the
same answer. What the text may claim is ``kb.verify``'s job, not this module's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from kb.errors import KyodoError
from kb.prompt import Prompt
from kb.settings import Settings

THREADS = 2
CONTEXT_TOKENS = 4096
SEED = 0
SETUP_HINT = "run 'make llm' (installs the 'llm' extra with the right CMAKE_ARGS and fetches the model)"


class LLMUnavailableError(KyodoError):
    """The configured language model cannot be used: its library, file, endpoint name or key is missing."""


class LLMError(KyodoError):
    """The language model failed while answering; the caller falls back to the extractive answer."""


class Generator(Protocol):
    """A language model as Kyodo uses it: a prompt in, the answer's text out piece by piece."""

    def generate(self, prompt: Prompt, max_tokens: int) -> Iterator[str]: ...


class LocalGenerator:
    """Qwen2.5-Coder-1.5B-Instruct (GGUF) in-process with llama-cpp-python; one answer at a time."""

    def __init__(self, path: Path, threads: int = THREADS) -> None:
        self.path = path
        self.threads = threads
        self._llama: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._llama is None:
                try:
                    from llama_cpp import Llama
                except ImportError as exc:
                    raise LLMUnavailableError(f"KYODO_LLM=local needs llama-cpp-python, which is not installed: {SETUP_HINT}") from exc
                if not self.path.is_file():
                    raise LLMUnavailableError(f"No language model at {self.path}: {SETUP_HINT}, or 'kyodo models fetch --llm'")
                self._llama = Llama(model_path=str(self.path), n_threads=self.threads, n_threads_batch=self.threads,
                                    n_ctx=CONTEXT_TOKENS, seed=SEED, verbose=False)
            return self._llama

    def generate(self, prompt: Prompt, max_tokens: int) -> Iterator[str]:
        llama = self._load()
        messages = [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}]
        # The model's state is not thread-safe: one generation at a time, released when the stream is closed.
        with self._lock:
            try:
                for chunk in llama.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0,
                                                          stream=True):
                    if text := chunk["choices"][0]["delta"].get("content"):
                        yield text
            except (ValueError, RuntimeError) as exc:  # e.g. a prompt longer than the context window
                raise LLMError(f"the local model {self.path.name} failed: {exc}") from exc


class OpenAIGenerator:
    """A chat model on an OpenAI-compatible server, through llama-index's ``OpenAILike``."""

    def __init__(self, url: str, model: str, api_key: str | None, timeout: float = 120.0) -> None:
        self.url = url
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self._llm: Any = None

    def _load(self) -> Any:
        if self._llm is None:
            try:
                from llama_index.llms.openai_like import OpenAILike
            except ImportError as exc:
                raise LLMUnavailableError("KYODO_LLM=openai needs llama-index-llms-openai-like: "
                                          "pip install -e '.[llm]' (or run 'make llm')") from exc
            # Local servers (Ollama, vLLM) accept any key; the client library insists on one.
            self._llm = OpenAILike(model=self.model, api_base=self.url, api_key=self.api_key or "unused",
                                   is_chat_model=True, temperature=0.0, timeout=self.timeout, max_retries=1)
        return self._llm

    def generate(self, prompt: Prompt, max_tokens: int) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        llm = self._load()
        messages = [ChatMessage(role="system", content=prompt.system), ChatMessage(role="user", content=prompt.user)]
        try:
            for response in llm.stream_chat(messages, max_tokens=max_tokens):
                if response.delta:
                    yield response.delta
        except Exception as exc:  # openai and httpx raise many types; each means "this endpoint did not answer"
            raise LLMError(f"the model endpoint {self.url} ({self.model}) failed: {exc}") from exc


@cache
def _local(path: Path) -> LocalGenerator:
    return LocalGenerator(path)


@cache
def _remote(url: str, model: str, api_key: str | None) -> OpenAIGenerator:
    return OpenAIGenerator(url, model, api_key)


def shared_generator(settings: Settings) -> Generator:
    """The generator ``KYODO_LLM`` selects, one per process; the model itself loads on the first answer."""
    if settings.llm == "local":
        return _local(settings.llm_model_path)
    if settings.llm == "openai":
        if not settings.llm_url or not settings.llm_model:
            raise LLMUnavailableError("KYODO_LLM=openai needs KYODO_LLM_URL (e.g. http://localhost:11434/v1) "
                                      "and KYODO_LLM_MODEL (the served model's name)")
        if settings.llm_api_key_env and not settings.llm_api_key:
            raise LLMUnavailableError(f"KYODO_LLM_API_KEY_ENV names {settings.llm_api_key_env!r}, "
                                      "but that variable is not set (export it, or unset KYODO_LLM_API_KEY_ENV)")
        return _remote(settings.llm_url, settings.llm_model, settings.llm_api_key)
    raise LLMUnavailableError(f"KYODO_LLM is {settings.llm!r}: there is no language model to load (use local or openai)")

