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
