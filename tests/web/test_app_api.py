"""The running app through gradio_client: answers with exact citations, conversation,
uploads and pasted articles, refusals, and questions answered during a rebuild."""

from __future__ import annotations

import html
import re
import time

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from convqa.corpus.loader import read_article
from convqa.settings import Settings
from paths import SEED_ID

pytestmark = pytest.mark.slow

VIADUC = (
    "Le viaduc de Sorrèze rouvre après travaux\n"
    "Le viaduc de Sorrèze, dans le Tarn, a rouvert mardi après onze mois de chantier. "
    "Les travaux du viaduc, financés par le département, ont coûté 47 millions d'euros. "
    "La circulation des poids lourds y reste interdite jusqu'au printemps.\n"
)


def check_citations(result: dict, article_text: str, doc_id: str) -> None:
    """Numbered citations whose passage and quote are the article's characters at their offsets."""
    citations = result["citations"]
    assert citations, "an answer must cite its passages"
    assert "[1]" in result["answer"]
    assert [c["n"] for c in citations] == list(range(1, len(citations) + 1))
    first = citations[0]
    assert first["doc_id"] == doc_id
    assert article_text[first["start"] : first["end"]] == first["text"]
    assert article_text[first["quote_start"] : first["quote_end"]] == first["quote"]
    assert first["start"] <= first["quote_start"] < first["quote_end"] <= first["end"]
    assert first["quote"] in result["answer"]


def last_bot_html(messages: list[dict]) -> str:
    """The HTML of the last assistant message of a /chat result."""
    content = messages[-1]["content"]
    assert messages[-1]["role"] == "assistant"
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def ask(client, question: str, **kwargs) -> dict:
    return client.predict(question=question, api_name="/ask", **kwargs)


# -- answers ------------------------------------------------------------------------------
def test_french_question_comes_back_with_unodc_and_numbered_citations(client, seed_text):
    result = ask(client, "Quel organisme dirige Ghada Waly ?")
    assert result["abstained"] is False
    assert "ONUDC" in result["answer"]
    assert "Ghada Waly" in result["citations"][0]["quote"]
    assert result["language"] == "fr"
    check_citations(result, seed_text, SEED_ID)
    assert result["citations"][0]["source"].startswith("https://www.vietnamplus.vn/")


def test_english_question_comes_back_with_ecuador(client, seed_text):
    result = ask(client, "Which country's vice-president spoke for the heads of delegation?")
    assert not result["abstained"]
    assert "Équateur" in result["answer"]
    assert result["language"] == "en"
    check_citations(result, seed_text, SEED_ID)


def test_unrelated_question_is_an_abstention_without_citations(client):
    result = ask(client, "Quelle est la recette de la tarte Tatin ?")
    assert result["abstained"] is True and result["citations"] == []
    messages, _ = client.predict(message="Quelle est la recette de la tarte Tatin ?", messages=[], api_name="/chat")
    assert 'class="cq-abstain"' in last_bot_html(messages)


def test_top_k_is_the_most_passages_cited(client):
    # A broad question that many passages support: top_k caps the sources.
    broad = "Qu'a déclaré le ministre de la Sécurité publique sur la cérémonie de signature de la Convention de Hanoï ?"
    two = ask(client, broad, top_k=2)
    eight = ask(client, broad, top_k=8)
    assert 1 <= len(two["citations"]) <= 2
    assert len(two["citations"]) < len(eight["citations"]) <= 8
    assert two["answer"] == eight["answer"]
    # A narrow one: a larger top_k does not pad the sources with passages that don't support it.
    narrow = ask(client, "Quel organisme dirige Ghada Waly ?", top_k=8)
    assert len(narrow["citations"]) < len(eight["citations"])


def test_bad_questions_are_refused_with_a_message(client):
    with pytest.raises(AppError, match="empty"):
        ask(client, "   ")
    messages, _ = client.predict(message="?!", messages=[], api_name="/chat")
    assert "no words" in last_bot_html(messages) and 'class="cq-error"' in last_bot_html(messages)


# -- conversation -------------------------------------------------------------------------------
LEADER = "Qui dirige l'ONUDC ?"
FOLLOW_UP = "Qu'a-t-elle promis au Vietnam ?"
PROMISE = "assistance technique"


def answer_html(messages: list[dict]) -> str:
    """The answer part of the last assistant message (its sources left out)."""
    shown = last_bot_html(messages)
    match = re.search(r'<div class="cq-answer[^"]*">(.*?)</div>', shown, re.S)
    assert match, shown[:300]
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def test_ask_follow_up_with_json_history(client):
    first = ask(client, LEADER)
    follow = ask(client, FOLLOW_UP, history=[{"question": first["question"], "answer": first}])
    assert PROMISE in follow["answer"]
    # Alone, "elle" is unknown and the answer is another sentence: the history made the difference.
    alone = ask(client, FOLLOW_UP)
    assert PROMISE not in alone["answer"]
    # The follow-up continues where the previous answer was quoted from, without repeating it.
    before, after = first["citations"][0], follow["citations"][0]
    assert after["doc_id"] == before["doc_id"]
    assert 0 <= after["quote_start"] - before["quote_end"] < 1000
    assert before["quote"] not in follow["answer"]


