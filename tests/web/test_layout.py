"""The chat page scrolls as one page, at a phone's, a tablet's and a laptop's size, in both
languages, over six turns: no scroll box around or in the conversation, each new question
and its answer's first line in view under the sticky bar, nothing drawn over the text of
a question, an answer or a passage, no label clipped. One browser page per size and
language; screenshots of each checked turn go to test-artifacts/ (chat-WxH-LANG-turnN.png).

Measured in tests/browsing.py (``layout_faults``): the bar and the tabs stick to the top,
so text scrolled under them counts as out of view, as text above the window does.
"""

from __future__ import annotations

import pytest

from browsing import BOT, DESKTOP, PHONE, ask, clipped_labels, layout_faults, open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLET = (768, 1024)
#: Six turns on the seed article: follow-ups, a question it cannot answer, and long answers.
QUESTIONS = {
    "fr": [
        "Quel organisme dirige Ghada Waly ?",
        "Qu'a-t-elle promis au Vietnam ?",
        "Qui s’est exprimé au nom des chefs de délégation ?",
        "Combien de pays étaient représentés à la cérémonie de signature ?",
        "Quelle est la recette de la tarte Tatin ?",
        "Que comprenait le Sommet en plus de la cérémonie de signature ?",
    ],
    "en": [
        "Which organisation does Ghada Waly lead?",
        "What did she promise Vietnam?",
        "Which country's vice-president spoke for the heads of delegation?",
        "How many countries were represented at the signing ceremony?",
        "What is the recipe for tarte Tatin?",
        "What did UNODC consider creating in Hanoi?",
    ],
}
CHECKED_TURNS = (1, 3, 6)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("size", [PHONE, TABLET, DESKTOP], ids=["phone", "tablet", "desktop"])
def test_the_conversation_scrolls_as_one_page(browser, app_server, artifacts, size, lang):
    page = open_page(browser, app_server.url, size, f"{lang}-{'FR' if lang == 'fr' else 'US'}")
    name = f"chat-{size[0]}x{size[1]}-{lang}"
    try:
        for turn, question in enumerate(QUESTIONS[lang], start=1):
            ask(page, question)
            if turn not in CHECKED_TURNS:
                continue
            page.screenshot(path=artifacts / f"{name}-turn{turn}.png")
            faults = layout_faults(page)
            where = f"{name} turn {turn}"
            assert faults["scrollBoxes"] == [], f"{where}: a scroll box around the conversation"
            assert faults["covered"] == [], f"{where}: text drawn over"
            assert faults["clipped"] == [], f"{where}: clipped labels"
            assert faults["question"], f"{where}: the latest question is not in view"
            assert faults["answer"], f"{where}: the first line of its answer is not in view"
        assert page.locator(BOT).count() == len(QUESTIONS[lang])
        # The whole page after six turns (its length shows the conversation grew with it).
        assert page.evaluate("document.documentElement.scrollHeight") > 2 * size[1]
        page.screenshot(path=artifacts / f"{name}-turn6-full.png", full_page=True)
        # The footer shows no separator left alone (its link is hidden on phones).
        footer = "[...document.querySelectorAll('footer *')].filter(e => e.checkVisibility()).map(e => e.innerText)"
        assert "·" not in "".join(page.evaluate(footer)).replace("Use via API", "").replace("Utiliser via API", "")
        # The other tabs: no clipped label there either; the French page never says « télécharger ».
        for tab in ("#cq-tab-articles-button", "#cq-tab-add-button"):
            page.locator(tab).click()
            page.wait_for_timeout(300)
            assert clipped_labels(page) == [], tab
        html = page.evaluate("document.documentElement.outerHTML").lower()
        if lang == "fr":
            assert "télécharg" not in html and "telecharg" not in html
            assert "déposez un fichier ici" in html and "cliquez pour le choisir" in html
        else:
            assert "drop a file here" in html and "click to choose one" in html
    finally:
        page.context.close()
