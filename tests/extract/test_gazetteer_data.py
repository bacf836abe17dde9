"""The shipped data files (units gazetteer, abbreviations) are well formed and consistent.

Sentences here are written for these tests.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from extract.guests import BlocKind, is_guest
from extract.lexicon import _rows, lexicon, ukey
from extract.textnorm import normalize
from extract.units import canonicalize, expand_abbreviations, gazetteer_spans

_SLOT_RE = re.compile(r"\{([^}]*)\}")
_SLOTS = {"tỉnh", "huyện", "thị xã", "thành phố", "quận"}


def _rows_gaz() -> list[list[str]]:
    return _rows("units-gazetteer.tsv")[1:]


def _names(row: list[str]) -> list[str]:
    return [row[0], *(v for v in row[2].split("|") if v)]


def _key(name: str) -> str:
    """ukey with each template slot kept as a word of its own ("Báo {tỉnh}" ≠ "Báo tỉnh")."""
    return ukey(_SLOT_RE.sub(lambda m: " slot" + m.group(1).replace(" ", "") + " ", name))


# ------------------------------------------------------------------ units-gazetteer.tsv


def test_header_and_every_row_has_three_columns() -> None:
    assert _rows("units-gazetteer.tsv")[0] == ["canonical", "type", "variants"]
    rows = _rows_gaz()
    assert len(rows) > 250
    for row in rows:
        assert len(row) == 3, row
        assert row[0].strip() == row[0] and row[0], row
        assert re.fullmatch(r"[a-z0-9_]+", row[1]), row
        assert all(v.strip() == v and v for v in row[2].split("|")) or row[2] == "", row


def test_templates_use_known_slots_and_variants_follow_the_canonical() -> None:
    for row in _rows_gaz():
        for name in _names(row):
            assert set(_SLOT_RE.findall(name)) <= _SLOTS, name
        # a {tỉnh} row expands per province: a variant without the slot would map to one arbitrary province
        if "{tỉnh}" in row[0]:
            assert all("{tỉnh}" in v for v in _names(row)), row[0]
        else:
            assert not any("{tỉnh}" in v for v in _names(row)), row[0]


def test_no_two_canonicals_share_a_key() -> None:
    seen: dict[str, str] = {}
    for row in _rows_gaz():
        k = _key(row[0])
        assert k not in seen, (row[0], seen.get(k))
        seen[k] = row[0]


def test_no_variant_key_maps_to_two_canonicals() -> None:
    owner: dict[str, set[str]] = defaultdict(set)
    for row in _rows_gaz():
        for name in _names(row):
            owner[_key(name)].add(row[0])
    clashes = {k: v for k, v in owner.items() if len(v) > 1}
    assert not clashes


_CITY_PROVINCES = frozenset({"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"})


def test_every_loaded_name_resolves_to_its_own_row() -> None:
    """After {tỉnh} expansion no row (nor the loader's own extras) takes over another row's names."""
    lex = lexicon()
    for row in _rows_gaz():
        canonical = normalize(row[0]).text
        if "{" in canonical and "{tỉnh}" not in canonical:
            continue
        provinces = [p.name for p in lex.provinces] if "{tỉnh}" in canonical else [None]
        # a state office says its province's kind: "Công an tỉnh Hà Giang", "Công an thành phố Hải Phòng"
        office = row[1].startswith(("luc_luong_vu_trang", "nganh_doc", "bao_hiem")) and not re.search(
            r"(?:tỉnh|phố) \{tỉnh\}", canonical
        )
        for name in _names(row):
            for p in provinces:
                surface = normalize(name).text
                kind = "thành phố" if p in _CITY_PROVINCES else "tỉnh"
                where = f"{kind} {p}" if office and p else p
                want = canonical if where is None else canonical.replace("{tỉnh}", where)
                got = lex.canonical_unit(surface if p is None else surface.replace("{tỉnh}", p))
                assert got == want, (name, p, got)


@pytest.mark.parametrize(
    "bare",
    [
        "Bảo hiểm xã hội",
        "BHXH",
        "Thanh tra",
        "Công an",
        "Cục Thuế",
        "Cục Hải quan",
        "Trường Chính trị",
        "Thành đoàn",
        "ĐBQH tỉnh",
        "Thống kê tỉnh",
        "LĐLĐ",
        "Hội LHPN",
    ],
)
def test_words_common_in_prose_are_not_phrases(bare: str) -> None:
    phrases = {p.lower() for p in lexicon().phrases}
    assert bare.lower() not in phrases


def test_guest_bodies_are_typed_as_guests() -> None:
    types = {row[0]: row[1] for row in _rows_gaz()}
    for name in ("Ban Thi đua - Khen thưởng tỉnh", "Hội đồng Thi đua - Khen thưởng tỉnh", "Tỉnh ủy"):
        assert types[name].endswith("_khach")
    for name in (
        "Ban Thi đua - Khen thưởng tỉnh",
        "Hội đồng Thi đua - Khen thưởng tỉnh",
        "Ủy ban nhân dân tỉnh",
    ):
        assert is_guest(name, BlocKind())
    for row in _rows_gaz():
        if not row[1].endswith("_khach") and not row[1].startswith("chinh_quyen") and row[1] != "trung_uong":
            assert not is_guest(row[0], BlocKind()), row[0]


def test_tinh_uy_is_a_guest() -> None:
    assert is_guest("Tỉnh ủy", BlocKind())


# ------------------------------------------------------------------ abbreviations.tsv

# Expansions that belong to open-class names (schools, companies, police schools), not to any gazetteer unit.
# school and institution types: they name no unit alone but begin many ("Trường THCS Lê Lợi")
_GENERIC_FRAGMENTS = {
    "trung hoc pho thong",
    "trung hoc co so",
    "pho thong dan toc noi tru",
    "trung cap chuyen nghiep",
    "cao dang y te",
    "cao dang nghe",
    "quy pham phap luat",
    "an ninh nhan dan",
    "co phan",
}


def test_every_abbreviation_expands_to_a_unit_name_or_fragment() -> None:
    lex = lexicon()
    canonicals = {_key(row[0]) for row in _rows_gaz()}
    names = [f" {ukey(_SLOT_RE.sub(' ', n))} " for row in _rows_gaz() for n in _names(row)]
    names += [f" {ukey(p.name)} " for p in lex.provinces]
    rows = [r for r in _rows("abbreviations.tsv") if r]
    assert rows and all(len(r) == 2 and r[0] and r[1] for r in rows), rows
    assert len({r[0] for r in rows}) == len(rows), "duplicate abbreviation"
    for abbr, full in rows:
        k = ukey(full)
        assert k, abbr
        assert k in canonicals or k in _GENERIC_FRAGMENTS or any(f" {k} " in n for n in names), (abbr, full)


@pytest.mark.parametrize(
    ("name", "expanded"),
    [
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở VH-TT và DL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở NN và MT", "Sở Nông nghiệp và Môi trường"),
        ("Liên hiệp các Hội KH&KT tỉnh", "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh"),
        ("Hội Cựu TNXP tỉnh", "Hội Cựu Thanh niên xung phong tỉnh"),
        ("Ban BVCSSKCB tỉnh", "Ban Bảo vệ, chăm sóc sức khỏe cán bộ tỉnh"),
        ("Cục QLTT tỉnh", "Cục Quản lý thị trường tỉnh"),
        ("Đài KTTV tỉnh", "Đài Khí tượng thủy văn tỉnh"),
    ],
)
def test_abbreviations_expand_to_the_gazetteer_name(name: str, expanded: str) -> None:
    assert ukey(expand_abbreviations(name)) == ukey(expanded)
    assert lexicon().canonical_unit(expand_abbreviations(name)) is not None


# ------------------------------------------------------------------ district templates


def test_district_templates_expand_with_the_package_districts() -> None:
    """The {huyện}/{thị xã}/{thành phố}/{quận} rows expand with extract.places' districts, kind by kind."""
    lex = lexicon()
    assert lex.canonical_unit("UBND thị xã Bình Long") == "Ủy ban nhân dân thị xã Bình Long"
    assert lex.canonical_unit("UBND TP. Đồng Xoài") == "Ủy ban nhân dân thành phố Đồng Xoài"
    assert lex.canonical_unit("huyện Lộc Ninh") == "huyện Lộc Ninh"
    assert lex.canonical_unit("quận Ba Đình") == "quận Ba Đình"
    assert lex.canonical_unit("UBND huyện Bình Long") is None  # Bình Long is a thị xã, not a huyện
    assert lex.canonical_unit("thị xã Lộc Ninh") is None


# ------------------------------------------------------------------ sentences


def _spans(text: str) -> list[tuple[str, str]]:
    w = normalize(text).text
    return [(w[s.start : s.end], s.canonical) for s in gazetteer_spans(w)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Đại diện Sở LĐ-TB&XH, Liên hiệp các tổ chức hữu nghị tỉnh và Hội Nhà báo tỉnh dự họp.",
            [
                "Sở Lao động - Thương binh và Xã hội",
                "Liên hiệp các tổ chức hữu nghị tỉnh",
                "Hội Nhà báo tỉnh",
            ],
        ),
        (
            "Tham gia ký giao ước có Sở Văn hoá, Thể thao và Du lịch; Sở Dân tộc và Tôn giáo;"
            " Ban Tuyên giáo và Dân vận Tỉnh uỷ và Đảng ủy các cơ quan Đảng tỉnh.",
            [
                "Sở Văn hóa, Thể thao và Du lịch",
                "Sở Dân tộc và Tôn giáo",
                "Ban Tuyên giáo và Dân vận Tỉnh ủy",
                "Đảng ủy các cơ quan Đảng tỉnh",
            ],
        ),
        (
            "Năm nay Ban Bảo vệ, chăm sóc sức khỏe cán bộ tỉnh làm Khối trưởng,"
            " Hội Bảo trợ người khuyết tật và trẻ mồ côi tỉnh làm Khối phó.",
            ["Ban Bảo vệ, chăm sóc sức khỏe cán bộ tỉnh", "Hội Bảo trợ người khuyết tật và trẻ mồ côi tỉnh"],
        ),
        (
            "Khối gồm VKSND tỉnh, TAND tỉnh, Cục THADS tỉnh, Bộ CHQS tỉnh và Bộ Chỉ huy BĐBP tỉnh.",
            [
                "Viện Kiểm sát nhân dân tỉnh",
                "Tòa án nhân dân tỉnh",
                "Cục Thi hành án dân sự tỉnh",
                "Bộ Chỉ huy Quân sự tỉnh",
                "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
            ],
        ),
        (
            "Bảo hiểm xã hội khu vực XII, Kho bạc Nhà nước khu vực VII và Chi cục Thuế khu vực XV"
            " cùng ký kết.",
            ["Bảo hiểm xã hội khu vực XII", "Kho bạc Nhà nước khu vực VII", "Chi cục Thuế khu vực XV"],
        ),
        (
            "Báo và Phát thanh, Truyền hình Đồng Nai, Báo và Đài PT-TH Vĩnh Long và Báo Hà Tĩnh đưa tin.",
            [
                "Báo và Phát thanh, Truyền hình Đồng Nai",
                "Báo và Đài Phát thanh - Truyền hình Vĩnh Long",
                "Báo Hà Tĩnh",
            ],
        ),
        (
            "Hội Nạn nhân chất độc da cam/dioxin tỉnh, Hội Cựu TNXP tỉnh, Liên minh HTX tỉnh, Hội CTĐ tỉnh.",
            [
                "Hội Nạn nhân chất độc da cam/dioxin tỉnh",
                "Hội Cựu Thanh niên xung phong tỉnh",
                "Liên minh Hợp tác xã tỉnh",
                "Hội Chữ thập đỏ tỉnh",
            ],
        ),
        (
            "Đại diện Ban Thi đua – Khen thưởng tỉnh, Ủy ban MTTQ Việt Nam tỉnh"
            " và Ngân hàng Nhà nước chi nhánh tỉnh.",
            [
                "Ban Thi đua - Khen thưởng tỉnh",
                "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh",
            ],
        ),
        (
            "Sở GD&ĐT, Sở KH&CN, Sở TN&MT, Sở TT&TT, Sở NN&PTNT, Sở GTVT và Sở KH&ĐT.",
            [
                "Sở Giáo dục và Đào tạo",
                "Sở Khoa học và Công nghệ",
                "Sở Tài nguyên và Môi trường",
                "Sở Thông tin và Truyền thông",
                "Sở Nông nghiệp và Phát triển nông thôn",
                "Sở Giao thông vận tải",
                "Sở Kế hoạch và Đầu tư",
            ],
        ),
        (
            "Công ty Điện lực Gia Lai, Viễn thông Gia Lai, Bưu điện tỉnh và Cục Thống kê tỉnh dự hội nghị.",
            ["Công ty Điện lực Gia Lai", "Viễn thông Gia Lai", "Bưu điện tỉnh", "Cục Thống kê tỉnh"],
        ),
    ],
)
def test_sentences_find_units(text: str, expected: list[str]) -> None:
    assert [c for _, c in _spans(text)] == expected


