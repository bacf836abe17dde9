"""The portal registry: one declarative entry per portal; spiders stay generic.

Each entry names its CMS family; `extract/sites/<family>.py` holds that family's selectors.
URL rules are regular expressions matched against absolute URLs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Portal:
    name: str
    province: str | None  # canonical province name, None for national sites
    family: str  # "liferay" | "sharepoint" | "aspnet" | "nukeviet" | "wordpress"
    hosts: tuple[str, ...]
    start_urls: tuple[str, ...]
    article: tuple[str, ...]  # URL regexes of article pages
    listing: tuple[str, ...]  # URL regexes of listing / pagination pages to follow
    deny: tuple[str, ...] = ()  # URL regexes never requested (print views, traps, spam)
    max_pages: int = 400
    notes: str = field(default="", compare=False)


PORTALS: tuple[Portal, ...] = ()  # filled in by the mock-portal work (see crawler/mockportals)


def by_name(name: str) -> Portal:
    """Return the registered portal called `name`."""
    for p in PORTALS:
        if p.name == name:
            return p
    known = ", ".join(p.name for p in PORTALS) or "none"
    raise KeyError(f"no portal named {name!r} in crawler/registry.py (known: {known})")


def for_url(url: str) -> Portal | None:
    """Return the portal whose hosts include the URL's host (longest host suffix wins)."""
    host = (urlsplit(url).hostname or "").lower()
    best: tuple[int, Portal] | None = None
    for p in PORTALS:
        for h in p.hosts:
            if host == h or host.endswith("." + h):
                if best is None or len(h) > best[0]:
                    best = (len(h), p)
    return best[1] if best else None
