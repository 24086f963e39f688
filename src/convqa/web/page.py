"""The page: the Gradio Blocks of the chat and the "Add articles" tab, and their endpoints.

The same ``WebApp`` handlers back the page and these API endpoints:

``/ask``          question [+ history as JSON, top_k] → answer dict with citations (for scripts)
``/chat``         the chat itself (streams the conversation's messages)
``/add_article``  pasted title, source URL and text → save, index, report
``/add_url``      a link → fetch the page, save its article, index, report
``/upload``       files → save, index, report
``/rebuild``      re-sync the index with the corpus folder
``/status``       what is indexed

Type hints here are evaluated by Gradio to describe the API: no ``from __future__``.
"""

from typing import Any

import convqa  # noqa: F401  (sets the offline environment before anything loads)
from convqa.settings import Settings
from convqa.web import render
from convqa.web.handlers import WebApp

EXAMPLES = [
    "Quel organisme dirige Ghada Waly ?",
    "Combien de pays étaient représentés à la cérémonie de signature ?",
    "Which country's vice-president spoke for the heads of delegation?",
    "What did UNODC consider creating in Hanoi?",
]
ANSWER_CONCURRENCY = 4
INTRO = (
    "## Ask the articles\n"
    "Answers are sentences quoted from the indexed news articles, each with its numbered "
    "source. Ask in French or English; follow-up questions (« Qu'a-t-elle promis ? ») "
    "use the conversation."
)


def build_app(settings: Settings, assistant: Any = None):
    """The Gradio Blocks of the chat, the "Add articles" panel and the API endpoints.

    ``convqa.web.launch()`` serves it with its stylesheet; when launching the Blocks
    yourself, pass ``css=convqa.web.render.CSS`` (Gradio 6 takes styles at launch).
    """
    import gradio as gr

    from convqa.corpus.formats.registry import suffix_label

    if assistant is None:
        from convqa.assistant import Assistant

        assistant = Assistant(settings)
    app = WebApp(settings, assistant)
    upload_mb = settings.max_upload_bytes / 1e6
    types = suffix_label()  # the format registry's list, so the page names what the loader reads

    # Gradio shows a progress bar for handlers that take a gr.Progress default: thin wrappers.
    def upload(files: list[str] | None, progress=gr.Progress()) -> dict:
        return app.upload(files, progress)

    def add_article(title: str, source: str, text: str, progress=gr.Progress()) -> dict:
        return app.add_article(title, source, text, progress)

    def add_url(url: str, progress=gr.Progress()) -> dict:
        return app.add_url(url, progress)

    def rebuild(full: bool, progress=gr.Progress()) -> dict:
        return app.rebuild(full, progress)

    handlers = ((upload, app.upload), (add_article, app.add_article), (add_url, app.add_url), (rebuild, app.rebuild))
    for wrapper, handler in handlers:
        wrapper.__doc__ = handler.__doc__  # the API page shows the handlers' documentation

    with gr.Blocks(title="convqa · questions on the news", analytics_enabled=False) as demo:
        gr.Markdown(INTRO)
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
                # The conversation as data (Turn dicts), one per tab: follow-ups read it, not the HTML.
                turns = gr.State([])
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
                    gr.ClearButton([chatbot, question, turns], value="New conversation", size="md", scale=1,
                                   min_width=160, elem_id="cq-new")
                status_md = gr.Markdown(elem_id="cq-status")

            with gr.Tab("Add articles", id="add"):
                gr.Markdown(
                    f"Add news articles to the corpus folder `{render.esc(settings.corpus_dir)}`: they are "
                    f"checked, saved, then indexed (only new or changed articles are embedded). "
                    f"Add files ({types}, up to {upload_mb:.0f} MB each), a link to a web page or to such a "
                    "file, or a pasted text. A name already taken gets a number, nothing is overwritten."
                )
                with gr.Row():
                    with gr.Column():
                        # No file_types filter: Gradio would refuse the whole batch for one odd file,
                        # where the handler refuses that file alone, with its reason.
                        files = gr.File(label=f"Article files ({types}; max {upload_mb:.0f} MB)",
                                        file_count="multiple", type="filepath", elem_id="cq-files")
                        upload_btn = gr.Button("Add the files", variant="primary", elem_id="cq-upload")
                        url = gr.Textbox(label="Link to an article", placeholder="https://…", max_lines=1, elem_id="cq-url")
                        url_btn = gr.Button("Add from the link", variant="primary", elem_id="cq-add-url")
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
        chat_io = {"fn": app.chat, "inputs": [question, chatbot, top_k, turns], "outputs": [chatbot, question, turns]}

        question.submit(**chat_io, api_name="chat", show_progress="hidden", **ask_group)
        examples.load_input_event.then(**chat_io, api_visibility="private", show_progress="hidden", **ask_group)

        def refresh_status() -> tuple[str, str]:
            line = app.status_line()
            return line, line

        def show_result(result: dict | None, *inputs: Any) -> Any:
            # The report, and the form cleared when its articles were added (kept to be fixed if refused).
            cleared = tuple(None if result and result.get("ok") else gr.skip() for _ in inputs)
            return (render.report_markdown(result), *cleared) if inputs else render.report_markdown(result)

        for button, fn, inputs, name, clears in (
            (upload_btn, upload, [files], "upload", [files]),
            (paste_btn, add_article, [title, source, text], "add_article", [title, source, text]),
            (url_btn, add_url, [url], "add_url", [url]),
            (rebuild_btn, rebuild, [full], "rebuild", []),
        ):
            button.click(fn, inputs, result, api_name=name, show_progress_on=[report_md], **index_group).then(
                show_result, [result, *clears], [report_md, *clears], api_visibility="private", queue=False
            ).then(refresh_status, None, [status_md, index_status_md], api_visibility="private", queue=False)

        gr.api(app.ask, api_name="ask", **ask_group)
        gr.api(app.status, api_name="status", concurrency_limit=None)
        demo.load(refresh_status, None, [status_md, index_status_md], api_visibility="private", queue=False)
    return demo
