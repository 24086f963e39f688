"""The servers' faults, said in one line: a Chroma server or a record database that is down.

A Chroma server that dies surfaces as an httpx transport error from deep inside chromadb,
a PostgreSQL server that is down as an SQLAlchemy ``OperationalError`` from LangChain's
record manager. Neither is the user's to read as a traceback: ``server_faults`` turns
them into a ``StoreError`` naming the server (never its password) and what happened,
wherever the store or the record manager is used (questions, index runs, status). The
objects stay usable: the next call reconnects once the server is back.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from convqa.errors import ConvqaError, StoreError
from convqa.index.locations import record_db_url
from convqa.settings import Settings


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes (chromadb and LangChain re-raise with context)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _is_transport_error(exc: BaseException) -> bool:
    # httpx is only imported by chromadb's HTTP client: without it, no server was used.
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(exc, httpx.TransportError)


def _is_database_error(exc: BaseException) -> bool:
    sa_exc = sys.modules.get("sqlalchemy.exc")
    # OperationalError: refused, reset, shut down; InterfaceError: a connection already closed.
    return sa_exc is not None and isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError))


def safe_db_url(url: str) -> str:
    """A database URL as it may be shown: the password replaced by ***."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: show only its scheme
        return url.split(":", 1)[0] + "://…"


def translate(exc: BaseException, settings: Settings) -> ConvqaError | None:
    """The one-line StoreError for a server fault, or None when ``exc`` is something else."""
    for link in _chain(exc):
        if _is_transport_error(link):
            where = settings.chroma_url or "the configured address"
            return StoreError("chroma_unreachable", url=where, error=link.__class__.__name__)
        if _is_database_error(link):
            url = safe_db_url(record_db_url(settings))
            original = getattr(link, "orig", None) or link
            return StoreError("records_unreachable", url=url, error=original.__class__.__name__)
    return None


@contextmanager
def server_faults(settings: Settings) -> Iterator[None]:
    """Re-raise a server fault inside the block as a one-line StoreError (others unchanged)."""
    try:
        yield
    except ConvqaError:
        raise
    except Exception as exc:
        error = translate(exc, settings)
        if error is None:
            raise
        raise error from exc
