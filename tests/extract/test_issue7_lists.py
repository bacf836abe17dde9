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


def _roles(rec: dict[str, Any]) -> set[tuple[str, str, int | None]]:
    return {(ukey(r["unit"]), r["role"], r["year"]) for r in rec["roles"]}


def test_minister_title_is_not_part_of_the_unit() -> None:
    rec = _record(
        "Khối thi đua các Bộ, ngành Nội chính tổng kết năm 2023",
        "Ngày 9/1, Khối thi đua các Bộ, ngành Nội chính tổ chức hội nghị tổng kết năm 2023 dưới sự chủ trì "
        "của Bộ trưởng Bộ Tư pháp (Khối trưởng năm 2023).",
    )
    assert (ukey("Bộ Tư pháp"), "khoi_truong", 2023) in _roles(rec)


def test_person_named_between_unit_and_role() -> None:
    # "<chức vụ> <đơn vị> <họ tên> - Trưởng Khối": the role is the unit's
    rec = _record(
        "Khối thi đua các cơ quan Đảng tổng kết năm 2023",
        "Sáng 12/1, Khối thi đua các cơ quan Đảng tổ chức hội nghị tổng kết năm 2023 dưới sự chủ trì của "
        "Trưởng Ban Dân vận Tỉnh ủy Lê Văn Hòa - Trưởng Khối thi đua.",
    )
    assert (ukey("Ban Dân vận Tỉnh ủy"), "khoi_truong", 2023) in _roles(rec)


def test_role_in_parentheses_applies_to_each_unit_of_the_list_before_it() -> None:
    rec = _record(
        "Cụm thi đua các tỉnh miền núi tổng kết năm 2022",
        "Ngày 20/2, Cụm thi đua các tỉnh miền núi tổ chức hội nghị tổng kết năm 2022. Lãnh đạo tỉnh tặng hoa "
        "chúc mừng Sở Tư pháp tỉnh Lai Châu (đơn vị cụm trưởng năm 2023) và Sở Tư pháp tỉnh Điện Biên, "
        "Sở Tư pháp tỉnh Sơn La (đơn vị cụm phó năm 2023).",
    )
    roles = _roles(rec)
    assert (ukey("Sở Tư pháp tỉnh Lai Châu"), "khoi_truong", 2023) in roles
    assert (ukey("Sở Tư pháp tỉnh Điện Biên"), "khoi_pho", 2023) in roles
    assert (ukey("Sở Tư pháp tỉnh Sơn La"), "khoi_pho", 2023) in roles


def test_handover_from_one_unit_to_another_dates_both_terms() -> None:
    rec = _record(
        "Cụm thi đua số 4 tổng kết năm 2022",
        "Ngày 10/1, Cụm thi đua số 4 tổ chức hội nghị tổng kết năm 2022. Hội nghị tổ chức bàn giao đơn vị "
        "Cụm trưởng năm 2023 từ Sở Tư pháp tỉnh Lai Châu cho Sở Tư pháp tỉnh Sơn La.",
    )
    roles = _roles(rec)
    assert (ukey("Sở Tư pháp tỉnh Lai Châu"), "khoi_truong", 2022) in roles
    assert (ukey("Sở Tư pháp tỉnh Sơn La"), "khoi_truong", 2023) in roles


def test_meeting_of_no_named_kind_dates_roles_by_the_emulation_year_it_covers() -> None:
    rec = _record(
        "Cụm thi đua số 2 họp bình xét thi đua",
        "Chiều 15/11, Cụm thi đua số 2 họp bình xét thi đua, khen thưởng năm 2024. Đồng chí Trần Văn Bình, "
        "Chánh án Tòa án nhân dân huyện Tân Hưng - đơn vị Cụm trưởng chủ trì cuộc họp.",
    )
    assert (ukey("Tòa án nhân dân huyện Tân Hưng"), "khoi_truong", 2024) in _roles(rec)


def test_bare_provinces_after_a_provincial_unit_share_its_name() -> None:
    # "Công an tỉnh A, B, C": each bare province after the first names the same kind of unit
    rec = _record(
        "Cụm thi đua số 5 tổng kết năm 2023",
        "Ngày 5/1, Cụm thi đua số 5 tổ chức hội nghị tổng kết năm 2023. Công an tỉnh Lạng Sơn, Cao Bằng, "
        "Hà Giang được tặng Cờ thi đua của Bộ Công an.",
    )
    got = {(ukey(a["recipient"]), a["award"]) for a in rec["awards"]}
    for p in ("Lạng Sơn", "Cao Bằng", "Hà Giang"):
        assert (ukey(f"Công an tỉnh {p}"), "co_thi_dua") in got


def test_plural_place_head_makes_each_item_a_place() -> None:
    rec = _record(
        "Cụm thi đua số 2 gồm các huyện: Yên Thủy, Lạc Sơn, Kim Bôi và Tân Lạc tổ chức hội nghị "
        "tổng kết năm 2023."
    )
    assert _keys(["huyện Yên Thủy", "huyện Lạc Sơn", "huyện Kim Bôi", "huyện Tân Lạc"]) <= _keys(
        rec["members"]
    )


def test_plural_typed_head_restores_the_type_even_on_names_that_look_like_heads() -> None:
    # "các Trường THPT: A, B": "Trường Sơn" is a school named after a place, not the head word again
    rec = _record(
        "Ngày 10/10, Cụm thi đua số 6 gồm các Trường THPT: Lê Lợi, Trường Sơn, Nguyễn Trãi đã tổ chức "
        "hội nghị ký kết giao ước thi đua năm học 2024 - 2025."
    )
    assert _keys(
        [
            "Trường Trung học phổ thông Lê Lợi",
            "Trường Trung học phổ thông Trường Sơn",
            "Trường Trung học phổ thông Nguyễn Trãi",
        ]
    ) <= _keys(rec["members"])


def test_typed_sub_list_after_va_inside_an_attendance_list() -> None:
    rec = _record(
        "Khối thi đua Kinh tế tổng kết năm 2023",
        "Sáng 6/1, Khối thi đua Kinh tế tổ chức hội nghị tổng kết năm 2023. Tham dự hội nghị có đại diện "
        "lãnh đạo các đơn vị trong Khối: Ban Quản lý Khu kinh tế tỉnh, Quỹ Phát triển đất và các Sở: "
        "Xây dựng, Công Thương, Tài nguyên và Môi trường.",
    )
    assert _keys(["Sở Xây dựng", "Sở Công Thương", "Sở Tài nguyên và Môi trường"]) <= _keys(rec["members"])


def test_lead_opening_on_the_outcome_names_the_meeting_in_its_next_sentence() -> None:
    rec = _record(
        "Sở Y tế được bình chọn dẫn đầu",
        "Sở Y tế nhận được 8/8 phiếu bầu đề nghị tặng Cờ thi đua của UBND tỉnh. Đó là kết quả bình chọn "
        "tại hội nghị tổng kết công tác thi đua năm 2023 của Khối thi đua số 2 diễn ra ngày 20/12.",
        published="2023-12-21",
    )
    assert rec["event_kinds"] == ["tong_ket"]
    assert rec["event_date"] == "2023-12-20"


