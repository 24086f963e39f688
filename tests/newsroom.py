"""A local news site for fetch tests: ``http.server`` on 127.0.0.1 in a thread, never the internet."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Les abeilles reviennent à Montreuil | Le Courrier de l'Est parisien</title>
<meta property="og:title" content="Les abeilles reviennent à Montreuil">
<meta name="date" content="2025-06-03">
<script>window.analytics = "suivi";</script></head>
<body><nav><a href="/">Accueil</a> <a href="/sport">Sport</a> <a href="/meteo">Météo</a></nav>
<article><h1>Les abeilles reviennent à Montreuil</h1>
<p>La mairie de Montreuil a installé quarante ruches sur les toits des écoles de la ville au printemps, a annoncé mardi l'adjointe chargée de l'environnement.</p>
<p>Selon l'apiculteur municipal, chaque ruche a produit en moyenne douze kilos de miel depuis avril, un record pour un site urbain de la région.</p>
<p>Les élèves de CM2 participeront à la récolte de septembre, et le miel sera vendu au profit de la caisse des écoles.</p>
</article><footer>Mentions légales · Publicité · Commentaires (3)</footer></body></html>"""


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    repeat: int = 1  # the body is sent this many times (a huge page without holding it in memory)


@dataclass
class Site:
    """The running server: its base URL and the paths it was asked for, in order."""

    url: str
    requests: list[str]


@contextmanager
def news_site(routes: dict[str, Route]) -> Iterator[Site]:
    """Serve ``routes`` on a free loopback port for the duration of the block."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            requests.append(self.path)
            route = routes.get(self.path, Route(b"introuvable", 404, {"Content-Type": "text/plain"}))
            self.send_response(route.status)
            for key, value in route.headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                for _ in range(route.repeat):
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading, as it should past its limit

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", requests)
    finally:
        server.shutdown()
        server.server_close()


def html(text: str, charset: str = "utf-8") -> Route:
    """An HTML page encoded and labelled with ``charset``."""
    return Route(text.encode(charset), headers={"Content-Type": f"text/html; charset={charset}"})


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