def test_ask_follow_up_when_the_previous_answer_was_rephrased(client):
    first = ask(client, LEADER)
    # A chat model's answer: no sentence of the article, only its citations say where it came from.
    rephrased = first | {"answer": "C'est Mme Ghada Waly qui dirige l'ONUDC [1]."}
    follow = ask(client, FOLLOW_UP, history=[{"question": LEADER, "answer": rephrased}])
    assert PROMISE in follow["answer"]


def test_ask_takes_the_older_history_shapes(client):
    first = ask(client, LEADER)
    assert PROMISE in ask(client, FOLLOW_UP, history=[first])["answer"]  # a previous /ask result itself
    assert "ONUDC" not in ask(client, FOLLOW_UP)["answer"]
    # Text only: no citation says where the previous answer stands, but its question still leads the search.
    for history in ([[first["question"], first["answer"]]], [first["question"]]):
        assert "ONUDC" in ask(client, FOLLOW_UP, history=history)["answer"], history


def test_unreadable_history_is_refused_with_a_message(client):
    with pytest.raises(AppError, match="history must be a list"):
        ask(client, FOLLOW_UP, history="Qui dirige l'ONUDC ?")
    broken = {"question": LEADER, "answer": {"answer": "Mme Waly [1]", "citations": [{"quote_start": "here"}]}}
    with pytest.raises(AppError, match="cannot be read"):
        ask(client, FOLLOW_UP, history=[broken])


def test_chat_follow_up_uses_the_conversation_state(client):
    messages, box = client.predict(message=LEADER, messages=[], api_name="/chat")
    assert box == ""
    assert "Ghada Waly" in answer_html(messages)
    messages, _ = client.predict(message=FOLLOW_UP, messages=messages, api_name="/chat")
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2
    assert PROMISE in answer_html(messages)
    assert "<mark>" in last_bot_html(messages)


def test_chat_reads_the_state_not_the_shown_messages(client):
    """The state of this client's session holds the conversation; the HTML is only shown."""
    client.predict(message=LEADER, messages=[], api_name="/chat")
    unrelated = [{"role": role, "content": [{"type": "text", "text": "Bonjour"}]} for role in ("user", "assistant")]
    messages, _ = client.predict(message=FOLLOW_UP, messages=unrelated, api_name="/chat")
    assert PROMISE in answer_html(messages)
    # An empty chat starts a new conversation: the earlier turns are forgotten.
    messages, _ = client.predict(message=FOLLOW_UP, messages=[], api_name="/chat")
    assert PROMISE not in answer_html(messages)


def test_chat_streams_the_answer_then_shows_the_sources(client):
    job = client.submit(message="Quel organisme dirige Ghada Waly ?", messages=[], api_name="/chat")
    job.result(timeout=120)
    texts = [last_bot_html(out[0]) for out in job.outputs()]
    partial = [t for t in texts if "cq-sources" not in t and "cq-pending" not in t]
    assert len(partial) >= 3, "the answer should arrive in several pieces"
    lengths = [len(t) for t in partial]
    assert lengths == sorted(lengths)
    final = texts[-1]
    assert "cq-sources" in final and "<mark>" in final and "<details" in final
    assert 'href="https://www.vietnamplus.vn/' in final


# -- adding articles -----------------------------------------------------------------------------
def test_an_uploaded_article_becomes_answerable(client, app_server, tmp_path):
    path = tmp_path / "viaduc-sorreze.txt"
    path.write_text(VIADUC, encoding="utf-8")
    result = client.predict(files=[handle_file(str(path))], api_name="/upload")
    assert result["ok"], result["message"]
    saved = result["saved"][0]
    assert saved["created"] and saved["file"] == "viaduc-sorreze.txt"
    assert result["index"]["added"] >= 1 and result["index"]["deleted"] == 0
    assert (app_server.corpus_dir / "viaduc-sorreze.txt").read_bytes() == path.read_bytes()

    answer = ask(client, "Combien ont coûté les travaux du viaduc de Sorrèze ?")
    assert "47 millions" in answer["answer"]
    text = read_article(app_server.corpus_dir / "viaduc-sorreze.txt", root=app_server.corpus_dir).text
    check_citations(answer, text, saved["doc_id"])

    again = client.predict(files=[handle_file(str(path))], api_name="/upload")
    assert not again["saved"][0]["created"] and again["index"] is None


def test_bad_uploads_are_refused_and_earlier_articles_still_answer(client, app_server, tmp_path):
    before = sorted(p.name for p in app_server.corpus_dir.iterdir())
    documents = client.predict(api_name="/status")["documents"]
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00\x03" + bytes(200))

    result = client.predict(files=[handle_file(str(binary)), handle_file(str(program))], api_name="/upload")
    assert result["ok"] is False and result["saved"] == [] and result["index"] is None
    messages = {r["file"]: r["message"] for r in result["refused"]}
    assert "binary" in messages["photo.txt"]
    assert "not accepted" in messages["setup.exe"]
    assert all("\n" not in m for m in messages.values())

    assert sorted(p.name for p in app_server.corpus_dir.iterdir()) == before
    assert client.predict(api_name="/status")["documents"] == documents
    assert "ONUDC" in ask(client, "Quel organisme dirige Ghada Waly ?")["answer"]


