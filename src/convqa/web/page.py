"""The page: the Gradio Blocks of the chat, the "Add articles" and "Indexed articles"
tabs, and their endpoints.

The same ``WebApp`` handlers back the page and these API endpoints:

``/ask``             question [+ history as JSON, top_k] → answer dict with citations (for scripts)
``/chat``            the chat itself (streams the conversation's messages)
``/add_article``     pasted title, source URL and text → save, index, report
``/add_url``         a link → fetch the page, save its article, index, report
``/upload``          files → save, index, report
``/rebuild``         re-sync the index with the corpus folder
``/articles``        the indexed articles
``/remove_article``  an article id → delete its file, re-index (signed in when CONVQA_AUTH is set)
``/status``          what is indexed

The page has one language, French or English (convqa.web.i18n), kept per tab in a
``gr.State``: set on load from the visitor's stored choice, ``?lang=``, Accept-Language
or navigator.language, and changed with the switch at the top. Every label follows it.

Type hints here are evaluated by Gradio to describe the API: no ``from __future__``.
"""

from collections.abc import Callable
from typing import Any

from convqa.assistant import Assistant
from convqa.settings import Settings
from convqa.web import i18n, render
from convqa.web.chrome import Chrome
from convqa.web.handlers import WebApp
from convqa.web.scripts import show_js

ANSWER_CONCURRENCY = 4
#: Answering and indexing run in separate concurrency groups: a question asked during a
#: rebuild is answered at once.
ASK_GROUP = {"concurrency_id": "answer", "concurrency_limit": ANSWER_CONCURRENCY}
INDEX_GROUP = {"concurrency_id": "index", "concurrency_limit": 1}
#: The page's own events: no API endpoint, no queue.
QUIET = {"api_visibility": "private", "queue": False}


def build_app(settings: Settings, assistant: Any = None):
    """The Gradio Blocks of the chat, the article panels and the API endpoints.

    ``convqa.web.launch()`` serves it with its stylesheet and script; when launching the
    Blocks yourself, pass ``css=convqa.web.render.CSS``, ``head=convqa.web.style.HEAD``,
    ``js=convqa.web.scripts.PAGE_JS`` and ``i18n=gr.I18n(**convqa.web.i18n.GRADIO_WORDS)``
    (Gradio 6 takes them at launch).
    """
    import gradio as gr

    if assistant is None:
        assistant = Assistant(settings)
    app = WebApp(settings, assistant)
    ui = Chrome(settings, app)
    with gr.Blocks(title=i18n.text(i18n.DEFAULT, "page_title"), analytics_enabled=False) as demo:
        lang = gr.State(i18n.DEFAULT)
        ui.build()
        refresh, panels = _refresher(ui)
        # In this order: it is the order of the events, and of the endpoints on the API page.
        _wire_chat(ui, app, lang)
        _wire_reports(ui, app, lang, refresh, panels)
        _wire_removal(ui, app, lang, refresh, panels)
        _wire_api(app)
        _wire_language(demo, ui, lang, refresh, panels)
    return demo


def _refresher(ui: Chrome) -> tuple[Callable[..., tuple], list]:
    """What an index run changes on the page (counts, the list, the chat's placeholder when
    empty), and the handler that words them again."""
    panels = [ui.status_md, ui.index_status_md, ui.articles_html, ui.pick, ui.chatbot]

    def refresh(lang_: str, turns: list[dict] | None = None) -> tuple:
        return ui.status(lang_), ui.status(lang_), *ui.articles(lang_), ui.chat(lang_, turns)

    return refresh, panels


def _wire_chat(ui: Chrome, app: WebApp, lang: Any) -> None:
    """The chat (``/chat``) and its examples."""
    import gradio as gr

    chat_io = {
        "fn": app.chat,
        "inputs": [ui.question, ui.chatbot, ui.top_k, ui.turns, lang],
        "outputs": [ui.chatbot, ui.question, ui.turns],
    }
    ui.question.submit(**chat_io, api_name="chat", show_progress="hidden", **ASK_GROUP)

    def pick_example(evt: gr.SelectData) -> str:
        return evt.value["text"] if isinstance(evt.value, dict) else str(evt.value)

    ui.chatbot.example_select(pick_example, None, ui.question, **QUIET).then(
        **chat_io, api_visibility="private", show_progress="hidden", **ASK_GROUP
    )
    # The conversation's own trash icon forgets the turns too, as *New conversation* does:
    # a follow-up must not read a conversation that is no longer shown.
    ui.chatbot.clear(lambda: [], None, ui.turns, **QUIET)


def _adders(app: WebApp) -> tuple[Callable[..., dict], ...]:
    """``upload``, ``add_article``, ``add_url`` and ``rebuild`` as thin wrappers: Gradio
    shows a progress bar for handlers that take a gr.Progress default."""
    import gradio as gr

    def upload(files: list[str] | None, lang: str, progress=gr.Progress()) -> dict:
        return app.upload(files, progress, lang)

    def add_article(title: str, source: str, text: str, lang: str, progress=gr.Progress()) -> dict:
        return app.add_article(title, source, text, progress, lang)

    def add_url(url: str, lang: str, progress=gr.Progress()) -> dict:
        return app.add_url(url, progress, lang)

    def rebuild(full: bool, lang: str, progress=gr.Progress()) -> dict:
        return app.rebuild(full, progress, lang)

    handlers = ((upload, app.upload), (add_article, app.add_article), (add_url, app.add_url), (rebuild, app.rebuild))
    for wrapper, handler in handlers:
        wrapper.__doc__ = handler.__doc__  # the API page shows the handlers' documentation
    return upload, add_article, add_url, rebuild


