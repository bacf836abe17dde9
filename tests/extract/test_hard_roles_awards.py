"""Hard cases 13–19 of the research note (§8 "Roles" and "Awards"): bloc leadership and award outcomes.

Articles are written for these tests. Per SCHEMA.md a role is (unit, khoi_truong|khoi_pho, year the
role is held for) and an award is (recipient, award kind, issuer, emulation year, proposed|conferred):
the verb governing the award decides the status ("đề nghị … tặng" is a proposal), the issuer may come
from the sentence's subject, and the year is the stated one, else the year the meeting reviews.
Unit names are compared with `extract.scoring.name_key` and the article's province.
"""

from __future__ import annotations

import pytest

from extract.api import extract_article
from extract.scoring import name_key

PROVINCE = "Thái Bình"


def _article(title: str, *paragraphs: str) -> str:
    return "\n\n".join([title, *paragraphs]) + "\n"


def _record(text: str, published: str) -> dict:  # type: ignore[type-arg]
    return extract_article(doc_id="hard-roles-awards", text=text, published=published).to_schema()


def _k(name: str) -> str:
    return name_key(name, PROVINCE)


def _roles(rec: dict) -> set[tuple[str, str, int | None]]:  # type: ignore[type-arg]
    return {(_k(r["unit"]), r["role"], r["year"]) for r in rec["roles"]}


def _awards(rec: dict) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    return {(_k(a["recipient"]), a["award"]): a for a in rec["awards"]}


def _review_2022(*paragraphs: str) -> str:
    """A year-end review of 2022 held in January 2023 (published 2023-01-13)."""
    return _article(
        "Khối thi đua số 3 tổng kết công tác thi đua, khen thưởng năm 2022",
        "Chiều 12/01, Khối thi đua số 3 tỉnh Thái Bình gồm Sở Tư pháp, Sở Y tế, Sở Nội vụ, Sở Xây dựng, Sở "
        "Công Thương và Thanh tra tỉnh tổ chức hội nghị tổng kết công tác thi đua, khen thưởng năm 2022.",
        *paragraphs,
    )


# hard case 13: role phrasings ------------------------------------------------------------------
CASE13 = [
    pytest.param(
        "Sở Tư pháp (Khối trưởng Khối thi đua số 3) chủ trì hội nghị.",
        [("Sở Tư pháp", "khoi_truong", 2022)],
        id="in-brackets",
    ),
    pytest.param(
        "Năm 2023, Sở Nội vụ là Trưởng Khối, Sở Xây dựng là Phó Trưởng Khối.",
        [("Sở Nội vụ", "khoi_truong", 2023), ("Sở Xây dựng", "khoi_pho", 2023)],
        id="la-truong-khoi-pho-truong-khoi",
    ),
    pytest.param(
        "Hội nghị đã chuyển giao Khối trưởng thi đua năm 2023 cho đơn vị Thanh tra tỉnh.",
        [("Thanh tra tỉnh", "khoi_truong", 2023)],
        id="handed-over-to",
    ),
    pytest.param(
        "Sở Công Thương được bầu làm Phó Khối trưởng năm 2023.",
        [("Sở Công Thương", "khoi_pho", 2023)],
        id="pho-khoi-truong",
    ),
    pytest.param(
        "Sở Y tế giữ vai trò Khối phó trong năm 2023.",
        [("Sở Y tế", "khoi_pho", 2023)],
        id="khoi-pho",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), CASE13)
def test_case13_role_phrasings(sentence: str, expected: list[tuple[str, str, int | None]]) -> None:
    rec = _record(_review_2022(sentence), "2023-01-13")
    got = _roles(rec)
    for unit, role, year in expected:
        if year is None:
            assert (_k(unit), role) in {(u, r) for u, r, _ in got}, (unit, role, got)
        else:
            assert (_k(unit), role, year) in got, (unit, role, year, got)


