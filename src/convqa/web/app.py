"""The browser chat (Gradio): streamed answers with their sources, and a panel to add articles.

One ``WebApp`` holds the loaded Assistant and serves every browser tab and API client.
Answering and indexing run in separate concurrency groups, so a question asked during a
rebuild is answered at once (the Assistant is thread-safe; the indexer locks only the
index files, never the reader). The same handlers back the page and these endpoints:

``/ask``          question [+ history, top_k] → answer dict with citations (for scripts)
``/chat``         the chat itself (streams the conversation's messages)
``/add_article``  pasted title, source URL and text → save, index, report
``/upload``       files → save, index, report
``/rebuild``      re-sync the index with the corpus folder
``/status``       what is indexed

Type hints here are evaluated by Gradio to describe the API: no ``from __future__``.
"""

import argparse
import ipaddress
import logging
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import convqa  # noqa: F401  (sets the offline environment before anything loads)
from convqa.errors import BadQuestionError, ConvqaError, CorpusError
from convqa.settings import Settings
from convqa.web import render

log = logging.getLogger(__name__)

EXAMPLES = [
    "Quel organisme dirige Ghada Waly ?",
    "Combien de pays étaient représentés à la cérémonie de signature ?",
    "Which country's vice-president spoke for the heads of delegation?",
    "What did UNODC consider creating in Hanoi?",
]
#: Pause between streamed pieces of an answer: long enough to be seen as streaming.
STREAM_DELAY_S = 0.03
ANSWER_CONCURRENCY = 4
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


# -- launch checks ------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]")
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """('user', 'password') from 'user:password'; ConvqaError when malformed."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ConvqaError("auth must look like 'user:password' (CONVQA_AUTH)")
    return user, password


def check_bind(settings: Settings) -> tuple[str, str] | None:
    """The credentials to require; refuses to serve beyond loopback without them."""
    auth = parse_auth(settings.auth)
    if auth is None and not is_loopback(settings.host):
        raise ConvqaError(
            f"refusing to serve on {settings.host} without a password: "
            "set CONVQA_AUTH=user:password or bind 127.0.0.1"
        )
    return auth


# -- helpers ----------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars become Python numbers and booleans."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    if hasattr(value, "item"):  # numpy scalar (np.float64 is also a float)
        return value.item()
    if isinstance(value, float):
        return value
    return str(value)


def _message_text(content: Any) -> str:
    """The text of a chatbot message's content (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, (list, tuple)):
        return "".join(_message_text(part) for part in content)
    return ""


def history_from_messages(messages: list[dict] | None) -> list[tuple[str, str]]:
    """(question, answer text) pairs of the conversation shown in the chatbot, oldest first."""
    turns: list[tuple[str, str]] = []
    for message in messages or []:
        role = message.get("role") if isinstance(message, dict) else None
        text = _message_text(message.get("content")) if isinstance(message, dict) else ""
        if role == "user":
            question = render.plain_text(text)
            if question:
                turns.append((question, ""))
        elif role == "assistant" and turns and not turns[-1][1]:
            if render.is_error(text):  # a refused question is not part of the conversation
                turns.pop()
                continue
            answer = render.answer_text_of(text)
            if answer:
                turns[-1] = (turns[-1][0], answer)
    return turns


