"""Confidence and review flags (the issue's list item 7) on articles written for these tests.

Every fact read from the text carries evidence and a confidence in [0, 1]. Flags (strings in
`Record.flags`, as extract/pipeline.py writes them) ask an editor to look again:
"count_mismatch:<stated>!=<listed>" (or "award_count_mismatch:…" for a recipient list) when a list
announces a count it does not hold,
"open_class_unit" when a unit was matched only by the head-word rule, "award_without_year" when an
award has no year, "event_after_publication" when the meeting date lies after publication. A flag must
not be raised when the article is consistent.
"""

from __future__ import annotations

import pytest

from extract.api import extract_article
from extract.record import Record


def _article(title: str, *paragraphs: str) -> str:
    return "\n\n".join([title, *paragraphs]) + "\n"


def _run(text: str, published: str | None = "2023-01-13") -> Record:
    return extract_article(doc_id="hard-flags", text=text, published=published)


def _count_flags(rec: Record) -> list[str]:
    return [f for f in rec.flags if "count_mismatch" in f]  # "count_mismatch:…", "award_count_mismatch:…"


RICH = _article(
    "Khối thi đua số 7 tổng kết công tác thi đua năm 2022",
    "Chiều 12/01, Khối thi đua số 7 của tỉnh Bắc Giang tổ chức hội nghị tổng kết công tác thi đua, khen "
    "thưởng năm 2022 và ký kết giao ước thi đua năm 2023. Khối gồm 05 đơn vị: Sở Tư pháp; Sở Nội vụ; Thanh "
    "tra tỉnh; Sở Y tế; Bảo hiểm xã hội tỉnh.",
    "Sở Tư pháp (Khối trưởng) chủ trì hội nghị. Hội nghị thống nhất đề nghị UBND tỉnh tặng Cờ thi đua cho Sở "
    "Nội vụ; đề nghị Chủ tịch UBND tỉnh tặng Bằng khen cho Thanh tra tỉnh và Sở Y tế.",
    "Hội nghị đã bầu Bảo hiểm xã hội tỉnh làm Khối trưởng, Sở Y tế làm Khối phó năm 2023.",
)


# list item 7: confidence and evidence ------------------------------------------------------------
def test_every_text_fact_has_evidence_and_a_confidence_in_range() -> None:
    rec = _run(RICH)
    facts = rec.facts()
    kinds = {k for k, _ in facts}
    assert {"province", "event_date", "event_kind", "bloc", "member", "role", "award"} <= kinds
    for kind, fact in facts:
        assert 0.0 <= fact.confidence <= 1.0, (kind, fact)
        if kind != "published":  # given as metadata: nothing in the text to point at
            assert fact.evidence is not None, (kind, fact)
            assert RICH[fact.evidence.start : fact.evidence.end] == fact.evidence.text


def test_a_consistent_article_raises_no_flag() -> None:
    assert _run(RICH).flags == []


# list item 7: count_mismatch --------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param(
            "Khối gồm 07 đơn vị: Sở Tư pháp; Sở Nội vụ; Thanh tra tỉnh; Sở Y tế; Bảo hiểm xã hội tỉnh; Sở "
            "Xây dựng.",
            id="members-seven-stated-six-listed",
        ),
        pytest.param(
            "Hội nghị đề nghị Chủ tịch UBND tỉnh tặng Bằng khen cho 04 tập thể: Sở Tư pháp; Sở Nội vụ; "
            "Thanh tra tỉnh.",
            id="awards-four-stated-three-listed",
        ),
    ],
)
def test_count_mismatch_is_flagged(sentence: str) -> None:
    text = _article(
        "Khối thi đua số 7 tổng kết năm 2022",
        "Chiều 12/01, Khối thi đua số 7 của tỉnh Bắc Giang tổ chức hội nghị tổng kết công tác thi đua năm "
        "2022.",
        sentence,
    )
    assert _count_flags(_run(text)), _run(text).flags


