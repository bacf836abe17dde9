"""Legacy ASP.NET WebForms department sites (portals.md §2.3): lblTitle/lblDate/divContent spans."""

from __future__ import annotations

from extract.sites.base import SiteParser, css


class AspNetParser(SiteParser):
    family = "aspnet"
    _title_selectors = css("span[id$=_lblTitle]", ".print .title", "h1.title")
    _date_selectors = css("span[id$=_lblDate]", ".print .date")
    _body_selectors = css("div[id$=_divContent]", ".print .content")
    _drop_selectors = css("img")
