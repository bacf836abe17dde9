"""Rehearsal portals: one small mock host per fault a real portal throws (issue 10, item 5).

Each host serves a listing (`/`, more pages at `/tin/trang-N.html`) of short synthetic news
articles (`/tin/N.html`, text written for these mocks) and misbehaves in one way:

    cham.gov.vn.test        articles answer after `slow_seconds` (a server slower than the timeout)
    vonglap.gov.vn.test     redirect loops (a -> b -> a) and an endless redirect chain
    tuky.gov.vn.test        HTTPS with a self-signed certificate (registry: tls_verify = false)
    tuky-tuchoi.gov.vn.test the same, without the registry flag: refused
    tls-cu.gov.vn.test      HTTPS with TLS 1.0 and RSA ciphers only (registry: tls_legacy = true)
    tls-cu-tuchoi.gov.vn.test  the same, without the flag: refused
    tls-tot.gov.vn.test     HTTPS with a certificate of the mock CA (trusted via THIDUA_CRAWL_CA_BUNDLE)
    tailieu.gov.vn.test     article URLs answering PDF, JPEG and octet-stream bodies
    hong.gov.vn.test        broken HTML: tag soup, binary junk sent as text/html, an empty body
    mahoa.gov.vn.test       legacy encodings: windows-1258, VNI-Windows, TCVN3, a wrong charset name
    bay.gov.vn.test         endless calendar and language-link traps
    postback.gov.vn.test    an ASP.NET WebForms pager: pages 2.. only through __doPostBack POSTs
    sap.gov.vn.test         down: every request 503 (until a test heals it)
    lon.gov.vn.test         `size` articles for the crawl benchmark (bench/crawl_speed.py)

The crawler's side of each is an entry of crawler/portals/faults.toml (`fault = true`: crawled
only when named).
"""

# ruff: noqa: E501 - HTML templates keep one element per line, so the markup stays readable

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote

from crawler.mockportals.families.aspnet import encode_cp1258
from crawler.mockportals.families.base import Request, Response, html_response, not_found, redirect

Kind = Literal[
    "slow",
    "loop",
    "tls-selfsigned",
    "tls-selfsigned-refused",
    "tls-legacy",
    "tls-legacy-refused",
    "tls-trusted",
    "nonhtml",
    "broken",
    "encodings",
    "traps",
    "postback",
    "down",
    "bench",
]

esc = html.escape

# Sentences written for the rehearsal mocks (never copied from a corpus); combined per article.
_OPENINGS = (
    "Sáng nay, Ủy ban nhân dân huyện tổ chức hội nghị sơ kết công tác thi đua, khen thưởng quý {n}.",
    "Chiều {n} tháng này, Cụm thi đua các xã vùng cao họp bàn kế hoạch phong trào thi đua năm mới.",
    "Hội đồng Thi đua - Khen thưởng thị xã vừa tổng kết đợt thi đua cao điểm số {n} của năm.",
)
_MIDDLES = (
    "Các đơn vị trong cụm đã ký kết giao ước thi đua, cam kết hoàn thành các chỉ tiêu kinh tế, xã hội được giao.",
    "Hội nghị đánh giá kết quả thực hiện phong trào, chỉ ra những hạn chế và đề ra giải pháp khắc phục trong thời gian tới.",
    "Nhiều tập thể, cá nhân có thành tích xuất sắc được biểu dương và đề nghị cấp trên tặng bằng khen.",
)
_CLOSINGS = (
    "Phát biểu kết luận, đồng chí Chủ tịch đề nghị các đơn vị tiếp tục đổi mới nội dung, hình thức thi đua.",
    "Kết thúc hội nghị, các đại biểu thống nhất luân phiên đơn vị trưởng cụm cho năm sau.",
)