def test_files_over_the_upload_limit_are_refused(client, app_server, tmp_path):
    before = sorted(p.name for p in app_server.corpus_dir.iterdir())
    big = tmp_path / "long.txt"
    big.write_text("Un titre\n" + "mot " * 600_000, encoding="utf-8")  # 2.4 MB > 2 MB
    with pytest.raises(ValueError, match="maximum file size"):
        client.predict(files=[handle_file(str(big))], api_name="/upload")
    assert sorted(p.name for p in app_server.corpus_dir.iterdir()) == before


def test_a_pasted_article_with_markup_is_answerable_and_returned_as_text(client, app_server):
    title = "Médiathèque <script>alert(1)</script>"
    text = (
        'Le maire <b>Dupont</b> a inauguré <img src=x onerror="window.__pwned=1"> la médiathèque '
        "<script>window.__pwned=1</script> de Bourg-la-Reine le 3 mars.\n"
        "Elle compte 40 000 livres et ouvre le dimanche."
    )
    result = client.predict(title=title, source="https://example.org/mediatheque", text=text, api_name="/add_article")
    assert result["ok"], result["message"]
    saved = result["saved"][0]
    article = read_article(app_server.corpus_dir / saved["file"], root=app_server.corpus_dir)
    assert article.title == title and "<script>window.__pwned=1</script>" in article.text

    answer = ask(client, "Qui a inauguré la médiathèque de Bourg-la-Reine ?")
    assert "Dupont" in answer["answer"]
    assert "<script>window.__pwned=1</script>" in answer["answer"]  # returned as the text it is
    assert answer["citations"][0]["title"] == title
    check_citations(answer, article.text, saved["doc_id"])

    messages, _ = client.predict(
        message="Qui a inauguré la médiathèque de Bourg-la-Reine ?", messages=[], api_name="/chat"
    )
    shown = last_bot_html(messages)
    assert "<script" not in shown.lower() and "<img" not in shown.lower() and "<b>" not in shown
    assert html.escape("<script>window.__pwned=1</script>") in shown
    assert html.escape(title) in shown


@pytest.mark.parametrize(
    ("title", "source", "text", "reason"),
    [
        ("", "", "Un texte.", "title"),
        ("Titre", "javascript:alert(1)", "Un texte.", "http"),
        ("Titre", "", " ", "empty"),
    ],
)
def test_bad_pasted_articles_are_refused_with_a_message(client, app_server, title, source, text, reason):
    before = sorted(p.name for p in app_server.corpus_dir.iterdir())
    result = client.predict(title=title, source=source, text=text, api_name="/add_article")
    assert result["ok"] is False and reason in result["refused"][0]["message"]
    assert sorted(p.name for p in app_server.corpus_dir.iterdir()) == before


def test_status_reports_what_is_indexed(client):
    status = client.predict(api_name="/status")
    assert status["documents"] >= 1 and status["chunks"] >= status["documents"]
    assert status["model"] == "multilingual-e5-small" and status["consistent"] is True
    assert status["top_k"] == Settings().top_k


def test_questions_are_answered_during_a_rebuild(client, app_server, tmp_path):
    # A long article makes the rebuild last several embedding batches: long enough that a
    # question slowed by the rebuild's own CPU use on 2 cores still comes back before it ends.
    sentences = [
        f"Lors de la nuit {n}, l'observatoire de Zelbrac a suivi la comète K-{n} pendant {n + 3} heures "
        f"avec le télescope numéro {n % 7}, sous un ciel noté {n % 5} sur cinq."
        for n in range(1, 301)
    ]
    path = tmp_path / "observatoire.txt"
    path.write_text(
        "Carnet de l'observatoire de Zelbrac\n"
        + "\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)),
        encoding="utf-8",
    )
    added = client.predict(files=[handle_file(str(path))], api_name="/upload")
    assert added["ok"] and added["index"]["added"] >= 100

    job = client.submit(full=True, api_name="/rebuild")
    deadline = time.monotonic() + 60
    while job.status().code.name not in ("PROCESSING", "PROGRESS") and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    answer = ask(client, "Quel organisme dirige Ghada Waly ?")
    waited = time.monotonic() - started
    assert "ONUDC" in answer["answer"]
    rebuilding = not job.done()
    report = job.result(timeout=300)
    assert report["ok"] and report["index"]["updated"] >= 128  # at least four embedding batches
    assert rebuilding, f"the question waited for the whole rebuild ({waited:.1f} s)"
    print(
        f"question answered in {waited:.1f} s during a {report['index']['seconds']:.1f} s rebuild "
        f"of {report['index']['chunks']} passages"
    )