def test_bloc_names_with_sector_words_after_thi_dua() -> None:
    for name in (
        "Khối thi đua công tác Đảng",
        "Khối thi đua tổ chức chính trị - xã hội",
        "Khối thi đua các cơ quan quản lý nhà nước về kinh tế, kỹ thuật",
    ):
        rec = _record(f"Sáng 9/1, {name} tổ chức hội nghị tổng kết năm 2023.")
        assert [b["name"] for b in rec["blocs"]] == [name]


def test_deputy_of_a_khu_vuc_thi_dua() -> None:
    rec = _record(
        "Ngày 9/3, Sở Tư pháp tỉnh Lào Cai – đơn vị Phó trưởng Khu vực thi đua đã tham gia ký kết giao ước "
        "thi đua năm 2024 của Khu vực thi đua các tỉnh miền núi."
    )
    assert (ukey("Sở Tư pháp tỉnh Lào Cai"), "khoi_pho", 2024) in _roles(rec)


def _published_of(text: str) -> str | None:
    return extract_article(doc_id="t", text=text).to_schema()["published"]


def test_article_date_after_the_title_beats_the_header_date() -> None:
    text = (
        "Thứ 2, 14/09/2026, 08:10[GMT+7]\n\n"
        "Khối thi đua số 3 tổng kết công tác thi đua năm 2019\n\n"
        "Thứ 5, 19/12/2019 | 16:05:12\n\n"
        "Sáng ngày 18/12, Khối thi đua số 3 tổ chức hội nghị tổng kết công tác thi đua, khen thưởng năm 2019 "
        "với sự tham dự của lãnh đạo các đơn vị thành viên trong khối.\n"
    )
    assert _published_of(text) == "2019-12-19"


def test_date_lines_with_bars_and_dashes() -> None:
    body = (
        "Cụm thi đua số 2 tổng kết năm 2021\n\n{}\n\n"
        "Chiều 10/1, Cụm thi đua số 2 tổ chức hội nghị tổng kết công tác thi đua, khen thưởng năm 2021 "
        "và triển khai nhiệm vụ năm 2022 với sự tham dự của các đơn vị.\n"
    )
    assert _published_of(body.format("Thứ 3 | 11/01/2022")) == "2022-01-11"
    assert _published_of(body.format("21:14 - 11/01/2022")) == "2022-01-11"
    assert _published_of(body.format("09:05 | 11/01/2022")) == "2022-01-11"


def test_time_stamp_glued_to_the_lead() -> None:
    text = (
        "08:40 11/01/2022 Chiều 10/1, Cụm thi đua số 2 tổ chức hội nghị tổng kết công tác thi đua, khen "
        "thưởng năm 2021 và triển khai nhiệm vụ năm 2022 với sự tham dự của các đơn vị.\n\n"
        "Hội nghị tổng kết năm 2021 của Cụm thi đua số 2\n"
    )
    assert _published_of(text) == "2022-01-11"


def test_bloc_counted_in_provinces_or_named_by_a_region_has_no_province() -> None:
    for lead in (
        "Ngày 5/4, Cụm thi đua 6 tỉnh duyên hải miền Trung tổ chức hội nghị ký kết giao ước thi đua năm 2024 "
        "tại Quảng Ngãi.",
        "Ngày 5/4, Cụm thi đua 4 thành phố trực thuộc Trung ương tổ chức hội nghị ký kết giao ước thi đua "
        "năm 2024 tại Hải Phòng.",
        "Ngày 5/4, Cụm thi đua các tỉnh Tây Nguyên tổ chức hội nghị ký kết giao ước thi đua năm 2024 "
        "tại Kon Tum.",
    ):
        assert _record(lead)["province"] is None, lead
    # a number followed by one province's name is the bloc's number, and the province is that one
    rec = _record(
        "Ngày 5/4, Khối thi đua 3 tỉnh Thái Bình tổ chức hội nghị ký kết giao ước thi đua năm 2024."
    )
    assert rec["province"] == "Thái Bình"


def test_refusing_an_award_is_not_an_outcome() -> None:
    rec = _record(
        "Khối thi đua số 1 tổng kết năm 2023",
        "Ngày 20/12, Khối thi đua số 1 tổ chức hội nghị tổng kết năm 2023. Khối đề nghị UBND tỉnh tặng "
        "Cờ thi đua cho Sở Y tế. Sở Tư pháp đề nghị không xét Cờ thi đua cho đơn vị mình.",
    )
    assert {ukey(a["recipient"]) for a in rec["awards"]} == {ukey("Sở Y tế")}


def test_bloc_numbered_in_roman_figures_after_its_sector() -> None:
    rec = _record("Sáng 9/1, Khối thi đua ngân hàng II phát biểu khai mạc hội nghị tổng kết năm 2023.")
    assert [(b["name"], b["number"]) for b in rec["blocs"]] == [("Khối thi đua ngân hàng II", "2")]


def test_descriptive_unit_after_a_typed_list_keeps_its_own_head() -> None:
    rec = _record(
        "Ngày 7/2, Khối thi đua các đơn vị sự nghiệp gồm các Ban Quản lý Khu bảo tồn: Hòn Bà; Ea Sô và "
        "Ban Điều phối chương trình, dự án nông thôn mới tổ chức lễ ký kết giao ước thi đua năm 2024."
    )
    members = _keys(rec["members"])
    assert ukey("Ban Điều phối chương trình, dự án nông thôn mới") in members
    assert ukey("Ban Quản lý Khu bảo tồn Hòn Bà") in members


def test_counted_plural_head_before_gom_types_the_list() -> None:
    # "N Sở, ngành thuộc Khối, gồm: A, B": the type comes before "gồm"
    rec = _record(
        "Khối thi đua Văn hóa - Xã hội ký giao ước năm 2024",
        "Sáng 5/3, tham dự có lãnh đạo của 06 Sở, ngành thuộc Khối thi đua, gồm: Tư pháp, Văn hóa, "
        "Thể thao và Du lịch, Y tế, Nội vụ, Báo Quảng Trị và Trường Chính trị tỉnh.",
    )
    want = ["Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế", "Sở Nội vụ", "Trường Chính trị tỉnh"]
    assert _keys(want) <= _keys(rec["members"])


def test_list_in_parentheses_after_a_count() -> None:
    rec = _record(
        "Ngày 3/3, Khối thi đua số 9 gồm 04 đơn vị đoàn thể (Hội Nông dân tỉnh, Hội Cựu chiến binh tỉnh, "
        "Tỉnh đoàn, Hội Liên hiệp Phụ nữ tỉnh) tổ chức hội nghị tổng kết năm 2023."
    )
    want = ["Hội Nông dân tỉnh", "Hội Cựu chiến binh tỉnh", "Tỉnh đoàn", "Hội Liên hiệp Phụ nữ tỉnh"]
    assert _keys(want) <= _keys(rec["members"])


