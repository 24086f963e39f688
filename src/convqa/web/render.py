"""HTML of the chat: questions, answers with numbered markers, and their cited passages.

Every piece of article text, title, URL and question goes through ``html.escape``
before it is placed in markup: an article containing ``<script>`` is shown as those
characters, never run. The chatbot also sanitizes, but this module does not rely on it.

The chatbot renders Markdown: a fragment that starts with ``<div`` and holds no blank
line is a raw HTML block to Markdown, so escaped text inside it is never reinterpreted
(``*``, ``_``, ``#``). Every fragment built here is therefore one line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from convqa.answer.types import Answer, Citation

_MARKER = re.compile(r"\[(\d{1,2})\]")
_TAG = re.compile(r"<[^>]*>")
_ANSWER_BLOCK = re.compile(r'<div class="cq-answer[^"]*">(.*?)</div>', re.S)
_LABELS = {
    "fr": {"sources": "Sources", "context": "Voir dans l’article", "abstain": "Pas de réponse",
           "changed": "L’article a changé depuis son indexation : reconstruisez l’index.",
           "searching": "Recherche dans les articles…", "error": "Question refusée"},
    "en": {"sources": "Sources", "context": "Show in the article", "abstain": "No answer",
           "changed": "The article changed since it was indexed: rebuild the index.",
           "searching": "Searching the articles…", "error": "Question refused"},
}

CSS = """
.cq-question { white-space: pre-wrap; }
.cq-answer { font-size: 1.02em; line-height: 1.55; }
.cq-ref { font-size: 0.78em; font-weight: 600; color: var(--color-accent); margin-left: 1px; }
.cq-abstain { border-left: 4px solid var(--neutral-400); padding: 6px 10px; background: var(--background-fill-secondary); color: var(--body-text-color-subdued); font-style: italic; }
.cq-badge { display: inline-block; font-size: 0.75em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; padding: 1px 8px; border-radius: 999px; background: var(--neutral-200); color: var(--neutral-700); margin-bottom: 6px; font-style: normal; }
.cq-error { border-left: 4px solid var(--error-border-color, #dc2626); padding: 6px 10px; background: var(--error-background-fill, #fef2f2); color: var(--error-text-color, #b91c1c); }
.cq-sources { margin-top: 12px; border-top: 1px solid var(--border-color-primary); padding-top: 8px; }
.cq-sources-title { font-size: 0.8em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.cq-source { margin: 6px 0 10px 0; }
.cq-source-head { font-size: 0.9em; }
.cq-num { font-weight: 700; color: var(--color-accent); margin-right: 4px; }
.cq-title { font-weight: 600; }
.cq-link { font-size: 0.85em; margin-left: 6px; word-break: break-all; }
.cq-passage { margin: 4px 0 2px 0; padding: 4px 10px; border-left: 3px solid var(--color-accent-soft, #c7d2fe); font-size: 0.92em; line-height: 1.5; color: var(--body-text-color); max-height: 16em; overflow-y: auto; }
.cq-passage mark, .cq-context-text mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 2px; }
.cq-in-passage { background: var(--background-fill-secondary); }
details.cq-more > summary, details.cq-context > summary { cursor: pointer; font-size: 0.88em; }
details.cq-context > summary { color: var(--body-text-color-subdued); margin-top: 2px; }
.cq-context-text { font-size: 0.9em; line-height: 1.5; padding: 6px 10px; max-height: 24em; overflow-y: auto; white-space: normal; }
.cq-snippet { color: var(--body-text-color-subdued); }
.cq-report { white-space: pre-wrap; }
"""


@dataclass(frozen=True)
class Context:
    """A window of the article around a passage: ``text[start:end]`` of the article."""

    text: str
    start: int
    end: int
    truncated_before: bool = False
    truncated_after: bool = False


#: citation → its surrounding article text (None when the article cannot be read).
ContextLookup = Callable[[Citation], "Context | None | bool"]


def esc(text: object) -> str:
    """HTML-escaped text, quotes included, with line breaks as <br> (keeps fragments on one line)."""
    return html.escape(str(text), quote=True).replace("\r", "").replace("\n", "<br>")


def labels(language: str) -> dict[str, str]:
    """Interface words in the answer's language (French unless English)."""
    return _LABELS.get(language, _LABELS["fr"])


def safe_href(url: str) -> str | None:
    """The URL when it is a plain http(s) link (never ``javascript:``), else None."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not re.search(r"\s", url):
        return url
    return None


def render_question(question: str) -> str:
    """The user's question as literal text."""
    return f'<div class="cq-question">{esc(question)}</div>'


def render_error(message: str, language: str = "en") -> str:
    """A refused question or failed request, styled as an error."""
    return f'<div class="cq-error"><b>{esc(labels(language)["error"])}:</b> {esc(message)}</div>'


def render_pending(language: str = "fr") -> str:
    """Placeholder shown while the answer is computed."""
    return f'<div class="cq-answer cq-pending"><i>{esc(labels(language)["searching"])}</i></div>'


def _answer_text(text: str) -> str:
    """Escaped answer with [n] markers as superscript references."""
    return _MARKER.sub(lambda m: f'<sup class="cq-ref">[{m.group(1)}]</sup>', esc(text))


def render_partial(text: str) -> str:
    """The answer as streamed so far (no sources yet)."""
    return f'<div class="cq-answer">{_answer_text(text)} ▍</div>'


def stream_pieces(text: str, words_per_piece: int = 3) -> Iterator[str]:
    """Progressively longer prefixes of ``text``, a few words at a time (ends with ``text``)."""
    spans = [m.end() for m in re.finditer(r"\S+", text)]
    for i in range(words_per_piece - 1, len(spans), words_per_piece):
        yield text[: spans[i]]
    if not spans or len(spans) % words_per_piece:
        yield text


def _passage_html(c: Citation) -> str:
    """The passage with its quoted sentence in <mark> (offsets relative to the passage)."""
    text = c.text
    qs = max(0, min(len(text), c.quote_start - c.start))
    qe = max(qs, min(len(text), c.quote_end - c.start))
    return f"{esc(text[:qs])}<mark>{esc(text[qs:qe])}</mark>{esc(text[qe:])}"


def _context_html(c: Citation, ctx: Context) -> str:
    """The article around the passage: the passage shaded, the quote marked."""
    a, b = c.start - ctx.start, c.end - ctx.start
    before = ("… " if ctx.truncated_before else "") + ctx.text[:a]
    after = ctx.text[b:] + (" …" if ctx.truncated_after else "")
    return f'{esc(before)}<span class="cq-in-passage">{_passage_html(c)}</span>{esc(after)}'


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_citation(c: Citation, context: Context | None | bool, language: str = "fr", numbered: bool = True) -> str:
    """One numbered source: title, link, passage with the quote marked, article context.

    ``context`` is the article window, None when unavailable, or False when the article
    changed since it was indexed. ``numbered=False`` leaves the number to an enclosing summary.
    """
    words = labels(language)
    href = safe_href(c.source)
    link = ""
    if href:
        host = urlsplit(href).netloc
        link = f'<a class="cq-link" href="{esc(href)}" target="_blank" rel="noopener noreferrer nofollow">{esc(host)}</a>'
    number = f'<span class="cq-num">[{c.n}]</span>' if numbered else ""
    head = f'<div class="cq-source-head">{number}<span class="cq-title">{esc(c.title or c.doc_id)}</span>{link}</div>'
    body = f'<div class="cq-passage">{_passage_html(c)}</div>'
    if context is False:
        body += f'<div class="cq-snippet"><i>{esc(words["changed"])}</i></div>'
    elif context is not None:
        body += (f'<details class="cq-context"><summary>{esc(words["context"])}</summary>'
                 f'<div class="cq-context-text">{_context_html(c, context)}</div></details>')
    return f'<div class="cq-source" data-doc-id="{esc(c.doc_id)}">{head}{body}</div>'


def render_answer(answer: Answer, context_of: ContextLookup | None = None) -> str:
    """The whole assistant message: answer (or abstention), then its sources.

    Source [1] (the one the answer quotes) is shown open; the others fold into a
    one-line summary each, so a long list does not bury the conversation.
    """
    words = labels(answer.language)
    if answer.abstained:
        return (f'<div class="cq-abstain"><span class="cq-badge">{esc(words["abstain"])}</span><br>'
                f'<div class="cq-answer cq-abstained">{esc(answer.answer)}</div></div>')
    parts = [f'<div class="cq-answer">{_answer_text(answer.answer)}</div>']
    if answer.citations:
        parts.append(f'<div class="cq-sources"><div class="cq-sources-title">{esc(words["sources"])}</div>')
        first_title = answer.citations[0].title
        for c in answer.citations:
            card = render_citation(c, context_of(c) if context_of else None, answer.language, numbered=c.n == 1)
            if c.n == 1:
                parts.append(card)
            else:
                # The title is in the card; repeat it here only when it is another article.
                other = "" if c.title == first_title else f' — <span class="cq-title">{esc(_shorten(c.title, 60))}</span>'
                summary = f'<span class="cq-num">[{c.n}]</span>« {esc(_shorten(c.quote))} »{other}'
                parts.append(f'<details class="cq-more"><summary>{summary}</summary>{card}</details>')
        parts.append("</div>")
    return "".join(parts)


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment built here (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", fragment.replace("<br>", "\n"))).strip()


def is_error(fragment: str) -> bool:
    """True for a message built by render_error."""
    return fragment.startswith('<div class="cq-error">')


def answer_text_of(fragment: str) -> str:
    """The answer text inside an assistant message built by render_answer ('' if none)."""
    match = _ANSWER_BLOCK.search(fragment)
    if match is None:
        return ""
    return plain_text(match.group(1)).rstrip("▍ ").strip()
