"""The handlers that change the corpus: add (files, a link, a pasted text), rebuild,
list and remove articles. ``WebApp`` (convqa.web.handlers) inherits them.

Every change ends with an incremental index run whose progress is reported in articles
and passages. Results are JSON-ready dicts whose ``message`` is English (scripts read
it); the page renders the same dict in its own language (``render.report_markdown``),
from ``codes``: each English line of the dict → the code and parameters it was made of.

Type hints here are evaluated by Gradio to describe the API: no ``from __future__``.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from convqa.corpus.fetch import save_url
from convqa.corpus.uploads import save_pasted, save_upload
from convqa.errors import ConvqaError, CorpusError
from convqa.index.catalog import delete_article_file, list_articles
from convqa.index.faults import server_faults
from convqa.messages import Message
from convqa.web.i18n import index_summary, text


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars become Python numbers and booleans."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)  # a Message is a str: its English text (its code goes in ``codes``)
    if isinstance(value, (bool, int)) or value is None:
        return value
    if hasattr(value, "item"):  # numpy scalar (np.float64 is also a float)
        return value.item()
    if isinstance(value, float):
        return value
    return str(value)


def codes(lines: list[Any]) -> dict[str, dict]:
    """Each Message among ``lines`` → its code and parameters, keyed by its English text.

    The result dicts keep their English lines for scripts; the page looks each one up
    here to say it in its own language. A line from outside the project has no entry.
    """
    return {str(line): line.to_dict() for line in lines if isinstance(line, Message)}


def articles_done(counts: list[int], passages: int) -> int:
    """How many articles are complete once ``passages`` of them are embedded, in order."""
    done, total = 0, 0
    for count in counts:
        total += count
        if total > passages:
            break
        done += 1
    return done


class Library:
    """Adding, rebuilding, listing and removing articles (needs ``settings`` and ``assistant``)."""

    settings: Any
    assistant: Any

    def _index(self, progress: Any, full: bool = False, lang: str = "en"):
        """Run the index, reporting articles and passages done out of those to do."""
        counts: list[int] = []

        def on_plan(changes) -> None:
            counts.extend(changes.to_do.values())

        def report(done: int, total: int) -> None:
            if progress is not None and total:
                label = text(
                    lang, "indexing", done=articles_done(counts, done), total=len(counts), pdone=done, ptotal=total
                )
                progress((done, total), desc=label, unit="passages")

        if progress is not None:
            progress(0, desc=text(lang, "reading"))
        return self.assistant.index(full=full, progress=report, on_plan=on_plan)

    def _result(
        self,
        saved: list[dict],
        refused: list[dict],
        progress: Any,
        force_index: bool = False,
        full: bool = False,
        lang: str = "en",
    ) -> dict:
        """Index when something changed, and describe it all in one JSON-ready dict."""
        report = None
        errors = []
        if force_index or any(s["created"] for s in saved):
            try:
                report = self._index(progress, full=full, lang=lang)
            except ConvqaError as exc:
                errors.append(Message("indexing_failed", error=exc))
        parts = [s["message"] for s in saved] + [r["message"] for r in refused]
        if report is not None:
            parts.append(f"index: {index_summary(report.to_dict())}")
        parts += errors
        index = report.to_dict() if report is not None else None
        message = "; ".join(parts) or Message("nothing_to_add")
        return plain(
            {
                "ok": bool(saved or force_index) and not refused and not errors,
                "message": message,
                "saved": saved,
                "refused": refused,
                "errors": errors,
                "index": index,
                "codes": codes([*parts, *(index["warnings"] if index else []), message]),
            }
        )

    def upload(self, files: list[str] | None, progress: Any = None, lang: str = "en") -> dict:
        """Save uploaded article files (the types of the format registry) in the corpus and index them.

        Returns ok, message, saved (file, doc_id, title, created, message), refused (file,
        message) and index (added, updated, skipped, deleted, documents, chunks, seconds,
        articles_added, articles_updated, articles_deleted, articles_unchanged, passages_added,
        passages_updated, passages_deleted), and codes:
        each of these English lines → its message code and parameters (convqa.messages).
        """
        if isinstance(files, str):
            files = [files]
        saved, refused = [], []
        for item in files or []:
            path = Path(item["path"] if isinstance(item, dict) else str(item))
            try:
                result = save_upload(
                    path, self.settings.corpus_dir, max_bytes=self.settings.max_upload_bytes, filename=path.name
                )
                saved.append(_saved(result))
            except CorpusError as exc:
                refused.append({"file": path.name, "message": exc.message})
        if not files:
            refused.append({"file": "", "message": Message("choose_files")})
        return self._result(saved, refused, progress, lang=lang)

    def _save_one(self, save: Callable[[], Any], name: str, progress: Any, lang: str) -> dict:
        """Run one save_* call, then index what it added or report its one-line refusal."""
        try:
            result = save()
        except CorpusError as exc:
            return self._result([], [{"file": name, "message": exc.message}], progress, lang=lang)
        return self._result([_saved(result)], [], progress, lang=lang)

    def add_article(self, title: str, source: str, text: str, progress: Any = None, lang: str = "en") -> dict:
        """Save a pasted article (title, optional http(s) source URL, text) and index it.

        Returns the same dict as /upload.
        """
        settings = self.settings
        return self._save_one(
            lambda: save_pasted(title, text, settings.corpus_dir, source=source, max_bytes=settings.max_upload_bytes),
            "",
            progress,
            lang,
        )

    def add_url(self, url: str, progress: Any = None, lang: str = "en") -> dict:
        """Fetch the article at an http(s) link, save it in the corpus and index it.

        The page is read like an uploaded file of its Content-Type (HTML, PDF, text) and
        saved as Markdown whose source is the URL. Addresses inside the network (private,
        loopback, link-local) are refused unless the server allows them
        (CONVQA_FETCH_ALLOW_PRIVATE). Returns the same dict as /upload.
        """
        settings = self.settings
        url = (url or "").strip()
        return self._save_one(
            lambda: save_url(
                url,
                settings.corpus_dir,
                max_bytes=settings.max_upload_bytes,
                allow_private=settings.fetch_allow_private,
            ),
            url,
            progress,
            lang,
        )

    def rebuild(self, full: bool = False, progress: Any = None, lang: str = "en") -> dict:
        """Re-sync the index with the corpus folder (full: re-embed every article)."""
        result = self._result([], [], progress, force_index=True, full=bool(full), lang=lang)
        if result["index"] and result["index"]["warnings"]:
            result["message"] += "; " + "; ".join(result["index"]["warnings"])
        return result

    # -- the articles panel -------------------------------------------------------------------
    def articles(self) -> list[dict]:
        """The indexed articles, newest first: doc_id, title, date, source, path, lang, passages."""
        import gradio as gr

        try:
            with server_faults(self.settings):
                return [a.to_dict() for a in list_articles(self.settings, self.assistant.store.client)]
        except ConvqaError as exc:  # the Chroma server is down: one line for the caller
            raise gr.Error(str(exc)) from None

    def remove(self, doc_id: str, signed_in: bool, progress: Any = None, lang: str = "en") -> dict:
        """Delete an article's file from the corpus folder, then re-index (its passages go).

        Refused when the app has a password (CONVQA_AUTH) and the caller is not signed in.
        Returns the same dict as /upload, with ``removed`` (the article deleted).
        """
        doc_id = str(doc_id or "").strip()
        if self.settings.auth and not signed_in:
            refusal = Message("sign_in_to_delete")
            return self._result([], [{"file": doc_id, "message": refusal}], None, lang=lang)
        try:
            removed = delete_article_file(self.settings, doc_id, self.assistant.store.client)
        except ConvqaError as exc:
            return self._result([], [{"file": doc_id, "message": exc.message}], None, lang=lang)
        result = self._result([], [], progress, force_index=True, lang=lang)
        result["removed"] = [removed.to_dict()]
        result["message"] = f"removed {removed.file}; {result['message']}"
        return result


def _saved(result) -> dict:
    return {
        "file": result.path.name,
        "doc_id": result.doc_id,
        "title": result.title,
        "created": result.created,
        "message": result.message,
    }
