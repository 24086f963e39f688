"""The handlers behind the page and the API: one ``WebApp`` shared by every session.

Answering and indexing run in separate concurrency groups (see ``page.build_app``), so a
question asked during a rebuild is answered at once: the Assistant is thread-safe and
the indexer locks only the index files, never the reader.

The conversation is data: a list of ``Turn.to_dict()`` (question + the Answer it got),
kept by the page in a ``gr.State`` and sent by scripts as JSON to ``/ask``. Follow-ups
use the previous answer's citations, never text read back from the rendered chat.

Type hints here are evaluated by Gradio to describe the API: no ``from __future__``.
"""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import convqa  # noqa: F401  (sets the offline environment before anything loads)
from convqa.conversation import Turn, normalize_history
from convqa.errors import BadQuestionError, ConvqaError, CorpusError
from convqa.settings import Settings
from convqa.web import render

#: Pause between streamed pieces of an answer: long enough to be seen as streaming.
STREAM_DELAY_S = 0.03
#: Turns kept in a chat's state: follow-ups read the last ones, and a session's memory stays bounded.
MAX_TURNS = 50


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars become Python numbers and booleans."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    if hasattr(value, "item"):  # numpy scalar (np.float64 is also a float)
        return value.item()
    if isinstance(value, float):
        return value
    return str(value)