def test_case13_cluster_leader_and_deputy_are_bloc_roles() -> None:
    text = _article(
        "Cụm thi đua số 4 ký kết giao ước thi đua năm 2023",
        "Sáng 15/02, Cụm thi đua số 4 tỉnh Thái Bình gồm UBND các huyện Kiến Xương, Vũ Thư và Tiền Hải tổ "
        "chức ký kết giao ước thi đua năm 2023.",
        "Theo phân công luân phiên, năm 2023 UBND huyện Kiến Xương là Cụm trưởng, UBND huyện Vũ Thư là Cụm "
        "phó.",
    )
    got = {(u, r, y) for u, r, y in _roles(_record(text, "2023-02-16"))}
    truong = {_k("Ủy ban nhân dân huyện Kiến Xương"), _k("huyện Kiến Xương")}
    pho = {_k("Ủy ban nhân dân huyện Vũ Thư"), _k("huyện Vũ Thư")}
    assert any(u in truong and r == "khoi_truong" and y == 2023 for u, r, y in got), got
    assert any(u in pho and r == "khoi_pho" and y == 2023 for u, r, y in got), got


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param(
            "Đồng chí Bùi Văn Hải, Trưởng Ban Tổ chức Tỉnh ủy phát biểu chỉ đạo hội nghị.", id="truong-ban"
        ),
        pytest.param(
            "Bà Đỗ Thị Lan, Phó Trưởng ban Thi đua - Khen thưởng tỉnh đánh giá cao kết quả của Khối.",
            id="pho-truong-ban",
        ),
    ],
)
def test_case13_titles_that_are_not_bloc_roles(sentence: str) -> None:
    assert _record(_review_2022(sentence), "2023-01-13")["roles"] == []


# hard case 14: the implied role year ---------------------------------------------------------------
def test_case14_outgoing_leader_holds_the_reviewed_year_incoming_the_next() -> None:
    text = _article(
        "Khối thi đua số 2 tổng kết công tác thi đua năm 2020",
        "Chiều 22/01, Khối thi đua số 2 tỉnh Thái Bình tổ chức hội nghị tổng kết công tác thi đua, khen "
        "thưởng năm 2020. Sở Y tế (Khối trưởng) chủ trì hội nghị.",
        "Hội nghị đã bầu Sở Tư pháp làm Khối trưởng, Sở Công Thương làm Khối phó.",
    )
    got = _roles(_record(text, "2021-01-25"))
    assert got == {
        (_k("Sở Y tế"), "khoi_truong", 2020),
        (_k("Sở Tư pháp"), "khoi_truong", 2021),
        (_k("Sở Công Thương"), "khoi_pho", 2021),
    }


def test_case14_handover_sentence_carries_two_years() -> None:
    text = _review_2022(
        "Kết thúc hội nghị, Sở Công Thương, đơn vị Khối trưởng năm 2022, đã bàn giao Cờ luân lưu cho Sở Nội "
        "vụ – đơn vị được bầu làm Khối trưởng năm 2023."
    )
    got = _roles(_record(text, "2023-01-13"))
    assert (_k("Sở Công Thương"), "khoi_truong", 2022) in got
    assert (_k("Sở Nội vụ"), "khoi_truong", 2023) in got


def test_case14_pact_meeting_leader_holds_the_planned_year() -> None:
    text = _article(
        "Khối thi đua số 3 ký kết giao ước thi đua năm 2024",
        "Sáng 27/02, Khối thi đua số 3 tỉnh Thái Bình tổ chức hội nghị ký kết giao ước thi đua năm 2024. Sở "
        "Xây dựng (Khối trưởng) chủ trì hội nghị.",
    )
    assert (_k("Sở Xây dựng"), "khoi_truong", 2024) in _roles(_record(text, "2024-02-28"))


