"""Starting the app: one front door (``python app.py`` is ``convqa serve``), who may
connect (loopback, or a password), and bad settings refused before anything loads."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from convqa.settings import Settings
from convqa.web.server import check_bind, is_loopback
from paths import ROOT

OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def help_options(*command: str) -> set[str]:
    """The option names a command's --help lists."""
    env = os.environ | {"COLUMNS": "200", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, *command, "--help"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return set(OPTION.findall(done.stdout))


def test_app_py_takes_exactly_the_options_of_convqa_serve():
    serve = help_options("-m", "convqa.cli", "serve")
    assert {"--host", "--port", "--corpus", "--data-dir", "--model", "--chroma-url", "--generator"} <= serve
    assert help_options(str(ROOT / "app.py")) == serve


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--host", "0.0.0.0"], {}, "CONVQA_AUTH"),
        (["--host", "192.168.1.2"], {}, "without a password"),
        ([], {"CONVQA_AUTH": "no-colon"}, "user:password"),
        (["--port", "99999"], {}, "invalid setting port"),
        (["--generator", "telepathy"], {}, "invalid setting generator"),
    ],
)
def test_bad_launch_settings_are_refused_before_loading_anything(run_app, args, env, message):
    done = run_app(args, env, timeout=60)
    assert done.returncode in (1, 2)
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("192.168.1.2", False)],
)
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.slow
def test_with_a_password_it_serves_beyond_loopback_and_asks_for_it(start_app, tmp_path):
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    with start_app(tmp_path, "--host", "0.0.0.0", CONVQA_AUTH="ana:s3cret") as server:
        with pytest.raises(AuthenticationError):
            Client(server.url, verbose=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(server.url, auth=("ana", "wrong"), verbose=False)
        client = Client(server.url, auth=("ana", "s3cret"), verbose=False)
        answer = client.predict(question="Quel organisme dirige Ghada Waly ?", api_name="/ask")
        assert "ONUDC" in answer["answer"]


def test_auth_is_required_off_loopback_and_passed_when_set():
    assert check_bind(Settings(host="127.0.0.1")) is None
    assert check_bind(Settings(host="0.0.0.0", auth="ana:s3cret:x")) == ("ana", "s3cret:x")


@pytest.mark.slow
def test_the_app_prints_its_own_url_and_no_share_hint(app_server):
    log = app_server.log.read_text(errors="replace")
    assert f"convqa: serving the chat on http://127.0.0.1:{app_server.port}/" in log
    assert "share=True" not in log and "public link" not in log and "Running on local URL" not in log
