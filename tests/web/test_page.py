"""The page as a person meets it, in Debian's Chromium: on a phone (390×844) and a laptop
(1280×800) the answer is in view after asking, nothing scrolls sideways and an opened
source reads in full; one language per page, from the browser or the switch; an empty
corpus is said on the page. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from browsing import (
    BOT,
    DESKTOP,
    PHONE,
    ask,
    fully_visible,
    horizontal_overflow,
    open_page,
    seen_by_a_person,
    wait_for_language,
)
from convqa.errors import BadQuestionError
from convqa.question import validate_question
from convqa.settings import Settings
from convqa.web.i18n import EXAMPLES, TEXTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FOLLOW_UP_FREE = "Quel organisme dirige Ghada Waly ?"
#: Over the app's question limit (2,000 characters by default).
TOO_LONG = "Qui dirige l’ONUDC ? " * 120


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_answer_is_in_view_and_its_sources_read_in_full(browser, app_server, artifacts, size):
    page = open_page(browser, app_server.url, size, "fr-FR")
    name = f"page-{size[0]}x{size[1]}"
    assert horizontal_overflow(page) == []
    page.screenshot(path=artifacts / f"{name}-1-empty.png")

    # Two questions: the second answer must not be pushed out of view by the first.
    ask(page, "Qui s’est exprimé au nom des chefs de délégation ?")
    ask(page, FOLLOW_UP_FREE)
    page.locator(BOT).last.evaluate("e => e.setAttribute('data-last-answer', '')")
    last = "[data-last-answer]"
    assert seen_by_a_person(page, f"{last} .cq-short, {last} .cq-answer"), "the answer's first line must be on screen"
    page.locator('[data-testid="user"]').last.evaluate("e => e.setAttribute('data-last-question', '')")
    assert seen_by_a_person(page, "[data-last-question]"), "so must the question it answers"
    assert horizontal_overflow(page) == []
    page.screenshot(path=artifacts / f"{name}-2-answer.png")

    # Source [1] is open: its passage reads in full, in no scroll box of its own.
    passage = fully_visible(page, f"{last} details.cq-src[open] .cq-passage")
    assert passage["inViewport"] and not passage["clipped"] and passage["boxes"] <= 1, passage
    # Another source, opened: the same.
    others = page.locator(BOT).last.locator("details.cq-src:not([open]) > summary")
    if others.count():
        others.first.click()
        opened = fully_visible(page, f"{last} details.cq-src:nth-of-type(2) .cq-passage")
        assert opened["inViewport"] and not opened["clipped"] and opened["boxes"] <= 1, opened
    # The article around the passage: longer than a phone's screen, it scrolls with the
    # conversation, never in a box of its own.
    page.locator(BOT).last.locator("details.cq-context > summary").first.click()
    context = fully_visible(page, f"{last} details.cq-context[open] .cq-context-text")
    assert not context["ownScroll"] and context["boxes"] <= 1, context
    assert horizontal_overflow(page) == []
    page.screenshot(path=artifacts / f"{name}-3-sources-open.png")
    page.context.close()


def words_of(lang: str) -> set[str]:
    """The fixed parts of every label of a language (values filled in left out), long enough to tell."""
    parts = set()
    for value in [*TEXTS[lang].values(), *EXAMPLES[lang]]:
        for part in re.split(r"\{[^}]*\}|[*`#\n]|\s[·—:;]\s", value):
            part = part.strip(" .,()«»“”?!")
            if len(part) >= 6:
                parts.add(part)
    return parts


def chrome_text(page) -> str:
    """Every word the page shows on each tab, with placeholders and accessible labels."""
    texts = []
    for tab in page.get_by_role("tab").all():
        tab.click()
        page.wait_for_timeout(300)
        texts.append(page.locator(".gradio-container").inner_text())
        texts += page.evaluate("""() => [...document.querySelectorAll('[placeholder], [aria-label], [title]')]
            .flatMap(e => [e.getAttribute('placeholder'), e.getAttribute('aria-label'), e.getAttribute('title')])
            .filter(Boolean)""")
    texts.append(page.title())
    page.get_by_role("tab").first.click()
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("locale", "other", "question", "fact"),
    [
        ("fr-FR", "en", "Which country's vice-president spoke for the heads of delegation?", "Équateur"),
        ("en-US", "fr", "Quel organisme dirige Ghada Waly ?", "ONUDC"),
    ],
)
def test_one_language_per_page_from_the_browser(browser, app_server, artifacts, locale, other, question, fact):
    lang = locale[:2]
    page = open_page(browser, app_server.url, PHONE, locale)
    own, foreign = words_of(lang), words_of(other) - words_of(lang)
    shown = chrome_text(page)
    assert [w for w in foreign if w in shown] == []
    assert TEXTS[lang]["question_placeholder"] in shown and EXAMPLES[lang][0] in shown
    assert len([w for w in own if w in shown]) >= 20

    # A question in the other language is answered, in the page's words around it.
    ask(page, question)
    answer = page.locator(BOT).last
    assert fact in answer.inner_text() and answer.locator(".cq-abstain").count() == 0
    assert answer.locator("details.cq-context > summary").first.inner_text() == TEXTS[lang]["context"]
    page.screenshot(path=artifacts / f"page-language-{lang}.png")
    # A refused question: the label and the reason both in the page's language.
    ask(page, "?!")
    error = page.locator(BOT).last.inner_text()
    assert TEXTS[lang]["error"] in error and ("aucun mot" in error if lang == "fr" else "no words" in error)
    # An over-long question: its reason in the page's words, its numbers written the page's way.
    with pytest.raises(BadQuestionError) as refused:
        validate_question(TOO_LONG, Settings().max_question_chars)
    error = ask(page, TOO_LONG)
    assert TEXTS[lang]["error"] in error and refused.value.message.say(lang) in error
    assert ("caractères" in error) == (lang == "fr")

    # The switch turns the whole page, and the conversation, to the other language, and is remembered.
    page.locator("#cq-lang").get_by_text("Français" if other == "fr" else "English").click()
    wait_for_language(page, other)
    page.wait_for_timeout(500)
    shown = chrome_text(page)
    assert [w for w in words_of(lang) - words_of(other) if w in shown] == []
    assert page.locator(BOT).first.locator("details.cq-context > summary").first.inner_text() == TEXTS[other]["context"]
    page.reload(wait_until="load")
    wait_for_language(page, other)
    page.context.close()


def test_an_empty_corpus_is_said_on_the_page(browser, start_app, tmp_path, artifacts):
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    with start_app(tmp_path, CONVQA_CORPUS_DIR=str(empty)) as server:
        log = server.log.read_text()
        assert f"no readable article in {empty}: add .txt, .md, .html, .pdf files" in log
        page = open_page(browser, server.url, PHONE, "en-US")
        status = page.locator("#cq-status").inner_text()
        assert "No article is indexed" in status and str(empty) in status and ".txt, .md, .html, .pdf" in status
        # Where a phone shows it without scrolling: in the empty conversation.
        notice = page.locator("#cq-chat").get_by_text("No article is indexed").first
        box = notice.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= PHONE[1]
        assert str(empty) in page.locator("#cq-chat").inner_text()
        page.screenshot(path=artifacts / "page-empty-corpus.png")
        ask(page, "Quel organisme dirige Ghada Waly ?")
        assert page.locator(BOT).last.locator(".cq-abstain").count() == 1
        page.context.close()