# hard case 15: proposed versus conferred (the verb closest to the award decides) ----------------
CASE15 = [
    pytest.param(
        "Hội nghị thống nhất đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp.",
        ("Sở Tư pháp", "co_thi_dua", "proposed"),
        id="de-nghi-tang",
    ),
    pytest.param(
        "Các đơn vị đã bỏ phiếu suy tôn Sở Y tế là đơn vị dẫn đầu Khối, đề nghị UBND tỉnh tặng Cờ thi đua.",
        ("Sở Y tế", "co_thi_dua", "proposed"),
        id="suy-ton",
    ),
    pytest.param(
        "Hội nghị đã bình xét, trình Chủ tịch UBND tỉnh tặng Bằng khen cho Sở Nội vụ.",
        ("Sở Nội vụ", "bang_khen", "proposed"),
        id="binh-xet-trinh",
    ),
    pytest.param(
        "Thừa ủy quyền của Chủ tịch UBND tỉnh, đồng chí Lại Văn Hoàn đã trao Cờ thi đua của UBND tỉnh cho Sở "
        "Xây dựng.",
        ("Sở Xây dựng", "co_thi_dua", "conferred"),
        id="thua-uy-quyen-trao",
    ),
    pytest.param(
        "Tại hội nghị, Sở Công Thương vinh dự đón nhận Bằng khen của Chủ tịch UBND tỉnh.",
        ("Sở Công Thương", "bang_khen", "conferred"),
        id="don-nhan",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), CASE15)
def test_case15_status_follows_the_governing_verb(sentence: str, expected: tuple[str, str, str]) -> None:
    unit, kind, status = expected
    awards = _awards(_record(_review_2022(sentence), "2023-01-13"))
    assert (_k(unit), kind) in awards, awards
    assert awards[(_k(unit), kind)]["status"] == status


def test_case15_one_sentence_with_a_conferral_and_a_proposal() -> None:
    text = _review_2022(
        "Dịp này, Sở Nội vụ được tặng Bằng khen của Chủ tịch UBND tỉnh; Hội nghị cũng thống nhất đề nghị "
        "UBND tỉnh tặng Cờ thi đua cho Thanh tra tỉnh."
    )
    awards = _awards(_record(text, "2023-01-13"))
    assert awards[(_k("Sở Nội vụ"), "bang_khen")]["status"] == "conferred"
    assert awards[(_k("Thanh tra tỉnh"), "co_thi_dua")]["status"] == "proposed"


# hard case 16: issuer implied by the subject or named in the award ------------------------------
CASE16 = [
    pytest.param(
        "Dịp này, UBND tỉnh đã trao Cờ thi đua cho Sở Tư pháp.",
        ("Sở Tư pháp", "co_thi_dua", "ubnd_tinh"),
        id="subject-ubnd",
    ),
    pytest.param(
        "Sở Y tế được tặng Bằng khen của Chủ tịch UBND tỉnh.",
        ("Sở Y tế", "bang_khen", "ubnd_tinh"),
        id="chairman-of-ubnd",
    ),
    pytest.param(
        "Sở Nội vụ vinh dự đón nhận Bằng khen của Thủ tướng Chính phủ.",
        ("Sở Nội vụ", "bang_khen", "thu_tuong"),
        id="prime-minister",
    ),
    pytest.param(
        "Thanh tra tỉnh vinh dự đón nhận Cờ thi đua của Chính phủ.",
        ("Thanh tra tỉnh", "co_thi_dua", "chinh_phu"),
        id="government",
    ),
    pytest.param(
        "Sở Xây dựng được tặng Cờ thi đua của Bộ Xây dựng vì có thành tích xuất sắc.",
        ("Sở Xây dựng", "co_thi_dua", "bo_nganh"),
        id="ministry",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), CASE16)
def test_case16_issuer(sentence: str, expected: tuple[str, str, str]) -> None:
    unit, kind, issuer = expected
    awards = _awards(_record(_review_2022(sentence), "2023-01-13"))
    assert (_k(unit), kind) in awards, awards
    assert awards[(_k(unit), kind)]["issuer"] == issuer


