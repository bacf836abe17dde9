"""ProgressReporter: what the CLI shows while a crawl runs."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

from crawler.extensions import ProgressReporter, progress_line


def test_progress_goes_to_the_callback(make_crawler: Any) -> None:
    lines: list[str] = []
    crawler = make_crawler({"THIDUA_PROGRESS_CALLBACK": lines.append})
    ext = build_from_crawler(ProgressReporter, crawler)
    for key, value in {
        "response_received_count": 41,
        "thidua/articles_found": 12,
        "thidua/articles_bloc": 7,
        "thidua/articles_duplicate": 5,
        "thidua/failures/fetch": 2,
        "thidua/failures/clean": 1,
    }.items():
        crawler.stats.set_value(key, value)
    ext.report()
    assert lines == ["41 pages fetched, 12 new articles, 7 bloc news kept, 5 duplicates, 3 failures"]


def test_progress_line_of_an_empty_crawl() -> None:
    assert progress_line({}) == "0 pages fetched, 0 new articles, 0 bloc news kept, 0 duplicates, 0 failures"


def test_progress_is_logged_without_a_callback(make_crawler: Any, caplog: pytest.LogCaptureFixture) -> None:
    ext = build_from_crawler(ProgressReporter, make_crawler())
    with caplog.at_level("INFO", logger="crawler.extensions"):
        ext.report()
    assert "0 pages fetched" in caplog.text


@pytest.mark.parametrize(
    "settings", [{"THIDUA_PROGRESS_INTERVAL": 0}, {"THIDUA_PROGRESS_CALLBACK": "not callable"}]
)
def test_progress_reporter_can_be_switched_off(make_crawler: Any, settings: dict[str, Any]) -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(ProgressReporter, make_crawler(settings))
