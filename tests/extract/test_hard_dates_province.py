"""Hard cases 20–22 of the research note (§8 "Dates and province"): meeting date, publication date, province.

Articles and pages are written for these tests. Dates are day-first; a bare "14/3" takes its year from
the article (publication date, or the period a review covers); look-alikes ("6/9 đơn vị", "96,5%",
anniversaries, document references) are not the meeting. The publication date comes from the page's
own date line, never from a header printing today's date. The province comes from the text or the URL
host, and is null for a cluster of several provinces.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extract.api import extract_article
from extract.clean import clean_html
from extract.pagedate import parse_page_date


def _article(title: str, *paragraphs: str) -> str:
    return "\n\n".join([title, *paragraphs]) + "\n"


def _record(text: str, *, published: str | None = None, url: str | None = None) -> dict:  # type: ignore[type-arg]
    return extract_article(doc_id="hard-dates", text=text, published=published, url=url).to_schema()


# hard case 20: meeting-date forms and things that only look like dates -----------------------------
CASE20 = [
    pytest.param(
        "Khối thi đua số 2 sơ kết quý I năm 2021",
        "Chiều 14/3, Khối thi đua số 2 tỉnh Đồng Tháp tổ chức hội nghị sơ kết công tác thi đua quý I.",
        "2021-03-16",
        "2021-03-14",
        id="chieu-d/m",
    ),
    pytest.param(
        "Cụm thi đua số 4 sơ kết 6 tháng đầu năm 2020",
        "Ngày (22/7), Cụm thi đua số 4 tỉnh An Giang tổ chức hội nghị sơ kết 6 tháng đầu năm 2020.",
        "2020-07-24",
        "2020-07-22",
        id="ngay-(d/m)",
    ),
    pytest.param(
        "Khối thi đua số 6 tổng kết năm 2019",
        "Sáng ngày (08/12), Khối thi đua số 6 tỉnh Trà Vinh tổ chức hội nghị tổng kết công tác thi đua năm "
        "2019.",
        "2019-12-10",
        "2019-12-08",
        id="sang-ngay-(dd/mm)",
    ),
    pytest.param(
        "Khối thi đua số 1 ký kết giao ước thi đua năm 2024",
        "Ngày 26/2/2024, Khối thi đua số 1 tỉnh Hậu Giang tổ chức ký kết giao ước thi đua năm 2024.",
        "2024-02-27",
        "2024-02-26",
        id="full-d/m/yyyy",
    ),
    pytest.param(
        "Khối thi đua số 3 triển khai nhiệm vụ năm 2023",
        "Sáng ngày 09 tháng 02 năm 2023, Khối thi đua số 3 tỉnh Sóc Trăng tổ chức hội nghị triển khai nhiệm "
        "vụ năm 2023.",
        "2023-02-10",
        "2023-02-09",
        id="ngay-d-thang-m-nam-y",
    ),
]


@pytest.mark.parametrize(("title", "lead", "published", "expected"), CASE20)
def test_case20_meeting_date_forms(title: str, lead: str, published: str, expected: str) -> None:
    assert _record(_article(title, lead), published=published)["event_date"] == expected


@pytest.mark.parametrize(
    ("title", "lead", "published", "expected"),
    [
        pytest.param(
            "Khối thi đua số 5 tổng kết năm 2021",
            "Sáng 18/1, Khối thi đua số 5 tỉnh Bạc Liêu tổ chức hội nghị tổng kết công tác thi đua năm 2021.",
            "2022-01-20",
            "2022-01-18",
            id="january-review-of-last-year",
        ),
        pytest.param(
            "Khối thi đua số 8 tổng kết năm 2022",
            "Chiều 28/12 vừa qua, Khối thi đua số 8 tỉnh Cà Mau tổ chức hội nghị tổng kết công tác thi đua "
            "năm 2022.",
            "2023-01-04",
            "2022-12-28",
            id="late-december-published-in-january",
        ),
        pytest.param(
            "Khối thi đua số 8 tổng kết năm 2017",
            "Chiều 09/01, Khối thi đua số 8 tỉnh Long An tổ chức hội nghị tổng kết công tác thi đua năm "
            "2017.",
            None,
            "2018-01-09",
            id="no-publication-date-review-held-next-january",
        ),
    ],
)
def test_case20_year_of_a_bare_day_and_month(
    title: str, lead: str, published: str | None, expected: str
) -> None:
    assert _record(_article(title, lead), published=published)["event_date"] == expected


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        pytest.param(
            "Nhân kỷ niệm 25 năm thành lập (01/01/1997-01/01/2022), chiều 15/01, Khối thi đua số 2 tỉnh Kiên "
            "Giang tổ chức hội nghị tổng kết công tác thi đua năm 2021.",
            "2022-01-15",
            id="anniversary-before-the-date",
        ),
        pytest.param(
            "Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2022 của UBND tỉnh, chiều 25/01, Khối thi đua số 2 "
            "tỉnh Kiên Giang tổ chức hội nghị tổng kết công tác thi đua năm 2021.",
            "2022-01-25",
            id="document-reference-before-the-date",
        ),
        pytest.param(
            "Năm 2021, Khối thi đua số 2 tỉnh Kiên Giang có 6/9 đơn vị hoàn thành xuất sắc nhiệm vụ, tỷ lệ "
            "giải quyết hồ sơ đúng hạn đạt 98,5%.",
            None,
            id="fractions-and-percentages-only",
        ),
    ],
)
def test_case20_things_that_look_like_dates(lead: str, expected: str | None) -> None:
    text = _article("Khối thi đua số 2 tổng kết năm 2021", lead)
    assert _record(text, published="2022-01-27")["event_date"] == expected


def test_case20_earlier_event_in_the_body_is_not_the_meeting() -> None:
    text = _article(
        "Khối thi đua số 2 tổng kết năm 2021",
        "Chiều 20/1, Khối thi đua số 2 tỉnh Kiên Giang tổ chức hội nghị tổng kết công tác thi đua năm 2021.",
        "Trước đó, ngày 28 tháng 12 năm 2021, các đơn vị trong Khối đã tổ chức chấm điểm chéo.",
    )
    assert _record(text, published="2022-01-21")["event_date"] == "2022-01-20"


# hard case 21: publication-date forms --------------------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("15/11/2021, 09:40 AM", dt.date(2021, 11, 15)),
        ("Thứ Sáu, 07/04/2023 16:05", dt.date(2023, 4, 7)),
        ("Cập nhật lúc 08:20 ngày 21/06/2019", dt.date(2019, 6, 21)),
        ("Ngày đăng: 3/9/2020", dt.date(2020, 9, 3)),
        ("Thứ hai, ngày 5 tháng 2 năm 2024", dt.date(2024, 2, 5)),
    ],
)
def test_case21_printed_publication_dates_are_day_first(printed: str, expected: dt.date) -> None:
    assert parse_page_date(printed) == expected


def test_case21_date_line_in_the_stored_text_gives_the_publication_date() -> None:
    text = _article(
        "Khối thi đua số 2 tổng kết năm 2021",
        "Thứ Sáu, 14/01/2022 08:45",
        "Chiều 13/01, Khối thi đua số 2 tỉnh Tây Ninh tổ chức hội nghị tổng kết công tác thi đua năm 2021.",
    )
    rec = _record(text)
    assert (rec["published"], rec["event_date"]) == ("2022-01-14", "2022-01-13")


_PAGE = """<html><head><meta charset="utf-8"><title>Cổng thông tin điện tử tỉnh</title></head><body>
<div class="top-bar"><span class="today">{today}</span> | <a href="/">Trang chủ</a></div>
<div class="main">
<h1 class="title">Khối thi đua số 2 tổng kết công tác thi đua năm 2021</h1>
<div class="meta">{dateline}</div>
<div class="content">
<p>Chiều 13/01, Khối thi đua số 2 tỉnh Tây Ninh tổ chức hội nghị tổng kết công tác thi đua, khen thưởng năm
2021 và triển khai nhiệm vụ năm 2022. Khối gồm Sở Nội vụ, Sở Tư pháp, Thanh tra tỉnh và Báo Tây Ninh.</p>
<p>Năm 2021, các đơn vị trong Khối đã hoàn thành tốt nhiệm vụ chính trị được giao, thực hiện nghiêm các
quy định về phòng, chống dịch COVID-19 và đẩy mạnh cải cách hành chính.</p>
</div></div></body></html>"""


@pytest.mark.parametrize(
    ("today", "dateline"),
    [
        ("Thứ Năm, ngày 26 tháng 3 năm 2026", "Cập nhật lúc 08:45 ngày 14/01/2022"),
        ("Hôm nay: 26/03/2026", "Thứ Sáu, 14/01/2022 08:45"),
    ],
)
def test_case21_page_date_line_wins_over_the_header_showing_today(today: str, dateline: str) -> None:
    page = _PAGE.format(today=today, dateline=dateline)
    art = clean_html(page, "https://www.tayninh.gov.vn/tin-tuc/khoi-thi-dua-so-2-tong-ket-2021")
    assert art.published == dt.date(2022, 1, 14)


# hard case 22: province clues ---------------------------------------------------------------------
_NO_PROVINCE_LEAD = (
    "Chiều 12/01, Khối thi đua số 4 gồm Sở Nội vụ, Sở Tư pháp và Thanh tra tỉnh tổ chức hội nghị tổng kết "
    "công tác thi đua năm 2022."
)


@pytest.mark.parametrize(
    ("lead", "url", "expected"),
    [
        pytest.param(
            "Chiều 12/01, Khối thi đua số 4 tỉnh Quảng Trị tổ chức hội nghị tổng kết công tác thi đua năm "
            "2022.",
            None,
            "Quảng Trị",
            id="from-text",
        ),
        pytest.param(
            _NO_PROVINCE_LEAD,
            "https://thanhhoa.gov.vn/portal/Pages/khoi-thi-dua-so-4.aspx",
            "Thanh Hóa",
            id="from-url-host",
        ),
        pytest.param(
            _NO_PROVINCE_LEAD,
            "https://snv-kontum.gov.vn/tin-tuc/khoi-thi-dua-so-4-tong-ket",
            "Kon Tum",
            id="from-hyphenated-url-host",
        ),
        pytest.param(
            "Chiều 12/01, Sở Nội vụ tỉnh Khánh Hoà (Khối trưởng) chủ trì hội nghị tổng kết công tác thi đua "
            "năm 2022 của Khối thi đua số 4.",
            None,
            "Khánh Hòa",
            id="old-tone-spelling",
        ),
        pytest.param(
            "Chiều 12/01, Khối thi đua số 4 gồm Sở Nội vụ, Thanh tra tỉnh, Báo Phú Yên và Đài Phát thanh - "
            "Truyền hình Phú Yên tổ chức hội nghị tổng kết công tác thi đua năm 2022.",
            None,
            "Phú Yên",
            id="from-unit-names",
        ),
    ],
)
def test_case22_province_from_text_or_url(lead: str, url: str | None, expected: str) -> None:
    text = _article("Khối thi đua số 4 tổng kết năm 2022", lead)
    assert _record(text, published="2023-01-13", url=url)["province"] == expected


def test_case22_province_as_named_at_the_time() -> None:
    text = _article(
        "Khối thi đua số 4 tổng kết năm 2019",
        "Chiều 10/01, Ban Tổ chức Tỉnh ủy Hà Giang (Khối trưởng) chủ trì hội nghị tổng kết công tác thi đua "
        "năm 2019 của Khối thi đua số 4.",
    )
    assert _record(text, published="2020-01-11")["province"] == "Hà Giang"  # not "Tuyên Quang" (2025)


@pytest.mark.parametrize(
    "lead",
    [
        pytest.param(
            "Ngày 20/01, tại thành phố Pleiku, Cụm thi đua các tỉnh Tây Nguyên gồm 5 tỉnh: Kon Tum, Gia "
            "Lai, Đắk Lắk, Đắk Nông và Lâm Đồng tổ chức hội nghị tổng kết công tác thi đua năm 2022.",
            id="cluster-of-provinces",
        ),
        pytest.param(
            "Chiều 17/01, Cụm thi đua số 4 gồm Bảo hiểm xã hội các tỉnh: Sơn La, Điện Biên, Lai Châu và Hà "
            "Giang tổ chức hội nghị tổng kết công tác thi đua năm 2022 tại tỉnh Sơn La.",
            id="cluster-of-provincial-offices",
        ),
    ],
)
def test_case22_multi_province_cluster_has_no_province(lead: str) -> None:
    text = _article("Cụm thi đua tổng kết công tác thi đua năm 2022", lead)
    assert _record(text, published="2023-01-21")["province"] is None
