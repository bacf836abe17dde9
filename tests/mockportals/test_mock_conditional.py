"""The mock portals send validators, honour conditional requests and can change an article."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mockhelpers import TODAY, every_portal_corpus, fetch

from crawler.mockportals.server import MockPortalServer, start_server


@pytest.fixture
def fresh() -> Iterator[MockPortalServer]:
    """A server of its own: the tests change articles."""
    with start_server(corpus=every_portal_corpus(), today=TODAY) as srv:
        yield srv


def first_article(server: MockPortalServer, portal: str) -> tuple[str, str, int]:
    site = server.site(portal)
    entry = next(e for e in site.entries if e.source_line is None)
    return entry.article.id, site.article_url(entry), entry.local_id


def test_etag_and_last_modified_answer_304_until_the_article_changes(fresh: MockPortalServer) -> None:
    article_id, url, local = first_article(fresh, "hoabinh")
    site = fresh.site("hoabinh")
    status, headers, body = fetch(fresh, url)
    assert status == 200 and headers["etag"].startswith('"') and "gmt" in headers["last-modified"].lower()
    etag, modified = headers["etag"], headers["last-modified"]
    # the visit counter changes the bytes of every answer, not the validators
    again = fetch(fresh, url)
    assert again[2] != body and again[1]["etag"] == etag
    for asked in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        status, headers, body = fetch(fresh, url, headers=asked)
        assert (status, body, headers["etag"]) == (304, b"", etag)
    assert site.served[local] == 2 and site.not_modified[local] == 2

    assert fresh.revise("hoabinh", article_id) == url
    status, headers, body = fetch(fresh, url, headers={"If-None-Match": etag})
    assert status == 200 and "Cập nhật lần 1" in body.decode() and headers["etag"] != etag
    status, _, _ = fetch(fresh, url, headers={"If-Modified-Since": modified})
    assert status == 200  # Last-Modified moved on too
    # only articles the site publishes itself can change
    with pytest.raises(KeyError, match="publishes no article"):
        fresh.site("hoabinh").revise("no-such-article")


def test_each_family_sends_the_validators_its_server_would(fresh: MockPortalServer) -> None:
    _, nv_url, _ = first_article(fresh, "tayninh-stc")
    _, headers, _ = fetch(fresh, nv_url)
    assert "last-modified" in headers and "etag" not in headers  # NukeViet
    _, asp_url, _ = first_article(fresh, "binhphuoc-stttt")
    status, headers, _ = fetch(fresh, asp_url, headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert status == 200 and "etag" not in headers and "last-modified" not in headers  # ASP.NET
    # listings carry none: they change with every new article
    _, headers, _ = fetch(fresh, fresh.site("hoabinh").start_urls()[0])
    assert "etag" not in headers


def test_sitemaps_date_each_article_by_its_last_change(fresh: MockPortalServer) -> None:
    article_id, url, _ = first_article(fresh, "tayninh-stc")
    site = fresh.site("tayninh-stc")
    sitemap = f"{site.base}/sitemap.xml"
    before = fetch(fresh, sitemap)[2].decode()
    assert f"<loc>{url}</loc><lastmod>" in before
    fresh.revise("tayninh-stc", article_id)
    after = fetch(fresh, sitemap)[2].decode()
    assert before != after
    # Quảng Ninh has one too, named in the registry rather than robots.txt
    assert "<urlset" in fetch(fresh, "http://quangninh.gov.vn.test/sitemap.xml")[2].decode()


def test_url_forms_of_a_quangninh_article_are_served(fresh: MockPortalServer) -> None:
    site = fresh.site("quangninh")
    entry = next(e for e in site.entries if e.source_line is None)
    for url in site.variant_urls(entry):
        status, _, body = fetch(fresh, url.split("#")[0])
        assert status == 200 and entry.title in body.decode(), url


def test_an_operator_changes_an_article_through_the_control_host(fresh: MockPortalServer) -> None:
    status, _, body = fetch(fresh, "http://control.mock.test/articles?portal=tayninh-stc")
    ids = body.decode().split()
    assert status == 200 and ids
    status, _, body = fetch(fresh, f"http://control.mock.test/revise?portal=tayninh-stc&article={ids[0]}")
    url = body.decode().strip()
    assert status == 200 and "Cập nhật lần 1" in fetch(fresh, url)[2].decode()
    assert fetch(fresh, "http://control.mock.test/revise?portal=nowhere&article=x")[0] == 404
    assert fetch(fresh, "http://control.mock.test/revise?portal=tayninh-stc&article=none")[0] == 404
