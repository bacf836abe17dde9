"""Mechanisms of the third round of issue 7 (meeting kinds, brands, coordinated awards), each on
sentences written for these tests."""

from __future__ import annotations

from typing import Any

from extract.api import extract_article
from extract.lexicon import ukey


def _record(*paragraphs: str, published: str | None = "2024-03-02", url: str | None = None) -> dict[str, Any]:
    text = "\n\n".join(paragraphs) + "\n"
    return extract_article(doc_id="t", text=text, published=published, url=url).to_schema()


def _awards(rec: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(ukey(a["recipient"]), a["award"], a["status"]) for a in rec["awards"]}


# --- meeting kinds -------------------------------------------------------------------------------


def test_launch_listed_with_the_pact_after_a_comma() -> None:
    rec = _record(
        "Khối thi đua Nội chính tổng kết năm 2023",
        "Sáng 12/1, Khối thi đua Nội chính tổ chức hội nghị tổng kết công tác thi đua năm 2023 và "
        "phát động, ký kết giao ước thi đua năm 2024.",
    )
    assert set(rec["event_kinds"]) == {"tong_ket", "trien_khai", "giao_uoc"}


def test_lead_opening_on_the_plan_it_carries_out_names_the_meeting_next() -> None:
    rec = _record(
        "Thứ 3 | 12/03/2024",
        "Căn cứ Công văn số 45/SNV-TĐKT của Sở Nội vụ về tổ chức hội nghị giao ước thi đua năm 2024 của "
        "Cụm thi đua các tỉnh duyên hải. Sáng 10/3/2024, các tỉnh trong Cụm đã họp triển khai nhiệm vụ "
        "thi đua năm 2024 và ký kết giao ước.",
    )
    assert set(rec["event_kinds"]) == {"giao_uoc", "trien_khai"}


def test_narrated_launch_coordinated_with_the_signing_is_the_meeting() -> None:
    rec = _record(
        "Khối Kinh tế ký kết giao ước thi đua năm 2024",
        "Chiều 8-3, Khối thi đua Kinh tế của tỉnh đã phát động đợt thi đua mới và tổ chức ký kết giao ước "
        "thi đua năm 2024 giữa 7 sở, ngành.",
    )
    assert set(rec["event_kinds"]) == {"giao_uoc", "trien_khai"}


def test_narrated_launch_alone_is_still_the_year_s_work() -> None:
    rec = _record(
        "Khối Kinh tế tổng kết năm 2023",
        "Năm 2023, các đơn vị trong Khối đã triển khai nhiều phong trào thi đua, hội nghị tổng kết diễn "
        "ra ngày 8/1/2024.",
    )
    assert "trien_khai" not in rec["event_kinds"]


def test_adopting_a_plan_to_launch_a_movement_is_the_launch() -> None:
    rec = _record(
        "Tại buổi làm việc, các thành viên Khối thi đua số 2 đã nhất trí thông qua Chương trình phát động "
        "thi đua năm 2024 do Khối trưởng trình bày.",
    )
    assert "trien_khai" in rec["event_kinds"]


def test_a_cited_document_s_subject_is_not_the_meeting() -> None:
    rec = _record(
        "Lễ ký kết giao ước thi đua Khối Ngân hàng năm 2024",
        "Thực hiện Chỉ thị số 15/CT-UBND ngày 20/12/2023 của UBND tỉnh về việc phát động thi đua hoàn "
        "thành kế hoạch năm 2024, các đơn vị đã bổ sung nội dung đăng ký thi đua.",
    )
    assert rec["event_kinds"] == ["giao_uoc"]


def test_scene_caption_names_the_meeting_when_the_head_does_not() -> None:
    rec = _record(
        "Năm 2023, các phường trong Cụm thi đua số 4 hoàn thành tốt nhiệm vụ thu ngân sách.",
        "Toàn cảnh buổi lễ phát động thi đua năm 2024 tại Cụm thi đua số 4",
    )
    assert rec["event_kinds"] == ["trien_khai"]


