"""The chat models a generator can run on, looked up by name in a registry.

Each factory builds a LangChain chat model from settings. The chat-model packages are the
optional ``llm`` extra and each factory imports its own only when called: the extractive
default never loads them. A new kind is one factory and one line in ``CHAT_MODELS``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from convqa.answer.grounding import GenerationError
from convqa.answer.prompt import STOP
from convqa.settings import Settings


def _api_key(settings: Settings) -> str | None:
    return settings.llm_api_key.get_secret_value() if settings.llm_api_key else None


def openai_model(settings: Settings) -> Any:
    """ChatOpenAI, for OpenAI or any OpenAI-compatible server (``llm_base_url``)."""
    from langchain_openai import ChatOpenAI  # lazy: the optional llm extra

    options: dict[str, Any] = {}
    if settings.llm_base_url:
        # ChatOpenAI sends `max_completion_tokens`; llama.cpp's and other
        # OpenAI-compatible servers read only `max_tokens`.
        options["extra_body"] = {"max_tokens": settings.llm_max_tokens}
    if settings.llm_model:
        options["model"] = settings.llm_model
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        # Local servers want no key, but the client insists on one.
        api_key=_api_key(settings) or ("not-needed" if settings.llm_base_url else None),
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        max_retries=0,  # a retry would double the wait; the extractive answer is ready
        stop=STOP,
        **options,
    )


def ollama_model(settings: Settings) -> Any:
    """ChatOllama on an Ollama server (``llm_model`` names the model)."""
    from langchain_ollama import ChatOllama  # lazy: the optional llm extra

    if not settings.llm_model:
        raise GenerationError("llm_no_model")
    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        temperature=settings.llm_temperature,
        num_predict=settings.llm_max_tokens,
        stop=STOP,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def llamacpp_model(settings: Settings) -> Any:
    """ChatLlamaCpp on a local GGUF file (``llm_model_path``), in this process."""
    from langchain_community.chat_models import ChatLlamaCpp  # lazy: the optional llm extra

    path = Path(settings.llm_model_path) if settings.llm_model_path else None
    if path is None or not path.is_file():
        raise GenerationError("llm_gguf_missing", file=path)
    return ChatLlamaCpp(
        model_path=str(path),
        n_ctx=4096,
        n_batch=256,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        stop=STOP,
        verbose=False,
    )


#: Generator name → the factory of its chat model (``extractive`` needs none).
CHAT_MODELS: dict[str, Callable[[Settings], Any]] = {
    "openai": openai_model,
    "ollama": ollama_model,
    "llamacpp": llamacpp_model,
}
#: Generators backed by a chat model.
GENERATORS = tuple(CHAT_MODELS)


def build_chat_model(settings: Settings) -> Any:
    """The LangChain chat model named by ``settings.generator`` (its package imported lazily)."""
    kind = settings.generator
    factory = CHAT_MODELS.get(kind)
    if factory is None:
        raise GenerationError("llm_unknown", kind=kind, kinds=", ".join(GENERATORS))
    try:
        return factory(settings)
    except ImportError as exc:
        raise GenerationError("llm_extra_missing", kind=kind, missing=exc.name) from None
