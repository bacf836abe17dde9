"""Every role and award fact names the mechanism that found its unit (issue 7, item 6), so that
`thidua eval DIR --by-rule` shows each mechanism's precision. Sentences are written for this project.
"""

from __future__ import annotations

import pytest

from extract.api import extract_article
from extract.record import Record

HEAD = (
    "Khối thi đua số 5 tổng kết công tác thi đua năm 2024\n"
    "Ngày 10/1/2025, Khối thi đua số 5 tổ chức hội nghị tổng kết công tác thi đua năm 2024.\n"
)


def _record(sentence: str) -> Record:
    return extract_article(doc_id="t", text=HEAD + sentence + "\n")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Sở Tư pháp – Khối trưởng năm 2024 phát biểu.", [("Sở Tư pháp", "unit_before")]),
        ("Sở Tư pháp – (Khối trưởng) phát biểu.", [("Sở Tư pháp", "unit_before_punct")]),
        ("Hội nghị thống nhất Sở Tư pháp là Khối trưởng năm 2025.", [("Sở Tư pháp", "unit_takes_role")]),
        (
            "Giám đốc Sở Tư pháp Nguyễn Văn An – Khối trưởng phát biểu khai mạc.",
            [("Sở Tư pháp", "person_between")],
        ),
        ("Với vai trò Khối phó năm 2024, Sở Nội vụ đã phối hợp tốt.", [("Sở Nội vụ", "in_capacity")]),
        ("Khối trưởng năm 2025 là Sở Xây dựng.", [("Sở Xây dựng", "cue_then_unit")]),
        (
            "Hội nghị bàn giao nhiệm vụ Khối trưởng năm 2025 cho Sở Công Thương.",
            [("Sở Công Thương", "given_to")],
        ),
        (
            "Hội nghị bàn giao đơn vị Khối trưởng năm 2025 từ Sở Tư pháp cho Sở Công Thương.",
            [("Sở Tư pháp", "handed_from"), ("Sở Công Thương", "given_to")],
        ),
        (
            "Sở Xây dựng – Khối trưởng năm 2024 – bàn giao cho Sở Công Thương.",
            [("Sở Xây dựng", "unit_before"), ("Sở Công Thương", "handed_on")],
        ),
        (
            "Ban tổ chức tặng hoa Sở Tư pháp (đơn vị khối trưởng) và Sở Nội vụ, Sở Xây dựng "
            "(đơn vị khối phó).",
            [("Sở Tư pháp", "unit_before"), ("Sở Xây dựng", "unit_before"), ("Sở Nội vụ", "in_parentheses")],
        ),
    ],
)
def test_role_rules_name_how_the_unit_was_found(sentence: str, expected: list[tuple[str, str]]) -> None:
    roles = _record(sentence).roles
    assert [(r.unit, r.rule) for r in roles] == [(u, f"role_pattern:{how}") for u, how in expected]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp và Sở Nội vụ.",
            [("Sở Tư pháp", "after_cue"), ("Sở Nội vụ", "after_cue")],
        ),
        (
            "Sở Tư pháp và Sở Nội vụ được UBND tỉnh tặng Bằng khen năm 2024.",
            [("Sở Tư pháp", "before_predicate:stated_year"), ("Sở Nội vụ", "before_predicate:stated_year")],
        ),
        (
            "Khối gồm: Sở Tư pháp, Sở Nội vụ, Sở Xây dựng. Hội nghị đề nghị tặng Cờ thi đua cho Sở Tư pháp; "
            "tặng Giấy khen cho các đơn vị còn lại.",
            [("Sở Tư pháp", "after_cue"), ("Sở Nội vụ", "remaining"), ("Sở Xây dựng", "remaining")],
        ),
        (
            "Hội nghị suy tôn Sở Xây dựng dẫn đầu Khối, đề nghị UBND tỉnh tặng Cờ thi đua năm 2024 "
            "cho đơn vị này.",
            [("Sở Xây dựng", "this_unit:stated_year")],
        ),
    ],
)
def test_award_rules_name_how_the_recipients_were_found(
    sentence: str, expected: list[tuple[str, str]]
) -> None:
    awards = _record(sentence).awards
    assert [(a.recipient, a.rule) for a in awards] == [(u, f"award_pattern:{how}") for u, how in expected]


def test_confidences_stay_those_of_the_mechanism() -> None:
    """The rules got names; the confidences did not change (gazetteer unit 0.95 → role 0.91)."""
    rec = _record("Sở Tư pháp – Khối trưởng năm 2024 phát biểu.")
    assert [r.confidence for r in rec.roles] == [pytest.approx(0.8 * 0.95 + 0.15)]
    rec = _record("Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp và Sở Nội vụ.")
    assert {a.confidence for a in rec.awards} == {0.85}