def test_slug_praising_work_done_is_not_a_launch() -> None:
    rec = _record(
        "Khối các sở số 2:",
        "Ngày 20-1, Khối các sở số 2 tổ chức hội nghị trù bị tổng kết năm 2023.",
        url="https://bao.example.vn/chinh-tri/khoi-cac-so-so-2-trien-khai-hieu-qua-cac-phong-trao-thi-dua-123/",
    )
    assert "trien_khai" not in rec["event_kinds"]


# --- brands --------------------------------------------------------------------------------------


def test_acronym_brand_elected_leader_is_a_member_with_the_role() -> None:
    rec = _record(
        "Khối thi đua số 7 tổng kết năm 2023",
        "Ngày 10/1, Khối thi đua số 7 gồm các doanh nghiệp tổ chức hội nghị tổng kết năm 2023, theo đó "
        "VINAMEX được bầu làm Khối trưởng năm 2024.",
    )
    assert {ukey(m) for m in rec["members"]} == {ukey("VINAMEX")}
    assert [(ukey(r["unit"]), r["role"], r["year"]) for r in rec["roles"]] == [
        (ukey("VINAMEX"), "khoi_truong", 2024)
    ]


def test_coined_brand_as_subject_of_an_award_is_a_member() -> None:
    rec = _record(
        "Khối thi đua số 7 tổng kết năm 2023",
        "Ngày 10/1, Khối thi đua số 7 tổ chức hội nghị tổng kết. Trong đó, Hanotex là doanh nghiệp đạt "
        "thành tích tốt nhất, được đề nghị tặng Bằng khen.",
    )
    assert ukey("Hanotex") in {ukey(m) for m in rec["members"]}
    assert (ukey("Hanotex"), "bang_khen", "proposed") in _awards(rec)


def test_vietnamese_word_or_admin_acronym_is_not_a_brand() -> None:
    rec = _record(
        "Khối thi đua số 7 tổng kết năm 2023",
        "Ngày 10/1, Khối thi đua số 7 tổ chức hội nghị tổng kết. Theo đó, UBND được đề nghị xem xét; "
        "Thanh được bầu làm thư ký hội nghị.",
    )
    assert rec["members"] == []


# --- coordinated awards --------------------------------------------------------------------------


def test_coordinated_awards_before_the_recipient_list_share_it() -> None:
    rec = _record(
        "Khối thi đua số 3 tổng kết năm 2023",
        "Ngày 5/1, Khối thi đua số 3 tổ chức hội nghị tổng kết. Khối thống nhất đề nghị UBND tỉnh tặng "
        "Bằng khen và Cờ thi đua cho Sở Y tế.",
    )
    assert _awards(rec) == {
        (ukey("Sở Y tế"), "bang_khen", "proposed"),
        (ukey("Sở Y tế"), "co_thi_dua", "proposed"),
    }


def test_coordinated_awards_after_the_subject_share_it() -> None:
    rec = _record(
        "Khối thi đua số 3 tổng kết năm 2023",
        "Ngày 5/1, Khối thi đua số 3 tổ chức hội nghị tổng kết. Sở Y tế và Sở Tư pháp được đề nghị tặng "
        "Cờ thi đua, Bằng khen của UBND tỉnh.",
    )
    assert _awards(rec) == {
        (ukey(u), a, "proposed") for u in ("Sở Y tế", "Sở Tư pháp") for a in ("co_thi_dua", "bang_khen")
    }


def test_award_after_a_clause_without_verb_is_not_coordinated() -> None:
    rec = _record(
        "Khối thi đua số 3 tổng kết năm 2023",
        "Ngày 5/1, Khối thi đua số 3 tổ chức hội nghị tổng kết. Sở Y tế được tặng Bằng khen; các đơn vị "
        "phấn đấu đạt Cờ thi đua năm 2024.",
    )
    assert _awards(rec) == {(ukey("Sở Y tế"), "bang_khen", "conferred")}


def test_subjectless_election_clause_takes_the_sentence_subject() -> None:
    rec = _record(
        "Khối thi đua số 3 tổng kết năm 2023",
        "Ngày 5/1, Khối thi đua số 3 tổ chức hội nghị tổng kết. Sở Y tế đạt 980 điểm, xếp đầu bảng năm "
        "nay, được Khối đề nghị tặng Cờ thi đua và Bằng khen, và được bầu làm Khối phó năm 2024.",
    )
    assert [(ukey(r["unit"]), r["role"], r["year"]) for r in rec["roles"]] == [
        (ukey("Sở Y tế"), "khoi_pho", 2024)
    ]
    assert _awards(rec) == {
        (ukey("Sở Y tế"), "bang_khen", "proposed"),
        (ukey("Sở Y tế"), "co_thi_dua", "proposed"),
    }


