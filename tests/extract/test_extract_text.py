"""Normalisation, dates and bloc names on sentences written for these tests."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from extract import blocs, dates
from extract.textnorm import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Văn hoá, Thể thao", "Văn hóa, Thể thao"),
        ("Uỷ ban nhân dân", "Ủy ban nhân dân"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("quý và hoàn thành", "quý và hoàn thành"),  # already right: untouched
        ("\u00d0ài Phát thanh", "Đài Phát thanh"),
        ("Sở\u00a0Y\u00a0tế", "Sở Y tế"),
    ],
)
def test_working_text_has_one_convention(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_nfd_text_maps_back_to_its_own_characters() -> None:
    stored = unicodedata.normalize("NFD", "Hôm nay Sở Giáo dục và Đào tạo được tặng Cờ thi đua")
    n = normalize(stored)
    start = n.text.index("Sở Giáo dục")
    s, e = n.to_orig(start, start + len("Sở Giáo dục và Đào tạo"))
    assert unicodedata.normalize("NFC", stored[s:e]) == "Sở Giáo dục và Đào tạo"
    assert len(stored) > len(n.text)


def _resolve(text: str, **kw: object) -> date | None:
    (hit,) = dates.find_event_dates(text, 0, len(text))[:1]
    return dates.resolve_year(hit, **kw)  # type: ignore[arg-type]


def test_year_end_review_in_january_belongs_to_the_new_year() -> None:
    assert _resolve("Sáng 12/1, Khối họp", published=None, period_year=2020, reviews_year=True) == date(
        2021, 1, 12
    )


def test_bare_date_takes_year_from_publication() -> None:
    assert _resolve(
        "Chiều ngày 28/12 vừa qua, Khối", published=date(2021, 1, 4), period_year=None, reviews_year=False
    ) == date(2020, 12, 28)


def test_document_dates_are_not_meeting_dates() -> None:
    text = "Thực hiện Quyết định số 15/QĐ-UBND ngày 03/02/2019 của UBND tỉnh, các đơn vị đã họp."
    assert dates.find_event_dates(text, 0, len(text)) == []


def test_percentages_and_fractions_are_not_dates() -> None:
    text = "Tỷ lệ đạt 97,5%, có 5/7 đơn vị hoàn thành."
    assert dates.find_event_dates(text, 0, len(text)) == []


@pytest.mark.parametrize(
    ("text", "name", "number"),
    [
        ("Khối thi đua số 4 tổ chức hội nghị", "Khối thi đua số 4", "4"),
        ("Hôm qua Khối thi đua số IX đã họp", "Khối thi đua số IX", "9"),
        ("Cụm thi đua số 2 gồm UBND các huyện", "Cụm thi đua số 2", "2"),
        ("Khối thi đua Kinh tế - Tổng hợp 2 tổ chức", "Khối thi đua Kinh tế - Tổng hợp 2", "2"),
        ("Cụm thi đua 5 tỉnh Tây Nguyên, gồm", "Cụm thi đua 5 tỉnh Tây Nguyên", None),
    ],
)
def test_bloc_names_and_numbers(text: str, name: str, number: str | None) -> None:
    (m,) = blocs.find_mentions(text)
    assert (m.name, m.number) == (name, number)


@pytest.mark.parametrize(
    "text",
    [
        "Đảng ủy Khối các cơ quan tỉnh tổ chức đại hội",
        "khối lượng công việc năm nay rất lớn",
        "phát huy sức mạnh khối đại đoàn kết toàn dân tộc",
        "trụ sở mới ở tầng 3, Khối 2 khu hành chính",
    ],
)
def test_false_bloc_words_are_rejected(text: str) -> None:
    assert blocs.find_mentions(text) == []