@pytest.mark.parametrize(
    "lead",
    [
        pytest.param(
            "Chiều 12/01, Khối thi đua số 3 tỉnh Bắc Giang gồm 4 đơn vị: Sở Tư pháp, Sở Nội vụ, Thanh tra "
            "tỉnh và Sở Y tế đã tổ chức hội nghị tổng kết công tác thi đua năm 2022.",
            id="bloc-number-before-tinh-is-no-count",
        ),
        pytest.param(
            "Chiều 12/01, Khối thi đua số 3 của tỉnh Bắc Giang tổ chức hội nghị tổng kết năm 2022. Khối gồm "
            "05 đơn vị: Sở Văn hóa, Thể thao và Du lịch; Sở Lao động, Thương binh và Xã hội; Sở Giáo dục và "
            "Đào tạo; Hội Liên hiệp Phụ nữ tỉnh; Đài Phát thanh và Truyền hình tỉnh.",
            id="names-with-commas-and-va",
        ),
    ],
)
def test_matching_count_is_not_flagged(lead: str) -> None:
    rec = _run(_article("Khối thi đua số 3 tổng kết năm 2022", lead))
    assert _count_flags(rec) == []


# list item 7: open_class_unit -------------------------------------------------------------------
def test_open_class_unit_is_flagged_only_when_used() -> None:
    with_company = _article(
        "Khối thi đua các doanh nghiệp tổng kết năm 2022",
        "Chiều 12/01, Khối thi đua các doanh nghiệp của tỉnh Bắc Giang gồm Công ty TNHH MTV Cấp thoát nước "
        "Bắc Giang, Công ty Điện lực tỉnh và Bưu điện tỉnh tổ chức hội nghị tổng kết năm 2022.",
    )
    gazetteer_only = _article(
        "Khối thi đua các doanh nghiệp tổng kết năm 2022",
        "Chiều 12/01, Khối thi đua các doanh nghiệp của tỉnh Bắc Giang gồm Công ty Điện lực tỉnh, Viễn thông "
        "tỉnh và Bưu điện tỉnh tổ chức hội nghị tổng kết năm 2022.",
    )
    assert "open_class_unit" not in _run(gazetteer_only).flags
    # the shipped span model reads the sentence again: where it finds the same name, the unit is confirmed
    confirmed = {m.unit: m for m in _run(with_company).members}
    company = confirmed["Công ty TNHH MTV Cấp thoát nước Bắc Giang"]
    assert company.rule.endswith("open_class+model") and company.confidence >= 0.75


def test_open_class_unit_the_model_does_not_confirm_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    import extract.confirm

    monkeypatch.setattr(
        extract.confirm, "spans_in", lambda chunks, **_k: [[] for _ in chunks]
    )  # sees no unit
    rec = _run(
        _article(
            "Khối thi đua các doanh nghiệp tổng kết năm 2022",
            "Chiều 12/01, Khối thi đua các doanh nghiệp của tỉnh Bắc Giang gồm "
            "Công ty TNHH MTV Cấp thoát nước "
            "Bắc Giang, Công ty Điện lực tỉnh và Bưu điện tỉnh tổ chức hội nghị tổng kết năm 2022.",
        )
    )
    assert "open_class_unit" in rec.flags


# list item 7: award_without_year --------------------------------------------------------------------
def test_award_without_year_is_flagged_only_when_no_year_applies() -> None:
    undated = _article(
        "Khối thi đua số 7 ký kết giao ước thi đua",
        "Sáng 06/3, Khối thi đua số 7 của tỉnh Bắc Giang tổ chức ký kết giao ước thi đua. Dịp này, Sở Tư "
        "pháp vinh dự đón nhận Bằng khen của Bộ Tư pháp.",
    )
    dated = undated.replace("Bằng khen của Bộ Tư pháp", "Bằng khen của Bộ Tư pháp năm 2022")
    assert "award_without_year" in _run(undated, "2023-03-07").flags
    assert "award_without_year" not in _run(dated, "2023-03-07").flags


# list item 7: event_after_publication ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("published", "flagged"),
    [("2023-03-20", True), ("2023-03-27", False)],
)
def test_meeting_after_publication_is_flagged(published: str, flagged: bool) -> None:
    text = _article(
        "Khối thi đua số 7 sơ kết quý I năm 2023",
        "Sáng 25/3/2023, Khối thi đua số 7 của tỉnh Bắc Giang tổ chức hội nghị sơ kết công tác thi đua quý "
        "I.",
    )
    rec = _run(text, published)
    assert rec.to_schema()["event_date"] == "2023-03-25"
    assert ("event_after_publication" in rec.flags) is flagged