# --- a province's own kind in a state office's name -----------------------------------------------


def test_bare_province_after_a_provincial_office_takes_that_province_s_kind() -> None:
    rec = _record(
        "Cụm thi đua số 1 tổng kết năm 2023",
        "Cụm thi đua số 1 có các thành viên: BHXH tỉnh Nam Định, Thái Bình, Hải Phòng, Hưng Yên và Cần Thơ.",
    )
    keys = {ukey(m) for m in rec["members"]}
    assert ukey("Bảo hiểm xã hội thành phố Hải Phòng") in keys
    assert ukey("Bảo hiểm xã hội thành phố Cần Thơ") in keys
    assert ukey("Bảo hiểm xã hội tỉnh Thái Bình") in keys


def test_state_office_of_a_city_province_is_named_with_thanh_pho_but_a_paper_is_not() -> None:
    from extract.units import canonicalize

    assert canonicalize("Công an Đà Nẵng") == ("Công an thành phố Đà Nẵng", 0.95, "gazetteer")
    assert canonicalize("Công an Thái Bình")[0] in ("Công an Thái Bình", "Công an tỉnh Thái Bình")  # type: ignore[index]
    assert canonicalize("Báo Đà Nẵng")[0] == "Báo Đà Nẵng"  # type: ignore[index]
    # Thừa Thiên Huế was a "tỉnh" under that name
    assert "thành phố" not in canonicalize("Công an Thừa Thiên Huế")[0]  # type: ignore[index]


# --- clusters of provinces: short forms with a role, ranked places ---------------------------------


def test_province_short_form_with_its_role_in_parentheses_leads_and_is_ranked_first() -> None:
    rec = _record(
        "Cụm thi đua các tỉnh đồng bằng tổng kết năm 2023",
        "Theo kết quả chấm điểm công bố ngày 5/1, TP. Cần Thơ (cụm trưởng) là địa phương dẫn đầu cụm thi "
        "đua; những tỉnh xếp sau lần lượt là Sóc Trăng, Hậu Giang và Bạc Liêu.",
    )
    keys = {ukey(m) for m in rec["members"]}
    assert {ukey("thành phố Cần Thơ"), ukey("Sóc Trăng"), ukey("Hậu Giang"), ukey("Bạc Liêu")} <= keys
    assert [(ukey(r["unit"]), r["role"]) for r in rec["roles"]] == [
        (ukey("thành phố Cần Thơ"), "khoi_truong")
    ]
    assert (ukey("thành phố Cần Thơ"), "other", "proposed") in _awards(rec)


def test_remaining_districts_listed_by_rank_are_members() -> None:
    rec = _record(
        "Cụm thi đua số 2 tổng kết năm 2023",
        "Ngày 5/1, Cụm thi đua số 2 tổ chức hội nghị tổng kết; huyện Yên Lạc xếp thứ nhất, các huyện còn "
        "lại lần lượt là Tam Dương, Lập Thạch và Sông Lô.",
    )
    keys = {ukey(m) for m in rec["members"]}
    assert {ukey("huyện Tam Dương"), ukey("huyện Lập Thạch"), ukey("huyện Sông Lô")} <= keys


def test_head_word_ending_a_place_name_is_not_a_unit() -> None:
    rec = _record(
        "Cụm thi đua số 2 tổng kết năm 2023",
        "Ngày 5/1, Cụm thi đua số 2 tổ chức hội nghị. Công an thành phố Hà Nội, Hải Phòng và Đà Nẵng "
        "được tặng Cờ thi đua.",
    )
    assert {a["recipient"] for a in rec["awards"]} == {
        "Công an thành phố Hà Nội",
        "Công an thành phố Hải Phòng",
        "Công an thành phố Đà Nẵng",
    }


# --- co-chairs -----------------------------------------------------------------------------------