def article_text(n: int, site: str = "") -> tuple[str, list[str]]:
    """Return the title and paragraphs of synthetic article `n` of `site` (deterministic, unique per site)."""
    title = f"Tin số {n} của {site or 'cổng'}: hội nghị thi đua khen thưởng quý {n % 4 + 1}"
    # figures of the site's own, so that the same article number on two rehearsal hosts is not a
    # near-duplicate of the other (the crawl links syndicated copies to one article: store.duplicates)
    seed = zlib.crc32(site.encode("utf-8"))
    units, points = 5 + seed % 37, 600 + (seed // 37) % 383
    paragraphs = [
        f"({site}) " + _OPENINGS[n % 3].format(n=n % 28 + 1),
        _MIDDLES[n % 3] + " " + _MIDDLES[(n + 1) % 3],
        f"Cổng {site or 'này'} thống kê {units} đơn vị dự thi, điểm cao nhất đạt {points} điểm.",
        _CLOSINGS[n % 2] + f" Bài viết số {n} được đăng tải trên cổng thông tin.",
    ]
    return title, paragraphs


# VNI-Windows bytes of one sentence: base letters plus modifier characters, shown in the VNI-Times
# font (portals.md §4.11). "Khối thi đua các huyện phía Bắc tổng kết năm" typed in VNI.
VNI_SENTENCE = "Khoái thi ñua caùc huyeän phía Baéc toång keát naêm"
VNI_UNICODE = "Khối thi đua các huyện phía Bắc tổng kết năm"
# The same idea in TCVN3 (ABC, .VnTime): "Cụm thi đua các xã biên giới tổng kết năm".
TCVN3_SENTENCE = "Côm thi ®ua c¸c x· biªn giíi tæng kÕt n¨m"
TCVN3_UNICODE = "Cụm thi đua các xã biên giới tổng kết năm"

_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb") + b"\x00" * 64 + b"\xff\xd9"
_JUNK = bytes(range(256)) * 8  # binary noise sent as text/html


@dataclass
class RehearsalSite:
    """One rehearsal host. `handle` answers a request; `delay` says how long to stall first."""

    name: str
    host: str
    kind: Kind
    articles: int = 6
    page_size: int = 5
    slow_seconds: float = 3.0
    failing: bool = True  # for "down": switch off to heal the portal
    scheme: str = "http"
    served: Counter[str] = field(default_factory=Counter)  # path?query of each answered request
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def tls(self) -> bool:
        return self.kind.startswith("tls-")

    def article_url(self, n: int) -> str:
        return f"{self.base}/tin/{n}.html"

    def article_urls(self) -> list[str]:
        return [self.article_url(n) for n in range(1, self.articles + 1)]

    def listing_url(self, page: int) -> str:
        return f"{self.base}/" if page == 1 else f"{self.base}/tin/trang-{page}.html"

    def delay(self, req: Request) -> float:
        """Seconds to wait before answering `req`."""
        if self.kind == "slow" and re.fullmatch(r"/tin/\d+\.html", req.path):
            n = int(req.path.rsplit("/", 1)[1].split(".")[0])
            return self.slow_seconds if n % 2 == 0 else 0.0  # every other article is too slow
        return 0.0

    # ---- routing -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        with self._lock:
            self.served[req.path + ("?" + req.query if req.query else "")] += 1
        if self.kind == "down" and self.failing:
            return html_response("<html><body><h1>Service Unavailable</h1></body></html>", 503)
        path = unquote(req.path)
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        if self.kind == "postback" and path in ("/", "/tin/danhsach.aspx"):
            return self._postback_listing(req)
        if path == "/":
            return html_response(self._listing(1))
        if m := re.fullmatch(r"/tin/trang-(\d+)\.html", path):
            page = int(m.group(1))
            return html_response(self._listing(page)) if 1 <= page <= self._pages() else not_found(path)
        if m := re.fullmatch(r"/tin/(\d+)\.html", path):
            n = int(m.group(1))
            # a trap site's calendar and language pages reach an archive without end
            if not 1 <= n <= (10**6 if self.kind == "traps" else self.articles):
                return not_found(path)
            return self._article(n, req)
        if self.kind == "loop" and (m := re.fullmatch(r"/tin/(\d+)-b\.html", path)):
            return redirect(self.article_url(int(m.group(1))), 302)
        if self.kind == "traps":
            return self._trap(path, req)
        return not_found(path)

    def _pages(self) -> int:
        return max(1, -(-self.articles // self.page_size))

    # ---- pages ---------------------------------------------------------------------------
    def _frame(self, title: str, body: str, *, charset: str = "utf-8", extra_head: str = "") -> str:
        return (
            f'<!DOCTYPE html>\n<html lang="vi"><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{esc(title)}</title>{extra_head}</head><body>"
            f'<div class="header"><a href="/">Cổng thông tin điện tử {esc(self.name)}</a></div>'
            f'<div class="main">{body}</div><div class="footer">Bản quyền thuộc {esc(self.name)}</div></body></html>'
        )

    def _links(self, page: int) -> str:
        first = (page - 1) * self.page_size + 1
        last = min(self.articles, page * self.page_size)
        return "".join(
            f'<li><a href="/tin/{n}.html">{esc(article_text(n, self.host)[0])}</a></li>'
            for n in range(first, last + 1)
        )

    def _listing(self, page: int) -> str:
        pager = " ".join(
            f"<b>{p}</b>" if p == page else f'<a href="{"/" if p == 1 else f"/tin/trang-{p}.html"}">{p}</a>'
            for p in range(1, self._pages() + 1)
        )
        extra = ""
        if self.kind == "traps" and page == 1:
            extra = (
                '<div class="lich"><a href="/lich/?ngay=2024-03-28">Lịch công tác</a></div>'
                '<div class="lang"><a href="/vi/tin-tuc/">Tiếng Việt</a></div>'
            )
        return self._frame(
            f"Tin tức - trang {page}",
            f'<ul class="news">{self._links(page)}</ul><div class="pager">{pager}</div>{extra}',
        )

    def _article_html(self, n: int, *, charset: str = "utf-8") -> str:
        title, paragraphs = article_text(n, self.host)
        body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        return self._frame(
            title,
            f'<div class="news-detail"><h1 class="title">{esc(title)}</h1>'
            f'<div class="date">Ngày {1 + n % 28:02d}/03/2024</div><div class="content">{body}</div></div>',
            charset=charset,
        )

    def _article(self, n: int, req: Request) -> Response:
        if self.kind == "loop":
            if n == 2:  # a -> b -> a
                return redirect(f"{self.base}/tin/2-b.html", 302)
            if n == 3:  # an endless chain: the same page with a growing counter
                hop = int(parse_qs(req.query).get("r", ["0"])[0] or 0)
                return redirect(f"{self.article_url(3)}?r={hop + 1}", 302)
        if self.kind == "nonhtml":
            special = {
                2: (_PDF, "application/pdf"),
                3: (_JPEG, "image/jpeg"),
                4: (b"\x00\x01" + _PDF, "application/octet-stream"),
            }
            if n in special:
                body, ctype = special[n]
                return Response(200, body, {"Content-Type": ctype})
        if self.kind == "broken":
            if n == 2:
                return Response(200, _JUNK, {"Content-Type": "text/html"})
            if n == 3:
                return Response(200, b"", {"Content-Type": "text/html; charset=utf-8"})
            if n == 1:
                return html_response(self._tag_soup(n))
        if self.kind == "encodings":
            return self._encoded(n)
        return html_response(self._article_html(n))

    def _tag_soup(self, n: int) -> str:
        """An article as a broken CMS template writes it: unclosed and mis-nested tags, no </html>."""
        title, paragraphs = article_text(n, self.host)
        return (
            f"<html><head><title>{esc(title)}</title><body><div class=header>Cổng thông tin<div class=main>"
            f"<div class=news-detail><h1 class=title>{esc(title)}</h2><div class=date><b>Ngày 02/03/2024</div></b>"
            + "".join(f"<p><font face=Arial>{esc(p)}</span>" for p in paragraphs)
            + "<p>Kinh phí < 5% & chi phí > dự kiến</td></table></div></div><p><p></div>"
        )

    def _encoded(self, n: int) -> Response:
        if n == 2:  # VNI-Windows: bytes are windows-1252, the VNI-Times font draws the letters
            page = self._article_html(n, charset="windows-1252").replace(
                '<div class="content">',
                f'<div class="content"><p><font face="VNI-Times">{VNI_SENTENCE}</font></p>',
            )
            return Response(
                200, page.encode("cp1252", errors="xmlcharrefreplace"), {"Content-Type": "text/html"}
            )
        if n == 3:  # TCVN3: Latin-1 code points drawn by the .VnTime font
            page = self._article_html(n, charset="iso-8859-1").replace(
                '<div class="content">',
                f'<div class="content"><p><font face=".VnTime">{TCVN3_SENTENCE}</font></p>',
            )
            return Response(
                200, page.encode("latin-1", errors="xmlcharrefreplace"), {"Content-Type": "text/html"}
            )
        if n == 4:  # a charset name no codec knows, on windows-1258 bytes
            page = self._article_html(n, charset="x-vn-unknown")
            return Response(200, encode_cp1258(page), {"Content-Type": "text/html; charset=x-vn-unknown"})
        # windows-1258 declared in the HTTP header
        page = self._article_html(n, charset="windows-1258")
        return Response(200, encode_cp1258(page), {"Content-Type": "text/html; charset=windows-1258"})

    def _trap(self, path: str, req: Request) -> Response:
        if path == "/lich/":  # a calendar: every day links the day before and the day after
            raw = parse_qs(req.query).get("ngay", ["2024-03-28"])[0]
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                return not_found(path)
            links = "".join(
                f'<a href="/lich/?ngay={(day + dt.timedelta(days=d)).isoformat()}">{label}</a> '
                for d, label in ((-1, "Hôm trước"), (1, "Hôm sau"))
            )
            # each day lists that day's news, so the crawler sees something new on every page
            n = 1000 + (day - dt.date(2024, 1, 1)).days
            news = f'<ul class="news"><li><a href="/tin/{n}.html">{esc(article_text(n, self.host)[0])}</a></li></ul>'
            return html_response(self._frame(f"Lịch công tác ngày {day:%d/%m/%Y}", news + links))
        if m := re.fullmatch(r"/((?:(?:vi|en)/)+)tin-tuc/", path):
            # the language switch links the current path plus the other language: /vi/en/vi/en/…
            prefix = m.group(1)
            other = "en" if prefix.endswith("vi/") else "vi"
            n = 2000 + len(prefix)
            return html_response(
                self._frame(
                    f"Tin tức ({prefix})",
                    f'<ul class="news"><li><a href="/tin/{n}.html">{esc(article_text(n, self.host)[0])}</a></li></ul>'
                    f'<a href="/{prefix}{other}/tin-tuc/">{"English" if other == "en" else "Tiếng Việt"}</a>',
                )
            )
        return not_found(path)

    # ---- the ASP.NET postback pager ------------------------------------------------------
    def viewstate(self, page: int) -> str:
        """The __VIEWSTATE this server issues with `page` (and accepts back only from it)."""
        digest = hashlib.sha1(f"{self.host}|{page}".encode()).hexdigest()[:12]
        return base64.b64encode(f"page={page}|{digest}".encode()).decode()

    def _posted_page(self, req: Request) -> int:
        """Return the page a postback asks for; page 1 when the form is not a valid postback."""
        if req.method != "POST":
            return 1
        form = {
            k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True).items()
        }
        state = form.get("__VIEWSTATE", "")
        target, argument = form.get("__EVENTTARGET", ""), form.get("__EVENTARGUMENT", "")
        current = next((p for p in range(1, self._pages() + 1) if self.viewstate(p) == state), None)
        if current is None or target != "ctl00$cph$pager" or not argument.startswith("Page$"):
            return 1  # an ASP.NET server answers a stale or forged form with the first page
        try:
            wanted = int(argument.removeprefix("Page$"))
        except ValueError:
            return 1
        return wanted if 1 <= wanted <= self._pages() else 1

    def _postback_listing(self, req: Request) -> Response:
        page = self._posted_page(req)
        pager = " ".join(
            f"<span>{p}</span>"
            if p == page
            else f"<a href=\"javascript:__doPostBack('ctl00$cph$pager','Page${p}')\">{p}</a>"
            for p in range(1, self._pages() + 1)
        )
        form = (
            '<form name="aspnetForm" method="post" action="/tin/danhsach.aspx" id="aspnetForm">'
            '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />'
            '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />'
            f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{self.viewstate(page)}" />'
            '<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="CA0B0334" />'
            f'<ul class="news">{self._links(page)}</ul><div class="pager">Trang: {pager}</div></form>'
        )
        return html_response(self._frame(f"Tin tức - trang {page}", form))


# name, host, kind: the crawler's registry entries (crawler/portals/faults.toml) use the same names
REHEARSALS: tuple[tuple[str, str, Kind], ...] = (
    ("rehearsal-slow", "cham.gov.vn.test", "slow"),
    ("rehearsal-loop", "vonglap.gov.vn.test", "loop"),
    ("rehearsal-selfsigned", "tuky.gov.vn.test", "tls-selfsigned"),
    ("rehearsal-selfsigned-refused", "tuky-tuchoi.gov.vn.test", "tls-selfsigned-refused"),
    ("rehearsal-legacy-tls", "tls-cu.gov.vn.test", "tls-legacy"),
    ("rehearsal-legacy-tls-refused", "tls-cu-tuchoi.gov.vn.test", "tls-legacy-refused"),
    ("rehearsal-trusted-tls", "tls-tot.gov.vn.test", "tls-trusted"),
    ("rehearsal-nonhtml", "tailieu.gov.vn.test", "nonhtml"),
    ("rehearsal-broken", "hong.gov.vn.test", "broken"),
    ("rehearsal-encodings", "mahoa.gov.vn.test", "encodings"),
    ("rehearsal-traps", "bay.gov.vn.test", "traps"),
    ("rehearsal-postback", "postback.gov.vn.test", "postback"),
    ("rehearsal-down", "sap.gov.vn.test", "down"),
    ("rehearsal-bench", "lon.gov.vn.test", "bench"),
)


def build_rehearsals(*, bench_articles: int = 5000) -> dict[str, RehearsalSite]:
    """Return the rehearsal sites by host."""
    out: dict[str, RehearsalSite] = {}
    for name, host, kind in REHEARSALS:
        site = RehearsalSite(name, host, kind, scheme="https" if kind.startswith("tls-") else "http")
        if kind == "postback":
            site.articles = 20
        elif kind == "bench":
            site.articles, site.page_size = bench_articles, 50
        elif kind in ("nonhtml", "encodings", "broken", "loop"):
            site.articles = 4
        out[host] = site
    return out