def test_case16_issuer_carries_to_an_elided_second_award() -> None:
    text = _review_2022(
        "Tại hội nghị, UBND tỉnh đã trao Cờ thi đua cho Sở Tư pháp và Bằng khen cho Sở Y tế, Sở Nội vụ."
    )
    awards = _awards(_record(text, "2023-01-13"))
    assert awards[(_k("Sở Tư pháp"), "co_thi_dua")]["issuer"] == "ubnd_tinh"
    for unit in ("Sở Y tế", "Sở Nội vụ"):
        got = awards[(_k(unit), "bang_khen")]
        assert (got["issuer"], got["status"]) == ("ubnd_tinh", "conferred")


# hard case 17: recipient lists with a stated count ---------------------------------------------------
CASE17 = [
    pytest.param(
        "Chủ tịch UBND tỉnh đã tặng Bằng khen cho 04 tập thể: Sở Tư pháp; Sở Xây dựng; Sở Công Thương; Thanh "
        "tra tỉnh.",
        ["Sở Tư pháp", "Sở Xây dựng", "Sở Công Thương", "Thanh tra tỉnh"],
        id="four-by-semicolons",
    ),
    pytest.param(
        "Hội nghị đề nghị Chủ tịch UBND tỉnh tặng Bằng khen cho 03 tập thể: Sở Lao động, Thương binh và Xã "
        "hội; Sở Văn hóa, Thể thao và Du lịch; Bảo hiểm xã hội tỉnh.",
        ["Sở Lao động, Thương binh và Xã hội", "Sở Văn hóa, Thể thao và Du lịch", "Bảo hiểm xã hội tỉnh"],
        id="three-with-commas-inside",
    ),
    pytest.param(
        "UBND tỉnh tặng Bằng khen cho 02 tập thể có thành tích xuất sắc, gồm: Sở Y tế và Sở Nội vụ.",
        ["Sở Y tế", "Sở Nội vụ"],
        id="two-after-gom",
    ),
]


@pytest.mark.parametrize(("sentence", "recipients"), CASE17)
def test_case17_every_listed_recipient_gets_the_award(sentence: str, recipients: list[str]) -> None:
    rec = _record(_review_2022(sentence), "2023-01-13")
    got = {_k(a["recipient"]) for a in rec["awards"] if a["award"] == "bang_khen"}
    assert got == {_k(u) for u in recipients}


@pytest.mark.parametrize(("sentence", "recipients"), CASE17)
def test_case17_counts_that_match_raise_no_flag(sentence: str, recipients: list[str]) -> None:
    # the award's stated count matches its list; "Khối thi đua số 3 tỉnh …" is a bloc number, not a count
    rec = extract_article(doc_id="hard-roles-awards", text=_review_2022(sentence), published="2023-01-13")
    assert not any("count_mismatch" in f for f in rec.flags), rec.flags


# hard case 18: the award year ---------------------------------------------------------------------
def _midyear_2022(sentence: str) -> str:
    """An interim review of the first half of 2022 (published 2022-07-16)."""
    return _article(
        "Khối thi đua số 3 sơ kết công tác thi đua 6 tháng đầu năm 2022",
        "Chiều 15/7, Khối thi đua số 3 tỉnh Thái Bình tổ chức hội nghị sơ kết công tác thi đua 6 tháng đầu "
        "năm 2022.",
        sentence,
    )


CASE18 = [
    pytest.param(
        _midyear_2022("Dịp này, Sở Tư pháp đón nhận Cờ thi đua của UBND tỉnh năm 2021."),
        "2022-07-16",
        ("Sở Tư pháp", "co_thi_dua", 2021),
        id="stated-year",
    ),
    pytest.param(
        _midyear_2022(
            "Tại hội nghị, Sở Y tế được UBND tỉnh tặng Cờ thi đua vì là đơn vị dẫn đầu phong trào thi đua "
            "năm 2021."
        ),
        "2022-07-16",
        ("Sở Y tế", "co_thi_dua", 2021),
        id="leading-in-year",
    ),
    pytest.param(
        _review_2022("Hội nghị thống nhất đề nghị Chủ tịch UBND tỉnh tặng Bằng khen cho Sở Nội vụ."),
        "2023-01-13",
        ("Sở Nội vụ", "bang_khen", 2022),
        id="reviewed-year",
    ),
]