def test_units_of_the_officials_co_chairing_the_meeting_are_members() -> None:
    rec = _record(
        "Khối thi đua Nội chính tổng kết năm 2023",
        "Ngày 5/1, Khối thi đua Nội chính tỉnh Quảng Bình tổ chức hội nghị tổng kết. Hội nghị do Đại tá "
        "Trần Văn Bình, Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh và Trung tá Lê Văn An, Lữ đoàn trưởng Lữ "
        "đoàn 405 cùng chủ trì.",
    )
    assert {ukey(m) for m in rec["members"]} == {ukey("Lữ đoàn 405"), ukey("Bộ Chỉ huy Quân sự tỉnh")}


def test_one_chair_alone_is_not_read_as_a_member() -> None:
    rec = _record(
        "Khối thi đua Nội chính tổng kết năm 2023",
        "Ngày 5/1, Khối thi đua Nội chính tổ chức hội nghị tổng kết. Ông Lê Văn An, Giám đốc Sở Tư pháp "
        "chủ trì hội nghị.",
    )
    assert rec["members"] == []


def test_list_of_places_ending_with_the_leader_unit_named_by_its_role() -> None:
    rec = _record(
        "Hội nghị tổng kết Cụm thi đua số 5",
        "Ngày 5/1, Cụm thi đua số 5 tổ chức hội nghị tổng kết. Về dự có đại diện Công an các tỉnh: Nam "
        "Định, Ninh Bình, Thái Bình và đơn vị cụm phó Công an tỉnh Hà Nam.",
    )
    assert {ukey(m) for m in rec["members"]} == {
        ukey(f"Công an tỉnh {p}") for p in ("Nam Định", "Ninh Bình", "Thái Bình", "Hà Nam")
    }


def test_headline_naming_the_unit_that_led_the_bloc_is_the_bloc_s_vote() -> None:
    rec = _record(
        "Ngân hàng Công Thương (VietinBank) dẫn đầu",
        "Chiều 13/2, Khối thi đua số 9 gồm các ngân hàng thương mại tổ chức tổng kết năm 2023.",
    )
    assert (ukey("Ngân hàng Công Thương"), "other", "proposed") in _awards(rec)


def test_leading_in_a_single_field_is_not_the_bloc_s_vote() -> None:
    rec = _record(
        "Khối thi đua số 9 tổng kết năm 2023",
        "Chiều 13/2, Khối thi đua số 9 tổ chức tổng kết; Sở Tài chính dẫn đầu về thu ngân sách trong năm.",
    )
    assert rec["awards"] == []


# --- publication dates ---------------------------------------------------------------------------


def test_date_beside_the_language_switch_is_the_header_clock() -> None:
    rec = _record(
        "Cổng thông tin điện tử tỉnh Bắc Giang",
        "12/5/2023  |  English  |  中文",
        "Khối thi đua các hội đặc thù ký giao ước thi đua năm 2024",
        "Sáng ngày 05/3, Khối thi đua các hội đặc thù tỉnh đã tổ chức hội nghị ký kết giao ước thi đua "
        "năm 2024.",
        published=None,
        url="https://bacgiang.example.vn/2024/Trang/ky-giao-uoc.aspx",
    )
    assert rec["published"] is None
    assert rec["event_date"] == "2024-03-05"


def test_headline_ending_with_its_date_in_parentheses_gives_the_publication_date() -> None:
    rec = _record(
        "Hội nghị sơ kết công tác thi đua 6 tháng đầu năm 2023 của Khối thi đua Kinh tế (14/07/2023)",
        "Ngày 12/7/2023, Khối thi đua Kinh tế tỉnh đã tổ chức hội nghị sơ kết công tác thi đua.",
        published=None,
    )
    assert rec["published"] == "2023-07-14"


