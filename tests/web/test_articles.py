"""The indexed articles: listed, added with visible progress and a report in articles,
and deleted (file and passages) from the page and through gradio_client; deleting is
refused without credentials when the app has a password."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from browsing import BOT, DESKTOP, ask, open_page

pytestmark = pytest.mark.slow

HERON = (
    "Le héron cendré de l'étang de Vaccarès compte désormais 412 couples nicheurs, selon le recensement du parc.\n"
    "Les ornithologues du parc attribuent la hausse du nombre de couples de hérons à la fin du pompage estival."
)
HERON_QUESTION = "Combien de couples nicheurs compte le héron cendré de l'étang de Vaccarès ?"

# Records every progress line shown while an article is indexed.
WATCH_PROGRESS = """() => {
  window.__progress = [];
  new MutationObserver(() => {
    const line = document.body.innerText.match(/Indexing: article \\d+\\/\\d+ · passage \\d+\\/\\d+/);
    if (line && !window.__progress.includes(line[0])) window.__progress.push(line[0]);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def cli_status(data_dir) -> dict:
    """``convqa status --json`` on the app's data directory, as a person would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "convqa.cli", "status", "--json", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cites(answer: dict, doc_id: str) -> bool:
    return any(c["doc_id"] == doc_id for c in answer["citations"])


def test_articles_are_listed_and_removed_through_the_api(client, app_server):
    added = client.predict(
        title="Le phare de Cordouan repeint",
        source="https://example.org/cordouan",
        text="Le phare de Cordouan a été repeint en 43 jours par une équipe de 9 cordistes.\n"
        "Le phare de Cordouan reste ouvert aux visiteurs pendant l'été.",
        api_name="/add_article",
    )
    doc_id = added["saved"][0]["doc_id"]
    assert added["index"]["articles_added"] == 1 and added["message"].startswith("saved ")
    assert f"index: 1 article added ({added['index']['passages_added']} passage" in added["message"]
    listed = {a["doc_id"]: a for a in client.predict(api_name="/articles")}
    assert listed[doc_id]["title"] == "Le phare de Cordouan repeint" and listed[doc_id]["passages"] >= 1
    assert cites(
        client.predict(question="En combien de jours le phare de Cordouan a-t-il été repeint ?", api_name="/ask"),
        doc_id,
    )
    documents = client.predict(api_name="/status")["documents"]

    removed = client.predict(doc_id=doc_id, api_name="/remove_article")
    assert removed["ok"] and removed["removed"][0]["doc_id"] == doc_id
    assert removed["index"]["articles_deleted"] == 1 and removed["index"]["deleted"] == listed[doc_id]["passages"]
    assert not (app_server.corpus_dir / listed[doc_id]["file"]).exists()
    assert doc_id not in {a["doc_id"] for a in client.predict(api_name="/articles")}
    assert client.predict(api_name="/status")["documents"] == documents - 1
    assert not cites(
        client.predict(question="En combien de jours le phare de Cordouan a-t-il été repeint ?", api_name="/ask"),
        doc_id,
    )

    again = client.predict(doc_id=doc_id, api_name="/remove_article")
    assert again["ok"] is False and f"no such article: {doc_id}" in again["refused"][0]["message"]


@pytest.mark.browser
def test_an_article_added_in_the_page_then_deleted_from_the_panel_is_gone(browser, app_server, artifacts):
    page = open_page(browser, app_server.url, DESKTOP, "en-US")
    page.get_by_role("tab", name="Add articles").click()
    page.evaluate(WATCH_PROGRESS)
    page.locator("#cq-title textarea").fill("Le héron cendré revient au Vaccarès")
    page.locator("#cq-text textarea").fill(HERON)
    page.locator("#cq-paste").click()
    page.wait_for_function("document.querySelector('#cq-report').innerText.match(/Index:|Refused:/)", timeout=120_000)
    report = page.locator("#cq-report").inner_text()
    assert "Added:" in report and "1 article added (" in report, report
    progress = page.evaluate("window.__progress")
    assert progress and progress[0].startswith("Indexing: article 0/1 · passage 0/"), progress
    page.screenshot(path=artifacts / "articles-1-added.png", full_page=True)

    page.get_by_role("tab", name="Chat").click()
    ask(page, HERON_QUESTION)
    assert "412 couples" in page.locator(BOT).last.inner_text()
    before = cli_status(app_server.data_dir)

    page.get_by_role("tab", name="Articles", exact=True).click()
    item = page.locator("#cq-articles li", has_text="Le héron cendré revient au Vaccarès")
    item.wait_for()
    doc_id = item.get_attribute("data-doc-id")
    path = app_server.corpus_dir / f"{doc_id}.md"
    assert path.exists()
    page.locator("#cq-pick input").click()
    page.get_by_role("option", name="Le héron cendré revient au Vaccarès").click()
    page.locator("#cq-delete").click()
    confirm = page.locator("#cq-confirm-text")
    confirm.wait_for()
    assert "Le héron cendré revient au Vaccarès" in confirm.inner_text() and f"{doc_id}.md" in confirm.inner_text()
    assert path.exists(), "nothing is deleted before the confirmation"
    page.screenshot(path=artifacts / "articles-2-confirm.png", full_page=True)
    page.locator("#cq-confirm-yes").click()
    page.wait_for_function("document.querySelector('#cq-removal').innerText.match(/Index:|Refused:/)", timeout=120_000)
    assert "1 article removed" in page.locator("#cq-removal").inner_text()
    page.wait_for_function(f"!document.querySelector('#cq-articles li[data-doc-id=\"{doc_id}\"]')", timeout=10_000)
    page.screenshot(path=artifacts / "articles-3-removed.png", full_page=True)

    assert not path.exists()
    after = cli_status(app_server.data_dir)
    assert after["documents"] == before["documents"] - 1 and after["chunks"] < before["chunks"] and after["consistent"]
    page.get_by_role("tab", name="Chat").click()
    ask(page, HERON_QUESTION)
    assert "412 couples" not in page.locator(BOT).last.inner_text()
    assert page.dialogs == []
    page.context.close()


def test_deleting_needs_credentials_when_the_app_has_a_password(start_app, tmp_path):
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    with start_app(tmp_path, CONVQA_AUTH="desk:s3cret") as server:
        article = server.corpus_dir / "hanoi-convention-2025-10-25.md"
        with pytest.raises(AuthenticationError):
            Client(server.url, verbose=False).predict(doc_id="hanoi-convention-2025-10-25", api_name="/remove_article")
        # Straight to the endpoint, without the sign-in cookie: refused before the handler runs.
        request = urllib.request.Request(
            server.url + "gradio_api/call/remove_article",
            method="POST",
            data=json.dumps({"data": ["hanoi-convention-2025-10-25"]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code in (401, 403)
        assert article.exists()

        signed_in = Client(server.url, auth=("desk", "s3cret"), verbose=False)
        result = signed_in.predict(doc_id="hanoi-convention-2025-10-25", api_name="/remove_article")
        assert result["ok"] and not article.exists()
        assert signed_in.predict(api_name="/articles") == []