def test_va_between_two_units_is_not_read_as_the_2025_merged_board() -> None:
    assert [c for _, c in _spans("Ban Tuyên giáo và Ban Dân vận Tỉnh ủy cùng dự.")] == ["Ban Dân vận Tỉnh ủy"]
    assert [c for _, c in _spans("Hội Liên hiệp Phụ nữ tỉnh và Liên đoàn Lao động tỉnh ký kết.")] == [
        "Hội Liên hiệp Phụ nữ tỉnh",
        "Liên đoàn Lao động tỉnh",
    ]


def test_province_name_after_a_unit_joins_it() -> None:
    assert _spans("Lãnh đạo Hội Nông dân tỉnh Bình Phước phát biểu.") == [
        ("Hội Nông dân tỉnh Bình Phước", "Hội Nông dân tỉnh Bình Phước")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Chính sách bảo hiểm xã hội được thực hiện tốt; công tác thanh tra được tăng cường.",
        "Lực lượng công an đã phối hợp với ngành thuế.",
        "Các ĐBQH tỉnh đã tiếp xúc cử tri.",
    ],
)
def test_prose_words_are_not_units(text: str) -> None:
    assert _spans(text) == []


def test_central_bodies_are_not_read_as_the_provincial_unit_inside_them() -> None:
    found = _spans("Bằng khen của Tổng Liên đoàn Lao động Việt Nam, Hội Nông dân Việt Nam và Tổng cục Thuế.")
    assert [c for _, c in found] == [
        "Tổng Liên đoàn Lao động Việt Nam",
        "Hội Nông dân Việt Nam",
        "Tổng cục Thuế",
    ]


def test_open_class_school_of_politics_is_not_cut_short() -> None:
    w = normalize("Trường Chính trị Tôn Đức Thắng là Khối trưởng.").text
    assert gazetteer_spans(w) == []
    assert canonicalize("Trường Chính trị Tôn Đức Thắng") == (
        "Trường Chính trị Tôn Đức Thắng",
        0.6,
        "open_class",
    )


def test_bare_forms_in_lists_still_reach_the_canonical() -> None:
    for surface, want in [
        ("Bảo hiểm xã hội", "Bảo hiểm xã hội tỉnh"),
        ("BHXH", "Bảo hiểm xã hội tỉnh"),
        ("LĐLĐ", "Liên đoàn Lao động tỉnh"),
        ("Hội LHPN", "Hội Liên hiệp Phụ nữ tỉnh"),
        ("Thanh tra", "Thanh tra tỉnh"),
    ]:
        got = canonicalize(surface)
        assert got is not None and got[0] == want, (surface, got)
