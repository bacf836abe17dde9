"""extract.places: provinces, districts and wards from the vietnamadminunits package's data.

Sentences are written for these tests; place names are the package's.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from extract import places as P
from extract.api import extract_article
from extract.errors import PlaceDataError
from extract.lexicon import lexicon
from extract.textnorm import normalize, normalize_name
from extract.units import place_units


def test_the_package_data_has_both_structures() -> None:
    pl = P.places()
    assert len(pl.provinces) == 63
    assert len({p.merged_into for p in pl.provinces}) == 34
    assert sum(p.in_2025 for p in pl.provinces) == 34
    assert 650 < len(pl.districts) < 750
    assert {d.kind for d in pl.districts} == set(P.DISTRICT_KINDS)
    wards = [w for ws in P._wards().values() for w in ws]
    assert 9_000 < sum(not w.in_2025 for w in wards) < 11_000
    assert 3_000 < sum(w.in_2025 for w in wards) < 3_500
    assert {p.merged_into for p in pl.provinces} == {w.province for w in wards if w.in_2025}


def test_reading_the_data_does_not_import_the_package() -> None:
    """Importing vietnamadminunits pulls shapely and geopy (~1.5 s); we only read its files."""
    P.places()
    P._wards()
    assert "vietnamadminunits" not in sys.modules
    assert "geopy" not in sys.modules


def test_a_missing_package_is_a_named_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(PlaceDataError, match="make install"):
        P._data_dir()


@pytest.mark.parametrize(
    ("kind_and_name", "expected"),
    [
        ("huyện Lộc Ninh", ("huyện", "Lộc Ninh")),
        ("Thị xã Bình Long", ("thị xã", "Bình Long")),
        ("TX. Bình Long", ("thị xã", "Bình Long")),
        ("TP.Đồng Xoài", ("thành phố", "Đồng Xoài")),
        ("TP Đồng Xoài", ("thành phố", "Đồng Xoài")),
        ("Quận 1", ("quận", "1")),
        ("thị trấn Lộc Ninh", ("thị trấn", "Lộc Ninh")),
        ("Lộc Ninh", (None, "Lộc Ninh")),
        ("TPHCM", (None, "TPHCM")),
        ("xã", (None, "xã")),
    ],
)
def test_split_kind(kind_and_name: str, expected: tuple[str | None, str]) -> None:
    assert P.split_kind(kind_and_name) == expected


def test_place_key_ignores_case_marks_and_leading_zeros() -> None:
    assert P.place_key("Phường 01") == P.place_key("phuong 1") == "phuong 1"
    assert P.place_key("Hoà Bình") == P.place_key("HÒA BÌNH")


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("Bắc Ninh", "Bắc Ninh"),
        ("tỉnh Bắc Giang", "Bắc Giang"),
        ("Tỉnh Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("BR-VT", "Bà Rịa - Vũng Tàu"),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("TP.HCM", "Hồ Chí Minh"),
        ("thành phố Cần Thơ", "Cần Thơ"),
        ("Đăk Lăk", "Đắk Lắk"),
        ("Hoà Bình", "Hòa Bình"),
        ("Bắc Cạn", "Bắc Kạn"),
        ("Thừa Thiên Huế", "Thừa Thiên Huế"),  # before 2025: the name articles of that time use
        ("tỉnh Thừa Thiên - Huế", "Thừa Thiên Huế"),
        ("thành phố Huế", "Huế"),  # a centrally-run city since 2025
        ("thành phố Bắc Giang", None),  # a city inside Bắc Giang province, not the province
        ("Sở Y tế", None),
        ("", None),
    ],
)
def test_canonical_province_keeps_the_name_the_text_uses(spelling: str, canonical: str | None) -> None:
    assert P.canonical_province(spelling) == canonical


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Bình Phước", "Đồng Nai"),
        ("Quảng Nam", "Đà Nẵng"),
        ("Hà Giang", "Tuyên Quang"),
        ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
        ("Thừa Thiên Huế", "Huế"),
        ("Cao Bằng", "Cao Bằng"),
        ("Bắc Ninh", "Bắc Ninh"),
        ("Bắc Giang", "Bắc Ninh"),
    ],
)
def test_province_2025_converts_the_63_to_the_34(old: str, new: str) -> None:
    assert P.province_2025(old) == new


def test_province_2025_of_no_province() -> None:
    assert P.province_2025("Lộc Ninh") is None


def test_districts_by_name_kind_and_province() -> None:
    assert P.is_district("huyện Lộc Ninh")
    assert P.is_district("Lộc Ninh", province="Bình Phước")
    assert P.is_district("Lộc Ninh", province="tỉnh Đồng Nai")  # Bình Phước became part of Đồng Nai
    assert not P.is_district("Lộc Ninh", province="Bắc Ninh")
    assert not P.is_district("Biên Hòa", province="Bình Phước")  # Đồng Nai's city, not Bình Phước's
    assert not P.is_district("thị xã Lộc Ninh")  # a huyện
    assert not P.is_district("thành phố Hà Nội")  # a province, not a district
    assert not P.is_district("tỉnh Bình Phước")
    assert not P.is_district("Lộc Ninh", province="Atlantis")
    assert P.is_district("Quận 1", province="TP.HCM")
    assert P.is_district("quận 01")


def test_district_kind_only_when_one_fits() -> None:
    assert P.district_kind("Lộc Ninh") == "huyện"
    assert P.district_kind("Bình Long") == "thị xã"
    assert P.district_kind("Đồng Xoài") == "thành phố"
    assert P.district_kind("Ba Đình") == "quận"
    assert P.district_kinds("Kỳ Anh") == {"huyện", "thị xã"}  # Hà Tĩnh has both
    assert P.district_kind("Kỳ Anh") is None
    assert P.district_kind("thị xã Kỳ Anh") == "thị xã"
    assert P.district_kind("Sở Y tế") is None


def test_wards_before_and_since_2025() -> None:
    assert P.is_ward("phường Tân Định", province="Hồ Chí Minh")
    assert P.is_ward("thị trấn Lộc Ninh", province="Bình Phước")
    assert P.ward_kind("Vân Đồn", province="Quảng Ninh") == "đặc khu"
    assert P.ward_kind("Lộc Ninh", province="Bình Phước") == "thị trấn"  # before 2025
    # Đồng Nai holds the commune of 2025 and, through Bình Phước, the township of before
    assert {(w.kind, w.in_2025) for w in P.wards_named("Lộc Ninh", province="Đồng Nai")} == {
        ("xã", True),
        ("thị trấn", False),
    }
    assert P.ward_kind("Lộc Ninh") is None  # communes in several provinces, and a township
    assert P.is_ward("đặc khu Vân Đồn")  # a special zone since 2025
    assert not P.is_ward("đặc khu Vân Đồn", province="Bình Phước")
    assert P.is_ward("Phường 1", province="Hồ Chí Minh")
    assert not P.is_ward("huyện Lộc Ninh")
    # a name of Latin-1 letters only: read as Unicode, never as VNI ("Hồng Liên")
    assert [w.name for w in P.wards_named("xã Hoàng Liên")] == ["Hoàng Liên"]


def test_province_of_place() -> None:
    assert P.province_of_place("huyện Lộc Ninh") == "Bình Phước"
    assert P.province_of_place("huyện Lộc Ninh", before_2025=False) == "Đồng Nai"
    assert P.province_of_place("TP. Cần Thơ") == "Cần Thơ"
    assert P.province_of_place("Quảng Nam", before_2025=False) == "Đà Nẵng"
    assert P.province_of_place("thành phố Bắc Giang") == "Bắc Giang"
    assert P.province_of_place("thị xã Kỳ Anh") == "Hà Tĩnh"
    assert P.province_of_place("huyện Châu Thành") is None  # one in several provinces
    assert P.province_of_place("xã Tân Lập") is None
    assert P.province_of_place("Sở Y tế") is None


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Đồng Xoài Cụm trưởng", "thành phố", "Đồng Xoài"),
        ("Bà Rịa - Vũng Tàu làm Cụm phó", "tỉnh", "Bà Rịa - Vũng Tàu"),
        ("Lộc Ninh, Bù Đốp", "huyện", "Lộc Ninh"),
        ("Lộc Ninh (Khối trưởng)", "thị trấn", "Lộc Ninh"),
        ("Hoàng Liên làm", "xã", "Hoàng Liên"),
        ("Lộc Ninh", "thị xã", None),
        ("Lâm Quỳnh Hạ", "xã", None),
    ],
)
def test_longest_place(text: str, kind: str, expected: str | None) -> None:
    assert P.longest_place(text, kind) == expected


def test_names_are_normalised_like_article_text() -> None:
    """Every province, district and ward name reads back unchanged from a normalised sentence."""
    pl = P.places()
    names = [p.name for p in pl.provinces] + [d.name for d in pl.districts]
    names += [w.name for ws in P._wards().values() for w in ws]
    for name in names:
        assert normalize_name(name) == name
        assert name in normalize(f"Đại diện địa phương {name} dự họp.").text, name


def test_province_variants_reach_the_lexicon() -> None:
    lex = lexicon()
    assert lex.province("TP. Cần Thơ") is lex.province("Cần Thơ")
    hue = lex.province("Thừa Thiên - Huế")
    assert hue is not None and hue.name == "Thừa Thiên Huế" and hue.merged_into == "Huế"
    assert lex.province("thành phố Bắc Giang") is None


# ------------------------------------------------------------------ places acting as units


def _places_in(text: str) -> list[str]:
    w = normalize(text).text
    return [u.canonical for u in place_units(w, 0, len(w), [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Năm nay Tỉnh Bà Rịa - Vũng Tàu làm Cụm trưởng, Thị trấn Lộc Ninh làm Cụm phó.",
            ["tỉnh Bà Rịa - Vũng Tàu", "thị trấn Lộc Ninh"],
        ),
        ("Thành phố Đồng Xoài Khối trưởng năm 2024.", ["thành phố Đồng Xoài"]),
        ("Thành phố Cần Thơ giữ vai trò Cụm trưởng.", ["thành phố Cần Thơ"]),
        ("Xã Hoàng Liên Cụm trưởng, Huyện Lộc Ninh Cụm phó.", ["xã Hoàng Liên", "huyện Lộc Ninh"]),
        # a commune the data lacks is kept as written
        ("Xã Lâm Quỳnh Hạ làm Cụm phó.", ["xã Lâm Quỳnh Hạ"]),
        # "quận"/"thị trấn" only when the place is known
        ("Quận Ba Đình làm Cụm trưởng, Quận Mười Hai làm Cụm phó.", ["quận Ba Đình"]),
        ("Tỉnh Atlantis làm Cụm trưởng.", []),
    ],
)
def test_place_units(text: str, expected: list[str]) -> None:
    assert _places_in(text) == expected


# ------------------------------------------------------------------ the bloc's province from places


def _province(
    lead: str, *, url: str | None = None, published: str = "2023-01-13", hint: str | None = None
) -> str | None:
    text = f"Khối thi đua số 4 tổng kết năm 2022\n\n{lead}\n\nPhóng viên"
    rec = extract_article(doc_id="t", text=text, url=url, published=published, province_hint=hint)
    return rec.to_schema()["province"]  # type: ignore[no-any-return]


_NO_PLACE = "Chiều 12/01, Khối thi đua số 4 gồm Sở Nội vụ, Sở Tư pháp và Thanh tra tỉnh tổ chức hội nghị"


@pytest.mark.parametrize(
    ("lead", "url", "published", "expected"),
    [
        pytest.param(f"{_NO_PLACE} tại TP Hạ Long.", None, "2023-01-13", "Quảng Ninh", id="city"),
        pytest.param(f"{_NO_PLACE} tại huyện Lộc Ninh.", None, "2023-01-13", "Bình Phước", id="district"),
        pytest.param(  # a meeting after districts were abolished: the province they became part of
            _NO_PLACE.replace("12/01", "12/12") + " tại huyện Lộc Ninh cũ.",
            None,
            "2025-12-20",
            "Đồng Nai",
            id="district-after-2025",
        ),
        pytest.param(  # the meeting's own date decides, not the publication's
            f"{_NO_PLACE} tại huyện Lộc Ninh.", None, "2025-12-20", "Bình Phước", id="meeting-before-2025"
        ),
        pytest.param(f"{_NO_PLACE} tại huyện Châu Thành.", None, "2023-01-13", None, id="shared-name"),
        pytest.param(
            f"{_NO_PLACE} tại thị xã Bình Long, sau đó thăm thành phố Đồng Hới.",
            None,
            "2023-01-13",
            None,
            id="two-provinces",
        ),
        pytest.param(
            f"{_NO_PLACE} tại TP Hạ Long của tỉnh Bình Định.",
            None,
            "2023-01-13",
            "Bình Định",
            id="named-wins",
        ),
        pytest.param(
            f"{_NO_PLACE}.",
            "https://congdoan.example.vn/ldld-soc-trang/cum-thi-dua-so-3-ky-ket",
            "2023-01-13",
            "Sóc Trăng",
            id="url-path",
        ),
        pytest.param(
            f"{_NO_PLACE}.",
            "https://tin.example.vn/soc-trang-va-bac-lieu/cum-thi-dua",
            "2023-01-13",
            None,
            id="url-path-two-provinces",
        ),
        pytest.param(f"{_NO_PLACE}.", None, "2023-01-13", None, id="nothing"),
    ],
)
def test_province_from_a_district_or_the_url_path(
    lead: str, url: str | None, published: str, expected: str | None
) -> None:
    assert _province(lead, url=url, published=published) == expected


# ------------------------------------------------------------------ lists spread over districts


def _members(lead: str) -> list[str]:
    text = f"Cụm thi đua số 2 tổng kết năm 2023\n\n{lead}\n"
    return extract_article(doc_id="t", text=text, url=None, published="2024-01-10").to_schema()["members"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        pytest.param(
            "Chiều 5/1, Cụm thi đua số 2 gồm UBND các huyện, thị xã, thành phố: Lộc Ninh, Bình Long,"
            " Đồng Xoài và Bù Đốp tổ chức hội nghị tổng kết.",
            [
                "Ủy ban nhân dân huyện Lộc Ninh",
                "Ủy ban nhân dân thị xã Bình Long",
                "Ủy ban nhân dân thành phố Đồng Xoài",
                "Ủy ban nhân dân huyện Bù Đốp",
            ],
            id="several-kinds-each-place-its-own",
        ),
        pytest.param(
            "Cụm thi đua số 2 gồm Chủ tịch UBND 3 huyện, thị xã trong Cụm: Lộc Ninh, Bình Long và Hớn Quản"
            " tổ chức hội nghị.",
            [
                "Ủy ban nhân dân huyện Lộc Ninh",
                "Ủy ban nhân dân thị xã Bình Long",
                "Ủy ban nhân dân huyện Hớn Quản",
            ],
            id="count-and-several-kinds",
        ),
        pytest.param(
            "Cụm thi đua số 2 gồm VKSND các huyện: Lộc Ninh, Bù Đốp và thị xã Bình Long tổ chức hội nghị.",
            [
                "Viện Kiểm sát nhân dân huyện Lộc Ninh",
                "Viện Kiểm sát nhân dân huyện Bù Đốp",
                "Viện Kiểm sát nhân dân thị xã Bình Long",
            ],
            id="a-place-with-its-own-kind",
        ),
        pytest.param(
            "Cụm thi đua số 2 gồm các huyện, thị xã: Lộc Ninh, Bình Long và Bù Đốp tổ chức hội nghị.",
            ["huyện Lộc Ninh", "thị xã Bình Long", "huyện Bù Đốp"],
            id="places-as-members-several-kinds",
        ),
        pytest.param(
            "Cụm thi đua số 2 gồm các huyện: Lộc Ninh, Bình Long và Bù Đốp tổ chức hội nghị.",
            ["huyện Lộc Ninh", "huyện Bình Long", "huyện Bù Đốp"],
            id="places-as-members-one-kind",
        ),
        pytest.param(  # one kind named: the article's word wins over newer data (Bình Long was a huyện)
            "Cụm thi đua số 2 gồm Công an các huyện: Lộc Ninh và Bình Long tổ chức hội nghị.",
            ["Công an huyện Lộc Ninh", "Công an huyện Bình Long"],
            id="one-kind-is-kept",
        ),
    ],
)
def test_lists_spread_over_districts(lead: str, expected: list[str]) -> None:
    assert _members(lead) == expected


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("TP. Hồ Chí Minh", "Hồ Chí Minh"), ("tỉnh Bắc Giang", "Bắc Giang"), ("Vùng Tây Bắc", "Vùng Tây Bắc")],
)
def test_the_registry_hint_in_schema_form(hint: str, expected: str) -> None:
    assert _province(f"{_NO_PLACE} tại TP Hạ Long.", hint=hint) == expected
