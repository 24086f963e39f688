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
from collections.abc import Iterator
from typing import Any

from convqa.conversation import Turn, normalize_history
from convqa.corpus.formats.registry import suffix_label
from convqa.errors import BadQuestionError, ConvqaError
from convqa.messages import say
from convqa.question import validate_question
from convqa.settings import Settings
from convqa.web import render
from convqa.web.context import ArticleTexts
from convqa.web.i18n import text
from convqa.web.library import Library, plain

#: Pause between streamed pieces of an answer: long enough to be seen as streaming.
STREAM_DELAY_S = 0.03
#: Turns kept in a chat's state: follow-ups read the last ones, and a session's memory stays bounded.
MAX_TURNS = 50


def history_turns(history: Any) -> list[Turn]:
    """Earlier turns sent by a client, through ``normalize_history``; ConvqaError when unusable."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise ConvqaError("history_not_list")
    try:
        return normalize_history(history)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConvqaError("history_unreadable", reason=exc) from None


class WebApp(Library):
    """The handlers behind the page and the API, shared by every session.

    Answering and the status live here; adding, listing and removing articles in
    ``convqa.web.library.Library``.
    """

    def __init__(self, settings: Settings, assistant: Any) -> None:
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
        self,
        message: str,
        messages: list[dict] | None,
        top_k: float = 0,
        turns: list[dict] | None = None,
        lang: str = "en",
    ) -> Iterator[tuple[list[dict], str, list[dict]]]:
        """The chat: append the question, stream the answer, then show its sources.

        ``messages`` is what the chatbot shows; ``turns`` the conversation as data (a
        ``Turn.to_dict()`` per answered question), which the page keeps in a ``gr.State``
        (one per browser tab, one per gradio_client ``Client``), like ``lang``, the page's
        language for the words around the answer. Yields the messages, the cleared
        question box and the turns, with this answer's turn added at the end.
        """
        messages = list(messages or [])
        # An empty chat is a new conversation: "New conversation", the chatbot's own clear icon, a script starting over.
        turns = list(turns or []) if messages else []
        if not (message or "").strip():
            yield messages, "", turns
            return
        try:
            question = validate_question(message, self.settings.max_question_chars)
        except BadQuestionError as exc:
            # A refused question is shown, but is not part of the conversation.
            shown = message if len(message) <= 300 else message[:300] + "…"
            yield messages + [_user(shown), _bot(render.render_error(exc.message, lang))], message, turns
            return
        messages = messages + [_user(question), _bot(render.render_pending(lang))]
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
            # Not the question's fault (a store that is down, say): "No answer", not "refused".
            label = "error" if isinstance(exc, BadQuestionError) else "no_answer"
            messages[-1] = _bot(render.render_error(exc.message, lang, label))
            yield messages, "", turns
            return
        if not answer.abstained and not streamed:
            short, body = render.answer_parts(answer)
            for piece in render.stream_pieces(body):
                messages[-1] = _bot(render.render_partial(piece, short))
                yield messages, "", turns
                time.sleep(STREAM_DELAY_S)
        messages[-1] = _bot(render.render_answer(answer, self.texts.context, lang))
        turns = (turns + [plain(Turn(question, answer).to_dict())])[-MAX_TURNS:]
        yield messages, "", turns

    def replay(self, turns: list[dict] | None, lang: str = "en") -> list[dict]:
        """The conversation's messages rendered again, for a page that changed language."""
        return [
            m
            for turn in normalize_history(turns or [])
            if turn.answer is not None
            for m in (_user(turn.question), _bot(render.render_answer(turn.answer, self.texts.context, lang)))
        ]

    # -- status ------------------------------------------------------------------------------------
    def status(self) -> dict:
        """What is indexed: documents, chunks, model, store, and the default top_k."""
        import gradio as gr

        try:
            info = self.assistant.status()
        except ConvqaError as exc:
            raise gr.Error(str(exc)) from None
        return plain(info | {"top_k": self.settings.top_k, "corpus_dir": str(self.settings.corpus_dir)})

    def status_line(self, lang: str = "en") -> str:
        """One Markdown line for the page, in its language; with an empty index, what to do."""
        try:
            info = self.assistant.status()
        except ConvqaError as exc:
            return text(lang, "unavailable", error=render.esc(say(exc.message, lang)))
        docs, chunks = info["documents"], info["chunks"]
        if not docs:
            return text(lang, "empty_corpus", types=suffix_label(), folder=render.esc(self.settings.corpus_dir))
        store = text(lang, f"store_{info['store']}") if info["store"] in ("embedded", "server") else info["store"]
        line = text(
            lang,
            "status",
            docs=docs,
            s="s" if docs > 1 else "",
            chunks=chunks,
            model=render.esc(info["model"]),
            store=render.esc(store),
        )
        if not info.get("consistent", True):
            line += f" · **{text(lang, 'disagree')}**"
        return line


def _user(content: str) -> dict:
    return {"role": "user", "content": render.render_question(content)}


def _bot(content: str) -> dict:
    return {"role": "assistant", "content": content}
