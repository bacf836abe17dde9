"""Member-list mechanisms added for issue 7, each on sentences written for these tests."""

from __future__ import annotations

from typing import Any

from extract.api import extract_article
from extract.lexicon import ukey


def _record(*paragraphs: str, published: str | None = "2024-03-02") -> dict[str, Any]:
    text = "\n\n".join(paragraphs) + "\n"
    return extract_article(doc_id="t", text=text, published=published).to_schema()


def _keys(names: list[Any]) -> set[str]:
    return {ukey(n) for n in names}


def test_open_class_item_keeps_lowercase_words_after_a_comma() -> None:
    # a name not in any table with a comma inside: the list cuts only where a unit begins
    rec = _record(
        "Ngày 4/3, Cụm thi đua số 2 gồm 4 đơn vị: Trung tâm Quan trắc đất, nước và không khí, "
        "Trung tâm Dịch vụ việc làm, Trung tâm Bảo trợ người cao tuổi và trẻ mồ côi, "
        "Trung tâm Lưu trữ lịch sử tổ chức hội nghị tổng kết năm 2023."
    )
    assert _keys(rec["members"]) == _keys(
        [
            "Trung tâm Quan trắc đất, nước và không khí",
            "Trung tâm Dịch vụ việc làm",
            "Trung tâm Bảo trợ người cao tuổi và trẻ mồ côi",
            "Trung tâm Lưu trữ lịch sử",
        ]
    )


def test_first_item_type_carries_to_bare_department_names() -> None:
    # "Sở A, B, C": the type of the first item is understood for the names after it
    rec = _record(
        "Ngày 4/3, Khối thi đua Kinh tế gồm 6 đơn vị: Sở Tài chính, Xây dựng, Khoa học và Công nghệ, "
        "Văn hóa, Thể thao và Du lịch, Ban Quản lý Khu kinh tế tỉnh và Quỹ Đầu tư phát triển tỉnh "
        "tổ chức hội nghị tổng kết năm 2023."
    )
    assert _keys(
        [
            "Sở Tài chính",
            "Sở Xây dựng",
            "Sở Khoa học và Công nghệ",
            "Sở Văn hóa, Thể thao và Du lịch",
        ]
    ) <= _keys(rec["members"])


def test_repeated_type_word_after_the_head_shares_the_head() -> None:
    # "Trường THPT A, THPT B": the second item repeats the type word and borrows "Trường"
    rec = _record(
        "Sáng 8/10, Cụm thi đua số 3 gồm các đơn vị: Trường THPT Lê Lợi, THPT Nguyễn Du, "
        "THPT Trần Phú và Trường Phổ thông Dân tộc nội trú tỉnh ký kết giao ước thi đua năm học 2024-2025."
    )
    assert _keys(
        [
            "Trường Trung học phổ thông Lê Lợi",
            "Trường Trung học phổ thông Nguyễn Du",
            "Trường Trung học phổ thông Trần Phú",
        ]
    ) <= _keys(rec["members"])


def test_branch_campus_is_a_unit_head() -> None:
    rec = _record(
        "Ngày 4/3, Khối thi đua các trường gồm: Trường Cao đẳng Y tế và Phân hiệu Trường Đại học "
        "Lâm nghiệp tại tỉnh tổ chức hội nghị tổng kết năm 2023."
    )
    assert _keys(["Trường Cao đẳng Y tế", "Phân hiệu Trường Đại học Lâm nghiệp tại tỉnh"]) <= _keys(
        rec["members"]
    )
