"""The Chroma server killed while questions are asked: every question gets a clear one-line
error (Python API, gradio_client, the chat), the app stays up, and once the server is back
(same path, same port) the same app and the same Assistant answer again, without a restart."""

from __future__ import annotations

import threading
import time

import pytest

from chromaserver import ChromaServer
from convqa.assistant import Assistant
from convqa.errors import StoreError
from convqa.settings import Settings

pytestmark = pytest.mark.slow

QUESTION = "Quel organisme dirige Ghada Waly ?"
FACT = "ONUDC"
USERS = 6


def ask_until_stopped(url: str, stop: threading.Event, outcomes: list, lock: threading.Lock) -> None:
    """One gradio_client user asking again and again: each outcome is an answer or an error text."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    while not stop.is_set():
        try:
            answer = client.predict(question=QUESTION, api_name="/ask")
            outcome = ("answer", answer["answer"])
        except Exception as exc:  # gradio_client raises its AppError with the server's message
            outcome = ("error", str(exc))
        with lock:
            outcomes.append(outcome)


def chat_text(message: dict) -> str:
    """A chat message's HTML, whether Gradio gives it as a string or as a list of parts."""
    content = message["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def test_questions_while_the_chroma_server_dies_and_returns(tmp_path, start_app, embedder):
    from gradio_client import Client

    server = ChromaServer(tmp_path / "chroma").start()
    down = f"Chroma server not reachable at {server.url} ("
    try:
        with start_app(tmp_path / "app", CONVQA_CHROMA_URL=server.url, CONVQA_COLLECTION="outage") as app:
            client = Client(app.url, verbose=False)
            assert FACT in client.predict(question=QUESTION, api_name="/ask")["answer"]
            assistant = Assistant(
                Settings(
                    corpus_dir=app.corpus_dir, data_dir=tmp_path / "api", chroma_url=server.url, collection="outage"
                ),
                embedder=embedder,
            )
            assert FACT in assistant.ask(QUESTION).answer

            # Users keep asking while the server is killed under them.
            stop, lock, outcomes = threading.Event(), threading.Lock(), []
            users = [
                threading.Thread(target=ask_until_stopped, args=(app.url, stop, outcomes, lock)) for _ in range(USERS)
            ]
            for user in users:
                user.start()
            while len(outcomes) < USERS:
                time.sleep(0.05)
            server.kill()
            killed_at = len(outcomes)
            while len(outcomes) < killed_at + 2 * USERS:
                time.sleep(0.05)
            stop.set()
            for user in users:
                user.join(timeout=300)
            errors = [text for kind, text in outcomes if kind == "error"]
            answers = [text for kind, text in outcomes if kind == "answer"]
            assert errors, outcomes
            for text in errors:  # each failure is the one clear line, whatever stage the question was at
                assert text.startswith(down) and "\n" not in text, text
            assert all(FACT in text for text in answers)

            # The Python API: the project's own error, one line.
            with pytest.raises(StoreError) as caught:
                assistant.ask(QUESTION)
            assert str(caught.value).startswith(down) and "\n" not in str(caught.value)

            # The chat: a message in the conversation, not a traceback.
            messages, _ = Client(app.url, verbose=False).predict(
                message=QUESTION, messages=[], top_k=5, api_name="/chat"
            )
            shown = chat_text(messages[-1])
            assert f"<b>No answer:</b> {down}" in shown and "Traceback" not in shown, shown
            with pytest.raises(Exception, match="Chroma server not reachable"):
                client.predict(api_name="/articles")
            assert app.process.poll() is None  # the app is still up

            server.start()  # same path, same port
            assert FACT in client.predict(question=QUESTION, api_name="/ask")["answer"]
            assert FACT in assistant.ask(QUESTION).answer
            messages, _ = Client(app.url, verbose=False).predict(
                message=QUESTION, messages=[], top_k=5, api_name="/chat"
            )
            assert FACT in chat_text(messages[-1])
            assert client.predict(api_name="/articles")
    finally:
        server.stop()
