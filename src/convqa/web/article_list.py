"""The "Articles" tab's list of indexed articles, as HTML."""

from __future__ import annotations

from convqa.web import i18n, render
from convqa.web.i18n import text


def render_articles(found: list[dict], lang: str) -> str:
    """The indexed articles as an HTML list (escaped: titles and sources are the articles')."""
    if not found:
        return f"<p>{render.esc(text(lang, 'no_articles'))}</p>"
    items = []
    for a in found:
        href = render.safe_href(a["source"])
        source = (
            (
                f'<a href="{render.esc(href)}" target="_blank" rel="noopener noreferrer nofollow">'
                f"{render.esc(href.split('/')[2])}</a>"
            )
            if href
            else ""
        )
        meta = " · ".join(
            part
            for part in (
                render.esc(a["date"]),
                source,
                render.esc(text(lang, "n_passages", n=a["passages"], s=i18n.plural(a["passages"]))),
                f"<code>{render.esc(a['doc_id'])}</code>",
            )
            if part
        )
        items.append(
            f'<li data-doc-id="{render.esc(a["doc_id"])}"><span class="cq-title">{render.esc(a["title"])}</span>'
            f'<div class="cq-meta">{meta}</div></li>'
        )
    return f'<ul class="cq-articles">{"".join(items)}</ul>'
