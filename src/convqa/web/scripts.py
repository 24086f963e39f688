"""The browser side of the page: the scripts that keep it in step with the server.

The document's title and language, Gradio's own few words, and the scrolling that brings
each new question to the top of the view.
"""

from __future__ import annotations

import json

from convqa.web import i18n
from convqa.web.i18n import text

#: Runs once on page load (``launch(js=…)``). After each question, the conversation
#: scrolls so that the question is at its top and the answer starts right under it
#: (Gradio's autoscroll would show the end of the sources instead); the page itself
#: scrolls only when the question is not in view.
PAGE_JS = """
() => {
  let seen = 0, pin = null;
  const scrollBox = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (/(auto|scroll)/.test(style.overflowY) && box.scrollHeight > box.clientHeight + 1) return box;
    }
    return null;
  };
  const settle = () => {
    const users = document.querySelectorAll('#cq-chat [data-testid="user"]');
    if (users.length > seen) pin = users.length - 1;
    seen = users.length;
    if (pin === null || !users[pin]) return;
    const msg = users[pin];
    const box = scrollBox(msg);
    if (box) box.scrollTop += msg.getBoundingClientRect().top - box.getBoundingClientRect().top - 6;
    // Until the answer is complete (the box's scroll moves while it grows), keep the question in view.
    const top = msg.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.45) window.scrollBy(0, top - 8);
    const bots = document.querySelectorAll('#cq-chat [data-testid="bot"]');
    const last = bots[bots.length - 1];
    if (last && last.querySelector('.cq-sources, .cq-abstain, .cq-error')) pin = null;  // the answer is complete
  };
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
