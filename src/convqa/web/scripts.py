"""The browser side of the page: the scripts that keep it in step with the server.

The document's title and language, Gradio's own few words, and the scrolling that brings
each new question to the top of the view, under the sticky bar.
"""

from __future__ import annotations

import json

from convqa.web import i18n
from convqa.web.i18n import text

#: Runs once on page load (``launch(js=…)``). The page scrolls as one (no scroll box around
#: the conversation): after each question, the window scrolls so that the question sits
#: right under the sticky bar and tabs, its answer starting under it, and keeps it there
#: while the answer streams in (Gradio's autoscroll would show the end of the sources
#: instead), unless the reader scrolls meanwhile. It also keeps --cq-bar, the bar's height,
#: for the tabs to stick under it.
PAGE_JS = """
() => {
  let seen = 0, pin = null;
  const root = document.documentElement;
  const bar = () => document.getElementById('cq-top');
  const tabs = () => document.querySelector('#cq-tabs > .tab-wrapper');
  const measure = () => { const b = bar(); if (b) root.style.setProperty('--cq-bar', b.offsetHeight + 'px'); };
  // Where a question is brought to: under the sticky bar and the tabs.
  const head = () => (bar()?.offsetHeight || 0) + (tabs()?.offsetHeight || 0);
  const settle = () => {
    measure();
    const users = document.querySelectorAll('#cq-chat [data-testid="user"]');
    if (users.length > seen) pin = users.length - 1;
    seen = users.length;
    if (pin === null || !users[pin]) return;
    const top = users[pin].getBoundingClientRect().top, want = head() + 8;
    if (Math.abs(top - want) > 2) window.scrollBy(0, top - want);
    const bots = document.querySelectorAll('#cq-chat [data-testid="bot"]');
    const last = bots[bots.length - 1];
    if (last && last.querySelector('.cq-sources, .cq-abstain, .cq-error')) pin = null;  // the answer is complete
  };
  // The reader scrolling takes over until the next question.
  const release = () => { pin = null; };
  window.addEventListener('wheel', release, {passive: true});
  window.addEventListener('touchmove', release, {passive: true});
  window.addEventListener('keydown', (e) => { if (/^(Page|Arrow|Home|End)/.test(e.key)) release(); });
  window.addEventListener('resize', measure);
  new MutationObserver(() => requestAnimationFrame(settle)).observe(document.body, {childList: true, subtree: true});
}
"""


def apply_js(store: bool) -> str:
    """Browser side of a language change: title, <html lang>, Gradio's own words (best effort)."""
    titles = json.dumps({lang: text(lang, "page_title") for lang in i18n.LANGUAGES}, ensure_ascii=False)
    remember = "try { localStorage.setItem('convqa-lang', v); } catch (e) {}" if store else ""
    # Gradio translates its own labels (file drop zone, footer) with its i18n module's changeLocale.
    return f"""
async (v) => {{
  {remember}
  const titles = {titles};
  if (titles[v]) document.title = titles[v];
  document.documentElement.lang = v;
  try {{
    const url = performance.getEntriesByType('resource').map(e => e.name).find(n => /\\/assets\\/core-[\\w-]+\\.js$/.test(n));
    if (url) {{ const gradio = await import(url); if (gradio.changeLocale) gradio.changeLocale(v); }}
  }} catch (e) {{}}
  return [];
}}
"""


def show_js(elem_id: str) -> str:
    """Bring an element into view (the report where an action's progress shows), e.g. on a phone."""
    return (
        f"() => {{ document.getElementById({json.dumps(elem_id)})?.scrollIntoView({{block: 'center'}}); return []; }}"
    )
