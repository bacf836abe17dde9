"""The family parser base: role-named compiled selectors and the methods clean.py calls.

A subclass only overrides the selector tuples and boilerplate data; the methods stay generic.
When a portal redesigns, add a subclass with changed selectors (STYLE.md habit 2), do not edit
the old one: stored raw pages must stay parseable by the parser valid at crawl time.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import ClassVar

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from extract.pagedate import parse_page_date


def css(*selectors: str) -> tuple[CSSSelector, ...]:
    """Compile CSS selectors once, in priority order."""
    return tuple(CSSSelector(s) for s in selectors)


def element_text(el: HtmlElement) -> str:
    """Return an element's visible text, NFC, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", el.text_content())).strip()


# Boilerplate that any family may leave inside a body container (portals.md §3.1).
COMMON_BOILERPLATE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Cannot retrieve the URL specified in the Content Link property",
        r"^\S+\.(?:jpe?g|png|gif|bmp|webp)$",  # an image file name printed as its caption
        r"^(?:Lượt xem|Số lượt xem|Đã xem|View count|Lượt truy cập|Số lượt truy cập|Đang truy cập"
        r"|Tổng lượt truy cập|Đang online)\s*:?\s*\d[\d.,]*$",
        r"^(?:Thống kê truy cập|Bộ đếm truy cập)$",
        r"^\d{1,7}$",  # a bare counter
        r"^(?:Kích cỡ chữ|Cỡ chữ)\s*:",
        r"^(?:In trang|In bài viết|Gửi email|Về đầu trang|Chia sẻ)\b.{0,40}$",
        r"^(?:Các tin khác|Tin liên quan|Những tin mới hơn|Những tin cũ hơn|Các tin đã đưa)\s*:?$",
        r"^(?:Skip Ribbon Commands|Skip to main content|Truy cập nội dung luôn)$",
    )
)

# "Tác giả: Minh Anh" → "Minh Anh": the stored text keeps the author as a bare last line.
AUTHOR_LABEL = re.compile(r"^(?:Tác giả bài viết|Tác giả|Tin, ảnh|Bài, ảnh)\s*:\s*", re.IGNORECASE)


class SiteParser:
    family: ClassVar[str] = ""

    _title_selectors: ClassVar[tuple[CSSSelector, ...]] = ()
    _date_selectors: ClassVar[tuple[CSSSelector, ...]] = ()
    _date_attribute: ClassVar[str | None] = None  # e.g. "datetime" on <time>
    _body_selectors: ClassVar[tuple[CSSSelector, ...]] = ()  # every match is kept, in document order
    _drop_selectors: ClassVar[tuple[CSSSelector, ...]] = ()  # removed from the body before extraction
    _boilerplate: ClassVar[tuple[re.Pattern[str], ...]] = ()

    def title(self, doc: HtmlElement) -> str | None:
        for sel in self._title_selectors:
            for el in sel(doc):
                text = element_text(el)
                if text:
                    return text
        return None

    def published(self, doc: HtmlElement) -> tuple[dt.date, str] | None:
        for sel in self._date_selectors:
            for el in sel(doc):
                raw = el.get(self._date_attribute) if self._date_attribute else None
                day = parse_page_date(raw) if raw else None
                if day is None:
                    day = parse_page_date(element_text(el))
                if day is not None:
                    return day, f"{self.family}:{sel.css}"
        return None

    def body(self, doc: HtmlElement) -> list[HtmlElement]:
        """Return the body containers (pruned in place), in document order; [] when none matches."""
        for sel in self._body_selectors:
            found = sel(doc)
            if found:
                for el in found:
                    self.prune(el)
                return list(found)
        return []

    def prune(self, el: HtmlElement) -> None:
        for sel in self._drop_selectors:
            for junk in sel(el):
                junk.drop_tree()

    def is_boilerplate(self, line: str) -> bool:
        return any(p.search(line) for p in (*self._boilerplate, *COMMON_BOILERPLATE))
