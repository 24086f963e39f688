"""Errors meant for the user: they carry a one-line message and never a traceback.

Each error is raised with a message code and its parameters,
``BadQuestionError("question_too_long", chars=5000, limit=2000)``: ``str(error)`` is the
English line (convqa.messages.en), and ``error.message`` the Message a page says in its
own language.
"""

from __future__ import annotations

from typing import Any

from convqa.messages import Message


def _rebuild(cls: type, code: str, params: dict[str, Any]) -> Exception:
    return cls(code, **params)


class CodedError(Exception):
    """An exception whose text is a coded Message (``code``, ``params``)."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.message = Message(code, **params)
        super().__init__(str(self.message))

    @property
    def code(self) -> str:
        """The message's code, the key of every catalogue."""
        return self.message.code

    def __reduce__(self) -> tuple:
        # Exceptions pickle their args (the English line); rebuild from the code instead.
        return _rebuild, (self.__class__, self.message.code, self.message.params)


class ConvqaError(CodedError):
    """A problem the user can fix (bad input, missing folder, unreachable server)."""


class BadQuestionError(ConvqaError, ValueError):
    """The question is empty, too long or not text."""


class CorpusError(ConvqaError):
    """The corpus folder is missing or an article cannot be saved."""


class StoreError(ConvqaError):
    """The vector store or data directory cannot be used."""