def test_attendance_list_in_parentheses_after_the_units_of_the_cluster() -> None:
    rec = _record(
        "Cụm thi đua số 2 ký kết giao ước năm 2024",
        "Sáng 1/3, Cụm thi đua số 2 tổ chức ký kết giao ước thi đua năm 2024. Tham dự hội nghị có đại diện "
        "lãnh đạo các đơn vị trong cụm thi đua số 2 (thị xã An Khê, huyện Kbang, huyện Đak Pơ và "
        "huyện Kông Chro).",
    )
    want = ["thị xã An Khê", "huyện Kbang", "huyện Đak Pơ", "huyện Kông Chro"]
    assert _keys(want) <= _keys(rec["members"])


def test_localities_listed_by_name() -> None:
    rec = _record(
        "Chiều 2/4, Cụm thi đua số 4, bao gồm các địa phương: Lạc Dương, Đơn Dương và Bảo Lâm đã tổ chức "
        "lễ ký kết giao ước thi đua năm 2024."
    )
    assert _keys(["Lạc Dương", "Đơn Dương", "Bảo Lâm"]) <= _keys(rec["members"])


def test_unit_type_before_gom_spreads_over_the_provinces_listed() -> None:
    rec = _record(
        "Cụm thi đua các tỉnh Tây Nguyên tổng kết năm 2023",
        "Ngày 8/1, Cụm thi đua các tỉnh Tây Nguyên tổ chức hội nghị tổng kết năm 2023. Dự hội nghị có "
        "đại diện các sở LĐ-TB&XH trong Cụm gồm: Kon Tum, Gia Lai, Đắk Lắk, Lâm Đồng.",
    )
    want = [
        f"Sở Lao động, Thương binh và Xã hội tỉnh {p}" for p in ("Kon Tum", "Gia Lai", "Đắk Lắk", "Lâm Đồng")
    ]
    assert _keys(want) <= _keys(rec["members"])


def test_acting_for_the_leader_a_person_named_by_the_units_title() -> None:
    rec = _record(
        "Khối thi đua các cơ quan Đảng tổng kết năm 2023",
        "Ngày 10/1, Khối thi đua các cơ quan Đảng tổ chức hội nghị tổng kết năm 2023. Thay mặt đơn vị Trưởng "
        "khối, đồng chí Trưởng Ban Dân vận Tỉnh ủy đề nghị các đơn vị tiếp tục đổi mới phong trào thi đua.",
    )
    assert (ukey("Ban Dân vận Tỉnh ủy"), "khoi_truong", 2023) in _roles(rec)


def test_rotation_verb_ends_the_unit_name() -> None:
    rec = _record(
        "Ngày 5/9, Trường Cao đẳng Kỹ thuật Công nghiệp luân phiên nhận nhiệm vụ Trưởng khối "
        "năm học 2024 - 2025."
    )
    assert {ukey(r["unit"]) for r in rec["roles"]} == {ukey("Trường Cao đẳng Kỹ thuật Công nghiệp")}


def test_attendance_of_officials_from_units_of_one_kind() -> None:
    rec = _record(
        "Cụm thi đua số 5 tổng kết năm 2023",
        "Ngày 12/1, Cụm thi đua số 5 tổ chức hội nghị tổng kết năm 2023.",
        "Tham dự hội nghị có đồng chí Nguyễn Văn An, Viện trưởng VKSND tỉnh Sơn La – đơn vị Cụm trưởng; "
        "đồng chí Lê Thị Bình, Phó Viện trưởng VKSND tỉnh Lai Châu; đồng chí Trần Văn Cường, "
        "Viện trưởng VKSND tỉnh Điện Biên; đồng chí Phạm Văn Dũng, Phó Trưởng ban Thi đua – Khen thưởng "
        "tỉnh.",
    )
    want = [f"Viện Kiểm sát nhân dân tỉnh {p}" for p in ("Sơn La", "Lai Châu", "Điện Biên")]
    assert _keys(want) <= _keys(rec["members"])
    assert not any("thi dua khen thuong" in k for k in _keys(rec["members"]))


def _kinds(title: str, lead: str) -> list[str]:
    return sorted(_record(title, lead)["event_kinds"])


def test_two_verbs_sharing_the_pact_object_name_two_kinds() -> None:
    lead = (
        "Ngày 8/1, Khối thi đua số 2 tổ chức hội nghị tổng kết năm 2023, phát động và ký kết giao ước "
        "thi đua năm 2024."
    )
    assert _kinds("Khối thi đua số 2 tổng kết năm 2023", lead) == ["giao_uoc", "tong_ket", "trien_khai"]


def test_narrated_work_is_not_a_launch_meeting() -> None:
    lead = (
        "Trong năm 2023, các đơn vị trong Khối thi đua số 2 đã chủ động, tích cực triển khai nhiệm vụ "
        "công tác với nhiều kết quả."
    )
    assert "trien_khai" not in _kinds("Khối thi đua số 2 tổng kết năm 2023", lead)


def test_role_with_no_dated_meeting_takes_the_year_the_article_names() -> None:
    rec = _record(
        "Hình ảnh tại cuộc họp",
        "Phát biểu tại cuộc họp, đồng chí Hồ Văn Sơn, Chánh án TAND huyện Mỹ Tú - đơn vị Cụm trưởng cho biết "
        "trong năm 2025 các đơn vị đều hoàn thành tốt nhiệm vụ được giao.",
        published=None,
    )
    assert (ukey("Tòa án nhân dân huyện Mỹ Tú"), "khoi_truong", 2025) in _roles(rec)


def test_counted_places_in_the_cluster_with_a_capitalised_cum() -> None:
    rec = _record(
        "Ngày 6/3, Cụm thi đua số 3 gồm 3 huyện trong Cụm: Mai Châu, Đà Bắc và Cao Phong tổ chức hội nghị "
        "ký kết giao ước thi đua năm 2024."
    )
    assert _keys(["huyện Mai Châu", "huyện Đà Bắc", "huyện Cao Phong"]) <= _keys(rec["members"])


def test_bloc_of_organisations_and_a_year_after_its_name() -> None:
    rec = _record("Khối các tổ chức Chính trị – Xã hội tỉnh Kon Tum ký giao ước thi đua năm 2024")
    assert [b["name"] for b in rec["blocs"]] == ["Khối các tổ chức Chính trị – Xã hội tỉnh Kon Tum"]
    rec = _record(
        "Hội nghị triển khai công tác thi đua Cụm các trường Cao đẳng trên địa bàn tỉnh năm 2024 đã diễn ra "
        "thành công."
    )
    assert [b["name"] for b in rec["blocs"]] == ["Cụm các trường Cao đẳng trên địa bàn tỉnh"]


