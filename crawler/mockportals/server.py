"""The loopback HTTP server that hosts every mock portal (portals.md §6.0).

It dispatches on the request's host: the Host header, or the host of an absolute-URI request
line (``GET http://hoabinh.gov.vn.test/… HTTP/1.1``), so Scrapy can use it as an HTTP proxy.
Hosts it does not know get 502, as a proxy reports a DNS failure. `CONTROL_HOST` changes an
article between two crawls (a rehearsal of the incremental crawl).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import shutil
import socket
import socketserver
import ssl
import struct
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from crawler.mockportals.corpus import DEFAULT_CORPUS, Corpus, load_corpus
from crawler.mockportals.families.base import Request, Response, Site, html_response
from crawler.mockportals.faults import FaultConfig, FaultInjector
from crawler.mockportals.portals import MOCK_PORTALS, MockPortal
from crawler.mockportals.rehearsal import RehearsalSite, build_rehearsals
from crawler.mockportals.sites import build_sites
from crawler.mockportals.tls import CertificateAuthority, issue, server_context

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
        """Tunnel HTTPS to a TLS rehearsal portal: answer 200, then speak TLS on the same socket.

        The crawler reaches every mock through this server as its proxy, so an https:// URL of a
        `*.test` host arrives as ``CONNECT host:443``. Only the TLS rehearsal hosts accept it.
        """
        host = self.path.rsplit(":", 1)[0].lower().rstrip(".")
        site = self.server.rehearsals.get(host)
        if site is None or not site.tls:
            self._send(Response(501, b"CONNECT is offered only to the TLS rehearsal portals"))
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.server.tls_context(site).wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            # the client refused the certificate or the protocol: what the rehearsal is for
            log.debug("TLS handshake with %s failed: %s", host, exc)
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb", self.rbufsize)  # type: ignore[assignment]
        self.wfile = socketserver._SocketWriter(tls)  # type: ignore[attr-defined]
        try:
            self.handle_one_request()
        finally:
            self.close_connection = True
            with contextlib.suppress(OSError):
                tls.close()

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
        self.server.count(req)
        with self.server.in_flight(host):
            self._answer(req, target, head)

    def _answer(self, req: Request, target: str, head: bool) -> None:
        host, path, query = req.host, req.path, req.query
        # www.<host> is the same site, as on the real portals
        site: Site | RehearsalSite | None = (
            self.server.sites.get(host)
            or self.server.sites.get(host.removeprefix("www."))
            or self.server.rehearsals.get(host)
        )
        if site is None:
            self._send(
                html_response(
                    f"<html><body><h1>502 Bad Gateway</h1><p>Unknown host {host}</p></body></html>", 502
                )
            )
            return
        decision = self.server.faults.decide(host, path + ("?" + query if query else ""))
        delay = decision.delay + (site.delay(req) if isinstance(site, RehearsalSite) else 0.0)
        if delay:
            time.sleep(delay)
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
        if isinstance(site, Site):
            site.take_rendered()
        try:
            resp = site.handle(req)
        except Exception:  # a renderer bug must show as a 500, not kill the connection silently
            log.exception("mock portal %s failed on %s", host, target)
            resp = html_response("<html><body><h1>500 Internal Server Error</h1></body></html>", 500)
        # validators and 304s for the mock portals' articles (the rehearsal sites' faults have none)
        entry = site.take_rendered() if isinstance(site, Site) else None
        if isinstance(site, Site) and entry is not None and resp.status == 200:
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
    request_queue_size = 128  # the crawl benchmark opens many short connections at once

    def __init__(
        self,
        port: int,
        sites: dict[str, Site],
        faults: FaultInjector,
        rehearsals: dict[str, RehearsalSite] | None = None,
    ) -> None:
        self.sites = sites
        self.faults = faults
        self.rehearsals = rehearsals or {}
        # every request answered, as "METHOD host/path?query" (+ "#" body digest for a POST)
        self.hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()
        # requests being answered right now, and the most ever answered at once, by host: what a
        # portal would see of a crawl's per-host concurrency (all crawler processes together)
        self._in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self._tls_lock = threading.Lock()
        self._tls: dict[str, ssl.SSLContext] = {}
        self._ca: CertificateAuthority | None = None
        self._scratch: str | None = None
        super().__init__(("127.0.0.1", port), _Handler)

    def count(self, req: Request) -> None:
        key = f"{req.method} {req.host}{req.path}" + (f"?{req.query}" if req.query else "")
        if req.body:
            key += "#" + hashlib.sha1(req.body).hexdigest()[:12]
        with self._hits_lock:
            self.hits[key] += 1

    @contextlib.contextmanager
    def in_flight(self, host: str) -> Iterator[None]:
        """Count a request to `host` as being answered while the block runs."""
        with self._hits_lock:
            self._in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self._in_flight[host])
        try:
            yield
        finally:
            with self._hits_lock:
                self._in_flight[host] -= 1

    @property
    def ca(self) -> CertificateAuthority:
        """The mock CA, made on first use (key generation costs a few milliseconds)."""
        with self._tls_lock:
            if self._ca is None:
                self._scratch = tempfile.mkdtemp(prefix="thidua-mock-tls-")
                self._ca = CertificateAuthority(Path(self._scratch))
            return self._ca

    def tls_context(self, site: RehearsalSite) -> ssl.SSLContext:
        """Return the TLS server context of a TLS rehearsal host (certificates made on first use)."""
        ca = self.ca
        with self._tls_lock:
            if site.host not in self._tls:
                folder = Path(ca.folder)
                legacy = site.kind.startswith("tls-legacy")
                issued = issue(
                    folder, site.host, ca=ca if site.kind == "tls-trusted" else None, rsa_key=legacy
                )
                self._tls[site.host] = server_context(issued, legacy=legacy)
            return self._tls[site.host]

    def server_close(self) -> None:
        super().server_close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


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

    @property
    def rehearsals(self) -> dict[str, RehearsalSite]:
        """The rehearsal portals (crawler/mockportals/rehearsal.py), by host."""
        return self._server.rehearsals

    def rehearsal(self, name: str) -> RehearsalSite:
        """Return the rehearsal portal called `name` (its registry name)."""
        for s in self._server.rehearsals.values():
            if s.name == name:
                return s
        raise KeyError(f"no rehearsal portal named {name!r}")

    @property
    def hits(self) -> Counter[str]:
        """Every request answered: "METHOD host/path?query" (POSTs with a body digest) -> count."""
        return self._server.hits

    @property
    def max_in_flight(self) -> dict[str, int]:
        """The most requests to each host that were being answered at one moment."""
        with self._server._hits_lock:
            return dict(self._server.max_in_flight)

    @property
    def ca_bundle(self) -> Path:
        """The PEM file of the mock CA that signed the trusted TLS portal (THIDUA_CRAWL_CA_BUNDLE)."""
        return self._server.ca.bundle

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
    rehearsals: bool = True,
    bench_articles: int = 5000,
) -> MockPortalServer:
    """Start the mock portals on 127.0.0.1 in a background thread.

    Args:
        port: TCP port; 0 picks a free one (read it back from ``.url`` / ``.port``).
        faults: fault injection settings; None means no faults.
        corpus_dir: the corpus to serve (``text/``, ``other/``); read once, now.
        today: the date headers print as "today" (default: the real date).
        portals: which mock portals to serve.
        corpus: an already loaded corpus to serve instead of reading `corpus_dir`.
        rehearsals: also serve the rehearsal portals (one fault each; crawler/mockportals/rehearsal.py).
        bench_articles: how many articles the benchmark's rehearsal portal lists.

    Returns:
        The running server.
    """
    if corpus is None:
        corpus = load_corpus(corpus_dir)
    for skipped in corpus.skipped:
        log.info("corpus file not served: %s", skipped)
    sites = build_sites(corpus, portals, today=today)
    extra = build_rehearsals(bench_articles=bench_articles) if rehearsals else {}
    server = _Server(port, {s.host: s for s in sites}, FaultInjector(faults), extra)
    log.info(
        "mock portals on http://127.0.0.1:%s serving %s articles",
        server.server_address[1],
        len(corpus.articles),
    )
    return MockPortalServer(server, corpus)
