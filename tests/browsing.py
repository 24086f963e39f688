"""Driving the page in Debian's Chromium (Playwright): opening it at a size and in a
language, asking, and measuring what a person sees (viewport, scroll boxes)."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BOT = '[data-testid="bot"]'
PHONE = (390, 844)
DESKTOP = (1280, 800)


def open_page(browser, url: str, size: tuple[int, int] = (1280, 1000), locale: str = "en-US"):
    """A fresh page on the app, at ``size``, whose browser speaks ``locale`` (navigator and
    Accept-Language); it records dialogs (and dismisses them) in ``page.dialogs``."""
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale=locale,
        extra_http_headers={"Accept-Language": f"{locale},{locale[:2]};q=0.9"},
    )
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="load")
    page.wait_for_selector("#cq-question textarea", timeout=30_000)
    wait_for_language(page, locale[:2])
    return page


def wait_for_language(page, lang: str) -> None:
    """Until the page has loaded its words in ``lang`` (the switch shows it, the status line is there)."""
    page.wait_for_function(
        """lang => { const on = document.querySelector('#cq-lang input:checked');
                     // Gradio mounts components one by one: after a reload the switch can be
                     // there before the status line is
                     const status = document.querySelector('#cq-status');
                     // the status line's words, not the load event's timer ("0.2s")
                     return on && on.value === lang && status && /[a-z]{4}/i.test(status.innerText); }""",
        arg=lang,
        timeout=30_000,
    )


def ask(page, question: str, timeout: float = 60_000) -> str:
    """Type a question, wait for the complete answer; the last bot message's text."""
    count = page.locator(BOT).count()
    box = page.locator("#cq-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        """n => { const bots = document.querySelectorAll('[data-testid="bot"]');
                  const last = bots[bots.length - 1];
                  return bots.length > n && last.querySelector('.cq-sources, .cq-abstain, .cq-error'); }""",
        arg=count,
        timeout=timeout,
    )
    page.wait_for_timeout(300)  # the scrolling that follows each answer
    return page.locator(BOT).last.inner_text()


def seen_by_a_person(page, selector: str) -> bool:
    """True when the first line of ``selector`` is on screen and not hidden by anything:
    inside the viewport, and what the browser shows at that point belongs to it."""
    return page.evaluate(
        """sel => { const el = document.querySelector(sel); if (!el) return false;
                    const r = el.getClientRects()[0]; if (!r) return false;
                    const x = r.left + Math.min(12, r.width / 2), y = r.top + Math.min(8, r.height / 2);
                    if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) return false;
                    const hit = document.elementFromPoint(x, y);
                    return !!hit && (el.contains(hit) || hit.contains(el)); }""",
        selector,
    )


def horizontal_overflow(page) -> list[str]:
    """Elements a person would have to scroll sideways: wider than their scroll box, or past the viewport."""
    return page.evaluate(
        """() => { const out = [], width = window.innerWidth;
            if (document.documentElement.scrollWidth > width + 1) out.push('page ' + document.documentElement.scrollWidth);
            for (const el of document.querySelectorAll('.gradio-container *')) {
              const style = getComputedStyle(el), r = el.getBoundingClientRect();
              if (!r.width || !r.height || style.visibility === 'hidden') continue;
              const scrolls = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
              if (scrolls || r.right > width + 1) out.push(`${el.tagName}.${el.className}#${el.id} ${Math.round(r.right)}/${el.scrollWidth}`);
            }
            return out; }"""
    )


def fully_visible(page, selector: str) -> dict:
    """Scroll the first ``selector`` into view and measure it: whole in the viewport, not
    clipped by any box it sits in (``ownScroll``: by a scroll box of its own), and how many
    scroll boxes it sits in (the chat's counts one)."""
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    return element.evaluate(
        """el => { const r = el.getBoundingClientRect();
            const ownScroll = el.scrollHeight > el.clientHeight + 1;
            let clipped = ownScroll, boxes = 0;
            for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
              const s = getComputedStyle(a);
              if (/(auto|scroll|hidden)/.test(s.overflowY) && a.scrollHeight > a.clientHeight + 1) {
                boxes += 1;
                const b = a.getBoundingClientRect();
                if (r.top < b.top - 1 || r.bottom > b.bottom + 1) clipped = true;
              }
            }
            return {inViewport: r.top >= -1 && r.bottom <= window.innerHeight + 1, clipped, ownScroll, boxes,
                    height: r.height, text: el.innerText}; }"""
    )


#: What a person sees of the conversation, measured in one pass (see ``layout_faults``).
LAYOUT_JS = """() => {
  const chat = document.querySelector('#cq-chat');
  const name = (e) => `${e.tagName}.${String(e.className).trim().split(/\\s+/)[0] || ''}#${e.id}`;
  // The bar and the tabs stick to the top: text under them is scrolled out of view, as above the window.
  const head = Math.max(0, ...['#cq-top', '#cq-tabs > .tab-wrapper'].map(
    s => document.querySelector(s)?.getBoundingClientRect().bottom ?? 0));
  const inView = (y) => y >= head && y <= window.innerHeight;
  // A scroll bar of its own: on the chat, any box around it (not the page itself) or inside it.
  const around = [];
  for (let a = chat; a && a !== document.body && a !== document.documentElement; a = a.parentElement) around.push(a);
  const scrollBoxes = [...around, ...chat.querySelectorAll('*')].filter(e => {
    const s = getComputedStyle(e);
    return /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
  }).map(e => `${name(e)} ${e.scrollHeight}/${e.clientHeight}`);
  // Every line of text of the questions and answers (passages included) that is in view:
  // what the browser shows at three points of it must be that text's element or inside it.
  const covered = [];
  const walker = document.createTreeWalker(chat, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const owner = node.parentElement;
    if (!node.textContent.trim() || !owner.closest('[data-testid="bot"], [data-testid="user"]')) continue;
    if (!owner.checkVisibility({visibilityProperty: true})) continue;  // in a closed fold: not drawn
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      const y = r.top + r.height / 2;
      if (!r.width || !inView(y)) continue;
      for (const x of [r.left + Math.min(3, r.width / 2), r.left + r.width / 2, r.right - Math.min(3, r.width / 2)]) {
        if (x < 0 || x > window.innerWidth) continue;
        const hit = document.elementFromPoint(x, y);
        if (!hit || !(hit === owner || owner.contains(hit)))
          covered.push(`"${node.textContent.trim().slice(0, 30)}" under ${hit ? name(hit) : 'nothing'} at ${Math.round(x)},${Math.round(y)}`);
      }
    }
  }
  // The first line of an element, in view below the bar and shown there (nothing over it).
  const firstLineSeen = (el) => {
    if (!el) return false;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getClientRects()[0];
      if (!r) continue;
      const x = r.left + Math.min(6, r.width / 2), y = r.top + r.height / 2;
      const hit = document.elementFromPoint(x, y);
      return r.top >= head - 1 && r.bottom <= window.innerHeight + 1 && !!hit && node.parentElement.contains(hit);
    }
    return false;
  };
  const users = chat.querySelectorAll('[data-testid="user"]'), bots = chat.querySelectorAll('[data-testid="bot"]');
  const last = bots[bots.length - 1];
  const answer = last && last.querySelector('.cq-short, .cq-answer, .cq-abstain, .cq-error');
  return {scrollBoxes, covered, clipped: clippedLabels(), head: Math.round(head),
          question: firstLineSeen(users[users.length - 1]), answer: firstLineSeen(answer)};
}"""

#: Labels, buttons and tab names on the page whose text does not fit their box.
CLIPPED_JS = """() => [...document.querySelectorAll(
    '.gradio-container label, .gradio-container label *, .gradio-container button, .gradio-container button *,'
    + ' .gradio-container [data-testid="block-info"], .gradio-container h3, .gradio-container [data-testid="upload-text"]')]
  // (a 1-pixel box is a label for screen readers only, hidden by design)
  // (icons have no words to clip)
  .filter(e => e.clientWidth > 1 && getComputedStyle(e).display !== 'inline' && e.checkVisibility() && (e.innerText || '').trim())
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName}#${e.id} "${e.innerText.trim().slice(0, 40)}" ${e.scrollWidth}/${e.clientWidth}`)"""


def layout_faults(page) -> dict:
    """The conversation as a person sees it: ``scrollBoxes`` (a scroll bar of its own around or
    in the chat), ``covered`` (lines of a question or answer that something else is drawn
    over), ``clipped`` (labels that do not fit), and whether the latest question and the
    first line of its answer are in view (``question``, ``answer``), below the sticky bar."""
    return page.evaluate(LAYOUT_JS.replace("clippedLabels()", f"({CLIPPED_JS})()"))


def clipped_labels(page) -> list[str]:
    """Labels, buttons and tab names whose text is wider than their box (scrollWidth > clientWidth)."""
    return page.evaluate(CLIPPED_JS)
