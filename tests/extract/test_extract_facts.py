"""Members, roles and awards on short articles written for these tests."""

from __future__ import annotations

from extract.api import extract_article
from extract.lexicon import ukey

ARTICLE = (
    "Khối thi đua số 3 tổng kết công tác thi đua năm 2021\n"
    "\n"
    "Chiều ngày 14/1, Khối thi đua số 3 tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm 2021 "
    "và triển khai nhiệm vụ năm 2022. Dự Hội nghị có đại diện Ban Thi đua - Khen thưởng tỉnh và lãnh đạo "
    "06 đơn vị trong Khối gồm: Sở GD&ĐT; Sở Lao động, Thương binh và Xã hội; Sở Văn hoá, Thể thao và Du "
    "lịch; Đài PT-TH tỉnh; Trường Cao đẳng Y tế tỉnh và Bảo hiểm xã hội tỉnh.\n"
    "\n"
    "Năm 2021, Sở Giáo dục và Đào tạo (Khối trưởng) đã chủ trì nhiều hoạt động.\n"
    "\n"
    "Hội nghị đã thống nhất đề nghị UBND tỉnh tặng Cờ thi đua năm 2021 cho Sở Giáo dục và Đào tạo; tặng "
    "Bằng khen cho 02 tập thể: Đài PT-TH tỉnh và Bảo hiểm xã hội tỉnh.\n"
    "\n"
    "Dịp này, Sở Lao động, Thương binh và Xã hội được UBND tỉnh trao Cờ thi đua vì dẫn đầu Khối năm 2020.\n"
    "\n"
    "Hội nghị bầu Trường Cao đẳng Y tế tỉnh làm Khối trưởng, Sở Văn hóa, Thể thao và Du lịch làm Khối phó"
    " năm 2022.\n"
)


def _rec() -> dict:  # type: ignore[type-arg]
    return extract_article(doc_id="t1", text=ARTICLE, published="2022-01-15").to_schema()


def test_members_keep_commas_inside_names_and_expand_abbreviations() -> None:
    keys = {ukey(m) for m in _rec()["members"]}
    for name in (
        "Sở Giáo dục và Đào tạo",
        "Sở Lao động, Thương binh và Xã hội",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Đài Phát thanh và Truyền hình tỉnh",
        "Trường Cao đẳng Y tế tỉnh",
        "Bảo hiểm xã hội tỉnh",
    ):
        assert ukey(name) in keys, name
    assert ukey("Ban Thi đua - Khen thưởng tỉnh") not in keys  # a guest
    assert ukey("Thể thao và Du lịch") not in keys


def test_meeting_date_kinds_and_bloc() -> None:
    rec = _rec()
    assert rec["event_date"] == "2022-01-14"
    assert set(rec["event_kinds"]) == {"tong_ket", "trien_khai"}
    assert rec["blocs"][0]["number"] == "3"


def test_roles_outgoing_and_elected() -> None:
    roles = {(ukey(r["unit"]), r["role"], r["year"]) for r in _rec()["roles"]}
    assert (ukey("Sở Giáo dục và Đào tạo"), "khoi_truong", 2021) in roles
    assert (ukey("Trường Cao đẳng Y tế tỉnh"), "khoi_truong", 2022) in roles
    assert (ukey("Sở Văn hóa, Thể thao và Du lịch"), "khoi_pho", 2022) in roles


def test_proposal_verb_governs_even_with_tang() -> None:
    awards = {(ukey(a["recipient"]), a["award"]): a for a in _rec()["awards"]}
    flag = awards[(ukey("Sở Giáo dục và Đào tạo"), "co_thi_dua")]
    assert (flag["status"], flag["issuer"], flag["year"]) == ("proposed", "ubnd_tinh", 2021)
    for unit in ("Đài Phát thanh và Truyền hình tỉnh", "Bảo hiểm xã hội tỉnh"):
        assert awards[(ukey(unit), "bang_khen")]["status"] == "proposed"


def test_conferred_award_with_issuer_from_the_agent() -> None:
    awards = {(ukey(a["recipient"]), a["award"]): a for a in _rec()["awards"]}
    got = awards[(ukey("Sở Lao động, Thương binh và Xã hội"), "co_thi_dua")]
    assert (got["status"], got["issuer"], got["year"]) == ("conferred", "ubnd_tinh", 2020)


def test_every_evidence_span_is_the_stored_text() -> None:
    rec = extract_article(doc_id="t1", text=ARTICLE, published="2022-01-15")
    for _, fact in rec.facts():
        if fact.evidence is not None:
            assert ARTICLE[fact.evidence.start : fact.evidence.end] == fact.evidence.text
            assert 0.0 <= fact.confidence <= 1.0
