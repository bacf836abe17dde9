"""Turn the corpus into mock sites: place each article on its portal, add syndicated copies.

Syndication (portals.md §4.12 and §6.0): every relevant Quảng Ninh article is republished on the
department sub-site ``/So/snv/`` with another nid, a title prefix and a "Nguồn: Sở Nội vụ" line;
every relevant quangnam-toaan article is republished on thidua-tw with another title. Half the
relevant Hòa Bình articles are republished on thidua-tw *edited*: a "(TĐKT) - " lead on the first
paragraph, no author line, a title prefix, a day later; an exact hash of the text misses those
copies, near-duplicate detection (store/neardup.py) links them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import logging
from collections.abc import Sequence

from crawler.mockportals.corpus import Article, Corpus, stable_number
from crawler.mockportals.families.base import Entry, Site
from crawler.mockportals.portals import MockPortal

log = logging.getLogger(__name__)

SNV_CATEGORY = "snv"
SNV_TITLE_PREFIX = "Sở Nội vụ: "
SNV_SOURCE = "Nguồn: Sở Nội vụ"
TW_TITLE_PREFIX = "Quảng Nam: "
HB_TITLE_PREFIX = "Hòa Bình: "
HB_LEAD = "(TĐKT) - "


def edited_copy(art: Article) -> Article:
    """Return `art` as the central emulation board republishes it: a lead, no author line."""
    first, *rest = art.paragraphs
    return dataclasses.replace(art, paragraphs=(HB_LEAD + first, *rest), author=None)


def republished_edited(art: Article) -> bool:
    """Tell whether a relevant Hòa Bình article has an edited copy on thidua-tw (about half)."""
    return art.relevant and art.portal == "hoabinh" and stable_number(art.id + "|tw-hb") % 2 == 0


_VARIANTS: dict[str, str] = {
    "quangninh": "sharepoint:QuangNinhSite",
    "thaibinh": "sharepoint:ThaiBinhSite",
    "backan-snv": "sharepoint:BacKanSite",
    "binhdinh-stp": "nukeviet:ModulelessNukeVietSite",
}
_FAMILIES: dict[str, str] = {
    "liferay": "liferay:LiferaySite",
    "sharepoint": "sharepoint:QuangNinhSite",
    "aspnet": "aspnet:AspNetSite",
    "nukeviet": "nukeviet:NukeVietSite",
    "wordpress": "wordpress:WordPressSite",
}


def site_class(portal: MockPortal) -> type[Site]:
    """Return the renderer class for a portal (its family's, or a variant of it)."""
    module, _, name = (_VARIANTS.get(portal.name) or _FAMILIES[portal.family]).partition(":")
    cls: type[Site] = getattr(importlib.import_module(f"crawler.mockportals.families.{module}"), name)
    return cls


def _category(cls: type[Site], art: Article) -> str:
    cats: Sequence[str] = getattr(cls, "CATEGORIES", ("tin-tuc",))
    return cats[stable_number(art.id + "|cat") % len(cats)]


class _Ids:
    """Hand out per-site numeric ids that stay the same whatever else is in the corpus."""

    def __init__(self) -> None:
        self.used: set[int] = set()

    def take(self, key: str) -> int:
        n = stable_number(key)
        while n in self.used:  # a collision of two 6-digit hashes: step to the next free id
            n += 1
        self.used.add(n)
        return n


def build_sites(corpus: Corpus, portals: Sequence[MockPortal], *, today: dt.date | None = None) -> list[Site]:
    """Create one site per portal holding its own and its syndicated entries."""
    by_name = {p.name: p for p in portals}
    placed: dict[str, list[Entry]] = {p.name: [] for p in portals}
    ids = {p.name: _Ids() for p in portals}
    for art in sorted(corpus.articles, key=lambda a: a.id):
        portal = by_name.get(art.portal)
        if portal is None:
            log.warning("article %s names unknown portal %r; it is not served", art.id, art.portal)
            continue
        cls = site_class(portal)
        placed[portal.name].append(Entry(art, ids[portal.name].take(art.id), art.title, _category(cls, art)))
        if art.relevant and portal.name == "quangninh":
            placed[portal.name].append(
                Entry(
                    art,
                    ids[portal.name].take(art.id + "|snv"),
                    SNV_TITLE_PREFIX + art.title,
                    SNV_CATEGORY,
                    source_line=SNV_SOURCE,
                )
            )
        if art.relevant and portal.name == "quangnam-toaan" and "thidua-tw" in by_name:
            tw = by_name["thidua-tw"]
            placed[tw.name].append(
                Entry(
                    art,
                    ids[tw.name].take(art.id + "|tw"),
                    TW_TITLE_PREFIX + art.title,
                    _category(site_class(tw), art),
                    source_line=f"Nguồn: {portal.site_name}",
                )
            )
        if republished_edited(art) and "thidua-tw" in by_name:
            tw = by_name["thidua-tw"]
            placed[tw.name].append(
                Entry(
                    edited_copy(art),
                    ids[tw.name].take(art.id + "|tw-hb"),
                    HB_TITLE_PREFIX + art.title,
                    _category(site_class(tw), art),
                    source_line=f"Nguồn: {portal.site_name}",
                    published=art.published + dt.timedelta(days=1),
                )
            )
    return [site_class(p)(p, placed[p.name], today=today) for p in portals]
