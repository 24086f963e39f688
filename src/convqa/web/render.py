"""HTML of the chat: questions, answers with numbered markers, and their cited passages;
and the Markdown report of articles added in the "Add articles" tab.

The words around the answer (sources, folds, badges, errors) are in the page's language
(convqa.web.i18n); the answer itself is in the question's.

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

from convqa.answer.types import Answer, Citation, ShortAnswer
from convqa.messages import Message, say
from convqa.web.i18n import TEXTS, index_summary, language
from convqa.web.style import CSS  # noqa: F401  (convqa.web.render.CSS, as documented)

_MARKER = re.compile(r"\[(\d{1,2})\]")


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


def labels(lang: str) -> dict[str, str]:
    """The page's words in ``lang`` (English unless French)."""
    return TEXTS[language(lang)]


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


def _colon(lang: str) -> str:
    # French typography puts a space before a colon.
    return " :" if language(lang) == "fr" else ":"


def render_error(message: str, lang: str = "en", label: str = "error") -> str:
    """A refused question or failed request, styled as an error, in the page's language.

    ``message`` is an error's Message (``exc.message``), said from the page's catalogue;
    other text is shown as written. ``label`` is "error" (the question was refused) or
    "no_answer" (a server could not answer).
    """
    return f'<div class="cq-error"><b>{esc(labels(lang)[label])}{_colon(lang)}</b> {esc(say(message, lang))}</div>'


def render_pending(lang: str = "en") -> str:
    """Placeholder shown while the answer is computed."""
    return f'<div class="cq-answer cq-pending"><i>{esc(labels(lang)["searching"])}</i></div>'


def answer_parts(answer: Answer) -> tuple[str | None, str]:
    """The short answer to show in bold (or None), and the rest of the answer text.

    The extractive answer leads with its short answer ("ONUDC — « … » [1]"): shown in
    bold above, it is not repeated in front of the quote.
    """
    short = answer.short.text if answer.short is not None and not answer.abstained else None
    if not short or answer.generator != "extractive":
        return None, answer.answer
    body = answer.answer
    if body.startswith(short):
        body = body[len(short) :].lstrip(" —–-:").lstrip()
    return short, body


def _answer_text(text: str, highlight: str | None = None) -> str:
    """Escaped answer with [n] markers as superscript references, ``highlight`` marked once."""

    def markup(part: str) -> str:
        return _MARKER.sub(lambda m: f'<sup class="cq-ref">[{m.group(1)}]</sup>', esc(part))

    at = text.find(highlight) if highlight else -1
    if at < 0:
        return markup(text)
    end = at + len(highlight)
    return f"{markup(text[:at])}<mark>{esc(text[at:end])}</mark>{markup(text[end:])}"


def _short_html(short: str | None) -> str:
    return f'<div class="cq-short">{esc(short)}</div>' if short else ""


def render_partial(text: str, short: str | None = None) -> str:
    """The answer as streamed so far (no sources yet), under its short answer when there is one."""
    return f'{_short_html(short)}<div class="cq-answer">{_answer_text(text, short)} ▍</div>'


def stream_pieces(text: str, words_per_piece: int = 3) -> Iterator[str]:
    """Progressively longer prefixes of ``text``, a few words at a time (ends with ``text``)."""
    spans = [m.end() for m in re.finditer(r"\S+", text)]
    for i in range(words_per_piece - 1, len(spans), words_per_piece):
        yield text[: spans[i]]
    if not spans or len(spans) % words_per_piece:
        yield text


def _clamp(value: int, text: str) -> int:
    return max(0, min(len(text), value))


def _passage_html(c: Citation, short: ShortAnswer | None = None) -> str:
    """The passage with its quote marked; with a short answer inside it, the span is marked
    and the quoted sentence only shaded (offsets are the article's)."""
    text = c.text
    qs = _clamp(c.quote_start - c.start, text)
    qe = max(qs, _clamp(c.quote_end - c.start, text))
    if short is None or short.n != c.n or short.doc_id != c.doc_id or not c.start <= short.start < short.end <= c.end:
        return f"{esc(text[:qs])}<mark>{esc(text[qs:qe])}</mark>{esc(text[qe:])}"
    ss, se = short.start - c.start, short.end - c.start
    if not qs <= ss < se <= qe:
        return f"{esc(text[:ss])}<mark>{esc(text[ss:se])}</mark>{esc(text[se:])}"
    quote = f"{esc(text[qs:ss])}<mark>{esc(text[ss:se])}</mark>{esc(text[se:qe])}"
    return f'{esc(text[:qs])}<span class="cq-quote">{quote}</span>{esc(text[qe:])}'


