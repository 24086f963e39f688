"""The real web app in a subprocess (``python app.py``) over a temporary copy of the corpus.

One server is started per test session and shared by the API and browser tests: loading
the model and indexing take about 20 s. Tests that add articles give them distinct
facts, so the order of the tests does not matter.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from paths import ROOT, SEED_CORPUS

STARTUP_TIMEOUT_S = 240


@dataclass
class AppServer:
    """A running ``python app.py`` and the folders it uses."""

    url: str
    port: int
    corpus_dir: Path
    data_dir: Path
    log: Path
    process: subprocess.Popen


def free_port() -> int:
    """A TCP port nothing listens on right now (loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(corpus_dir: Path, data_dir: Path, work: Path, **extra: str) -> dict[str, str]:
    """Environment of the app subprocess: offline, no analytics, test folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_")}
    env["CONVQA_MODEL"] = os.environ["CONVQA_MODEL"]  # the suite's model (tests/conftest.py)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        GRADIO_TEMP_DIR=str(work / "gradio-tmp"),
        CONVQA_CORPUS_DIR=str(corpus_dir),
        CONVQA_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Poll the page until it answers; fail with the server's output if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the app did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it does not exit within 15 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def running_app(work: Path, *args: str, **env: str) -> Iterator[AppServer]:
    """``python app.py --port <free port> ARGS`` over a fresh copy of the repository's corpus."""
    corpus_dir = work / "corpus"
    shutil.copytree(SEED_CORPUS, corpus_dir)
    data_dir = work / "data"
    log = work / "server.log"
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port), *args],
            cwd=work,
            env=app_env(corpus_dir, data_dir, work, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(f"http://127.0.0.1:{port}/", port, corpus_dir, data_dir, log, process)
    try:
        wait_until_up(server.url, process, log)
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[AppServer]:
    """The app on loopback without a password, shared by the session.

    It may fetch pages on private addresses: the tests serve them from 127.0.0.1.
    """
    with running_app(tmp_path_factory.mktemp("web"), CONVQA_FETCH_ALLOW_PRIVATE="true") as server:
        yield server


@pytest.fixture
def start_app():
    """``running_app``, for a test that needs a server of its own (other settings)."""
    return running_app


@pytest.fixture
def run_app(tmp_path):
    """Run ``python app.py ARGS`` to completion (for launches that must fail fast)."""
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus_dir)

    def run(args: list[str], env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "app.py"), *args],
            cwd=tmp_path,
            env=app_env(corpus_dir, tmp_path / "data", tmp_path, **(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def client(app_server):
    """A gradio_client talking to the running app."""
    from gradio_client import Client

    return Client(app_server.url, verbose=False)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/`` at the repository root (git-ignored): screenshots and logs."""
    folder = ROOT / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


#: A news page as sites serve it (navigation and footer around the article), about a bridge in ``{place}``.
NEWS_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>La passerelle de {place} ouvre aux cyclistes</title>
<meta name="date" content="2026-03-14"></head>
<body>
<nav><a href="/">Accueil</a> · <a href="/region">Région</a></nav>
<article>
<h1>La passerelle de {place} ouvre aux cyclistes</h1>
<p>La passerelle de {place}, au-dessus du Vidourle, a ouvert samedi aux piétons et aux cyclistes
après dix-huit mois de travaux menés par la communauté de communes.</p>
<p>La passerelle de {place} mesure 212 mètres et relie désormais la gare au lycée agricole sans
passer par la route départementale, très fréquentée aux heures de pointe.</p>
<p>Les élus espèrent que huit cents élèves et salariés l'emprunteront chaque jour dès la rentrée, et
une station de vélos en libre-service doit être installée à chaque extrémité avant l'été.</p>
</article>
<footer>© Journal du Vidourle — tous droits réservés</footer>
</body></html>
"""


@dataclass
class PageServer:
    """tests/newsroom.py's local news site, with pages published while it runs."""

    url: str
    routes: dict

    def publish(self, name: str, place: str) -> str:
        """Serve NEWS_PAGE about ``place`` at ``/name``, as a web server does (with its length); its URL."""
        body = NEWS_PAGE.format(place=place).encode("utf-8")
        self.serve(name, body, "text/html; charset=utf-8")
        return self.url + name

    def serve(self, name: str, body: bytes, content_type: str) -> None:
        """Answer ``/name`` with ``body``."""
        from newsroom import Route

        self.routes["/" + name] = Route(body, headers={"Content-Type": content_type, "Content-Length": str(len(body))})


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    """Web pages to fetch, from a ``http.server`` on a loopback port (unknown paths: 404)."""
    from newsroom import news_site

    routes: dict = {}
    with news_site(routes) as site:
        yield PageServer(site.url + "/", routes)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    from browsing import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        message = "needs Debian's chromium: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
