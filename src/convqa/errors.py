"""Errors meant for the user: they carry a one-line message and never a traceback."""


class ConvqaError(Exception):
    """A problem the user can fix (bad input, missing folder, unreachable server)."""


class BadQuestionError(ConvqaError, ValueError):
    """The question is empty, too long or not text."""


class CorpusError(ConvqaError):
    """The corpus folder is missing or an article cannot be saved."""


class StoreError(ConvqaError):
    """The vector store or data directory cannot be used."""
