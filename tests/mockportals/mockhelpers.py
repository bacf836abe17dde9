"""Helpers for the mock-portal and cleaning tests: a tiny corpus placed on every portal, raw fetches."""

from __future__ import annotations

import datetime as dt
import http.client
from pathlib import Path

from crawler.mockportals.corpus import Corpus, copy_to_portals, load_corpus
from crawler.mockportals.portals import MOCK_PORTALS
from crawler.mockportals.server import MockPortalServer

FIXTURE_CORPUS = Path(__file__).parent / "fixture_corpus"
TODAY = dt.date(2026, 3, 26)  # a Thursday; headers print it, articles must not be dated by it


def every_portal_corpus() -> Corpus:
    """Return the fixture articles copied onto every portal (ids made unique per portal)."""
    return copy_to_portals(load_corpus(FIXTURE_CORPUS), (p.name for p in MOCK_PORTALS))


def fetch(
    server: MockPortalServer, url: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send one proxy-style request (absolute URI) and return status, headers and body; no redirects."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, url, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def get_text(server: MockPortalServer, url: str) -> str:
    """Fetch a URL, follow redirects on the mock hosts, and return the UTF-8 body; fail on non-200."""
    for _ in range(5):
        status, headers, body = fetch(server, url)
        if status in (301, 302):
            url = headers["location"]
            continue
        assert status == 200, f"{url} answered {status}"
        return body.decode("utf-8")
    raise AssertionError(f"redirect loop at {url}")