def test_counted_units_of_the_bloc_listed_in_parentheses_with_small_head_words() -> None:
    rec = _record(
        "Khối thi đua các trường chuyên nghiệp ký giao ước năm 2024",
        "Sáng 2/3, Khối thi đua các trường chuyên nghiệp tổ chức ký kết giao ước thi đua năm 2024. Đến dự có "
        "lãnh đạo Ban Thi đua – Khen thưởng thành phố và 03 trường trong khối thi đua (trường CĐSP Hòa Lạc; "
        "trường ĐH Tây Bắc; trường CĐ Nghề Sông Đà).",
    )
    want = ["Trường Cao đẳng Sư phạm Hòa Lạc", "Trường Đại học Tây Bắc", "Trường Cao đẳng Nghề Sông Đà"]
    assert _keys(want) <= _keys(rec["members"])


def test_host_body_of_the_leader_role() -> None:
    rec = _record(
        "Khối thi đua các hội đặc thù ký giao ước năm 2025",
        "Sáng 3/3, Khối thi đua các hội đặc thù ký giao ước thi đua năm 2025. Hội Luật gia tỉnh là cơ quan "
        "đăng cai Trưởng khối thi đua năm 2025.",
    )
    assert (ukey("Hội Luật gia tỉnh"), "khoi_truong", 2025) in _roles(rec)


def test_one_award_from_each_coordinated_issuer() -> None:
    rec = _record(
        "Khối thi đua số 4 tổng kết năm 2024",
        "Ngày 6/1, Khối thi đua số 4 tổ chức hội nghị tổng kết năm 2024. Các đơn vị thống nhất đề nghị "
        "Bộ Nội vụ, UBND tỉnh tặng Cờ thi đua cho Sở Xây dựng.",
    )
    got = {(ukey(a["recipient"]), a["award"], a["issuer"], a["status"]) for a in rec["awards"]}
    assert got == {
        (ukey("Sở Xây dựng"), "co_thi_dua", "bo_nganh", "proposed"),
        (ukey("Sở Xây dựng"), "co_thi_dua", "ubnd_tinh", "proposed"),
    }


def test_bare_provinces_after_a_province_with_its_role_in_parentheses() -> None:
    rec = _record(
        "Cụm thi đua các tỉnh Tây Bắc tổng kết năm 2024",
        "Ngày 10/1, Cụm thi đua các tỉnh Tây Bắc tổ chức hội nghị tổng kết năm 2024. Lãnh đạo Bộ tặng hoa "
        "chúc mừng tỉnh Lai Châu (đơn vị cụm trưởng năm 2025) và Sơn La, Điện Biên (đơn vị cụm phó "
        "năm 2025).",
    )
    roles = _roles(rec)
    assert (ukey("tỉnh Lai Châu"), "khoi_truong", 2025) in roles
    assert (ukey("tỉnh Sơn La"), "khoi_pho", 2025) in roles
    assert (ukey("tỉnh Điện Biên"), "khoi_pho", 2025) in roles


def test_bare_provinces_of_a_bloc_named_by_its_kind_of_unit() -> None:
    rec = _record(
        "Cụm thi đua Sở Tư pháp các tỉnh Tây Bắc ký giao ước năm 2024",
        "Ngày 5/3, Cụm thi đua Sở Tư pháp các tỉnh Tây Bắc gồm: Sơn La, Lai Châu, Điện Biên tổ chức hội nghị "
        "ký kết giao ước thi đua năm 2024.",
    )
    want = [f"Sở Tư pháp tỉnh {p}" for p in ("Sơn La", "Lai Châu", "Điện Biên")]
    assert _keys(want) <= _keys(rec["members"])


def test_title_cased_head_words() -> None:
    rec = _record(
        "Ngày 4/3, Cụm thi đua số 7 gồm 3 cơ quan: Trung Tâm Khuyến Nông, Trung Tâm Công Nghệ Sinh Học và "
        "Chi cục Thủy lợi tổ chức hội nghị ký kết giao ước thi đua năm 2024."
    )
    assert _keys(["Trung tâm Khuyến nông", "Trung tâm Công nghệ sinh học", "Chi cục Thủy lợi"]) <= _keys(
        rec["members"]
    )


def test_units_the_bloc_ranks_are_members() -> None:
    rec = _record(
        "Khối thi đua Kinh tế tổng kết năm 2024",
        "Ngày 10/1, Khối thi đua Kinh tế tổ chức hội nghị tổng kết năm 2024. Sở Tài chính được các thành "
        "viên trong Khối bình xét xếp thứ nhất; Sở Xây dựng xếp thứ hai, Sở Nội vụ và Sở Tư pháp xếp thứ ba.",
    )
    assert _keys(["Sở Tài chính", "Sở Xây dựng", "Sở Nội vụ", "Sở Tư pháp"]) <= _keys(rec["members"])


def test_a_ranked_index_does_not_make_its_unit_a_member() -> None:
    rec = _record(
        "Khối thi đua Kinh tế tổng kết năm 2024",
        "Ngày 10/1, Khối thi đua Kinh tế tổ chức hội nghị tổng kết năm 2024. Văn phòng UBND tỉnh vận hành "
        "Trung tâm Phục vụ hành chính công tỉnh, chỉ số hài lòng của người dân xếp thứ 5 cả nước.",
    )
    assert ukey("Trung tâm Phục vụ hành chính công tỉnh") not in _keys(rec["members"])


def test_places_counted_before_gom_and_a_bloc_counted_in_provinces_with_them_in_parentheses() -> None:
    rec = _record(
        "Ngày 3/3, lãnh đạo 4 huyện, thị miền núi gồm: Con Cuông, Tương Dương, Thị xã Thái Hòa và Kỳ Sơn "
        "ký kết giao ước thi đua của Cụm thi đua số 3 năm 2024."
    )
    want = ["huyện Con Cuông", "huyện Tương Dương", "thị xã Thái Hòa", "huyện Kỳ Sơn"]
    assert _keys(want) <= _keys(rec["members"])
    rec = _record(
        "Ngày 19/3, Hội đồng thi đua cụm 4 tỉnh Tây Nguyên (Kon Tum, Gia Lai, Đắk Lắk, Lâm Đồng) tổ chức "
        "hội nghị tổng kết công tác thi đua năm 2024."
    )
    assert _keys([f"tỉnh {p}" for p in ("Kon Tum", "Gia Lai", "Đắk Lắk", "Lâm Đồng")]) <= _keys(
        rec["members"]
    )


def test_taking_on_a_role_ends_the_unit_name() -> None:
    rec = _record(
        "Ngày 9/1, Cụm thi đua số 6 tổng kết năm 2024 và bàn giao Cụm trưởng năm 2025 cho Huyện ủy "
        "Krông Pắc đảm nhận."
    )
    assert (ukey("Huyện ủy Krông Pắc"), "khoi_truong", 2025) in _roles(rec)


