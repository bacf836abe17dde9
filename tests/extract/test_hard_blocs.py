"""Hard cases 11–12 of the research note (§8 "Blocs"): bloc numbers and names, and false "Khối" hits.

Articles are written for these tests. A bloc is one SCHEMA.md `blocs` entry: `number` as a string of
Arabic digits whatever the article wrote ("số 5", "VII"), `name` as the article best names it and
`aliases` for the other names the same article uses. Names are compared by `extract.lexicon.ukey`.
"""

from __future__ import annotations

import pytest

from extract.api import extract_article
from extract.lexicon import ukey


def _article(title: str, *paragraphs: str) -> str:
    return "\n\n".join([title, *paragraphs]) + "\n"


def _blocs(text: str, published: str = "2024-01-20") -> list[dict]:  # type: ignore[type-arg]
    return extract_article(doc_id="hard-blocs", text=text, published=published).to_schema()["blocs"]


# hard case 11: number formats, named blocs, aliases ---------------------------------------------
CASE11_NUMBERED = [
    pytest.param(
        _article(
            "Khối thi đua số 5 tổng kết công tác thi đua năm 2023",
            "Chiều 16/01, Khối thi đua số 5 tỉnh Quảng Trị tổ chức hội nghị tổng kết công tác thi đua, khen "
            "thưởng năm 2023.",
        ),
        "5",
        id="so-arabic",
    ),
    pytest.param(
        _article(
            "Khối VII tổng kết công tác thi đua năm 2023",
            "Sáng 12/01, các đơn vị thuộc Khối thi đua VII tỉnh Thanh Hóa đã tổ chức hội nghị tổng kết công "
            "tác thi đua năm 2023 và triển khai nhiệm vụ năm 2024.",
        ),
        "7",
        id="roman",
    ),
    pytest.param(
        _article(
            "Cụm thi đua số 2 ký giao ước thi đua, phấn đấu hoàn thành nhiệm vụ năm 2024",
            "Ngày 17/01, tại thị xã Hương Thủy, Cụm thi đua số 2 tổ chức hội nghị ký kết giao ước thi đua "
            "năm 2024.",
        ),
        "2",
        id="cum-so",
    ),
    pytest.param(
        _article(
            "Khối Thi đua 9 sơ kết 6 tháng đầu năm",
            "Chiều 18/01, Khối Thi đua 9 tỉnh Nghệ An tổ chức hội nghị sơ kết công tác thi đua.",
        ),
        "9",
        id="no-so-capital-T",
    ),
    pytest.param(
        _article(
            "Khối thi đua số XII tổng kết năm 2023",
            "Chiều 15/01, Khối thi đua số XII tỉnh Nghệ An tổ chức hội nghị tổng kết công tác thi đua năm "
            "2023.",
        ),
        "12",
        id="roman-twelve",
    ),
]


@pytest.mark.parametrize(("text", "number"), CASE11_NUMBERED)
def test_case11_bloc_numbers_arabic_and_roman(text: str, number: str) -> None:
    blocs = _blocs(text)
    assert [b["number"] for b in blocs] == [number]


CASE11_NAMED = [
    pytest.param(
        _article(
            "Khối thi đua các cơ quan tham mưu tổng hợp tổng kết năm 2023",
            "Sáng 10/01, Khối thi đua các cơ quan tham mưu tổng hợp tỉnh Lạng Sơn tổ chức hội nghị tổng kết "
            "công tác thi đua năm 2023.",
        ),
        "Khối thi đua các cơ quan tham mưu tổng hợp",
        id="advisory-bodies",
    ),
    pytest.param(
        _article(
            "Cụm thi đua các huyện, thị xã phía Nam tổng kết năm 2023",
            "Chiều 11/01, Cụm thi đua các huyện, thị xã phía Nam tỉnh Nghệ An tổ chức hội nghị tổng kết công "
            "tác thi đua năm 2023.",
        ),
        "Cụm thi đua các huyện, thị xã phía Nam",
        id="southern-districts",
    ),
    pytest.param(
        _article(
            "Khối Mặt trận và các đoàn thể tỉnh ký kết giao ước thi đua năm 2024",
            "Sáng 02/02, Khối Mặt trận và các đoàn thể tỉnh Yên Bái tổ chức ký kết giao ước thi đua năm "
            "2024.",
        ),
        "Khối Mặt trận và các đoàn thể tỉnh",
        id="front-and-mass-organisations",
    ),
]


@pytest.mark.parametrize(("text", "name"), CASE11_NAMED)
def test_case11_named_blocs_have_no_number(text: str, name: str) -> None:
    blocs = _blocs(text)
    assert len(blocs) == 1, blocs
    assert blocs[0]["number"] is None
    names = {ukey(blocs[0]["name"]), *(ukey(a) for a in blocs[0]["aliases"])}
    assert ukey(name) in names