@pytest.mark.parametrize(("text", "published", "expected"), CASE18)
def test_case18_award_year(text: str, published: str, expected: tuple[str, str, int]) -> None:
    unit, kind, year = expected
    awards = _awards(_record(text, published))
    assert (_k(unit), kind) in awards, awards
    assert awards[(_k(unit), kind)]["year"] == year


def test_case18_no_year_when_nothing_is_reviewed_or_stated() -> None:
    text = _article(
        "Khối thi đua số 3 ký kết giao ước thi đua",
        "Sáng 06/3, Khối thi đua số 3 tỉnh Thái Bình tổ chức ký kết giao ước thi đua. Tại hội nghị, Sở Tư "
        "pháp vinh dự đón nhận Bằng khen của Bộ Tư pháp.",
    )
    rec = extract_article(doc_id="hard-roles-awards", text=text, published="2024-03-07")
    awards = _awards(rec.to_schema())
    assert awards[(_k("Sở Tư pháp"), "bang_khen")]["year"] is None
    assert "award_without_year" in rec.flags


# hard case 19: titles versus forms --------------------------------------------------------------
CASE19 = [
    pytest.param(
        "Hội nghị đề nghị UBND tỉnh công nhận danh hiệu “Tập thể lao động xuất sắc” cho Sở Nội vụ.",
        ("Sở Nội vụ", "danh_hieu", "ubnd_tinh", "proposed"),
        id="collective-title",
    ),
    pytest.param(
        "Nhân dịp này, Sở Y tế vinh dự được Chủ tịch nước tặng Huân chương Lao động hạng Nhì vì đã có thành "
        "tích xuất sắc trong công tác từ năm 2017 đến năm 2021.",
        ("Sở Y tế", "huan_chuong", "other", "conferred"),
        id="order-of-labour",
    ),
    pytest.param(
        "Khối cũng trao Giấy khen của Khối cho Sở Xây dựng vì thành tích trong phong trào văn nghệ, thể "
        "thao.",
        ("Sở Xây dựng", "giay_khen", "khoi", "conferred"),
        id="certificate-of-the-bloc",
    ),
    pytest.param(
        "Kết thúc hội nghị, Sở Tư pháp đã trao Cờ luân lưu của Khối cho Sở Công Thương, đơn vị Khối trưởng "
        "năm 2023.",
        ("Sở Công Thương", "co_luan_luu", "khoi", "conferred"),
        id="rotating-flag",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), CASE19)
def test_case19_titles_and_forms(sentence: str, expected: tuple[str, str, str, str]) -> None:
    unit, kind, issuer, status = expected
    awards = _awards(_record(_review_2022(sentence), "2023-01-13"))
    assert (_k(unit), kind) in awards, awards
    got = awards[(_k(unit), kind)]
    assert (got["issuer"], got["status"]) == (issuer, status)


def test_case19_order_for_a_multi_year_period_has_no_emulation_year() -> None:
    text = _review_2022(
        "Nhân dịp này, Sở Y tế vinh dự được Chủ tịch nước tặng Huân chương Lao động hạng Nhì vì đã có thành "
        "tích xuất sắc trong công tác từ năm 2017 đến năm 2021."
    )
    awards = _awards(_record(text, "2023-01-13"))
    assert awards[(_k("Sở Y tế"), "huan_chuong")]["year"] is None


def test_case19_a_title_aimed_for_is_not_an_award() -> None:
    text = _review_2022(
        "Năm 2023, các đơn vị trong Khối phấn đấu 100% đạt danh hiệu “Tập thể lao động xuất sắc” và không có "
        "đơn vị nào bị kỷ luật."
    )
    assert _record(text, "2023-01-13")["awards"] == []
