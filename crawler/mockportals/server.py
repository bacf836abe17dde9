"""The loopback HTTP server that hosts every mock portal (portals.md §6.0).

It dispatches on the request's host: the Host header, or the host of an absolute-URI request
line (``GET http://hoabinh.gov.vn.test/… HTTP/1.1``), so Scrapy can use it as an HTTP proxy.
Hosts it does not know get 502, as a proxy reports a DNS failure. `CONTROL_HOST` changes an
article between two crawls (a rehearsal of the incremental crawl).
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import struct
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from crawler.mockportals.corpus import DEFAULT_CORPUS, Corpus, load_corpus
from crawler.mockportals.families.base import Request, Response, Site, html_response
from crawler.mockportals.faults import FaultConfig, FaultInjector
from crawler.mockportals.portals import MOCK_PORTALS, MockPortal
from crawler.mockportals.sites import build_sites

log = logging.getLogger(__name__)

__all__ = ["CONTROL_HOST", "MockPortalServer", "start_server"]

# requests to this host (through the proxy) control the mock: an operator's rehearsal of a
# changed article, e.g. curl -x http://127.0.0.1:8765 "http://control.mock.test/revise?portal=hoabinh&article=ID"
CONTROL_HOST = "control.mock.test"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection keeps resets and truncation simple
    server_version = "Microsoft-IIS/8.5"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        self._serve()

    def do_CONNECT(self) -> None:
        # HTTPS tunnelling is not offered: every mock URL is plain http://
        self._send(Response(501, b"CONNECT not supported by the mock portals; use http:// URLs"))

    def _serve(self, head: bool = False) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = parts.hostname or ""
            path = parts.path or "/"
            query = parts.query
        else:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            path, _, query = target.partition("?")
        host = host.lower().rstrip(".")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, host, path, query, {k.lower(): v for k, v in self.headers.items()}, body)
        if host == CONTROL_HOST:
            self._send(self._control(req))
            return
        # www.<host> is the same site, as on the real portals
        site = self.server.sites.get(host) or self.server.sites.get(host.removeprefix("www."))
        if site is None:
            self._send(
                html_response(
                    f"<html><body><h1>502 Bad Gateway</h1><p>Unknown host {host}</p></body></html>", 502
                )
            )
            return
        decision = self.server.faults.decide(host, path + ("?" + query if query else ""))
        if decision.delay:
            time.sleep(decision.delay)
        if decision.kind == "error":
            status = self.server.faults.config.for_host(host).error_status
            self._send(html_response("<html><body><h1>Service Unavailable</h1></body></html>", status))
            return
        if decision.kind == "throttle":
            resp = html_response("<html><body><h1>Too Many Requests</h1></body></html>", 429)
            resp.headers["Retry-After"] = str(self.server.faults.config.for_host(host).retry_after)
            self._send(resp)
            return
        if decision.kind == "reset":
            self._reset()
            return
        site.take_rendered()
        try:
            resp = site.handle(req)
        except Exception:  # a renderer bug must show as a 500, not kill the connection silently
            log.exception("mock portal %s failed on %s", host, target)
            resp = html_response("<html><body><h1>500 Internal Server Error</h1></body></html>", 500)
        entry = site.take_rendered()
        if entry is not None and resp.status == 200:
            resp.headers.update(site.validators(entry))
            if site.not_modified_for(entry, req.headers):
                site.answered_not_modified(entry)
                # RFC 9110 §15.4.5: a 304 repeats the validators and has no body
                kept = {k: v for k, v in resp.headers.items() if k in ("ETag", "Last-Modified")}
                resp = Response(304, b"", kept)
        if decision.kind == "oversize":
            pad = self.server.faults.config.for_host(host).oversize_bytes
            resp = Response(resp.status, resp.body + b"<!--" + b"x" * pad + b"-->", resp.headers)
        self._send(resp, head=head, truncate=decision.kind == "truncate")

    def _control(self, req: Request) -> Response:
        """Rehearsal controls: ``/revise?portal=NAME&article=ID`` changes one article (see
        `MockPortalServer.revise`); ``/articles?portal=NAME`` lists the portal's own article ids."""
        params = req.params
        portal = params.get("portal", "")
        try:
            site = next(s for s in self.server.sites.values() if s.portal.name == portal)
        except StopIteration:
            return Response(404, f"no mock portal {portal!r}\n".encode(), {"Content-Type": "text/plain"})
        if req.path == "/articles":
            ids = "".join(f"{e.article.id}\n" for e in site.entries if not e.source_line)
            return Response(200, ids.encode(), {"Content-Type": "text/plain; charset=utf-8"})
        if req.path == "/revise":
            try:
                entry = site.revise(params.get("article", ""))
            except KeyError as exc:
                return Response(404, f"{exc.args[0]}\n".encode(), {"Content-Type": "text/plain"})
            return Response(200, f"{site.article_url(entry)}\n".encode(), {"Content-Type": "text/plain"})
        return Response(404, b"use /revise?portal=NAME&article=ID or /articles?portal=NAME\n")

    def _send(self, resp: Response, *, head: bool = False, truncate: bool = False) -> None:
        self.send_response(resp.status)
        headers = {"Content-Type": "text/html; charset=utf-8", **resp.headers}
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if head:
            return
        if truncate:
            self.wfile.write(resp.body[: len(resp.body) // 2])
            self.wfile.flush()
            self._reset()
            return
        self.wfile.write(resp.body)

    def _reset(self) -> None:
        """Close the socket with an RST (SO_LINGER 0), the way a dying server drops a connection."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, sites: dict[str, Site], faults: FaultInjector) -> None:
        self.sites = sites
        self.faults = faults
        super().__init__(("127.0.0.1", port), _Handler)


class MockPortalServer:
    """A running mock-portal server; use as a context manager or call `stop()`."""

    def __init__(self, server: _Server, corpus: Corpus) -> None:
        self._server = server
        self.corpus = corpus
        # a short poll interval keeps stop() fast (the default 0.5 s adds up over many test servers)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="mockportals", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The proxy URL to give Scrapy (``meta["proxy"]`` or ``http_proxy``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def sites(self) -> dict[str, Site]:
        return self._server.sites

    def site(self, name: str) -> Site:
        """Return the site of the mock portal called `name`."""
        for s in self._server.sites.values():
            if s.portal.name == name:
                return s
        raise KeyError(f"no mock portal named {name!r}")

    def revise(self, portal: str, article_id: str) -> str:
        """Change the article `article_id` on the mock portal `portal` (a sentence is added, its
        ETag and Last-Modified move on); return its URL. The next crawl should fetch exactly it."""
        site = self.site(portal)
        return site.article_url(site.revise(article_id))

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MockPortalServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_server(
    port: int = 0,
    *,
    faults: FaultConfig | None = None,
    corpus_dir: Path | str = DEFAULT_CORPUS,
    today: dt.date | None = None,
    portals: Sequence[MockPortal] = MOCK_PORTALS,
    corpus: Corpus | None = None,
) -> MockPortalServer:
    """Start the mock portals on 127.0.0.1 in a background thread.

    Args:
        port: TCP port; 0 picks a free one (read it back from ``.url`` / ``.port``).
        faults: fault injection settings; None means no faults.
        corpus_dir: the corpus to serve (``text/``, ``other/``); read once, now.
        today: the date headers print as "today" (default: the real date).
        portals: which mock portals to serve.
        corpus: an already loaded corpus to serve instead of reading `corpus_dir`.

    Returns:
        The running server.
    """
    if corpus is None:
        corpus = load_corpus(corpus_dir)
    for skipped in corpus.skipped:
        log.info("corpus file not served: %s", skipped)
    sites = build_sites(corpus, portals, today=today)
    server = _Server(port, {s.host: s for s in sites}, FaultInjector(faults))
    log.info(
        "mock portals on http://127.0.0.1:%s serving %s articles",
        server.server_address[1],
        len(corpus.articles),
    )
    return MockPortalServer(server, corpus)