def test_case11_one_bloc_under_several_names() -> None:
    text = _article(
        "Khối thi đua số 4 tổng kết năm 2023",
        "Chiều 19/01, Khối thi đua số 4 (Khối Kinh tế – Tổng hợp) tỉnh Thái Nguyên tổ chức hội nghị tổng kết "
        "công tác thi đua năm 2023.",
        "Năm qua, các đơn vị trong Khối đã hoàn thành tốt nhiệm vụ. Khối 4 có 7/8 đơn vị hoàn thành xuất sắc "
        "nhiệm vụ; toàn Khối thu ngân sách đạt 112% dự toán.",
    )
    blocs = _blocs(text)
    assert len(blocs) == 1, blocs
    assert blocs[0]["number"] == "4"
    names = {ukey(blocs[0]["name"]), *(ukey(a) for a in blocs[0]["aliases"])}
    assert ukey("Khối Kinh tế – Tổng hợp") in names


def test_case11_arabic_and_roman_forms_are_the_same_bloc() -> None:
    text = _article(
        "Khối thi đua số 2 tổng kết năm 2023",
        "Sáng 09/01, Khối thi đua số 2 tỉnh Nam Định tổ chức hội nghị tổng kết công tác thi đua năm 2023.",
        "Phát biểu tại hội nghị, đại diện Ban Thi đua - Khen thưởng tỉnh ghi nhận Khối II là một trong những "
        "khối dẫn đầu phong trào thi đua của tỉnh.",
    )
    blocs = _blocs(text)
    assert [b["number"] for b in blocs] == ["2"]


# hard case 12: false "Khối" hits ---------------------------------------------------------------
CASE12_NO_BLOC = [
    pytest.param(
        _article(
            "Đảng ủy Khối các cơ quan tỉnh sơ kết 6 tháng đầu năm 2023",
            "Chiều 14/7, Đảng ủy Khối các cơ quan tỉnh Quảng Trị tổ chức hội nghị sơ kết công tác xây dựng "
            "Đảng 6 tháng đầu năm 2023.",
        ),
        id="party-committee",
    ),
    pytest.param(
        _article(
            "Đoàn Khối Cơ quan và Doanh nghiệp tỉnh phát động phong trào thi đua",
            "Sáng 26/3, Đoàn Khối Cơ quan và Doanh nghiệp tỉnh Hà Nam phát động phong trào thi đua chào mừng "
            "Đại hội Đoàn các cấp.",
        ),
        id="youth-union-of-the-agencies",
    ),
    pytest.param(
        _article(
            "Mặt trận Tổ quốc tỉnh tổng kết năm 2023",
            "Ngày 08/01, Ủy ban MTTQ Việt Nam tỉnh Bắc Kạn tổng kết công tác năm 2023, tiếp tục phát huy sức "
            "mạnh khối đại đoàn kết toàn dân tộc. Khối lượng công việc năm 2024 rất lớn.",
        ),
        id="great-unity-and-workload",
    ),
    pytest.param(
        _article(
            "Bệnh viện Đa khoa tỉnh phẫu thuật thành công ca bệnh hiếm",
            "Các bác sĩ đã phẫu thuật cắt bỏ khối u nặng 3 kg cho một bệnh nhân 62 tuổi. Khoa Ngoại nằm tại "
            "tầng 3, Khối 2 của bệnh viện.",
        ),
        id="tumour-and-building-block",
    ),
]


@pytest.mark.parametrize("text", CASE12_NO_BLOC)
def test_case12_false_khoi_hits_are_not_blocs(text: str) -> None:
    assert _blocs(text) == []


def test_case12_false_hits_next_to_a_real_bloc() -> None:
    text = _article(
        "Khối thi đua số 3 tổng kết năm 2023",
        "Chiều 17/01, Khối thi đua số 3 tỉnh Hà Nam gồm Đảng ủy Khối các cơ quan tỉnh, Đoàn Khối Cơ quan và "
        "Doanh nghiệp tỉnh, Công an tỉnh và Bộ Chỉ huy Quân sự tỉnh tổ chức hội nghị tổng kết năm 2023.",
        "Dù khối lượng công việc lớn, các đơn vị đã hoàn thành tốt nhiệm vụ. Năm qua, Bộ Chỉ huy Quân sự "
        "tỉnh còn dẫn đầu Khối thi đua số 5 của Quân khu 3.",
    )
    blocs = _blocs(text)
    assert [b["number"] for b in blocs] == ["3"]
    rec = extract_article(doc_id="hard-blocs", text=text, published="2024-01-18").to_schema()
    members = {ukey(m) for m in rec["members"]}
    assert ukey("Đảng ủy Khối các cơ quan tỉnh") in members  # a unit, though not a bloc
