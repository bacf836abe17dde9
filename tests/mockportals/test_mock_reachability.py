"""Every article is reachable from its portal's registry start URLs by following allowed links only."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from mockhelpers import TODAY, every_portal_corpus, fetch

from crawler.mockportals.corpus import load_corpus
from crawler.mockportals.server import MockPortalServer, start_server
from crawler.registry import MOCKS as PORTALS
from crawler.registry import Portal

BUDGET = 250  # requests per portal; the Liferay language trap would otherwise never end


_VOLATILE = re.compile(r";jsessionid=[^/?#]*|(?<=[?&])(?:p_p_auth|redirect)=[^&#]*&?", re.I)


def seen_key(url: str) -> str:
    """Drop per-response tokens (jsessionid, p_p_auth) and sort the query, as a crawler must."""
    path, _, query = _VOLATILE.sub("", url).partition("?")
    return path + "?" + "&".join(sorted(p for p in query.split("&") if p))


def _allowed(portal: Portal, url: str) -> str | None:
    if any(re.search(d, url) for d in portal.deny):
        return None
    if any(re.search(a, url) for a in portal.article):
        return "article"
    if any(re.search(x, url) for x in portal.listing):
        return "listing"
    return None


def crawl(server: MockPortalServer, portal: Portal) -> int:
    seen: set[str] = set()
    queue = deque(portal.start_urls)
    requests = 0
    while queue and requests < BUDGET:
        url = queue.popleft().split("#")[0]
        if seen_key(url) in seen:
            continue
        seen.add(seen_key(url))
        requests += 1
        status, headers, body = fetch(server, url)
        if status in (301, 302) and urlsplit(headers["location"]).hostname in portal.hosts:
            queue.append(urljoin(url, headers["location"]))
            continue
        if status != 200 or "html" not in headers.get("content-type", ""):
            continue
        doc = lxml.html.fromstring(body)
        for href in doc.xpath("//a/@href"):
            nxt = urljoin(url, href.strip())
            if urlsplit(nxt).hostname in portal.hosts and _allowed(portal, nxt) and seen_key(nxt) not in seen:
                queue.append(nxt)
    return requests


REAL = load_corpus()


@pytest.mark.parametrize("which", ["fixture", "shipped"])
@pytest.mark.parametrize("portal", PORTALS, ids=lambda p: p.name)
def test_every_entry_is_reached_within_budget(portal: Portal, which: str) -> None:
    corpus = every_portal_corpus() if which == "fixture" else REAL
    # both corpora ship with the project and cover every portal: none may silently go untested
    assert corpus.for_portal(portal.name), f"no {which} articles on {portal.name}"
    with start_server(corpus=corpus, today=TODAY) as server:
        site = server.site(portal.name)
        requests = crawl(server, portal)
        missing = [e.title for e in site.entries if site.served[e.local_id] == 0]
        assert not missing, f"{portal.name}: not reached: {missing}"
        assert requests < BUDGET, f"{portal.name}: crawl did not terminate within {BUDGET} requests"


def test_start_urls_and_rules_cover_every_mock_portal() -> None:
    from crawler.mockportals.portals import MOCK_PORTALS

    assert {p.name for p in PORTALS} == {m.name for m in MOCK_PORTALS}
    for p in PORTALS:
        mock = next(m for m in MOCK_PORTALS if m.name == p.name)
        assert p.hosts == (mock.host,) and p.family == mock.family and p.province == mock.province