def test_plural_head_written_small_and_central_bodies_in_a_bloc_of_ministries() -> None:
    rec = _record(
        "Năm 2024, Khối thi đua các cơ quan tham mưu có 6 đơn vị thành viên, bao gồm: các sở Nội vụ, Tài "
        "chính, Ngoại vụ, Tư pháp; Ban Dân tộc tỉnh và Thanh tra tỉnh. Ngày 9/1, Khối tổng kết năm 2024."
    )
    assert _keys(["Sở Nội vụ", "Sở Tài chính", "Sở Ngoại vụ", "Sở Tư pháp"]) <= _keys(rec["members"])
    rec = _record(
        "Khối thi đua các bộ, ngành Nội chính gồm: Bộ Tư pháp, Bộ Công an, Tòa án nhân dân tối cao, "
        "Viện Kiểm sát nhân dân tối cao và Thanh tra Chính phủ. Ngày 5/8, Khối sơ kết 6 tháng đầu năm 2024."
    )
    assert _keys(["Tòa án nhân dân tối cao", "Viện Kiểm sát nhân dân tối cao"]) <= _keys(rec["members"])


def test_a_bare_nhan_after_a_vote_goes_on_with_the_proposal() -> None:
    rec = _record(
        "Khối thi đua các hội đặc thù tổng kết năm 2024",
        "Ngày 8/1, Khối thi đua các hội đặc thù tổ chức hội nghị tổng kết năm 2024. Các đơn vị đã bình xét, "
        "suy tôn Hội Người mù tỉnh nhận Cờ thi đua của UBND tỉnh; Hội Đông y tỉnh nhận Bằng khen của "
        "UBND tỉnh.",
    )
    assert {(ukey(a["recipient"]), a["status"]) for a in rec["awards"]} == {
        (ukey("Hội Người mù tỉnh"), "proposed"),
        (ukey("Hội Đông y tỉnh"), "proposed"),
    }


def test_the_nearer_count_before_gom_says_what_the_list_holds() -> None:
    rec = _record(
        "Ngày 3/3, lãnh đạo và các ban ngành 3 huyện, thị ven biển gồm: Nghi Lộc, Thị xã Cửa Lò và Quỳnh Lưu "
        "ký kết giao ước thi đua của Cụm thi đua số 2 năm 2024."
    )
    assert _keys(["huyện Nghi Lộc", "thị xã Cửa Lò", "huyện Quỳnh Lưu"]) <= _keys(rec["members"])


def test_a_unit_with_commas_in_its_name_spread_over_the_provinces_counted_before_gom() -> None:
    rec = _record(
        "Cụm thi đua các tỉnh miền Trung tổng kết năm 2024",
        "Ngày 5/1, Cụm thi đua các tỉnh miền Trung tổ chức hội nghị tổng kết năm 2024. Dự hội nghị có lãnh "
        "đạo Sở Văn hóa, Thể thao và Du lịch các tỉnh trong Cụm gồm: Quảng Trị, Quảng Bình và Hà Tĩnh.",
    )
    want = [f"Sở Văn hóa, Thể thao và Du lịch tỉnh {p}" for p in ("Quảng Trị", "Quảng Bình", "Hà Tĩnh")]
    assert _keys(want) <= _keys(rec["members"])
    assert not _keys(["tỉnh Quảng Trị"]) & _keys(rec["members"])


def test_units_of_the_kind_a_bloc_is_named_by() -> None:
    rec = _record(
        "Khối thi đua các Hội đặc thù tổng kết năm 2024",
        "Ngày 12/1, Khối thi đua các Hội đặc thù tổ chức hội nghị tổng kết năm 2024. Trong năm, Hội Người mù "
        "tỉnh đã hỗ trợ 300 hội viên; Hội Đông y tỉnh khám bệnh miễn phí cho 2.000 lượt người. Hội Chữ thập "
        "đỏ Việt Nam gửi thư chúc mừng.",
    )
    members = _keys(rec["members"])
    assert _keys(["Hội Người mù tỉnh", "Hội Đông y tỉnh"]) <= members
    assert ukey("Hội Chữ thập đỏ Việt Nam") not in members


def test_more_ways_of_naming_the_leader() -> None:
    # a bare province holding the role in a cluster of provinces
    rec = _record(
        "Ngày 10/3, tại tỉnh Kon Tum sẽ diễn ra hội nghị tổng kết phong trào thi đua các tỉnh Tây Nguyên năm "
        "2024 do Kon Tum làm Cụm trưởng."
    )
    assert (ukey("tỉnh Kon Tum"), "khoi_truong", 2024) in _roles(rec)
    # "Thường trực Khối thi đua" names the leader in some provinces
    rec = _record(
        "Khối thi đua Nội chính tổng kết năm 2024",
        "Ngày 8/1, Khối thi đua Nội chính tổng kết năm 2024. Viện Kiểm sát nhân dân tỉnh - Thường trực Khối "
        "thi đua năm 2024 trao Cờ cho đơn vị thường trực năm 2025.",
    )
    assert (ukey("Viện Kiểm sát nhân dân tỉnh"), "khoi_truong", 2024) in _roles(rec)
    # "Với vai trò là Khối trưởng …, X thời gian qua …"
    rec = _record(
        "Khối thi đua các trường tổng kết năm 2024",
        "Ngày 8/1, Khối thi đua các trường tổng kết năm 2024. Với vai trò là Khối trưởng Khối thi đua, "
        "Trường Chính trị tỉnh thời gian qua đã tổ chức tốt các hoạt động của Khối.",
    )
    assert (ukey("Trường Chính trị tỉnh"), "khoi_truong", 2024) in _roles(rec)
    # a power transmission company is a unit
    rec = _record(
        "Ngày 27/2, Khối thi đua các cơ quan Trung ương gồm các đơn vị: Truyền tải điện Gia Lai (Trưởng khối "
        "thi đua), Cục Thống kê tỉnh, Kho bạc Nhà nước tỉnh tổ chức ký kết giao ước thi đua năm 2024."
    )
    assert (ukey("Truyền tải điện Gia Lai"), "khoi_truong", 2024) in _roles(rec)


def _awards(rec: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(ukey(a["recipient"]), a["award"], a["status"]) for a in rec["awards"]}


def test_the_unit_proposed_to_receive_an_award_named_before_it() -> None:
    # "đề nghị X được nhận Cờ …": X receives; "đề nghị Y tặng Cờ cho Z": Y gives
    rec = _record(
        "Ngày 12/12, Khối thi đua các cơ quan tư pháp tổng kết năm 2023. Hội nghị thống nhất đề nghị "
        "Sở Tư pháp được nhận Cờ thi đua của Chính phủ; đề nghị UBND tỉnh tặng Bằng khen cho "
        "Cục Thống kê tỉnh."
    )
    awards = _awards(rec)
    assert (ukey("Sở Tư pháp"), "co_thi_dua", "proposed") in awards
    assert (ukey("Cục Thống kê tỉnh"), "bang_khen", "proposed") in awards
    assert not any(r == ukey("Ủy ban nhân dân tỉnh") for r, _, _ in awards)