def _history_pairs(history: list | None) -> list[tuple[str, str]]:
    """API history: [[question, answer], ...] or [question, ...] into pairs."""
    pairs: list[tuple[str, str]] = []
    for item in history or []:
        if isinstance(item, str):
            pairs.append((item, ""))
        elif isinstance(item, (list, tuple)) and item:
            pairs.append((str(item[0] or ""), str(item[1] or "") if len(item) > 1 else ""))
        elif isinstance(item, dict):
            pairs.append((str(item.get("question") or ""), str(item.get("answer") or "")))
    return pairs


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

    def answer(self, question: str, history: list[tuple[str, str]], top_k: int | float | None = None):
        """The Assistant's Answer, citing ``top_k`` passages (the settings' value when unset)."""
        return self.assistant.ask(question, history=history, top_k=int(top_k or 0) or None)

    def ask(self, question: str, history: list[list[str]] | None = None, top_k: int = 0) -> dict:
        """Answer a question from the indexed articles.

        Args:
            question: the question, in French or English.
            history: earlier turns, oldest first, as [question, answer] pairs (answer may be "").
            top_k: passages to cite (0: the server's default).
        Returns:
            question, answer (with [n] markers), abstained, language, timings and citations:
            each with n, doc_id, title, source, text, start, end, quote, quote_start,
            quote_end, score; offsets point into the article text.
        """
        import gradio as gr

        try:
            answer = self.answer(question, _history_pairs(history), top_k)
        except ConvqaError as exc:
            raise gr.Error(str(exc)) from None
        return _plain(answer.to_dict())

    def chat(self, message: str, messages: list[dict] | None, top_k: float = 0) -> Iterator[tuple[list[dict], str]]:
        """The chat: append the question, stream the answer, then show its sources."""
        from convqa.answer.language import detect_language

        messages = list(messages or [])
        if not (message or "").strip():
            yield messages, ""
            return
        history = history_from_messages(messages)
        language = detect_language(message)
        try:
            from convqa.assistant import validate_question

            question = validate_question(message, self.settings.max_question_chars)
        except BadQuestionError as exc:
            shown = message if len(message) <= 300 else message[:300] + "…"
            yield messages + [_user(shown), _bot(render.render_error(str(exc), language))], message
            return
        messages = messages + [_user(question), _bot(render.render_pending(language))]
        yield messages, ""
        answer, streamed = None, ""
        try:
            # A configured chat model streams its tokens; the last item is the final Answer.
            for item in self.assistant.ask_stream(question, history=history, top_k=int(top_k or 0) or None):
                if isinstance(item, str):
                    streamed += item
                    messages[-1] = _bot(render.render_partial(streamed))
                    yield messages, ""
                else:
                    answer = item
        except ConvqaError as exc:
            messages[-1] = _bot(render.render_error(str(exc), language))
            yield messages, ""
            return
        if not answer.abstained and not streamed:
            for piece in render.stream_pieces(answer.answer):
                messages[-1] = _bot(render.render_partial(piece))
                yield messages, ""
                time.sleep(STREAM_DELAY_S)
        messages[-1] = _bot(render.render_answer(answer, self.texts.context))
        yield messages, ""

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
        return _plain({
            "ok": bool(saved or force_index) and not refused and not error,
            "message": "; ".join(parts) or "nothing to add",
            "saved": saved,
            "refused": refused,
            "index": report.to_dict() if report is not None else None,
        })

    def upload(self, files: list[str] | None, progress: Any = None) -> dict:
        """Save uploaded article files (.txt, .md, .html) in the corpus and index them.

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

    def add_article(self, title: str, source: str, text: str, progress: Any = None) -> dict:
        """Save a pasted article (title, optional http(s) source URL, text) and index it.

        Returns the same dict as /upload.
        """
        from convqa.corpus.uploads import save_pasted

        try:
            result = save_pasted(title, text, self.settings.corpus_dir, source=source, max_bytes=self.settings.max_upload_bytes)
        except CorpusError as exc:
            return self._result([], [{"file": "", "message": str(exc)}], progress)
        return self._result([_saved(result)], [], progress)

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
        return _plain(info | {"top_k": self.settings.top_k, "corpus_dir": str(self.settings.corpus_dir)})

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


def report_markdown(result: dict | None) -> str:
    """The result of an add/upload/rebuild for the page (escaped: it quotes file names)."""
    if not result:
        return ""
    lines = []
    for s in result.get("saved") or []:
        lines.append(f"**{'Added' if s.get('created') else 'Already there'}:** {render.esc(s['message'])}")
    for r in result.get("refused") or []:
        lines.append(f"**Refused:** {render.esc(r['message'])}")
    index = result.get("index")
    if index:
        lines.append(
            f"**Index:** {index['added']} added · {index['updated']} updated · {index['skipped']} unchanged · "
            f"{index['deleted']} deleted — {index['documents']} articles, {index['chunks']} passages "
            f"in {index['seconds']:.1f} s"
        )
        lines.extend(f"**Warning:** {render.esc(w)}" for w in index.get("warnings") or [])
    elif not lines:
        lines.append(render.esc(result.get("message", "")))
    return "\n\n".join(lines)


# -- the page ---------------------------------------------------------------------------------------
def build_app(settings: Settings, assistant: Any = None):
    """The Gradio Blocks of the chat, the "Add articles" panel and the API endpoints.

    ``launch()`` serves it with its stylesheet; when launching the Blocks yourself, pass
    ``css=convqa.web.render.CSS`` (Gradio 6 takes styles at launch).
    """
    import gradio as gr

    if assistant is None:
        from convqa.assistant import Assistant

        assistant = Assistant(settings)
    app = WebApp(settings, assistant)
    upload_mb = settings.max_upload_bytes / 1e6

    def upload(files: list[str] | None, progress=gr.Progress()) -> dict:
        return app.upload(files, progress)

    def add_article(title: str, source: str, text: str, progress=gr.Progress()) -> dict:
        return app.add_article(title, source, text, progress)

    def rebuild(full: bool, progress=gr.Progress()) -> dict:
        return app.rebuild(full, progress)

    upload.__doc__, add_article.__doc__, rebuild.__doc__ = app.upload.__doc__, app.add_article.__doc__, app.rebuild.__doc__

    with gr.Blocks(title="convqa · questions on the news", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Ask the articles\n"
            "Answers are sentences quoted from the indexed news articles, each with its numbered "
            "source. Ask in French or English; follow-up questions (« Qu'a-t-elle promis ? ») "
            "use the conversation."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    show_label=False,
                    height=600,
                    latex_delimiters=[],
                    feedback_options=None,
                    # Copy buttons would copy the message's HTML source: selecting text copies it cleanly.
                    buttons=[],
                    layout="bubble",
                    placeholder="Ask a question about the articles, in French or English.",
                    elem_id="cq-chat",
                )
                question = gr.Textbox(
                    show_label=False,
                    placeholder="Your question, in French or English…",
                    submit_btn="Ask",
                    max_lines=6,
                    autofocus=True,
                    elem_id="cq-question",
                )
                examples = gr.Examples(EXAMPLES, inputs=[question], label="Examples (click to ask)")
                with gr.Row(equal_height=False):
                    top_k = gr.Slider(1, max(10, settings.top_k), value=settings.top_k, step=1,
                                      label="Passages cited per answer", scale=4)
                    gr.ClearButton([chatbot, question], value="New conversation", size="md", scale=1, min_width=160)
                status_md = gr.Markdown(elem_id="cq-status")

            with gr.Tab("Add articles", id="add"):
                gr.Markdown(
                    f"Add news articles to the corpus folder `{render.esc(settings.corpus_dir)}`: they are "
                    f"checked, saved, then indexed (only new or changed articles are embedded). "
                    f"Files: .txt, .md, .html up to {upload_mb:.0f} MB each; a name already taken gets a "
                    "number, nothing is overwritten."
                )
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label=f"Article files (.txt, .md, .html; max {upload_mb:.0f} MB)",
                                        file_count="multiple", type="filepath", elem_id="cq-files")
                        upload_btn = gr.Button("Add the files", variant="primary", elem_id="cq-upload")
                    with gr.Column():
                        title = gr.Textbox(label="Title", max_lines=2, elem_id="cq-title")
                        source = gr.Textbox(label="Source URL (optional)", placeholder="https://…", max_lines=1, elem_id="cq-source")
                        text = gr.Textbox(label="Article text", lines=8, max_lines=20, elem_id="cq-text")
                        paste_btn = gr.Button("Add this article", variant="primary", elem_id="cq-paste")
                report_md = gr.Markdown(elem_id="cq-report")
                with gr.Row(equal_height=True):
                    full = gr.Checkbox(label="Re-embed every article (slower)", value=False, scale=3)
                    rebuild_btn = gr.Button("Rebuild index", scale=1, elem_id="cq-rebuild")
                index_status_md = gr.Markdown()
                result = gr.JSON(visible=False)

        ask_group = {"concurrency_id": "answer", "concurrency_limit": ANSWER_CONCURRENCY}
        index_group = {"concurrency_id": "index", "concurrency_limit": 1}
        chat_io = {"fn": app.chat, "inputs": [question, chatbot, top_k], "outputs": [chatbot, question]}

        question.submit(**chat_io, api_name="chat", show_progress="hidden", **ask_group)
        examples.load_input_event.then(**chat_io, api_visibility="private", show_progress="hidden", **ask_group)

        def refresh_status() -> tuple[str, str]:
            line = app.status_line()
            return line, line

        def show_result(result: dict | None, *inputs: Any) -> Any:
            # The report, and the form cleared when its articles were added (kept to be fixed if refused).
            cleared = tuple(None if result and result.get("ok") else gr.skip() for _ in inputs)
            return (report_markdown(result), *cleared) if inputs else report_markdown(result)

        for button, fn, inputs, name, clears in (
            (upload_btn, upload, [files], "upload", [files]),
            (paste_btn, add_article, [title, source, text], "add_article", [title, source, text]),
            (rebuild_btn, rebuild, [full], "rebuild", []),
        ):
            button.click(fn, inputs, result, api_name=name, show_progress_on=[report_md], **index_group).then(
                show_result, [result, *clears], [report_md, *clears], api_visibility="private", queue=False
            ).then(refresh_status, None, [status_md, index_status_md], api_visibility="private", queue=False)

        gr.api(app.ask, api_name="ask", **ask_group)
        gr.api(app.status, api_name="status", concurrency_limit=None)
        demo.load(refresh_status, None, [status_md, index_status_md], api_visibility="private", queue=False)
    return demo


def launch(settings: Settings, assistant: Any = None, *, block: bool = True):
    """Sync the index with the corpus, then serve the app on settings.host:settings.port.

    Refuses (ConvqaError) to listen beyond loopback unless ``settings.auth`` is set.
    With ``block=False`` it returns the running Blocks (``.close()`` stops it).
    """
    auth = check_bind(settings)  # before loading the model: fail fast
    import gradio as gr

    if assistant is None:
        from convqa.assistant import Assistant

        assistant = Assistant(settings)
    report = assistant.index()
    print(
        f"convqa: {report.documents} article{'s' if report.documents != 1 else ''}, {report.chunks} passages indexed "
        f"({report.added} added, {report.updated} updated, {report.deleted} deleted) in {report.seconds:.1f} s",
        file=sys.stderr,
    )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    demo = build_app(settings, assistant)
    demo.queue(default_concurrency_limit=1)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=auth,
        auth_message="convqa: sign in" if auth else None,
        css=render.CSS,
        theme=gr.themes.Soft(),
        max_file_size=settings.max_upload_bytes,
        footer_links=["api"],
        show_error=True,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        prevent_thread_lock=not block,
    )
    return demo


def main(argv: list[str] | None = None) -> int:
    """``python app.py [--host H] [--port P] [--corpus DIR] [--data-dir DIR]``; other settings from CONVQA_*."""
    parser = argparse.ArgumentParser(description="Serve the convqa chat in the browser.")
    parser.add_argument("--host", help="address to bind [env CONVQA_HOST, default 127.0.0.1]")
    parser.add_argument("--port", type=int, help="port [env CONVQA_PORT, default 7860]")
    parser.add_argument("--corpus", dest="corpus_dir", type=Path, help="articles folder [env CONVQA_CORPUS_DIR]")
    parser.add_argument("--data-dir", dest="data_dir", type=Path, help="index folder [env CONVQA_DATA_DIR]")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    for name in ("chromadb", "httpx", "sentence_transformers", "transformers", "langchain_core", "bm25s"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from pydantic import ValidationError

    try:
        settings = Settings(**{k: v for k, v in vars(args).items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"error: invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}", file=sys.stderr)
        return 2
    try:
        launch(settings)
    except ConvqaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
