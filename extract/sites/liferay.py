"""Liferay 6.2 / 7 portals (portals.md §2.1): the first h1 is the portlet title, not the article's."""

from __future__ import annotations

from extract.sites.base import SiteParser, css


class LiferayParser(SiteParser):
    family = "liferay"
    _title_selectors = css(
        ".asset-full-content h3.asset-title", ".title-news h1", ".title-detail h1", "h3.asset-title"
    )
    _date_selectors = css(".asset-full-content .assetPublishDate", ".assetPublishDate", ".news-date")
    _body_selectors = css(".journal-content-article", ".content-detail", ".detail-content")
    _drop_selectors = css(".taglib-social-bookmarks", ".asset-links", ".taglib-ratings", "img")
