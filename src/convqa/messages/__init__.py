"""Messages with ids: each one-line message for a user is a code and its parameters.

A ``Message`` is a ``str`` whose value is the English line (what the API, the CLI and
the logs show, as before), and which keeps its ``code`` and ``params`` so a page can say
it in its own language: ``message.say("fr")``. The wording lives in one catalogue per
language (``en.py``, ``fr.py``), plain dictionaries keyed by code. A parameter may be a
message itself (``skipped {file}: {reason}``): it is said in the same language. A count
picks its words with ``{n:plural:one|many}`` (``{n:,} {n:plural:article|articles}``), by
the language's rule: French says "0 article", English "0 articles".
Pure Python, at the bottom of the layers: errors, the corpus and the index use it.
"""

from __future__ import annotations

import string
from typing import Any

from convqa.messages import en, fr

#: code → wording, per language; English is the reference every other one follows.
CATALOGUES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "fr": fr.MESSAGES}


def is_singular(n: float, lang: str) -> bool:
    """Whether ``n`` takes the singular in ``lang``: 1 in English; 0 and 1 in French (under 2)."""
    return abs(n) < 2 if lang == "fr" else abs(n) == 1


class _Formatter(string.Formatter):
    """str.format, with numbers and nested messages written in one language."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            one, _, many = format_spec[len("plural:") :].partition("|")
            return one if is_singular(value, self.lang) else many
        if isinstance(value, Message):
            return value.say(self.lang)
        text = format(value, format_spec)
        if self.lang == "fr" and isinstance(value, (int, float)) and not isinstance(value, bool):
            # 2,001 → 2 001: French groups thousands with a (narrow no-break) space, 1.5 → 1,5.
            text = text.replace(",", "\u202f").replace(".", ",")
        return text


def _param(value: Any) -> Any:
    """A parameter as a message keeps it: numbers, text, or a message (an error's own)."""
    message = getattr(value, "message", None)
    if isinstance(message, Message):
        return message
    if isinstance(value, (str, int, float)) or value is None:
        return value
    return str(value)  # a path, an address: its text, so the message stays JSON-ready


class Message(str):
    """A one-line message for a user: its English text, with the code and parameters behind it."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> Message:
        if code not in en.MESSAGES:
            raise KeyError(f"no message with the code {code!r} in convqa.messages.en")
        params = {key: _param(value) for key, value in params.items()}
        self = super().__new__(cls, _Formatter("en").format(en.MESSAGES[code], **params))
        self.code, self.params = code, params
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:
        return (self.code,), self.params  # copies and pickles rebuild it from its code

    def say(self, lang: str) -> str:
        """The message in ``lang`` (English when that language has no catalogue)."""
        catalogue = CATALOGUES.get(lang, en.MESSAGES)
        return _Formatter(lang if lang in CATALOGUES else "en").format(catalogue[self.code], **self.params)

    def to_dict(self) -> dict[str, Any]:
        """The code and parameters, JSON-ready (nested messages as dicts too)."""
        return {
            "code": self.code,
            "params": {k: v.to_dict() if isinstance(v, Message) else v for k, v in self.params.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """The message ``to_dict`` wrote."""
        params = {
            k: cls.from_dict(v) if isinstance(v, dict) and "code" in v else v
            for k, v in (data.get("params") or {}).items()
        }
        return cls(str(data["code"]), **params)


def say(message: object, lang: str) -> str:
    """``message`` in ``lang``: a Message in that language, any other text as written.

    Text that is no Message comes from outside the project (a library's own error line):
    it has no code, so it is shown as it was written.
    """
    return message.say(lang) if isinstance(message, Message) else str(message)