def _wire_reports(ui: Chrome, app: WebApp, lang: Any, refresh: Callable[..., tuple], panels: list) -> None:
    """The "Add articles" actions (``/upload``, ``/add_article``, ``/add_url``, ``/rebuild``) and their report.

    A file is added as soon as it is chosen or dropped (the file control's upload event):
    no second click, and no file left on the page looking added when it is not."""
    import gradio as gr

    upload, add_article, add_url, rebuild = _adders(app)

    def show_result(result: dict | None, lang_: str, *inputs: Any) -> Any:
        # The report, and the form cleared when its articles were added (kept to be fixed if refused).
        cleared = tuple(None if result and result.get("ok") else gr.skip() for _ in inputs)
        return (render.report_markdown(result, lang_), *cleared)

    def show_upload(result: dict | None, lang_: str, files: Any) -> Any:
        # The files always leave the control: the report names each one, added or refused
        # with its reason, and the control is ready for the next file.
        return render.report_markdown(result, lang_), None

    for trigger, fn, inputs, name, clears, shown in (
        (ui.files.upload, upload, [ui.files], "upload", [ui.files], show_upload),
        (
            ui.paste_btn.click,
            add_article,
            [ui.title, ui.source, ui.text],
            "add_article",
            [ui.title, ui.source, ui.text],
            show_result,
        ),
        (ui.url_btn.click, add_url, [ui.url], "add_url", [ui.url], show_result),
        (ui.rebuild_btn.click, rebuild, [ui.full], "rebuild", [], show_result),
    ):
        report = ui.report_md
        trigger(None, js=show_js(report.elem_id), **QUIET)  # the progress shows there
        trigger(fn, [*inputs, lang], ui.result, api_name=name, show_progress_on=[report], **INDEX_GROUP).then(
            shown, [ui.result, lang, *clears], [report, *clears], **QUIET
        ).then(refresh, lang, panels, **QUIET)


def _wire_removal(ui: Chrome, app: WebApp, lang: Any, refresh: Callable[..., tuple], panels: list) -> None:
    """Deleting asks first; the confirmation names the article, its file and its passages."""
    import gradio as gr

    def remove_confirmed(doc_id: str, lang: str, request: gr.Request, progress=gr.Progress()) -> dict:
        return app.remove(doc_id, bool(getattr(request, "username", None)), progress, lang)

    ui.delete_btn.click(ui.confirm, [ui.pick, lang], [ui.confirm_box, ui.confirm_md, ui.removal_md], **QUIET)
    ui.cancel_btn.click(lambda: gr.Column(visible=False), None, ui.confirm_box, **QUIET)
    ui.confirm_btn.click(lambda: gr.Column(visible=False), None, ui.confirm_box, **QUIET).then(
        remove_confirmed,
        [ui.pick, lang],
        ui.removed,
        api_visibility="private",
        show_progress_on=[ui.removal_md],
        **INDEX_GROUP,
    ).then(
        lambda result, lang_: render.report_markdown(result, lang_), [ui.removed, lang], ui.removal_md, **QUIET
    ).then(refresh, lang, panels, **QUIET)
    ui.articles_tab.select(refresh, lang, panels, **QUIET)


def _wire_api(app: WebApp) -> None:
    """The endpoints for scripts only: ``/ask``, ``/status``, ``/articles``, ``/remove_article``."""
    import gradio as gr

    def remove_article(doc_id: str, request: gr.Request) -> dict:
        """Delete an indexed article (its id as /articles lists it): its file leaves the corpus
        folder and its passages both indexes. Refused unless signed in when CONVQA_AUTH is set.
        Returns the same dict as /upload, with ``removed``."""
        return app.remove(doc_id, bool(getattr(request, "username", None)))

    gr.api(app.ask, api_name="ask", **ASK_GROUP)
    gr.api(app.status, api_name="status", concurrency_limit=None)
    gr.api(app.articles, api_name="articles", concurrency_limit=None)
    gr.api(remove_article, api_name="remove_article", **INDEX_GROUP)


def _wire_language(demo: Any, ui: Chrome, lang: Any, refresh: Callable[..., tuple], panels: list) -> None:
    """The page's language: on load from the browser, then from the switch."""
    import gradio as gr

    outputs = [lang, ui.switch, *ui.chrome_outputs, *panels]

    def on_load(hint: str, request: gr.Request) -> tuple:
        stored, _, navigator = (hint or "").partition("|")
        query = request.query_params.get("lang", "") if request is not None else ""
        accept = request.headers.get("accept-language", "") if request is not None else ""
        return on_switch(i18n.pick_language(query or stored, accept, navigator))

    def on_switch(choice: str, turns: list[dict] | None = None, *reports: Any) -> tuple:
        chosen = i18n.language(choice)
        switch = gr.update(value=chosen, label=i18n.text(chosen, "language"))
        return (chosen, switch, *ui.chrome(chosen, *reports), *refresh(chosen, turns))

    demo.load(on_load, ui.hint, outputs, js=ui.LOAD_JS, **QUIET).then(None, ui.switch, None, js=ui.APPLY_JS)
    ui.switch.input(on_switch, [ui.switch, ui.turns, *ui.chrome_inputs], outputs, **QUIET).then(
        None, ui.switch, None, js=ui.SWITCH_JS
    )