def history_turns(history: Any) -> list[Turn]:
    """Earlier turns sent by a client, through ``normalize_history``; ConvqaError when unusable."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise ConvqaError("history must be a list of earlier turns, oldest first")
    try:
        return normalize_history(history)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConvqaError(f"history holds a turn that cannot be read: {exc}") from None


class WebApp:
    """The handlers behind the page and the API, shared by every session."""

    def __init__(self, settings: Settings, assistant: Any) -> None:
        from convqa.web.context import ArticleTexts

        self.settings = settings
        self.assistant = assistant
        self.texts = ArticleTexts(settings.corpus_dir, self._paths, settings.max_article_bytes)
        self._paths_cache: tuple[int, dict[str, str]] | None = None
        self._paths_lock = threading.Lock()

    # -- answering ------------------------------------------------------------------------
    def _paths(self) -> dict[str, str]:
        """Article id → path in the corpus folder, from the index metadata."""
        lexical = self.assistant.lexical
        with self._paths_lock:
            if self._paths_cache is None or self._paths_cache[0] != id(lexical):
                paths = {str(m.get("doc_id")): str(m.get("path") or "") for m in lexical.metadatas}
                self._paths_cache = (id(lexical), paths)
            return self._paths_cache[1]

    def ask(self, question: str, history: list[Any] | None = None, top_k: int = 0) -> dict:
        """Answer a question from the indexed articles, in the light of earlier turns.

        Args:
            question: the question, in French or English.
            history: earlier turns, oldest first. Best, each turn as
                {"question": str, "answer": <the dict a previous /ask returned>}: its
                citations say where the previous answer was quoted from, so a follow-up
                ("Qu'a-t-elle promis ?") continues there, even when that answer's text was
                rephrased. Older shapes are accepted too: [question, answer_text] pairs,
                plain question strings, or a previous /ask result itself.
            top_k: passages to cite (0: the server's default).
        Returns:
            question, answer (with [n] markers), abstained, language, timings, generator,
            fallback_reason, short and citations: each with n, doc_id, title, source, text,
            start, end, quote, quote_start, quote_end, score; offsets point into the article text.
        """
        import gradio as gr

        try:
            answer = self.assistant.ask(question, history=history_turns(history), top_k=int(top_k or 0) or None)
        except ConvqaError as exc:
            raise gr.Error(str(exc)) from None
        return plain(answer.to_dict())

    def chat(
        self, message: str, messages: list[dict] | None, top_k: float = 0, turns: list[dict] | None = None
    ) -> Iterator[tuple[list[dict], str, list[dict]]]:
        """The chat: append the question, stream the answer, then show its sources.

        ``messages`` is what the chatbot shows; ``turns`` the conversation as data (a
        ``Turn.to_dict()`` per answered question), which the page keeps in a ``gr.State``
        (one per browser tab, one per gradio_client ``Client``). Yields the messages, the
        cleared question box and the turns, with this answer's turn added at the end.
        """
        from convqa.answer.language import detect_language
        from convqa.assistant import validate_question

        messages = list(messages or [])
        # An empty chat is a new conversation: "New conversation", the chatbot's own clear icon, a script starting over.
        turns = list(turns or []) if messages else []
        if not (message or "").strip():
            yield messages, "", turns
            return
        language = detect_language(message)
        try:
            question = validate_question(message, self.settings.max_question_chars)
        except BadQuestionError as exc:
            # A refused question is shown, but is not part of the conversation.
            shown = message if len(message) <= 300 else message[:300] + "…"
            yield messages + [_user(shown), _bot(render.render_error(str(exc), language))], message, turns
            return
        messages = messages + [_user(question), _bot(render.render_pending(language))]
        yield messages, "", turns
        answer, streamed = None, ""
        try:
            # A configured chat model streams its tokens; the last item is the final Answer.
            history = normalize_history(turns)
            for item in self.assistant.ask_stream(question, history=history, top_k=int(top_k or 0) or None):
                if isinstance(item, str):
                    streamed += item
                    messages[-1] = _bot(render.render_partial(streamed))
                    yield messages, "", turns
                else:
                    answer = item
        except ConvqaError as exc:
            messages[-1] = _bot(render.render_error(str(exc), language))
            yield messages, "", turns
            return
        if not answer.abstained and not streamed:
            for piece in render.stream_pieces(answer.answer):
                messages[-1] = _bot(render.render_partial(piece))
                yield messages, "", turns
                time.sleep(STREAM_DELAY_S)
        messages[-1] = _bot(render.render_answer(answer, self.texts.context))
        turns = (turns + [plain(Turn(question, answer).to_dict())])[-MAX_TURNS:]
        yield messages, "", turns

    # -- adding articles ----------------------------------------------------------------------
    def _index(self, progress: Any, full: bool = False):
        def report(done: int, total: int) -> None:
            if progress is not None and total:
                progress((done, total), desc="Indexing", unit="passages")

        if progress is not None:
            progress(0, desc="Reading the corpus")
        return self.assistant.index(full=full, progress=report)

    def _result(self, saved: list[dict], refused: list[dict], progress: Any, force_index: bool = False, full: bool = False) -> dict:
        """Index when something changed, and describe it all in one JSON-ready dict."""
        report = None
        error = ""
        if force_index or any(s["created"] for s in saved):
            try:
                report = self._index(progress, full=full)
            except ConvqaError as exc:
                error = f"indexing failed: {exc}"
        parts = [s["message"] for s in saved] + [r["message"] for r in refused]
        if report is not None:
            parts.append(
                f"index: {report.added} added, {report.updated} updated, {report.skipped} unchanged, "
                f"{report.deleted} deleted; {report.documents} articles, {report.chunks} passages "
                f"({report.seconds:.1f} s)"
            )
        if error:
            parts.append(error)
        return plain({
            "ok": bool(saved or force_index) and not refused and not error,
            "message": "; ".join(parts) or "nothing to add",
            "saved": saved,
            "refused": refused,
            "index": report.to_dict() if report is not None else None,
        })

    def upload(self, files: list[str] | None, progress: Any = None) -> dict:
        """Save uploaded article files (the types of the format registry) in the corpus and index them.

        Returns ok, message, saved (file, doc_id, title, created, message), refused (file,
        message) and index (added, updated, skipped, deleted, documents, chunks, seconds).
        """
        from convqa.corpus.uploads import save_upload

        if isinstance(files, str):
            files = [files]
        saved, refused = [], []
        for item in files or []:
            path = Path(item["path"] if isinstance(item, dict) else str(item))
            try:
                result = save_upload(path, self.settings.corpus_dir, max_bytes=self.settings.max_upload_bytes, filename=path.name)
                saved.append(_saved(result))
            except CorpusError as exc:
                refused.append({"file": path.name, "message": str(exc)})
        if not files:
            refused.append({"file": "", "message": "choose one or more files first"})
        return self._result(saved, refused, progress)

    def _save_one(self, save: Callable[[], Any], name: str, progress: Any) -> dict:
        """Run one save_* call, then index what it added or report its one-line refusal."""
        try:
            result = save()
        except CorpusError as exc:
            return self._result([], [{"file": name, "message": str(exc)}], progress)
        return self._result([_saved(result)], [], progress)

    def add_article(self, title: str, source: str, text: str, progress: Any = None) -> dict:
        """Save a pasted article (title, optional http(s) source URL, text) and index it.

        Returns the same dict as /upload.
        """
        from convqa.corpus.uploads import save_pasted

        settings = self.settings
        return self._save_one(
            lambda: save_pasted(title, text, settings.corpus_dir, source=source, max_bytes=settings.max_upload_bytes),
            "", progress,
        )

    def add_url(self, url: str, progress: Any = None) -> dict:
        """Fetch the article at an http(s) link, save it in the corpus and index it.

        The page is read like an uploaded file of its Content-Type (HTML, PDF, text) and
        saved as Markdown whose source is the URL. Addresses inside the network (private,
        loopback, link-local) are refused unless the server allows them
        (CONVQA_FETCH_ALLOW_PRIVATE). Returns the same dict as /upload.
        """
        from convqa.corpus.fetch import save_url

        settings = self.settings
        url = (url or "").strip()
        return self._save_one(
            lambda: save_url(url, settings.corpus_dir, max_bytes=settings.max_upload_bytes,
                             allow_private=settings.fetch_allow_private),
            url, progress,
        )

    def rebuild(self, full: bool = False, progress: Any = None) -> dict:
        """Re-sync the index with the corpus folder (full: re-embed every article)."""
        result = self._result([], [], progress, force_index=True, full=bool(full))
        if result["index"] and result["index"]["warnings"]:
            result["message"] += "; " + "; ".join(result["index"]["warnings"])
        return result

    # -- status ------------------------------------------------------------------------------------
    def status(self) -> dict:
        """What is indexed: documents, chunks, model, store, and the default top_k."""
        import gradio as gr

        try:
            info = self.assistant.status()
        except ConvqaError as exc:
            raise gr.Error(str(exc)) from None
        return plain(info | {"top_k": self.settings.top_k, "corpus_dir": str(self.settings.corpus_dir)})

    def status_line(self) -> str:
        """One Markdown line for the page."""
        try:
            info = self.assistant.status()
        except ConvqaError as exc:
            return f"Index unavailable: {render.esc(str(exc))}"
        docs, chunks = info["documents"], info["chunks"]
        line = (f"**{docs}** article{'s' if docs != 1 else ''} · **{chunks}** passages indexed · "
                f"model {render.esc(info['model'])} · {render.esc(info['store'])} store")
        if not info.get("consistent", True):
            line += " · **the indexes disagree: rebuild**"
        return line


def _user(content: str) -> dict:
    return {"role": "user", "content": render.render_question(content)}


def _bot(content: str) -> dict:
    return {"role": "assistant", "content": content}


def _saved(result) -> dict:
    return {"file": result.path.name, "doc_id": result.doc_id, "title": result.title,
            "created": result.created, "message": result.message}