def test_publication_date_stamped_in_the_url() -> None:
    from extract.pagedate import date_in_url

    assert str(date_in_url("https://bao.example.vn/khoi-thi-dua/d20190326041900000.htm")) == "2019-03-26"
    assert str(date_in_url("https://bao.example.vn/2021/11/05/khoi-thi-dua-tong-ket/")) == "2021-11-05"
    assert date_in_url("https://bao.example.vn/tin/khoi-thi-dua_856.html") is None
    assert date_in_url("https://bao.example.vn/tin/khoi-thi-dua-20191399.html") is None  # month 13
    assert date_in_url("https://20190326.example.vn/tin.html") is None  # the host is not read
    rec = _record(
        "Khối các cơ quan Đảng ký kết giao ước thi đua năm 2019",
        "Ngày 26-3, Khối các cơ quan Đảng tiến hành hội nghị ký kết giao ước thi đua năm 2019.",
        published=None,
        url="https://bao.example.vn/khoi-cac-co-quan-dang/d20190326041900000.htm",
    )
    assert rec["published"] == "2019-03-26"


# --- bloc names ----------------------------------------------------------------------------------


def _bloc_names(rec: dict[str, Any]) -> list[str]:
    return [b["name"] for b in rec["blocs"]]


def test_bloc_name_keeps_abbreviations_in_parentheses_and_a_coordinated_khu() -> None:
    rec = _record(
        "Khối thi đua Ban Quản lý khu công nghiệp (KCN), khu kinh tế (KKT) các tỉnh duyên hải tổng kết",
        "Ngày 27/12/2023, Khối thi đua Ban Quản lý khu công nghiệp (KCN), khu kinh tế (KKT) các tỉnh "
        "duyên hải tổ chức hội nghị tổng kết.",
    )
    assert ukey("Khối thi đua Ban Quản lý khu công nghiệp (KCN), khu kinh tế (KKT) các tỉnh duyên hải") in {
        ukey(n) for n in _bloc_names(rec)
    }


def test_bloc_of_the_places_of_one_level() -> None:
    rec = _record(
        "Hội nghị sơ kết 6 tháng của Cụm thi đua xã, phường diễn ra ngày 5/7/2024 tại phường Tân An. Cụm "
        "thi đua xã, phường thống nhất các chỉ tiêu cho 6 tháng cuối năm.",
    )
    assert [ukey(n) for n in _bloc_names(rec)] == [ukey("Cụm thi đua xã, phường")]


def test_a_parenthesis_that_is_no_abbreviation_still_ends_the_bloc_name() -> None:
    rec = _record(
        "Khối thi đua Kinh tế (gồm 9 sở, ngành) tổng kết năm 2023",
        "Ngày 5/1/2024, Khối thi đua Kinh tế tổ chức hội nghị tổng kết.",
    )
    assert [ukey(n) for n in _bloc_names(rec)] == [ukey("Khối thi đua Kinh tế")]


def test_units_declining_an_award_are_members_without_an_award() -> None:
    rec = _record(
        "Khối thi đua số 6 tổng kết năm 2023",
        "Ngày 5/1, Khối thi đua số 6 tổ chức hội nghị tổng kết. Khối đề nghị tặng Cờ thi đua cho Thanh tra "
        "thành phố. Hai đơn vị Sở Nội vụ và Cục Thuế thành phố xin rút, không nhận Cờ thi đua năm nay để "
        "nhường cho đơn vị khác.",
    )
    assert {ukey(m) for m in rec["members"]} == {
        ukey("Thanh tra thành phố"),
        ukey("Sở Nội vụ"),
        ukey("Cục Thuế thành phố"),
    }
    assert _awards(rec) == {(ukey("Thanh tra thành phố"), "co_thi_dua", "proposed")}


def test_a_bloc_of_districts_meeting_at_one_of_them_makes_it_a_member() -> None:
    rec = _record(
        "Khối thi đua các huyện, thành phố tổng kết năm 2023",
        "Hội nghị tổng kết năm 2023 của Khối thi đua các huyện, thành phố tỉnh Hà Giang đã được tổ chức tại "
        "huyện Mèo Vạc ngày 10/1/2024.",
    )
    assert ukey("huyện Mèo Vạc") in {ukey(m) for m in rec["members"]}


def test_a_venue_of_another_kind_is_not_a_member() -> None:
    rec = _record(
        "Khối thi đua các sở, ngành tổng kết năm 2023",
        "Hội nghị tổng kết năm 2023 của Khối thi đua các sở, ngành đã được tổ chức tại huyện Mèo Vạc ngày "
        "10/1/2024.",
    )
    assert rec["members"] == []
