"""The page's components and their words: built once, relabelled for each language.

``Chrome.build()`` lays the page out (inside the Blocks), ``Chrome.chrome(lang)`` gives
the updates that put every label, placeholder and example in one language; the browser
side of the page lives in ``convqa.web.scripts``.
"""

from __future__ import annotations

from typing import Any

from convqa.corpus.formats.registry import suffix_label
from convqa.settings import Settings
from convqa.web import i18n, render
from convqa.web.article_list import render_articles
from convqa.web.i18n import text
from convqa.web.scripts import apply_js


class Chrome:
    """Every component of the page that carries words, and how to word it in a language."""

    #: The browser's stored choice and languages, for the load event to pick the page's language.
    LOAD_JS = """() => {
  let stored = '';
  try { stored = localStorage.getItem('convqa-lang') || ''; } catch (e) {}
  return [stored + '|' + (navigator.languages || [navigator.language]).join(',')];
}"""
    APPLY_JS = apply_js(store=False)
    SWITCH_JS = apply_js(store=True)

    def __init__(self, settings: Settings, app: Any) -> None:
        self.settings = settings
        self.app = app
        self.types = suffix_label()  # the format registry's list: the page names what the loader reads
        self.mb = f"{settings.max_upload_bytes / 1e6:.0f}"

    def build(self) -> None:
        """Lay the page out (inside a Blocks), in the default language until the page loads."""
        import gradio as gr

        lang = i18n.DEFAULT
        self.hint = gr.Textbox(visible=False)
        # A one-line bar, sticky with the tabs under it: the page scrolls as one, and they stay in reach.
        with gr.Row(elem_id="cq-top", equal_height=True):
            self.heading = gr.Markdown(f"### {text(lang, 'heading')}", elem_id="cq-heading")
            self.switch = gr.Radio(
                i18n.CHOICES,
                value=lang,
                label=text(lang, "language"),
                show_label=False,
                container=False,
                scale=0,
                min_width=170,
                elem_id="cq-lang",
            )
        self.intro = gr.Markdown(text(lang, "intro"), elem_id="cq-intro")
        with gr.Tabs(elem_id="cq-tabs"):
            self._build_chat(lang)
            self._build_add(lang)
            self._build_articles(lang)
        self.chrome_outputs = [
            self.heading,
            self.intro,
            self.chat_tab,
            self.add_tab,
            self.articles_tab,
            self.question,
            self.top_k,
            self.new_btn,
            self.add_intro,
            self.files,
            self.url,
            self.url_btn,
            self.title,
            self.source,
            self.text,
            self.paste_btn,
            self.full,
            self.rebuild_btn,
            self.articles_intro,
            self.delete_btn,
            self.confirm_btn,
            self.cancel_btn,
            self.report_md,
            self.removal_md,
        ]
        #: What chrome() needs besides the language: the last reports.
        self.chrome_inputs = [self.result, self.removed]

    def _build_chat(self, lang: str) -> None:
        """The chat tab: the conversation, the question box, how many sources, a new conversation."""
        import gradio as gr

        with gr.Tab(text(lang, "tab_chat"), id="chat", elem_id="cq-tab-chat") as self.chat_tab:
            self.chatbot = gr.Chatbot(
                label="Conversation",  # the same word in both languages (read by screen readers)
                show_label=False,
                # No height: the conversation grows with its messages and the page scrolls as one
                # (style.CSS lifts Gradio's own scroll box); PAGE_JS brings each question to the top.
                height=None,
                autoscroll=False,
                latex_delimiters=[],
                feedback_options=None,
                # Copy buttons would copy the message's HTML source: selecting text copies it cleanly.
                buttons=[],
                layout="panel",
                placeholder=text(lang, "chat_placeholder"),
                examples=self._examples(lang),
                elem_id="cq-chat",
            )
            # The conversation as data (Turn dicts), one per tab: follow-ups read it, not the HTML.
            self.turns = gr.State([])
            self.question = gr.Textbox(
                label="Question",
                show_label=False,
                placeholder=text(lang, "question_placeholder"),
                # No autofocus: on a phone it scrolls the page and opens the keyboard.
                submit_btn=text(lang, "ask"),
                max_lines=6,
                elem_id="cq-question",
            )
            with gr.Row(equal_height=True):
                self.top_k = gr.Slider(
                    1,
                    max(10, self.settings.top_k),
                    value=self.settings.top_k,
                    step=1,
                    label=text(lang, "top_k"),
                    scale=3,
                    min_width=180,
                )
                self.new_btn = gr.ClearButton(
                    [self.chatbot, self.question, self.turns],
                    value=text(lang, "new_conversation"),
                    size="md",
                    scale=1,
                    min_width=160,
                    elem_id="cq-new",
                )
            self.status_md = gr.Markdown(elem_id="cq-status")

    def _build_add(self, lang: str) -> None:
        """The "Add articles" tab: files, a link or a pasted text, the report, the rebuild."""
        import gradio as gr

        with gr.Tab(text(lang, "tab_add"), id="add", elem_id="cq-tab-add") as self.add_tab:
            self.add_intro = gr.Markdown(self._add_intro(lang))
            with gr.Row():
                with gr.Column(min_width=260):
                    # No file_types filter: Gradio would refuse the whole batch for one odd file,
                    # where the handler refuses that file alone, with its reason. A file is added
                    # as soon as it is chosen or dropped (page.py: its upload event), with no button.
                    self.files = gr.File(
                        label=text(lang, "files", types=self.types, mb=self.mb),
                        file_count="multiple",
                        type="filepath",
                        elem_id="cq-files",
                    )
                    self.url = gr.Textbox(
                        label=text(lang, "url"), placeholder="https://…", max_lines=1, elem_id="cq-url"
                    )
                    self.url_btn = gr.Button(text(lang, "add_url"), variant="primary", elem_id="cq-add-url")
                with gr.Column(min_width=260):
                    self.title = gr.Textbox(label=text(lang, "title"), max_lines=2, elem_id="cq-title")
                    self.source = gr.Textbox(
                        label=text(lang, "source"), placeholder="https://…", max_lines=1, elem_id="cq-source"
                    )
                    self.text = gr.Textbox(label=text(lang, "text"), lines=8, max_lines=20, elem_id="cq-text")
                    self.paste_btn = gr.Button(text(lang, "add_text"), variant="primary", elem_id="cq-paste")
            self.report_md = gr.Markdown(elem_id="cq-report", min_height=48)
            with gr.Row(equal_height=True):
                self.full = gr.Checkbox(label=text(lang, "full"), value=False, scale=3, min_width=200)
                self.rebuild_btn = gr.Button(text(lang, "rebuild"), scale=1, min_width=160, elem_id="cq-rebuild")
            self.index_status_md = gr.Markdown()
            self.result = gr.JSON(visible=False)  # the last report, kept to word it again in another language

    def _build_articles(self, lang: str) -> None:
        """The "Articles" tab: the list, the article to delete and its confirmation."""
        import gradio as gr

        with gr.Tab(text(lang, "tab_articles"), id="articles", elem_id="cq-tab-articles") as self.articles_tab:
            self.articles_intro = gr.Markdown(self._articles_intro(lang))
            self.articles_html = gr.HTML(elem_id="cq-articles")
            with gr.Row(equal_height=True):
                self.pick = gr.Dropdown(
                    [], value=None, label=text(lang, "pick"), scale=3, min_width=200, elem_id="cq-pick"
                )
                self.delete_btn = gr.Button(
                    text(lang, "delete"), variant="stop", scale=1, min_width=120, elem_id="cq-delete"
                )
            with gr.Column(visible=False, elem_id="cq-confirm") as self.confirm_box:
                self.confirm_md = gr.Markdown(elem_id="cq-confirm-text")
                with gr.Row():
                    self.confirm_btn = gr.Button(text(lang, "confirm_yes"), variant="stop", elem_id="cq-confirm-yes")
                    self.cancel_btn = gr.Button(text(lang, "cancel"), elem_id="cq-confirm-no")
            self.removal_md = gr.Markdown(elem_id="cq-removal", min_height=48)
            self.removed = gr.JSON(visible=False)

    # -- words ------------------------------------------------------------------------------------
    @staticmethod
    def _examples(lang: str) -> list[dict]:
        return [{"text": q} for q in i18n.EXAMPLES[i18n.language(lang)]]

    def _add_intro(self, lang: str) -> str:
        return text(lang, "add_intro", folder=render.esc(self.settings.corpus_dir), types=self.types, mb=self.mb)

    def _articles_intro(self, lang: str) -> str:
        return text(lang, "articles_intro", folder=render.esc(self.settings.corpus_dir))

    def chrome(self, lang: str, result: dict | None = None, removed: dict | None = None) -> list[Any]:
        """Updates for ``chrome_outputs``, in that order: every word of the page in ``lang``,
        the last reports included (the conversation: ``chat``)."""
        import gradio as gr

        def label(key: str, **values: Any) -> Any:
            return gr.update(label=text(lang, key, **values))

        def value(key: str) -> Any:
            return gr.update(value=text(lang, key))

        return [
            gr.update(value=f"### {text(lang, 'heading')}"),
            gr.update(value=text(lang, "intro")),
            label("tab_chat"),
            label("tab_add"),
            label("tab_articles"),
            gr.update(placeholder=text(lang, "question_placeholder"), submit_btn=text(lang, "ask")),
            label("top_k"),
            value("new_conversation"),
            gr.update(value=self._add_intro(lang)),
            label("files", types=self.types, mb=self.mb),
            label("url"),
            value("add_url"),
            label("title"),
            label("source"),
            label("text"),
            value("add_text"),
            label("full"),
            value("rebuild"),
            gr.update(value=self._articles_intro(lang)),
            value("delete"),
            value("confirm_yes"),
            value("cancel"),
            render.report_markdown(result, lang),
            render.report_markdown(removed, lang),
        ]

    def chat(self, lang: str, turns: list[dict] | None = None) -> Any:
        """The conversation's placeholder and examples in ``lang`` (its messages too, given
        ``turns``). With nothing indexed, the placeholder says so, and what to do."""
        import gradio as gr

        update = {"placeholder": text(lang, "chat_placeholder"), "examples": self._examples(lang)}
        if self.app.assistant.store.count() == 0:  # the examples would find nothing
            folder = render.esc(self.settings.corpus_dir)
            update = {"placeholder": text(lang, "empty_corpus", types=suffix_label(), folder=folder), "examples": []}
        if turns:
            update["value"] = self.app.replay(turns, lang)
        return gr.update(**update)

    def status(self, lang: str) -> str:
        """The status line under the chat (and the add tab)."""
        return self.app.status_line(lang)

    def articles(self, lang: str) -> tuple[str, Any]:
        """The articles list (HTML) and the choices of the article to delete."""
        import gradio as gr

        found = self.app.articles()
        choices = [(f"{a['title']} ({a['date']})" if a["date"] else a["title"], a["doc_id"]) for a in found]
        return render_articles(found, lang), gr.update(choices=choices, value=None, label=text(lang, "pick"))

    def confirm(self, doc_id: str | None, lang: str) -> tuple[Any, str, str]:
        """Show the confirmation for deleting ``doc_id``, or ask to choose an article first."""
        import gradio as gr

        info = next((a for a in self.app.articles() if a["doc_id"] == doc_id), None)
        if info is None:
            return gr.Column(visible=False), "", text(lang, "pick_first")
        passages = text(lang, "n_passages", n=info["passages"], s=i18n.plural(info["passages"]))
        question = text(
            lang, "confirm", title=render.esc(info["title"]), path=render.esc(info["file"]), passages=passages
        )
        return gr.Column(visible=True), question, ""
