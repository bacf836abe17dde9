"""Saved pages of registered portals (tests/crawler/portal_pages/<portal>/): the entry's rules and
family still read them. README "Add a portal": a new entry comes with one of these folders.

Each folder holds `listing.html` (a listing page), `article.html` (an article linked from it) and
`pages.toml` (`listing_url`, `article_url`, the `title` the cleaner must find).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crawler import registry
from crawler.probe import Fetched, links
from crawler.spiders.portal import PortalRules
from extract.clean import clean_html, decode_html

PAGES = Path(__file__).resolve().parent / "portal_pages"
FOLDERS = sorted(p for p in PAGES.iterdir() if p.is_dir())


def test_there_are_saved_pages() -> None:
    assert len(FOLDERS) >= 2


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_saved_pages_are_read_by_the_entry(folder: Path) -> None:
    meta = tomllib.loads((folder / "pages.toml").read_text(encoding="utf-8"))
    portal = registry.by_name(folder.name)
    rules = PortalRules.of(portal)
    assert rules.kind(meta["listing_url"]) == "listing"
    assert rules.kind(meta["article_url"]) == "article"
    listing = Fetched(meta["listing_url"], 200, (folder / "listing.html").read_bytes())
    articles = [u for u in links(listing) if rules.kind(u) == "article"]
    assert meta["article_url"] in articles
    clean = clean_html(
        decode_html((folder / "article.html").read_bytes(), None), meta["article_url"], portal.family
    )
    assert clean.title == meta["title"]
    assert len(clean.text) > 300 and clean.published is not None