def _context_html(c: Citation, ctx: Context, short: ShortAnswer | None = None) -> str:
    """The article around the passage: the passage shaded, the quote marked."""
    a, b = c.start - ctx.start, c.end - ctx.start
    before = ("… " if ctx.truncated_before else "") + ctx.text[:a]
    after = ctx.text[b:] + (" …" if ctx.truncated_after else "")
    return f'{esc(before)}<span class="cq-in-passage">{_passage_html(c, short)}</span>{esc(after)}'


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_citation(
    c: Citation,
    context: Context | None | bool,
    lang: str = "en",
    numbered: bool = True,
    short: ShortAnswer | None = None,
) -> str:
    """One numbered source: title, link, passage with the quote (or short answer) marked, article context.

    ``context`` is the article window, None when unavailable, or False when the article
    changed since it was indexed. ``numbered=False`` leaves the number and the title to an
    enclosing summary.
    """
    words = labels(lang)
    href = safe_href(c.source)
    link = ""
    if href:
        host = urlsplit(href).netloc
        link = (
            f'<a class="cq-link" href="{esc(href)}" target="_blank" rel="noopener noreferrer nofollow">{esc(host)}</a>'
        )
    if numbered:
        head = f'<div class="cq-source-head"><span class="cq-num">[{c.n}]</span><span class="cq-title">{esc(c.title or c.doc_id)}</span>{link}</div>'
    else:  # the enclosing summary shows the number and the title
        head = f'<div class="cq-source-head">{link}</div>' if link else ""
    body = f'<div class="cq-passage">{_passage_html(c, short)}</div>'
    if context is False:
        body += f'<div class="cq-snippet"><i>{esc(words["changed"])}</i></div>'
    elif context is not None:
        body += (
            f'<details class="cq-context"><summary>{esc(words["context"])}</summary>'
            f'<div class="cq-context-text">{_context_html(c, context, short)}</div></details>'
        )
    return f'<div class="cq-source" data-doc-id="{esc(c.doc_id)}">{head}{body}</div>'


def render_generator(answer: Answer, lang: str | None = None) -> str:
    """Which generator wrote the answer: '' for the plain extractive setup (no model configured)."""
    words = labels(lang or answer.language)
    if answer.generator != "extractive":
        return f'<div class="cq-generator">{esc(words["generated"].format(name=answer.generator))}</div>'
    if answer.fallback_reason:
        return f'<div class="cq-generator cq-fallback">{esc(words["fallback"])} · {esc(answer.fallback_reason)}</div>'
    return ""


def render_answer(answer: Answer, context_of: ContextLookup | None = None, lang: str | None = None) -> str:
    """The whole assistant message: short answer, quote (or abstention), then its sources.

    ``lang`` is the page's language, for the words around the answer (the answer's own
    language by default). Every source is a fold: [1], the one the answer quotes, opens
    on the passage with the short answer marked; the others show one line each, so a
    long list never buries the answer.
    """
    words = labels(lang or answer.language)
    if answer.abstained:
        return (
            f'<div class="cq-abstain"><span class="cq-badge">{esc(words["abstain"])}</span><br>'
            f'<div class="cq-answer cq-abstained">{esc(answer.answer)}</div></div>'
        )
    short, body = answer_parts(answer)
    parts = [
        f'{_short_html(short)}<div class="cq-answer">{_answer_text(body, short)}</div>{render_generator(answer, lang)}'
    ]
    if answer.citations:
        parts.append(f'<div class="cq-sources"><div class="cq-sources-title">{esc(words["sources"])}</div>')
        first_title = answer.citations[0].title
        for c in answer.citations:
            card = render_citation(
                c, context_of(c) if context_of else None, lang or answer.language, numbered=c.n != 1, short=answer.short
            )
            if c.n == 1:
                summary = f'<span class="cq-num">[1]</span><span class="cq-title">{esc(_shorten(c.title or c.doc_id, 120))}</span>'
                parts.append(f'<details class="cq-src" open><summary>{summary}</summary>{card}</details>')
            else:
                # The title is in the card; repeat it here only when it is another article.
                other = (
                    "" if c.title == first_title else f' — <span class="cq-title">{esc(_shorten(c.title, 60))}</span>'
                )
                summary = f'<span class="cq-num">[{c.n}]</span>« {esc(_shorten(c.quote))} »{other}'
                parts.append(f'<details class="cq-src"><summary>{summary}</summary>{card}</details>')
        parts.append("</div>")
    return "".join(parts)


def report_markdown(result: dict | None, lang: str = "en") -> str:
    """The result of an add/upload/rebuild/remove for the page, in its language (escaped:
    it quotes file names and URLs)."""
    if not result:
        return ""
    words = labels(lang)
    colon = _colon(lang)
    coded = result.get("codes") or {}

    def localize(line: str, lang: str) -> str:
        # A line of the dict, from the code it was made of (library.codes); else as written.
        try:
            return Message.from_dict(coded[line]).say(lang)
        except (KeyError, TypeError):  # no code, or one this version does not know
            return str(line)

    lines = []
    for s in result.get("saved") or []:
        lines.append(
            f"**{words['added'] if s.get('created') else words['already']}{colon}** {esc(localize(s['message'], lang))}"
        )
    for r in result.get("removed") or []:
        lines.append(f"**{words['removed']}{colon}** {esc(r['title'])} ({esc(r['file'])})")
    for r in result.get("refused") or []:
        lines.append(f"**{words['refused']}{colon}** {esc(localize(r['message'], lang))}")
    index = result.get("index")
    if index:
        lines.append(f"**{words['index']}{colon}** {esc(index_summary(index, lang))}")
        lines.extend(f"**{words['warning']}{colon}** {esc(localize(w, lang))}" for w in index.get("warnings") or [])
    for e in result.get("errors") or []:
        lines.append(f"**{words['refused']}{colon}** {esc(localize(e, lang))}")
    if not lines:
        lines.append(esc(localize(result.get("message", ""), lang)))
    return "\n\n".join(lines)
