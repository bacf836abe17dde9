"""WordPress sites (portals.md §2.5): ``time.entry-date[datetime]`` preferred, else the posted-on text."""

from __future__ import annotations

from extract.sites.base import SiteParser, css


class WordPressParser(SiteParser):
    family = "wordpress"
    _title_selectors = css("article h1.entry-title", "h1.entry-title", "h1.post-title")
    _date_selectors = css(
        "article time.entry-date[datetime]", "article .entry-meta .posted-on", "time[datetime]"
    )
    _date_attribute = "datetime"
    _body_selectors = css("article div.entry-content", "div.entry-content")
    _drop_selectors = css(".sharedaddy", ".jp-relatedposts", ".post-views", "img")
