"""Serving the app: who may connect (bind checks), then ``launch``.

The app listens on loopback unless a password is configured: a newsroom exposes it
behind a reverse proxy, never bare on the network.
"""

import ipaddress
import sys
from typing import Any

from convqa.errors import ConvqaError
from convqa.settings import Settings
from convqa.web import render
from convqa.web.i18n import GRADIO_WORDS, index_summary
from convqa.web.memory import cap_malloc_arenas
from convqa.web.scripts import PAGE_JS
from convqa.web.style import HEAD

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]")
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """('user', 'password') from 'user:password'; ConvqaError when malformed."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ConvqaError("bad_auth")
    return user, password


def check_bind(settings: Settings) -> tuple[str, str] | None:
    """The credentials to require; refuses to serve beyond loopback without them."""
    auth = parse_auth(settings.auth)
    if auth is None and not is_loopback(settings.host):
        raise ConvqaError("no_password", host=settings.host)
    return auth


def launch(settings: Settings, assistant: Any = None, *, block: bool = True):
    """Sync the index with the corpus, then serve the app on settings.host:settings.port.

    Refuses (ConvqaError) to listen beyond loopback unless ``settings.auth`` is set.
    With ``block=False`` it returns the running Blocks (``.close()`` stops it).
    """
    auth = check_bind(settings)  # before loading the model: fail fast
    cap_malloc_arenas(settings.malloc_arenas)  # before Gradio and the index start their threads
    import gradio as gr

    from convqa.web.page import build_app  # lazy: numpy and langchain load after the arenas are capped

    if assistant is None:
        from convqa.assistant import Assistant  # lazy: as build_app, after the arenas are capped

        assistant = Assistant(settings)
    report = assistant.index()
    print(f"convqa: index {index_summary(report.to_dict())}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    demo = build_app(settings, assistant)
    demo.queue(default_concurrency_limit=1)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=auth,
        auth_message="convqa: sign in" if auth else None,
        css=render.CSS,
        head=HEAD,
        js=PAGE_JS,
        i18n=gr.I18n(**GRADIO_WORDS),  # Gradio's drop zone in the page's words
        theme=gr.themes.Soft(),
        max_file_size=settings.max_upload_bytes,
        footer_links=["api"],
        show_error=True,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        # Gradio's own lines would suggest share=True, which this app deliberately never uses.
        quiet=True,
        prevent_thread_lock=True,
    )
    print(f"convqa: serving the chat on {demo.local_url} (Ctrl+C to stop)", file=sys.stderr, flush=True)
    if block:
        demo.block_thread()
    return demo
