"""Vietnamese day-first dates: the meeting date in the lead and the page's publication date.

A bare "01/3" takes its year from the article: the publication date when known (the latest such
date not more than a week after publication), else the period the meeting reviews.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# "Sáng 01/3", "Chiều ngày 25/1", "Sáng nay, 26/5/2016", "Ngày 15-10"; "Ngay" at a line's start is the
# same cue typed without its tone mark
_CUE = (
    r"(?:(?:sáng|trưa|chiều|tối|đêm)\s+(?:ngày\s+|hôm\s+|nay\s*,?\s*)?|ngày\s+|hôm\s+|^\W{0,3}(?:Ngay\s+)?"
    r"|\)\s*-\s*)"
)
# the first day of a meeting held over several ("25, 26/9/2019", "25-26/9")
_EVENT_DATE_RE = re.compile(
    rf"(?P<cue>{_CUE})\(?\s*(?P<d>\d{{1,2}})\s*(?:(?:-|,|và)\s*\d{{1,2}}\s*)?(?P<sep>[/.-])\s*(?P<m>\d{{1,2}})"
    r"(?:\s*(?P=sep)\s*(?P<y>\d{4}))?\s*\)?(?![\d%/.,]\d)",
    re.IGNORECASE | re.MULTILINE,
)
_EVENT_DATE_LONG_RE = re.compile(
    r"(?P<cue>(?:sáng|trưa|chiều|tối)?\s*)ngày\s+(?P<d>\d{1,2})(?:\s*(?:đến|-|–)\s*(?:ngày\s+)?\d{1,2})?"
    r"\s+tháng\s+(?P<m>\d{1,2})(?:\s+năm\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(
    r"(?P<cue>(?:trong\s+)?\d\s+ngày\s*)\(\s*(?P<d>\d{1,2})\s*-\s*\d{1,2}\s*/\s*(?P<m>\d{1,2})", re.I
)
# Document references and anniversaries are not the meeting: "Quyết định số 157/QĐ-UBND ngày 12/03/2020".
_NOT_EVENT_BEFORE_RE = re.compile(
    r"(số\s+\S+|QĐ-\S*|/KH\S*|/CT\S*|/NQ\S*|/HD\S*|trước đó,?)\s*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class DateHit:
    start: int
    end: int
    day: int
    month: int
    year: int | None


# a document number this close before a date ("Quyết định số 12/QĐ-UBND ngày …") makes it the
# document's date
_REFERENCE_REACH = 40


def find_event_dates(text: str, start: int, end: int) -> list[DateHit]:
    """Find meeting-date mentions ("Chiều 01/3", "Ngày (31/7)", "ngày 05 tháng 7 năm 2018")."""
    hits: list[DateHit] = []
    for rx in (_EVENT_DATE_LONG_RE, _EVENT_DATE_RE, _RANGE_RE):
        for m in rx.finditer(text, start, end):
            before = text[max(start, m.start() - _REFERENCE_REACH) : m.start()]
            if _NOT_EVENT_BEFORE_RE.search(before):
                continue
            if m.group("cue").strip() == "" and rx is _EVENT_DATE_RE and not _at_line_start(text, m.start()):
                continue
            d, mo = int(m.group("d")), int(m.group("m"))
            y = int(m.group("y")) if "y" in m.groupdict() and m.group("y") else None
            if 1 <= d <= 31 and 1 <= mo <= 12 and _valid(y, mo, d):
                hits.append(DateHit(m.start("d"), m.end(), d, mo, y))
    hits.sort(key=lambda h: h.start)
    return hits


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip(" -–(")


def _valid(y: int | None, m: int, d: int) -> bool:
    try:
        date(y or 2000, m, d)
    except ValueError:
        return False
    return True


# A year's review is held early in the next year, so a date up to this month that names the reviewed
# year itself, on a page published the next year, is a typo for the next year (see resolve_year)
_LAST_REVIEW_MONTH_TYPO = 3
# An article may be published up to this many days before the meeting it announces
_PUBLISHED_BEFORE_DAYS = 7
# A review of year Y without a page date: a meeting date up to this month (reviews run late) is in Y + 1
_LAST_REVIEW_MONTH = 6


def resolve_year(
    hit: DateHit, *, published: date | None, period_year: int | None, reviews_year: bool
) -> date | None:
    """Give a day-first date its year; `period_year` is the year the meeting reviews or plans."""
    if hit.year:
        y = hit.year
        # "tổng kết năm 2018" held "11/01/2018" and published in 2019: the year was mistyped
        # only the page date can prove a typo
        if (
            reviews_year
            and period_year
            and y == period_year
            and hit.month <= _LAST_REVIEW_MONTH_TYPO
            and published is not None
            and published.year == y + 1
        ):
            y += 1
        return date(y, hit.month, hit.day)
    if published:
        for y in (published.year, published.year - 1):
            cand = date(y, hit.month, hit.day)
            if cand <= published + timedelta(days=_PUBLISHED_BEFORE_DAYS):
                return cand
        return None
    if period_year:
        # a year-end review is held from October of its year to March of the next
        if reviews_year and hit.month <= _LAST_REVIEW_MONTH:
            return date(period_year + 1, hit.month, hit.day)
        return date(period_year, hit.month, hit.day)
    return None


def parse_iso(value: str | None) -> date | None:
    """Parse an ISO date (or datetime) string; None when absent or malformed."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_FULL_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d\d)(?!\d)")
_YEAR_WORD_RE = re.compile(r"năm\s+((?:19|20)\d\d)(?!\d)", re.IGNORECASE)


_SCHOOL_YEAR_RE = re.compile(r"năm\s+học\s+((?:19|20)\d\d)\s*[-–]\s*(?:19|20)?\d\d(?!\d)", re.IGNORECASE)
# a school year starts in August (the new year's pacts are signed from August to October)
_SCHOOL_YEAR_FIRST_MONTH = 8


def year_from_text(hit: DateHit, text: str) -> date | None:
    """Last resort for a bare "24/8" in an undated article: the latest full date it cites is the anchor
    (the meeting falls on or before it: "kỷ niệm … (10/3/1996 - 10/3/2026)" dates an August meeting to
    2025); failing that, the latest year it names ("9 tháng đầu năm 2019")."""
    school = _SCHOOL_YEAR_RE.search(text)
    if school:
        # "năm học 2019 - 2020": its autumn is in the first year, its spring in the second
        y = int(school.group(1)) + (0 if hit.month >= _SCHOOL_YEAR_FIRST_MONTH else 1)
        return date(y, hit.month, hit.day) if _valid(y, hit.month, hit.day) else None
    anchors = []
    for m in _FULL_DATE_RE.finditer(text):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _valid(y, mo, d):
            anchors.append(date(y, mo, d))
    if anchors:
        anchor = max(anchors)
        cand = date(anchor.year, hit.month, hit.day) if _valid(anchor.year, hit.month, hit.day) else None
        if cand is not None and cand > anchor:
            cand = (
                date(anchor.year - 1, hit.month, hit.day)
                if _valid(anchor.year - 1, hit.month, hit.day)
                else None
            )
        return cand
    years = [int(y) for y in _YEAR_WORD_RE.findall(text)]
    if years and _valid(max(years), hit.month, hit.day):
        return date(max(years), hit.month, hit.day)
    return None
