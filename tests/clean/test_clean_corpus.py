"""The whole shipped mock corpus round-trips: corpus text → mock portal page → cleaner → the same text."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.mockportals.corpus import load_corpus
from crawler.mockportals.families.base import Request, Site
from crawler.mockportals.portals import MOCK_PORTALS
from crawler.mockportals.sites import build_sites
from extract.clean import clean_html, decode_html

CORPUS = load_corpus()
SITES = build_sites(CORPUS, MOCK_PORTALS)
CASES = [(s, e) for s in SITES for e in s.entries]


def _clean_canonical(site: Site, url: str) -> tuple[str, object, str | None]:
    parts = urlsplit(url)
    resp = site.handle(Request("GET", site.host, parts.path, parts.query))
    assert resp.status == 200
    ctype = resp.headers.get("Content-Type", "")
    art = clean_html(
        decode_html(resp.body, ctype.split("charset=")[1] if "charset=" in ctype else None), url, site.family
    )
    return art.text, art.published, art.title


def test_every_corpus_article_cleans_back_to_its_text() -> None:
    # the mock corpus ships with the project: an empty one is a broken checkout, not a reason to skip
    assert len(CASES) >= 60, f"the mock corpus (crawler/mockportals/corpus) has only {len(CASES)} entries"
    failures = []
    for site, entry in CASES:
        text, published, title = _clean_canonical(site, site.article_url(entry))
        expected = entry.article.text()
        if entry.title != entry.article.title:  # a syndicated copy: own title, extra source line
            expected = expected.replace(entry.article.title, entry.title, 1)
        if (
            text.replace(f"\n\n{entry.source_line}", "") != expected
            or published != entry.date
            or title != entry.title
        ):
            failures.append(f"{site.portal.name}:{entry.article.id}")
    assert not failures, f"{len(failures)} of {len(CASES)} pages do not round-trip: {failures[:10]}"
