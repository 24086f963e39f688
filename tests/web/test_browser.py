"""The page in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
streamed answers with highlighted sources, an upload through the page (added as soon as
the file is chosen), and article markup shown as text without ever running. Screenshots
go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browsing import BOT, ask, open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Records, from the moment it is installed, whether an answer was ever seen half-written.
WATCH_STREAMING = """() => {
  window.__sawPartial = false;
  new MutationObserver(() => {
    const bots = document.querySelectorAll('[data-testid="bot"]');
    const last = bots[bots.length - 1];
    if (last && last.innerText.includes('▍') && !last.querySelector('.cq-sources')) window.__sawPartial = true;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def page(browser, app_server):
    """A fresh page on the app (English) that records any dialog (alert, confirm)."""
    page = open_page(browser, app_server.url)
    yield page
    page.context.close()


def add_files_through_the_page(page, *paths: Path) -> str:
    """Choose files on the file control, and nothing else: they are added at once. The report."""
    page.get_by_role("tab", name="Add articles").click()
    assert page.locator("#cq-upload").count() == 0  # no button to forget
    page.locator("#cq-files input[type=file]").set_input_files([str(p) for p in paths])
    page.wait_for_function("document.querySelector('#cq-report').innerText.match(/Index:|Refused:/)", timeout=120_000)
    return page.locator("#cq-report").inner_text()


def test_a_question_streams_its_answer_with_the_highlighted_source(page, artifacts):
    page.screenshot(path=artifacts / "browser-1-empty.png", full_page=True)
    page.evaluate(WATCH_STREAMING)
    text = ask(page, "Quel organisme dirige Ghada Waly ?")
    assert "ONUDC" in text
    assert page.evaluate("window.__sawPartial"), "the answer should appear progressively"
    answer = page.locator(BOT).last
    # Source [1] marks the short answer when there is one, else the quoted sentence.
    mark = answer.locator(".cq-source mark").first.inner_text()
    assert "ONUDC" in mark or "Ghada Waly" in mark
    assert mark in answer.locator(".cq-source .cq-passage").first.inner_text()
    assert answer.locator(".cq-ref").first.inner_text() == "[1]"
    link = answer.locator("a.cq-link").first
    assert link.get_attribute("href").startswith("https://www.vietnamplus.vn/")
    assert link.get_attribute("rel") and "noopener" in link.get_attribute("rel")

    context = answer.locator("details.cq-context").first
    assert not context.locator(".cq-context-text").is_visible()
    context.locator("summary").click()
    assert context.locator(".cq-context-text").is_visible()
    assert "Ghada Waly" in context.locator(".cq-in-passage").inner_text()
    assert context.locator(".cq-in-passage mark").inner_text() == mark
    page.screenshot(path=artifacts / "browser-2-answer.png", full_page=True)


def answer_text(page) -> str:
    """The answer of the last bot message, without its sources."""
    return page.locator(BOT).last.locator(".cq-answer").first.inner_text()


def test_follow_ups_use_the_conversation_until_a_new_one_starts(page, artifacts):
    ask(page, "Qui dirige l'ONUDC ?")
    assert "Ghada Waly" in answer_text(page)
    ask(page, "Qu'a-t-elle promis au Vietnam ?")
    assert "assistance technique" in answer_text(page)
    # Off every article the web tests add (one of them is about a bike station).
    abstain = ask(page, "Quelle est la recette de la tarte Tatin ?")
    assert page.locator(BOT).last.locator(".cq-abstain .cq-badge").is_visible()
    assert "Je ne trouve pas" in abstain
    page.screenshot(path=artifacts / "browser-3-conversation.png", full_page=True)

    page.locator("#cq-new").click()
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0", timeout=10_000)
    ask(page, "Qu'a-t-elle promis au Vietnam ?")
    assert page.locator(BOT).count() == 1
    assert "assistance technique" not in answer_text(page)  # "elle" has nobody to refer to any more
    page.screenshot(path=artifacts / "browser-3b-new-conversation.png", full_page=True)


def indexed_articles(page) -> int:
    """The article count of the status line under the chat."""
    page.wait_for_function("/\\d+ articles? ·/.test(document.querySelector('#cq-status').innerText)", timeout=10_000)
    return int(re.search(r"(\d+) articles? ·", page.locator("#cq-status").inner_text()).group(1))


def test_an_article_uploaded_through_the_page_is_answerable(page, app_server, artifacts, tmp_path):
    before = indexed_articles(page)
    path = tmp_path / "funiculaire-vizille.md"
    path.write_text(
        "---\ntitle: Le funiculaire de Vizille reprend du service\nsource: https://example.org/funiculaire\n---\n"
        "Le funiculaire de Vizille a repris du service samedi après une révision complète.\n"
        "Le funiculaire de Vizille transporte désormais 640 voyageurs par heure grâce à deux nouvelles cabines.\n",
        encoding="utf-8",
    )
    report = add_files_through_the_page(page, path)
    assert "Added:" in report and "funiculaire-vizille.md" in report and "Index:" in report
    page.wait_for_function("!document.querySelector('#cq-files').innerText.includes('funiculaire')", timeout=10_000)
    page.screenshot(path=artifacts / "browser-4-uploaded.png", full_page=True)
    # Listed with the indexed articles, without another click.
    page.locator("#cq-tab-articles-button").click()
    page.locator("#cq-articles").get_by_text("Le funiculaire de Vizille reprend du service").wait_for(timeout=10_000)

    page.locator("#cq-tab-chat-button").click()
    text = ask(page, "Combien de voyageurs par heure transporte le funiculaire de Vizille ?")
    assert "640 voyageurs" in text
    assert (
        "Le funiculaire de Vizille reprend du service" in page.locator(BOT).last.locator(".cq-title").first.inner_text()
    )
    assert indexed_articles(page) == before + 1


def test_a_bad_file_is_refused_in_the_page(page, app_server, artifacts, tmp_path):
    before = sorted(p.name for p in app_server.corpus_dir.iterdir())
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    report = add_files_through_the_page(page, path)
    assert "Refused:" in report and "binary" in report
    assert sorted(p.name for p in app_server.corpus_dir.iterdir()) == before
    page.screenshot(path=artifacts / "browser-5-refused.png", full_page=True)


def test_article_markup_is_shown_as_text_and_never_runs(page, artifacts):
    page.get_by_role("tab", name="Add articles").click()
    title = "Piscine <script>alert(1)</script>"
    body = (
        'La piscine <b>Jean Bouin</b> de Bourg-Sainte-Marie a rouvert <img src=x onerror="window.__pwned=1;alert(2)"> '
        "jeudi <script>window.__pwned=1;alert(1)</script> après huit mois de travaux.\n"
        'Son bassin olympique <iframe src="javascript:window.__pwned=1"></iframe> mesure cinquante mètres.'
    )
    page.locator("#cq-title textarea").fill(title)
    page.locator("#cq-source input, #cq-source textarea").first.fill("https://example.org/piscine")
    page.locator("#cq-text textarea").fill(body)
    page.locator("#cq-paste").click()
    page.wait_for_function("document.querySelector('#cq-report').innerText.match(/Index:|Refused:/)", timeout=120_000)
    report = page.locator("#cq-report").inner_text()
    assert "Added:" in report and "<script>alert(1)</script>" in report
    assert page.locator("#cq-title textarea").input_value() == ""  # the form is cleared

    page.get_by_role("tab", name="Chat").click()
    text = ask(page, "Quand la piscine de Bourg-Sainte-Marie a-t-elle rouvert ?")
    assert '<img src=x onerror="window.__pwned=1;alert(2)">' in text
    assert "<script>window.__pwned=1;alert(1)</script>" in text
    assert "<b>Jean Bouin</b>" in text
    answer = page.locator(BOT).last
    assert answer.locator(".cq-title").first.inner_text() == title
    for details in answer.locator("details").all():  # open every fold (source [1] already is)
        if not details.evaluate("d => d.open"):
            details.locator("summary").first.click()
    page.wait_for_timeout(500)
    chat = page.locator("#cq-chat")
    assert chat.locator("script").count() == 0
    assert chat.locator("img[src='x'], iframe, b").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
    page.screenshot(path=artifacts / "browser-6-markup-as-text.png", full_page=True)


def test_an_article_added_from_a_link_in_the_page_is_answerable(page, page_server, artifacts):
    url = page_server.publish("passerelle-page.html", "Saint-Sériès")
    page.get_by_role("tab", name="Add articles").click()
    page.locator("#cq-url input, #cq-url textarea").first.fill(url)
    page.locator("#cq-add-url").click()
    page.wait_for_function("document.querySelector('#cq-report').innerText.match(/Index:|Refused:/)", timeout=120_000)
    report = page.locator("#cq-report").inner_text()
    assert "Added:" in report and "Index:" in report
    assert page.locator("#cq-url input, #cq-url textarea").first.input_value() == ""  # the form is cleared
    page.screenshot(path=artifacts / "browser-7-added-from-link.png", full_page=True)

    page.get_by_role("tab", name="Chat").click()
    ask(page, "Combien mesure la passerelle de Saint-Sériès ?")
    assert "212 mètres" in answer_text(page)
    assert page.locator(BOT).last.locator("a.cq-link").first.get_attribute("href") == url