def test_town_party_committee_is_a_unit() -> None:
    rec = _record(
        "Ngày 9/1, Cụm thi đua số 4 tổng kết năm 2023, đề nghị tặng Bằng khen cho Thị ủy Hòa Lạc và "
        "Quận ủy Tây Sơn."
    )
    assert {ukey("Thị ủy Hòa Lạc"), ukey("Quận ủy Tây Sơn")} <= _keys(rec["members"])


def test_a_numbered_bloc_followed_by_a_province_keeps_its_number() -> None:
    # "Cụm thi đua số 2 tỉnh X": "số" makes it the bloc's number; "Cụm thi đua 5 tỉnh …" counts provinces
    rec = _record("Ngày 9/1, Cụm thi đua số 2 tỉnh Yên Bình tổ chức hội nghị tổng kết năm 2023.")
    assert [b["number"] for b in rec["blocs"]] == ["2"]
    rec = _record("Ngày 9/1, Cụm thi đua 5 tỉnh Tây Nguyên tổ chức hội nghị tổng kết năm 2023.")
    assert [b["number"] for b in rec["blocs"]] == [None]


def test_a_bare_locality_kind_ending_a_list_belongs_to_every_item() -> None:
    # "Công an, Tòa án nhân dân … và Chi cục Thuế thành phố": each is the city's body, not the province's
    rec = _record(
        "Ngày 3/3, Khối thi đua các cơ quan đóng trên địa bàn thành phố Lạc Sơn gồm: Công an, Tòa án nhân "
        "dân, Viện Kiểm sát nhân dân và Cơ quan Thi hành án dân sự thành phố tổ chức ký kết giao ước "
        "năm 2024."
    )
    members = _keys(rec["members"])
    assert {
        ukey("Công an thành phố"),
        ukey("Tòa án nhân dân thành phố"),
        ukey("Viện Kiểm sát nhân dân thành phố"),
    } <= members
    # the last item, a known unit written without its locality, is cut from the one before it
    assert not any("vien kiem sat" in k and "thi hanh an" in k for k in members)
    assert not any(k.endswith(" tinh") for k in members)


def test_bare_numbers_after_a_numbered_district_are_districts() -> None:
    rec = _record(
        "Sáng 10/1/2021, Cụm thi đua 2 gồm các Quận 4 (cụm trưởng), 6, 8, 12 và quận Bình Tân tổ chức hội "
        "nghị tổng kết năm 2020."
    )
    assert _keys(rec["members"]) == _keys(["quận 4", "quận 6", "quận 8", "quận 12", "quận Bình Tân"])
    assert (ukey("quận 4"), "khoi_truong", 2020) in _roles(rec)
    # a date or a count after a comma is no district
    rec = _record("Ngày 10/1/2021, Cụm thi đua 2 gồm Quận 4 và quận Bình Tân, 12 đơn vị tham dự.")
    assert ukey("quận 12") not in _keys(rec["members"])


def test_bank_branches_as_bank_lists_abbreviate_them() -> None:
    rec = _record(
        "Ngày 3/3/2022, các ngân hàng thành viên Khối thi đua ngân hàng II gồm 5 đơn vị: CN Ngân hàng Nhà "
        "nước, CN NH NNoPTNT, CN NH Công thương Hòa Bình, CN NH BIDV Sông Đà, Quỹ Bảo lãnh tín dụng cho "
        "DNNVV tỉnh đã ký kết giao ước thi đua năm 2022."
    )
    members = _keys(rec["members"])
    assert {
        ukey("Chi nhánh Ngân hàng Nông nghiệp và Phát triển nông thôn"),
        ukey("Chi nhánh Ngân hàng Công thương Hòa Bình"),
        ukey("Chi nhánh Ngân hàng BIDV Sông Đà"),
        # "cho" before the group a fund serves goes on with its name
        ukey("Quỹ Bảo lãnh tín dụng cho doanh nghiệp nhỏ và vừa tỉnh"),
    } <= members
    assert len(members) == 5


def _event_date(text: str, published: str | None = None) -> str | None:
    rec = extract_article(doc_id="t", text=text, published=published).to_schema()
    return rec["event_date"]


def test_meeting_date_forms_seen_on_portals() -> None:
    title = "Cụm thi đua số 3 tổng kết năm 2023, triển khai nhiệm vụ năm 2024\n\n"
    # a short dated lead after a time-stamped date line is still the lead
    assert (
        _event_date(
            title + "09:10 - 20/01/2024\n\nChiều ngày 19/1, Cụm thi đua số 3 đã tổ chức hội nghị tổng "
            "kết năm 2023.\n\nNăm 2023, các hội trong Cụm đã thực hiện tốt nhiệm vụ được giao, góp phần "
            "vào thành tích chung của tỉnh trên mọi lĩnh vực công tác.\n"
        )
        == "2024-01-19"
    )
    # a meeting over two days starts on the first
    two_days = "Sáng ngày 14, 15/12/2023, Cụm thi đua số 3 tổ chức hội nghị.\n"
    assert _event_date(title + two_days) == "2023-12-14"
    # "Sáng nay, d/m/y"
    assert _event_date(title + "Sáng nay, 18/12/2023 Cụm thi đua số 3 tổ chức hội nghị.\n") == "2023-12-18"
    # "Từ ngày 5 đến 7 tháng 4 năm 2023"
    assert _event_date(title + "Từ ngày 5 đến 7 tháng 4 năm 2023, Cụm thi đua số 3 tổ chức hội thao.\n") == (
        "2023-04-05"
    )


def test_a_school_years_meeting_takes_its_year_from_the_school_year() -> None:
    lead = "Ngày 12-10, Cụm thi đua số 2 các trường THPT ký kết giao ước thi đua năm học 2021 - 2022.\n"
    assert _event_date("Cụm thi đua số 2 ký kết giao ước\n\n" + lead) == "2021-10-12"
    lead = "Ngày 12-3, Cụm thi đua số 2 các trường THPT sơ kết học kỳ I năm học 2021 - 2022.\n"
    assert _event_date("Cụm thi đua số 2 sơ kết học kỳ I\n\n" + lead) == "2022-03-12"


def _province(text: str, url: str | None = None) -> str | None:
    return extract_article(doc_id="t", text=text, url=url).to_schema()["province"]


def test_a_provincial_branch_of_a_national_body_keeps_its_province() -> None:
    text = (
        "Cụm thi đua số 2 - Ủy ban MTTQ Việt Nam tỉnh Kon Tum ký giao ước năm 2022\n\n"
        "Sáng 3/3/2022, Cụm thi đua số 2 - Ủy ban MTTQ Việt Nam các huyện ký kết giao ước thi đua năm 2022.\n"
    )
    assert _province(text) == "Kon Tum"
    # the national body's own bloc has none
    national = "Sáng 3/3/2022, Cụm thi đua số 2 của Ủy ban Trung ương MTTQ Việt Nam ký kết giao ước.\n"
    assert _province(national) is None


