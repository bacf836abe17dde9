"""NukeViet 4 sites (portals.md §2.4): the lead sits in div.hometext, the rest in #news-bodyhtml.

The date comes from span.h5 ("Thứ năm - 22/11/2018 22:00"), never from article:published_time,
whose value NukeViet writes malformed.
"""

from __future__ import annotations

import re

from extract.sites.base import SiteParser, css


class NukeVietParser(SiteParser):
    family = "nukeviet"
    _title_selectors = css(".news_column h1.title", "#print h1", "h1.title")
    _date_selectors = css(".news_column span.h5", "#print p.time")
    # the lead, the body and the right-aligned author / source lines, in page order
    _body_selectors = css(
        ".news_column .hometext, #news-bodyhtml, .news_column p.h5.text-right",
        "#print .bodytext, #print p.text-right",
    )
    _drop_selectors = css("figure", "img")
    _boilerplate = (re.compile(r"^In bài viết này$"),)
