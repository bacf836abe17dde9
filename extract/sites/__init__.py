"""One parser per portal family (STYLE.md habit 1): compiled selectors plus field methods.

`parser_for(family)` returns the family's parser; crawler/registry.py names each portal's family.
"""

from __future__ import annotations

from extract.sites.aspnet import AspNetParser
from extract.sites.base import SiteParser
from extract.sites.liferay import LiferayParser
from extract.sites.nukeviet import NukeVietParser
from extract.sites.sharepoint import SharePointParser
from extract.sites.wordpress import WordPressParser

PARSERS: dict[str, SiteParser] = {
    p.family: p
    for p in (LiferayParser(), SharePointParser(), AspNetParser(), NukeVietParser(), WordPressParser())
}


def parser_for(family: str | None) -> SiteParser | None:
    """Return the parser of a CMS family, or None for unknown families (generic cleaning then)."""
    return PARSERS.get(family) if family else None


__all__ = ["PARSERS", "SiteParser", "parser_for"]