def test_a_district_site_tells_the_province() -> None:
    text = "Sáng 3/3/2022, khối thi đua các trường học ký kết giao ước thi đua năm học 2021 - 2022.\n"
    assert _province(text, "http://phuocson.edu.vn/tin-tuc/ky-ket.html") == "Quảng Nam"
    # unless its path names another province's section
    assert _province(text, "http://phuocson.edu.vn/nghean/tin-tuc/ky-ket.html") != "Quảng Nam"


def test_the_high_command_is_a_unit_not_a_commanders_title() -> None:
    rec = _record(
        "Ngày 20/12, Khối thi đua số 6 đề nghị Cờ thi đua của UBND thành phố cho Công an thành phố, "
        "Bộ Tư lệnh thành phố và Thanh tra thành phố."
    )
    assert ukey("Bộ Tư lệnh thành phố") in {r for r, _, _ in _awards(rec)}
    # a commander is still a person's title before a unit
    rec = _record("Ngày 20/12, Khối thi đua số 6 tổng kết năm 2023, Tư lệnh Bộ Chỉ huy Quân sự tỉnh dự.")
    assert not any(k.startswith("tu lenh") for k in _keys(rec["members"]))


def test_a_flag_handed_on_to_the_next_leader_is_the_rotating_flag() -> None:
    # "cờ truyền thống cho Cụm trưởng năm Y là X": the leader's title stands for the unit named after it
    rec = _record(
        "Ngày 15/1/2023, Cụm thi đua các sở Tư pháp tổng kết năm 2022. Hội nghị đã bàn giao cờ truyền thống "
        "cho Cụm trưởng năm 2023 là Sở Tư pháp tỉnh Hòa Bình."
    )
    assert (ukey("Sở Tư pháp tỉnh Hòa Bình"), "co_luan_luu", "conferred") in _awards(rec)
    # the holder of the handed-on flag leads the bloc that year
    assert (ukey("Sở Tư pháp tỉnh Hòa Bình"), "khoi_truong", 2023) in _roles(rec)
    # a bare "Cờ" handed over with the leader's title, to a person who stands for their unit
    rec = _record(
        "Ngày 9/1/2024, Khối thi đua Nội chính tổng kết năm 2023. Đồng chí Chánh án Tòa án nhân dân tỉnh "
        "trao Cờ của Ủy ban nhân dân tỉnh suy tôn Thường trực Khối thi đua năm 2024 cho đ/c Lê Văn Bình - "
        "Cục trưởng Cục Thi hành án dân sự tỉnh."
    )
    flags = [a for a in rec["awards"] if a["award"] == "co_luan_luu"]
    assert [(ukey(a["recipient"]), a["issuer"], a["year"]) for a in flags] == [
        (ukey("Cục Thi hành án dân sự tỉnh"), "ubnd_tinh", 2024)
    ]


def test_a_bloc_the_text_names_without_its_number_takes_the_number_in_the_url() -> None:
    text = (
        "Với vai trò Khối trưởng Khối Thi đua, Trường Trung cấp Y tế tỉnh đã tổ chức tốt hội thao năm 2023 "
        "của các đơn vị trong khối.\n"
    )
    url = "https://news.example.vn/truong-trung-cap-hoan-thanh-vai-tro-khoi-truong-khoi-thi-dua-so-7-1234/"
    rec = extract_article(doc_id="t", text=text, url=url).to_schema()
    assert [(b["name"], b["number"]) for b in rec["blocs"]] == [("Khối thi đua số 7", "7")]
    # a generic name the text uses for it stays as an alias
    rec = extract_article(doc_id="t", text=text + "Khối Thi đua tổng kết năm 2023.\n", url=url).to_schema()
    assert [(b["name"], b["aliases"]) for b in rec["blocs"]] == [("Khối thi đua số 7", ["Khối Thi đua"])]
    # the URL never renames a bloc the text numbers itself
    text2 = "Ngày 3/3, Khối thi đua số 2 ký kết giao ước thi đua năm 2023.\n"
    rec = extract_article(doc_id="t", text=text2, url=url).to_schema()
    assert [b["number"] for b in rec["blocs"]] == ["2"]


def test_a_cluster_named_by_the_unit_each_province_sends() -> None:
    # "Cụm Đoàn thanh niên các tỉnh, thành …" is a bloc; its listed provinces stand for their youth unions,
    # a centrally-run city's being its "Thành đoàn"
    rec = _record(
        "Ngày 2/3, tại Ninh Bình, Cụm Đoàn thanh niên các tỉnh, thành Bắc Trung Bộ mở rộng đã tổ chức ký "
        "giao ước thi đua năm 2023. Đoàn thanh niên cụm này gồm 4 tỉnh, thành: Hải Phòng, Thanh Hóa, "
        "Nghệ An và Hà Tĩnh."
    )
    assert [b["name"] for b in rec["blocs"]] == ["Cụm Đoàn thanh niên các tỉnh, thành Bắc Trung Bộ mở rộng"]
    assert _keys(rec["members"]) == _keys(
        ["Thành đoàn Hải Phòng", "Tỉnh đoàn Thanh Hóa", "Tỉnh đoàn Nghệ An", "Tỉnh đoàn Hà Tĩnh"]
    )


def test_member_districts_of_one_province_outweigh_a_venue_named_once() -> None:
    text = (
        "Sáng 16-6, tại Tam Đảo (Vĩnh Phúc), UBND huyện Sóc Sơn - Cụm trưởng Cụm thi đua số 5 (gồm các "
        "huyện: Sóc Sơn, Đông Anh, Gia Lâm, Thanh Trì) đã tổ chức sơ kết phong trào thi đua 6 tháng đầu "
        "năm 2012.\n"
    )
    assert _province(text) == "Hà Nội"
    # one district is not enough to outweigh the province the text names
    one = "Sáng 16-6, tại Tam Đảo (Vĩnh Phúc), Cụm thi đua số 5 gồm huyện Sóc Sơn sơ kết năm 2012.\n"
    assert _province(one) == "Vĩnh Phúc"


def test_the_blocs_vote_for_its_leading_unit_is_an_outcome_of_its_own() -> None:
    rec = _record(
        "Ngày 8/1, Khối thi đua Kinh tế tổng kết năm 2023. Sở Xây dựng được các thành viên trong Khối bình "
        "xét xếp thứ nhất; Sở Công Thương xếp thứ hai."
    )
    assert (ukey("Sở Xây dựng"), "other", "proposed") in _awards(rec)
    assert len(rec["awards"]) == 1
    # when the sentence gives an award for it, leading the bloc is the award's reason, not an outcome
    rec = _record(
        "Ngày 8/1, Khối thi đua Kinh tế tổng kết năm 2023, suy tôn Sở Xây dựng là đơn vị dẫn đầu Khối, đề "
        "nghị UBND tỉnh tặng Cờ thi đua."
    )
    assert not any(a["award"] == "other" for a in rec["awards"])


