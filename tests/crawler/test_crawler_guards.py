"""The fault guards one by one: traps, redirect loops, non-HTML bodies, TLS reasons, backoff plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from OpenSSL import SSL
from scrapy import Request
from scrapy.exceptions import DownloadFailedError
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler

from crawler.backoff import Plan, Streak, plan_for, streaks_from_reports
from crawler.bodies import not_html_reason
from crawler.redirects import RedirectLoop, RedirectLoopMiddleware, TooManyRedirects
from crawler.registry import PortalEntry
from crawler.tls import describe_tls_failure
from crawler.traps import CrawlTrap, TrapGuard, TrapGuardMiddleware, TrapLimits, date_shape

NOW = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC)


# ---- traps -----------------------------------------------------------------------------------
def test_a_calendar_is_cut_after_its_quota_of_dates() -> None:
    guard = TrapGuard(TrapLimits(max_dates=3))
    urls = [f"http://x.test/lich/?ngay=2024-03-{d:02d}" for d in range(10, 15)]
    verdicts = [guard.check(u, 1) for u in urls]
    assert verdicts[:3] == [None, None, None]
    assert all(v and "a calendar without end" in v for v in verdicts[3:])
    assert guard.check(urls[0], 1) is None  # a date already let through stays allowed


def test_date_shapes_keep_what_is_not_a_date() -> None:
    assert date_shape("http://x.test/lich/?ngay=2024-03-20") == "x.test/lich/?ngay=<date>"
    assert date_shape("http://x.test/tin?thang=3&nam=2024") == "x.test/tin?thang=<n>&nam=<n>"
    # one article per id under a dated path: different shapes, no quota shared between articles
    assert date_shape("http://x.test/2017/07/123.aspx") != date_shape("http://x.test/2017/07/124.aspx")
    assert date_shape("http://x.test/tin/123.html?page=2") is None


def test_nesting_segments_depth_and_length_are_traps() -> None:
    guard = TrapGuard(TrapLimits(max_depth=25))
    assert guard.check("http://x.test/vi/en/vi/en/tin-tuc/", 3) is None
    assert "repeated 3 times" in (guard.check("http://x.test/vi/en/vi/en/vi/tin-tuc/", 3) or "")
    assert "26 links deep" in (guard.check("http://x.test/tin/1.html", 26) or "")
    assert "characters" in (guard.check("http://x.test/" + "a" * 600, 1) or "")
    assert "path segments" in (guard.check("http://x.test/" + "/".join(f"s{i}" for i in range(13)), 1) or "")


def test_a_path_without_a_repeated_segment_counts_its_first_segment_once() -> None:
    strict = TrapGuard(TrapLimits(max_segment_repeats=1))
    assert "path segment 'tin' repeated 1 times" in (strict.check("http://x.test/tin/1.html", 1) or "")
    assert "path segment 'b' repeated 2 times" in (strict.check("http://x.test/a/b/b/", 1) or "")


def test_the_trap_middleware_raises_a_recorded_exception() -> None:
    crawler = get_crawler(settings_dict={"THIDUA_CRAWL_MAX_DEPTH": 2})
    mw = TrapGuardMiddleware.from_crawler(crawler)
    assert mw.process_request(Request("http://x.test/a", meta={"thidua_portal": "p", "depth": 2})) is None
    with pytest.raises(CrawlTrap, match="3 links deep"):
        mw.process_request(Request("http://x.test/b", meta={"thidua_portal": "p", "depth": 3}))


# ---- redirects -------------------------------------------------------------------------------
def _redirect(url: str, location: str, chain: list[str]) -> tuple[Request, Response]:
    req = Request(url, meta={"redirect_urls": chain} if chain else {})
    return req, Response(url, status=302, headers={"Location": location}, request=req)


def test_a_redirect_back_into_its_chain_is_a_loop() -> None:
    mw = RedirectLoopMiddleware(get_crawler(), max_hops=10)
    req, resp = _redirect("http://x.test/b", "/a", ["http://x.test/a"])
    with pytest.raises(RedirectLoop, match=r"http://x.test/a -> http://x.test/b -> http://x.test/a"):
        mw.process_response(req, resp)
    req, resp = _redirect("http://x.test/a", "/b", [])
    assert mw.process_response(req, resp) is resp


def test_a_chain_longer_than_the_limit_is_given_up() -> None:
    mw = RedirectLoopMiddleware(get_crawler(), max_hops=3)
    chain = [f"http://x.test/p?r={i}" for i in range(3)]
    req, resp = _redirect("http://x.test/p?r=3", "/p?r=4", chain)
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        mw.process_response(req, resp)


# ---- bodies ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ctype", "body", "skipped"),
    [
        ("text/html; charset=utf-8", b"<p>x</p>", False),
        ("application/xhtml+xml", b"<html/>", False),
        ("application/octet-stream", b"<!DOCTYPE html><html><body>x</body></html>", False),
        ("application/octet-stream", b"%PDF-1.4 binary", True),
        ("application/pdf", b"%PDF-1.4", True),
        ("image/jpeg", b"\xff\xd8\xff", True),
        ("text/plain", b"just words", True),
    ],
)
def test_non_html_bodies_are_told_apart(ctype: str, body: bytes, skipped: bool) -> None:
    cls: type[Response] = TextResponse if ctype.startswith("text/") else Response
    resp = cls("http://x.test/tin/1.html", body=body, headers={"Content-Type": ctype})
    reason = not_html_reason(resp)
    assert (reason is not None) is skipped
    if reason:
        assert reason.startswith(f"skipped: {ctype} body of {len(body)} bytes")


def test_an_html_response_without_content_type_is_html() -> None:
    assert not_html_reason(HtmlResponse("http://x.test/", body=b"<a href=x>y</a>")) is None


# ---- TLS reasons -----------------------------------------------------------------------------
def test_tls_failures_name_the_registry_flag_that_would_help() -> None:
    cause = SSL.Error([("SSL routines", "", "certificate verify failed")])
    try:
        try:
            raise cause
        except SSL.Error as e:
            raise DownloadFailedError(str([e])) from e
    except DownloadFailedError as exc:
        text = describe_tls_failure(exc, "tinh-x")
    assert text is not None and "certificate verify failed" in text
    assert "set tls_verify = false in the registry entry of tinh-x" in text
    old = DownloadFailedError("[<Failure OpenSSL.SSL.Error: [('SSL routines', '', 'unsupported protocol')]>]")
    assert "set tls_legacy = true" in (describe_tls_failure(old, None) or "")
    assert describe_tls_failure(TimeoutError("slow"), "tinh-x") is None


def test_a_tls_flag_needs_a_note_saying_why() -> None:
    base: dict[str, Any] = {
        "name": "tinh-x",
        "province": "Hà Giang",
        "family": "custom",
        "hosts": ["x.gov.vn"],
        "start_urls": ["https://x.gov.vn/"],
    }
    with pytest.raises(ValueError, match="needs notes"):
        PortalEntry.model_validate({**base, "tls_verify": False})
    entry = PortalEntry.model_validate({**base, "tls_legacy": True, "notes": "TLS 1.0 only; checked 2026-12"})
    assert entry.tls_legacy and entry.tls_verify
    with pytest.raises(ValueError, match="set mock = true"):
        PortalEntry.model_validate({**base, "fault": True})


# ---- backoff ---------------------------------------------------------------------------------
def _run(hours_ago: float, **portals: dict[str, Any]) -> tuple[dt.datetime, dict[str, object]]:
    return NOW - dt.timedelta(hours=hours_ago), dict(portals)


def test_streaks_count_failed_crawls_in_a_row_and_ignore_skips() -> None:
    runs = [  # newest first
        _run(1, a={"failed": False, "backoff": {"action": "skip"}}, b={"failed": False}),
        _run(25, a={"failed": True}, b={"failed": True}),
        _run(49, a={"failed": True}, c={"failed": True}),
        _run(73, a={"failed": False}, b={"failed": True}),
    ]
    got = streaks_from_reports(runs, ["a", "b", "c", "d"])
    assert got["a"] == Streak(2, NOW - dt.timedelta(hours=25))
    assert got["b"] == Streak(0, None)  # answered in the newest run: the streak is over
    assert got["c"] == Streak(1, NOW - dt.timedelta(hours=49))
    assert got["d"] == Streak(0, None)


def test_a_backed_off_portal_is_skipped_then_probed_with_doubling_waits() -> None:
    last = NOW - dt.timedelta(hours=30)
    assert plan_for(Streak(1, last), now=NOW, after=2, hours=24).action == "crawl"
    assert plan_for(Streak(2, last), now=NOW, after=2, hours=24).action == "probe"  # 24 h passed
    skip = plan_for(Streak(3, last), now=NOW, after=2, hours=24)  # 48 h wait
    assert skip == Plan("skip", 3, last + dt.timedelta(hours=48))
    capped = plan_for(Streak(20, NOW), now=NOW, after=2, hours=24)
    assert capped.next_probe == NOW + dt.timedelta(days=7)
    assert plan_for(Streak(20, last), now=NOW, after=0, hours=24).action == "crawl"  # switched off
