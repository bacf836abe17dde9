"""Parse the publication date printed on a Vietnamese portal page (portals.md §3.2).

Every format seen is day-first: ``09/01/2019``, ``18/7/2022``, ``( Cập nhật lúc: 14/06/2021  )``,
``Cập nhật:02/12/2022 9:18:04 SA``, ``03/04/2020 | 10:36 PM``, ``Thứ năm - 22/11/2018 22:00``,
``Đăng ngày 28 - 08 - 2015``, ``Bài đăng vào lúc: 16:21:00, ngày: 12/01/2022 GMT +7``,
``Thứ năm, ngày 28 tháng 3 năm 2024``, ``Cập nhật: 23-05-2021 | 14:07:31``, plus ISO
``2017-03-28T08:00:00+07:00`` from ``<time datetime>``. Times are 24h, AM/PM or SA/CH (sáng/chiều).
These functions parse whatever text they are given: choosing the element next to the title (not
the header's "today") is the caller's job.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

VN_TZ = dt.timezone(dt.timedelta(hours=7))

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
_LONG = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,|\s)\s*năm\s+(\d{4})", re.IGNORECASE)
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)(?:\s*(AM|PM|SA|CH)\b)?", re.IGNORECASE)


def _valid(y: str, m: str, d: str) -> dt.date | None:
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
    return day if 1990 <= day.year <= 2100 else None


def parse_page_timestamp(text: str) -> tuple[dt.date, dt.time | None] | None:
    """Return the first date in `text` and the clock time printed with it, if any.

    Args:
        text: the text of a date element, e.g. "Ngày đăng 18/03/2019 | 04:01 PM | Lượt xem: 536".

    Returns:
        (date, time) with a 24-hour time (None when no time is printed), or None when no date is found.
    """
    text = unicodedata.normalize("NFC", text)
    found: list[tuple[int, int, dt.date]] = []
    for pattern, order in ((_ISO, (1, 2, 3)), (_DMY, (4, 3, 1)), (_LONG, (3, 2, 1))):
        for m in pattern.finditer(text):
            y, mo, d = (m.group(i) for i in order)
            day = _valid(y, mo, d)
            if day is not None:
                found.append((m.start(), m.end(), day))
                break
    if not found:
        return None
    start, end, day = min(found)
    clock = None
    for m in _TIME.finditer(text):
        if (
            start <= m.start() < end
        ):  # the "22" of an ISO "T22:00" sits inside no date match; skip overlaps only
            continue
        hour, minute = int(m.group(1)), int(m.group(2))
        second = int(m.group(3) or 0)
        suffix = (m.group(4) or "").upper()
        if suffix in ("PM", "CH") and hour < 12:
            hour += 12
        elif suffix in ("AM", "SA") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            clock = dt.time(hour, minute, second)
            break
    return day, clock


def parse_page_date(text: str) -> dt.date | None:
    """Return the first date printed in `text` (day-first), or None."""
    stamp = parse_page_timestamp(text)
    return stamp[0] if stamp else None


def parse_page_datetime(text: str) -> dt.datetime | None:
    """Return the printed date and time as an aware datetime in Vietnam time (00:00 when no time)."""
    stamp = parse_page_timestamp(text)
    if stamp is None:
        return None
    day, clock = stamp
    return dt.datetime.combine(day, clock or dt.time(0, 0), tzinfo=VN_TZ)


# Dates CMSs write into article URLs: a path "/2019/03/26/", or a stamp "20190326" with or without the
# time after it ("d20090326041900000.htm", "-20190326.html"); ids of other lengths are not dates.
_URL_PATH_DATE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?=/)")
_URL_STAMP_DATE = re.compile(
    r"(?<![0-9])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
    r"(?:(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?\d{0,6})?(?![0-9])"
)


def date_in_url(url: str | None) -> dt.date | None:
    """The publication date a URL's path spells, or None (the host and query are not read)."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.IGNORECASE).split("?", 1)[0]
    for pattern in (_URL_PATH_DATE, _URL_STAMP_DATE):
        m = pattern.search(path)
        if m:
            day = _valid(m.group(1), m.group(2), m.group(3))
            if day is not None:
                return day
    return None
