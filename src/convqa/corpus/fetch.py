"""Fetch a news page over http(s) and save its article into the corpus folder.

Fetching a URL a user typed must not become a way to reach inside the network, nor to
fill the disk. So every hop (redirects are followed by hand, five at most) is checked
before anything is sent:

- the scheme is http or https (a redirect to ``file:``, ``ftp:``… is refused);
- the host name is resolved once, *every* address it resolves to must be public
  (not private, loopback, link-local, reserved…) unless ``allow_private`` is set, and
  the connection goes to one of those checked addresses, so DNS cannot answer
  differently between the check and the connection;
- the body is read in pieces and reading stops past ``max_bytes``;
- the whole fetch has one deadline (``timeout`` seconds).

The page is then parsed by the format registry from its ``Content-Type``: HTML and
XHTML (trafilatura: main text, title, date, language), and also PDF, plain text and
Markdown. Anything else is refused. The article is saved as Markdown with front matter
(title, source = the URL fetched after redirects, date, lang) by the upload code, which
never overwrites and writes nothing when it refuses. Proxies from the environment are
not used: the connection is made to the checked address.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from convqa.corpus.formats.base import Parsed, UnreadableArticle
from convqa.corpus.formats.html import parse_html_text
from convqa.corpus.formats.registry import format_for, format_for_content_type
from convqa.corpus.language import detect_language
from convqa.corpus.uploads import SavedArticle, save_markdown
from convqa.errors import CorpusError
from convqa.messages import Message

DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 5
_READ_SIZE = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
# Characters left as they are in paths and queries: the reserved ones and existing escapes.
_URL_SAFE = "/%?=&;:@!$'()*+,~-._[]"
_HEADERS = {
    "User-Agent": "convqa (news article fetcher)",
    "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8",
    # Compressed bodies would make the size limit count compressed bytes.
    "Accept-Encoding": "identity",
    "Connection": "close",
}


class FetchError(CorpusError):
    """The page could not be fetched: host unreachable, timeout, HTTP error status."""


class PageRefused(FetchError):
    """The page or a redirect was refused: scheme, private address, content type, size."""


@dataclass(frozen=True)
class FetchedPage:
    """A page's body as the server sent it, after redirects."""

    url: str  # the URL finally fetched
    media_type: str  # lower-case, without parameters ('' when the server sent none)
    charset: str  # declared in Content-Type, or ''
    data: bytes


@dataclass(frozen=True)
class _Target:
    url: str
    https: bool
    host: str
    port: int
    path: str  # path and query, what the request line asks for


