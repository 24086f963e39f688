"""The chromadb client of the configured store: embedded (PersistentClient) or a Chroma server.

Its own module so that reading the catalog (``convqa status``) opens the store without
importing the embedder's LangChain and model code beside it.
"""

from __future__ import annotations

from urllib.parse import urlparse

from convqa.errors import StoreError
from convqa.settings import Settings


def open_client(settings: Settings):
    """A chromadb client for the configured store; a clear error when it is unreachable."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 80),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # connection refused, DNS, TLS: all mean "not reachable"
            raise StoreError("chroma_unreachable", url=settings.chroma_url, error=exc.__class__.__name__) from exc
        return client
    path = settings.data_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError("cannot_create_data_dir", folder=settings.data_dir, reason=exc.strerror) from exc
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
