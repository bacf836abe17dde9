"""Turn a fetched portal page into clean article text (portals.md §3 and STYLE.md habits 1 and 6).

`decode_html` turns bytes into NFC text whatever the page declares; `clean_html` finds the title,
the page's own publication date and the body. The family parser (extract/sites/) locates those
elements; trafilatura turns the pruned body into paragraphs, and cleans the whole page when no
family parser matches.

Stored text format: the title on line 1, a blank line, then the body paragraphs separated by blank
lines (a line break inside a paragraph stays a single newline). Menus, counters, share bars,
related news, footers, image captions and file names are left out.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement

from extract import legacy
from extract.errors import CleaningError
from extract.pagedate import parse_page_date
from extract.sites import SiteParser, parser_for
from extract.sites.base import AUTHOR_LABEL, COMMON_BOILERPLATE

log = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200b\u3000]+")
# characters lxml keeps when parsing but refuses to be given back (a ValueError): old pages typed in
# TCVN3 fonts carry \x0b, \x0c or \x1f between words; they become spaces in converted text
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MIN_BODY_CHARS = 40  # shorter "bodies" are error stubs or empty print pages


@dataclass(frozen=True, slots=True)
class CleanArticle:
    url: str
    canonical_url: str | None
    title: str | None
    text: str
    published: dt.date | None
    published_source: str  # which element gave the date, e.g. "liferay:.assetPublishDate"; "none"


# ---- decoding ---------------------------------------------------------------------------------
def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        log.info("unknown charset %r ignored", name)
        return None


def decode_html(body: bytes, http_charset: str | None) -> str:
    """Decode a page body to NFC text, surviving wrong or missing charset declarations.

    UTF-8 is tried first: random windows-1258 bytes are practically never valid UTF-8, so a page
    that decodes as UTF-8 is UTF-8 whatever its header says. Otherwise the HTTP charset, then the
    ``<meta>`` charset, then windows-1258 are tried strictly; the first that decodes wins. A UTF-8
    header on windows-1258 bytes therefore falls through to the meta charset.

    Args:
        body: the raw response body.
        http_charset: the charset of the HTTP Content-Type header, if any.

    Returns:
        The page as NFC text.

    Raises:
        CleaningError: the body is empty.
    """
    if not body:
        raise CleaningError("empty response body: nothing to decode; re-fetch the page")
    if body.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", body[3:].decode("utf-8", errors="replace"))
    meta = _META_CHARSET.search(body[:8192])
    declared = [_codec(http_charset), _codec(meta.group(1).decode("ascii", "ignore") if meta else None)]
    candidates: list[str] = []
    for name in ["utf-8", *declared, "cp1258"]:
        if name and name not in candidates:
            candidates.append(name)
    for name in candidates:
        try:
            text = body.decode(name)
        except UnicodeDecodeError:
            continue
        if name != (declared[0] or name):
            log.debug("charset %s declared but %s decodes the page", declared[0], name)
        return unicodedata.normalize("NFC", text)
    # nothing decodes cleanly: keep the candidate that loses the fewest characters
    best = min(candidates, key=lambda n: body.decode(n, errors="replace").count("\ufffd"))
    log.warning("no charset decodes the page cleanly; using %s with replacement characters", best)
    return unicodedata.normalize("NFC", body.decode(best, errors="replace"))


# ---- cleaning ---------------------------------------------------------------------------------
def _parse(html: str) -> HtmlElement:
    html = _XML_DECL.sub("", html, count=1)  # lxml refuses str input with an encoding declaration
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CleaningError(f"unparseable HTML ({exc}); check that the page was fetched completely") from exc
    for el in list(doc.iter(lxml.etree.Comment, "script", "style", "noscript", "template")):
        el.drop_tree()
    _legacy_to_unicode(doc)
    # hidden blocks carry injected spam links on hacked sites (portals.md §4.10)
    for el in list(doc.iter()):
        if isinstance(el.tag, str) and (
            el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or "")
        ):
            el.drop_tree()
    return doc


def _canonical(doc: HtmlElement, url: str) -> str | None:
    for href in doc.xpath("//link[@rel='canonical']/@href"):
        if str(href).strip():
            return urljoin(url, str(href).strip())
    return None


_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section"}
)


def _neutral(el: HtmlElement) -> HtmlElement:
    """Copy a chosen container without class/id/style, so trafilatura's class heuristics keep it all.

    A container holding only inline content (NukeViet's div.hometext lead) becomes a <p>.
    """
    copy: HtmlElement = lxml.html.fromstring(lxml.html.tostring(el, encoding="unicode"))
    for node in copy.iter():
        if isinstance(node.tag, str):
            for attr in [a for a in node.attrib if a not in ("href", "src", "alt")]:
                del node.attrib[attr]
    if copy.tag != "p" and not any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in copy):
        copy.tag = "p"
    return copy


def _xml_paragraphs(xml: str) -> list[str]:
    """Read paragraphs from trafilatura's XML output (<p>, <head>, list items, table rows)."""
    root = lxml.etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    if main is None:
        return []
    out: list[str] = []
    for el in main:
        if el.tag in ("list",):
            out.extend(_flat(item) for item in el.iter("item"))
        elif el.tag == "table":
            out.extend(" | ".join(_flat(c) for c in row.iter("cell")) for row in el.iter("row"))
        else:
            out.append(_flat(el))
    return out


def _flat(el: lxml.etree._Element) -> str:
    """Return an element's text with <lb/> as a newline."""
    parts: list[str] = [el.text or ""]
    for child in el:
        parts.append("\n" if child.tag == "lb" else _flat(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _extract(html: str, url: str) -> list[str]:
    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    return _xml_paragraphs(xml) if xml else []


def _boilerplate(line: str, parser: SiteParser | None) -> bool:
    return parser.is_boilerplate(line) if parser else any(p.search(line) for p in COMMON_BOILERPLATE)


def _tidy(paragraphs: list[str], title: str | None, parser: SiteParser | None) -> list[str]:
    out: list[str] = []
    for raw in paragraphs:
        lines = [_SPACES.sub(" ", line).strip() for line in unicodedata.normalize("NFC", raw).split("\n")]
        para = "\n".join(line for line in lines if line and not _boilerplate(line, parser))
        if not para:
            continue
        para = AUTHOR_LABEL.sub("", para)
        flat = para.replace("\n", " ")
        if _boilerplate(flat, parser):
            continue
        if out and para == out[-1]:  # a caption printed twice (portals.md §2.3)
            continue
        if not out and title and para == title:
            continue
        out.append(para)
    return out


def _trafilatura_fields(html: str, url: str) -> dict[str, str]:
    """Run trafilatura on the whole page; return its non-empty text, title and date as strings."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,
        # original_date and no extensive search: a header's "today" must not become the date
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return {}
    values = doc if isinstance(doc, dict) else {k: getattr(doc, k, None) for k in ("text", "title", "date")}
    return {k: str(values[k]) for k in ("text", "title", "date") if values.get(k)}


def _legacy_to_unicode(doc: HtmlElement) -> None:
    """Rewrite text typed in TCVN3/VNI fonts as Unicode, node by node (a page may mix both)."""
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text and legacy.has_legacy(el.text):
            el.text = _XML_UNSAFE.sub(" ", legacy.to_unicode(el.text))
        if el.tail and legacy.has_legacy(el.tail):
            el.tail = _XML_UNSAFE.sub(" ", legacy.to_unicode(el.tail))


def clean_html(html: str, url: str, family: str | None = None) -> CleanArticle:
    """Clean one article page.

    Args:
        html: the decoded page (see `decode_html`).
        url: the URL it was fetched from (resolves a relative canonical link).
        family: the portal's CMS family from crawler/registry.py; None cleans generically.

    Returns:
        The title, the stored text (title, blank line, paragraphs), the page's publication date
        and the canonical URL.

    Raises:
        CleaningError: no article body was found (a listing, an error page or an empty print view).
    """
    doc = _parse(html)
    parser = parser_for(family)
    canonical = _canonical(doc, url)
    title = parser.title(doc) if parser else None
    dated = parser.published(doc) if parser else None
    containers = parser.body(doc) if parser else []
    paragraphs: list[str] = []
    if containers:
        inner = "".join(lxml.html.tostring(_neutral(c), encoding="unicode") for c in containers)
        paragraphs = _extract(f"<html><body><article>{inner}</article></body></html>", url)
    fallback: dict[str, str] = {}
    if not paragraphs or title is None or dated is None:
        fallback = _trafilatura_fields(lxml.html.tostring(doc, encoding="unicode"), url)
    if not paragraphs and fallback.get("text"):
        paragraphs = _extract(lxml.html.tostring(doc, encoding="unicode"), url)
    if title is None and fallback.get("title"):
        title = unicodedata.normalize("NFC", fallback["title"]).strip() or None
    published: dt.date | None = dated[0] if dated else None
    source = dated[1] if dated else "none"
    if published is None and fallback.get("date"):
        published = parse_page_date(fallback["date"])
        source = "trafilatura" if published else "none"
    body = _tidy(paragraphs, title, parser)
    if sum(len(p) for p in body) < _MIN_BODY_CHARS:
        where = (
            f"the {family} body selectors matched nothing" if parser and not containers else "too little text"
        )
        raise CleaningError(
            f"no article body in {url}: {where}; if this is an article page, add its body selector to "
            f"extract/sites/{family or '<family>'}.py"
        )
    text = "\n\n".join([title, *body] if title else body)
    return CleanArticle(url, canonical, title, text, published, source)