def save_url(
    url: str, corpus_dir: Path, *, max_bytes: int, allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> SavedArticle:
    """Fetch ``url`` (http or https) and save its article into ``corpus_dir``.

    Returns the ``SavedArticle`` that ``save_upload`` and ``save_pasted`` return
    (``created=False`` when the same text is already in the corpus). Raises
    ``PageRefused`` (bad scheme, private address unless ``allow_private``, content type
    that is not an article format, over ``max_bytes``, no article text),
    ``FetchError`` (unreachable, timeout, HTTP error) or ``CorpusError`` (cannot save),
    each with a one-line message; nothing is written to the corpus folder then.
    """
    page = fetch_page(url, max_bytes=max_bytes, allow_private=allow_private, timeout=timeout)
    try:
        parsed = parse_page(page)
    except UnreadableArticle as exc:
        raise PageRefused("named", name=page.url, reason=exc) from None
    meta = {"source": page.url, "date": parsed.meta.get("date", "")}
    meta["lang"] = parsed.meta.get("lang", "")[:2].lower() or detect_language(parsed.body[:2000])
    return save_markdown(parsed.title, parsed.body, corpus_dir, **meta, max_bytes=max_bytes)


def parse_page(page: FetchedPage) -> Parsed:
    """Read a fetched page with the registered format its media type (or URL suffix) names."""
    stem = PurePosixPath(urlsplit(page.url).path).stem or urlsplit(page.url).hostname or "page"
    fmt = format_for_content_type(page.media_type) if page.media_type else format_for(urlsplit(page.url).path)
    if fmt is None:
        raise PageRefused(
            "named", name=page.url, reason=Message("not_article_type", media_type=page.media_type or "unknown")
        )
    if fmt.name == "html" and page.charset:
        try:  # the server's declared charset beats guessing
            return parse_html_text(page.data.decode(page.charset, errors="replace"), stem)
        except LookupError:
            pass  # an unknown charset name: guess as for a saved page
    return fmt.parse(page.data, f"{stem}{fmt.suffixes[0]}", stem)


def fetch_page(
    url: str, *, max_bytes: int, allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> FetchedPage:
    """GET ``url`` following at most MAX_REDIRECTS redirects, each hop checked (see module doc)."""
    deadline = time.monotonic() + timeout
    current = str(url).strip()
    for hop in range(MAX_REDIRECTS + 1):
        target = _target(current, first=hop == 0)
        addresses = _resolve(target, allow_private)
        connection, sock = _connect(target, addresses, deadline)
        try:
            response = _get(connection, sock, target, deadline)
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                current = urljoin(target.url, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise FetchError(
                    "named",
                    name=target.url,
                    reason=Message("server_answered", status=f"{response.status} {response.reason}".rstrip()),
                )
            return _body(response, sock, target, max_bytes, deadline)
        finally:
            connection.close()
            sock.close()
    raise PageRefused("named", name=url, reason=Message("too_many_redirects", n=MAX_REDIRECTS))


def _target(url: str, *, first: bool) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise PageRefused("bad_url", url=url[:200]) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else Message("no_scheme")
        raise PageRefused("only_http" if first else "redirect_not_http", scheme=shown, url=url[:200])
    if not parts.hostname:
        raise PageRefused("no_host", url=url[:200])
    try:  # the request line and Host header are ASCII: IDNA host, percent-encoded path
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise PageRefused("bad_host", host=parts.hostname[:200]) from None
    path, query = quote(parts.path or "/", safe=_URL_SAFE), quote(parts.query, safe=_URL_SAFE)
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{port}" if port else ""
    clean = urlunsplit((scheme, netloc, path, query, ""))  # no fragment, no user:password
    return _Target(
        clean,
        scheme == "https",
        host,
        port or (443 if scheme == "https" else 80),
        path + (f"?{query}" if query else ""),
    )


def _resolve(target: _Target, allow_private: bool) -> list[tuple]:
    """``getaddrinfo`` results for the host, refused if any address is not public."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("no_resolve", host=target.host, error=exc.__class__.__name__) from None
    if not allow_private:
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            if not address.is_global or address.is_multicast:
                raise PageRefused("private_address", host=target.host, address=address)
    return infos


def _connect(target: _Target, infos: list[tuple], deadline: float) -> tuple[http.client.HTTPConnection, socket.socket]:
    """A connection whose socket is already open to one of the checked addresses, and that socket.

    The socket is returned too: http.client drops its own reference once a response
    says the connection will close, and reads still need their timeout adjusted.
    """
    error: OSError | None = None
    for family, kind, proto, _, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline, target))
            sock.connect(sockaddr)
            if target.https:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
        except ssl.SSLError as exc:
            sock.close()
            raise FetchError(
                "named", name=target.url, reason=Message("tls_failed", reason=exc.reason or exc.__class__.__name__)
            ) from None
        except OSError as exc:
            sock.close()
            error = exc
            continue
        cls = http.client.HTTPSConnection if target.https else http.client.HTTPConnection
        connection = cls(target.host, target.port)  # sets the Host header; never connects itself
        connection.sock = sock
        return connection, sock
    if isinstance(error, TimeoutError):
        raise FetchError("connect_timeout", host=target.host, port=str(target.port)) from None
    reason = (
        error.strerror if error and error.strerror else error.__class__.__name__ if error else "no address"
    ).lower()
    raise FetchError("cannot_connect", host=target.host, port=str(target.port), reason=reason) from None


def _get(
    connection: http.client.HTTPConnection, sock: socket.socket, target: _Target, deadline: float
) -> http.client.HTTPResponse:
    try:
        sock.settimeout(_remaining(deadline, target))
        connection.request("GET", target.path, headers=_HEADERS)
        return connection.getresponse()
    except TimeoutError:
        raise FetchError("named", name=target.url, reason=Message("no_answer_in_time")) from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(
            "named", name=target.url, reason=Message("broken_answer", error=exc.__class__.__name__)
        ) from None
    except ValueError:  # http.client refuses control characters in the URL
        raise PageRefused("bad_url", url=target.url[:200]) from None


def _body(
    response: http.client.HTTPResponse, sock: socket.socket, target: _Target, max_bytes: int, deadline: float
) -> FetchedPage:
    content_type = response.getheader("Content-Type", "") or ""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type and format_for_content_type(media_type) is None:
        raise PageRefused("named", name=target.url, reason=Message("not_article_type", media_type=media_type))
    encoding = (response.getheader("Content-Encoding", "") or "identity").strip().lower()
    if encoding != "identity":
        raise PageRefused("named", name=target.url, reason=Message("compressed_page", encoding=encoding))
    over = PageRefused("named", name=target.url, reason=Message("page_too_large", limit_mb=max_bytes / 1e6))
    declared = response.getheader("Content-Length", "") or ""
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise over
    pieces: list[bytes] = []
    size = 0
    try:
        while not response.isclosed():  # closed once Content-Length bytes were read
            sock.settimeout(_remaining(deadline, target))  # one deadline for the whole page
            piece = response.read(_READ_SIZE)
            if not piece:
                break
            size += len(piece)
            if size > max_bytes:
                raise over  # stop reading: the rest is never downloaded
            pieces.append(piece)
    except TimeoutError:
        raise FetchError("named", name=target.url, reason=Message("page_too_slow")) from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(
            "named", name=target.url, reason=Message("download_broke", error=exc.__class__.__name__)
        ) from None
    return FetchedPage(target.url, media_type, _charset(content_type), b"".join(pieces))


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""


def _remaining(deadline: float, target: _Target) -> float:
    """Seconds left before the deadline; FetchError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("named", name=target.url, reason=Message("no_complete_answer"))
    return left
