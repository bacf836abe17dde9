"""SharePoint 2010/2013 portals (portals.md §2.2): Quảng Ninh, Thái Bình and Bắc Kạn variants.

Captions are a paragraph holding only an image followed by a paragraph holding only italics;
both go. The broken web part's Content-Link text sits outside the body.
"""

from __future__ import annotations

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from extract.sites.base import SiteParser, css

_IMAGE_PARAGRAPH = CSSSelector("p")


class SharePointParser(SiteParser):
    family = "sharepoint"
    _title_selectors = css(
        ".news-detail h1", "#divArticleDescription3 h1", "div[id^=ctl00_PlaceHolderMain] h1", "h1.title-news"
    )
    _date_selectors = css("span[id$=_pnHide]", ".news-detail .date", "span[id$=_pnHide] span")
    _body_selectors = css("div.ms-rtestate-field", "#divArticleDescription2")
    _drop_selectors = css(".ms-webpart-error")

    def prune(self, el: HtmlElement) -> None:
        super().prune(el)
        for p in list(_IMAGE_PARAGRAPH(el)):
            if p.find(".//img") is None or p.text_content().strip():
                continue
            caption = p.getnext()
            if caption is not None and caption.tag == "p" and _only_italics(caption):
                caption.drop_tree()
            p.drop_tree()


def _only_italics(p: HtmlElement) -> bool:
    """Say whether all of a paragraph's text sits inside <em>/<i>."""
    text = p.text_content().strip()
    italic = "".join(e.text_content() for e in p.iter("em", "i")).strip()
    return bool(text) and text == italic