def test_an_abbreviation_set_aside_inside_a_name_does_not_hide_it() -> None:
    from extract.textnorm import normalize

    text = "Chủ nhiệm Ủy ban Kiểm tra (UBKT) Tỉnh ủy Lê Văn An - Trưởng Khối thi đua"
    norm = normalize(text)
    assert "(UBKT)" not in norm.text
    start = norm.text.index("Ủy ban")
    end = norm.text.index("Tỉnh ủy") + len("Tỉnh ủy")
    # evidence maps back to the stored text, the aside in it
    assert norm.orig_text(start, end) == "Ủy ban Kiểm tra (UBKT) Tỉnh ủy"
    rec = _record(
        "Sáng 10.1, Khối thi đua công tác Đảng tổ chức hội nghị tổng kết năm 2022 dưới sự chủ trì của "
        + text
        + ". Dự hội nghị có lãnh đạo Ban Tổ chức Tỉnh ủy, Ban Tuyên giáo Tỉnh ủy."
    )
    assert (ukey("Ủy ban Kiểm tra Tỉnh ủy"), "khoi_truong", 2022) in _roles(rec)
    # an abbreviation after a name, before lowercase words or a comma, stays
    assert "(BIDV)" in normalize("Ngân hàng (BIDV) chi nhánh Hòa Bình, Sở Y tế (SYT), Sở Tư pháp").text


def test_the_presidents_name_in_a_unit_is_no_title() -> None:
    rec = _record(
        "Ngày 5/3, Khối thi đua các cơ quan Trung ương gồm: Bảo tàng Chủ tịch Hồ Chí Minh, Cục Thống kê tỉnh "
        "và Kho bạc Nhà nước tỉnh ký kết giao ước thi đua năm 2022."
    )
    assert ukey("Bảo tàng Chủ tịch Hồ Chí Minh") in _keys(rec["members"])


def test_a_capitalised_stop_word_inside_a_list_item_is_part_of_the_name() -> None:
    rec = _record(
        "Ngày 2/3, Cụm thi đua số 5 gồm 3 cơ quan: Trung tâm Khuyến nông, Trung tâm Tư vấn và Hỗ trợ nông "
        "dân, Chi cục Thủy lợi tổ chức ký kết giao ước thi đua năm 2023."
    )
    assert ukey("Trung tâm Tư vấn và Hỗ trợ nông dân") in _keys(rec["members"])
    # a role written with a capital still ends the name
    rec = _record(
        "Ngày 2/3, Cụm thi đua số 5 gồm 3 cơ quan: Trung tâm Khuyến nông Khối trưởng năm 2023, Chi cục "
        "Thủy lợi, Chi cục Kiểm lâm tổ chức ký kết giao ước thi đua năm 2023."
    )
    assert ukey("Trung tâm Khuyến nông") in _keys(rec["members"])


def test_a_head_named_after_its_district_carries_to_bare_districts() -> None:
    rec = _record(
        "Vừa qua, Cụm thi đua số 2 gồm 4 đơn vị: Huyện ủy Ea Súp, Krông Bông, Lắk và Thị ủy Buôn Hồ đã tổ "
        "chức hội nghị giao ban năm 2023."
    )
    assert _keys(rec["members"]) == _keys(
        ["Huyện ủy Ea Súp", "Huyện ủy Krông Bông", "Huyện ủy Lắk", "Thị ủy Buôn Hồ"]
    )


def test_a_second_list_in_the_same_sentence_is_read_too() -> None:
    rec = _record(
        "Cụm thi đua Sở Tư pháp các tỉnh miền núi phía Bắc đã lập 02 đoàn kiểm tra, trong đó: đoàn số 01 gồm "
        "các tỉnh Yên Bái, Hòa Bình, địa điểm kiểm tra tại tỉnh Yên Bái; đoàn số 02 gồm các tỉnh Sơn La, "
        "Điện Biên, địa điểm kiểm tra tại tỉnh Sơn La."
    )
    members = _keys(rec["members"])
    assert {ukey("Sở Tư pháp tỉnh Hòa Bình"), ukey("Sở Tư pháp tỉnh Điện Biên")} <= members


def test_a_kind_named_in_a_quoted_title_or_for_a_later_meeting_is_not_the_meetings() -> None:
    rec = _record(
        "Cụm thi đua số 3 sơ kết 6 tháng đầu năm 2023",
        'Sáng 16-6, Cụm thi đua số 3 đã tổ chức sơ kết 6 tháng đầu năm và hội thảo "Phát hiện, bồi dưỡng, '
        'tổng kết và nhân điển hình tiên tiến" của cụm.',
    )
    assert "tong_ket" not in rec["event_kinds"] and "so_ket" in rec["event_kinds"]
    rec = _record(
        "Rà soát các nội dung cho Hội nghị tổng kết cụm thi đua số 3",
        "Sáng 16-11, các đơn vị cụm thi đua số 3 họp rà soát các nội dung cho Hội nghị tổng kết năm 2023.",
    )
    assert "tong_ket" not in rec["event_kinds"]


def test_a_count_written_as_a_word_opens_a_blocs_name() -> None:
    rec = _record(
        "Cụm thi đua bảy tỉnh duyên hải miền Trung tổng kết năm 2023",
        "Ngày 12/1, hội nghị tổng kết Cụm thi đua bảy tỉnh duyên hải miền Trung diễn ra tại Quảng Ngãi.",
    )
    assert [b["name"] for b in rec["blocs"]] == ["Cụm thi đua bảy tỉnh duyên hải miền Trung"]
    assert rec["province"] is None  # a cluster of provinces belongs to none of them
    # "năm" as a year is no count
    rec = _record("Ngày 12/1, Khối thi đua năm 2023 của các sở tổ chức tổng kết tại Quảng Ngãi.")
    assert not any("năm 2023" in b["name"] for b in rec["blocs"])


def test_a_time_stamp_glued_to_a_lead_taken_for_the_title_gives_the_publication_date() -> None:
    text = (
        "08:15 09/12/2021 Chiều 7-12, tại TP Hạ Long, khối thi đua các đơn vị Cảnh sát tổ chức tổng kết năm "
        "2021.\n\nTrong năm, các đơn vị trong khối đã hoàn thành tốt nhiệm vụ được giao, góp phần giữ vững "
        "an ninh trật tự trên địa bàn tỉnh.\n"
    )
    rec = extract_article(doc_id="t", text=text).to_schema()
    assert rec["published"] == "2021-12-09"
    assert rec["event_date"] == "2021-12-07"
