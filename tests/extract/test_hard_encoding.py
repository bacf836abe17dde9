"""Hard case 23 of the research note (§8 "Encoding", §5): text arriving as NFD, cp1258, TCVN3, VNI, with
old tone placement or the Icelandic "Ð".

Tested through the cleaning entry points (`decode_html`, `clean_html`), the normalisation entry point
(`normalize`, whose working copy must read as modern NFC Vietnamese) and `extract_article`. The legacy
strings below were produced for these tests with glibc iconv (TCVN5712-1, read as Latin-1, the way a
.VnTime page shows in a Unicode browser) and by hand for VNI-Windows; the TCVN3 "ư" is the soft hyphen
U+00AD, written as an escape.
"""

from __future__ import annotations

import unicodedata

import pytest

from extract.api import extract_article
from extract.clean import clean_html, decode_html
from extract.lexicon import ukey
from extract.textnorm import normalize

TITLE = "Khối thi đua số 6 tổng kết công tác thi đua năm 2016"
LEAD = "Chiều 27/12, Khối thi đua số 6 tổ chức hội nghị tổng kết công tác thi đua, khen thưởng năm 2016."
LIST = "Khối gồm Sở Y tế, Sở Giáo dục và Đào tạo, Sở Văn hóa, Thể thao và Du lịch và Bảo hiểm xã hội tỉnh."
ROLE = "Hội nghị đã bầu Sở Giáo dục và Đào tạo làm Khối trưởng năm 2017."
PEOPLE = "Các đơn vị trong Khối đã chăm lo tốt đời sống người lao động."
UNICODE = [TITLE, LEAD, LIST, ROLE, PEOPLE]

TCVN3 = [
    "Khèi thi ®ua sè 6 tæng kÕt c«ng t¸c thi ®ua n¨m 2016",
    "ChiÒu 27/12, Khèi thi ®ua sè 6 tæ chøc héi nghÞ tæng kÕt c«ng t¸c thi ®ua, khen th\xadëng n¨m 2016.",
    "Khèi gåm Së Y tÕ, Së Gi¸o dôc vµ §µo t¹o, Së V¨n hãa, ThÓ thao vµ Du lÞch vµ B¶o hiÓm x· héi tØnh.",
    "Héi nghÞ ®· bÇu Së Gi¸o dôc vµ §µo t¹o lµm Khèi tr\xadëng n¨m 2017.",
    "C¸c ®¬n vÞ trong Khèi ®· ch¨m lo tèt ®êi sèng ng\xadêi lao ®éng.",
]
VNI = [
    "Khoái thi ñua soá 6 toång keát coâng taùc thi ñua naêm 2016",
    "Chieàu 27/12, Khoái thi ñua soá 6 toå chöùc hoäi nghò toång keát coâng taùc thi ñua, khen thöôûng naêm "
    "2016.",
    "Khoái goàm Sôû Y teá, Sôû Giaùo duïc vaø Ñaøo taïo, Sôû Vaên hoùa, Theå thao vaø Du lòch vaø Baûo "
    "hieåm xaõ hoäi tænh.",
    "Hoäi nghò ñaõ baàu Sôû Giaùo duïc vaø Ñaøo taïo laøm Khoái tröôûng naêm 2017.",
    "Caùc ñôn vò trong Khoái ñaõ chaêm lo toát ñôøi soáng ngöôøi lao ñoäng.",
]
LEGACY = {"tcvn3": TCVN3, "vni": VNI}

_CP1258_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _cp1258(text: str) -> bytes:
    """Encode as windows-1258 does: base letter (â, ơ, đ … are single bytes) then a combining tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _CP1258_TONES))
            out += (base + "".join(c for c in parts if c in _CP1258_TONES)).encode("cp1258")
    return bytes(out)


def _page(paragraphs: list[str], charset: str | None, font: str | None = None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    wrap = (lambda p: f'<font face="{font}">{p}</font>') if font else (lambda p: p)
    body = "".join(f"<p>{wrap(p)}</p>" for p in paragraphs[1:])
    return (
        f"<html><head>{meta}<title>{wrap(paragraphs[0])}</title></head><body>"
        f'<div class="content"><h1>{wrap(paragraphs[0])}</h1>{body}</div></body></html>'
    )


def _article(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


# hard case 23: cp1258 pages and NFD ------------------------------------------------------------------
@pytest.mark.parametrize("declared", ["windows-1258", None], ids=["declared", "undeclared"])
def test_case23_cp1258_page_becomes_nfc_text(declared: str | None) -> None:
    body = _cp1258(_page(UNICODE, declared))
    html = decode_html(body, None)
    assert html == unicodedata.normalize("NFC", html)
    text = clean_html(html, "http://sgddt.example.gov.vn/tin-tuc/123").text
    for sentence in (LEAD, LIST, ROLE):
        assert sentence in text


def test_case23_nfd_page_becomes_nfc_text() -> None:
    body = unicodedata.normalize("NFD", _page(UNICODE, "utf-8")).encode("utf-8")
    text = clean_html(decode_html(body, "utf-8"), "http://sgddt.example.gov.vn/tin-tuc/123").text
    assert LIST in text and text == unicodedata.normalize("NFC", text)


def test_case23_nfd_article_gives_the_same_record_as_nfc() -> None:
    nfc = _article(UNICODE)
    nfd = unicodedata.normalize("NFD", nfc)
    a = extract_article(doc_id="x", text=nfc, published="2016-12-28").to_schema()
    b = extract_article(doc_id="x", text=nfd, published="2016-12-28").to_schema()
    assert b == a


# hard case 23: TCVN3 and VNI legacy text ---------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_case23_legacy_text_normalises_to_unicode(encoding: str) -> None:
    for legacy, expected in zip(LEGACY[encoding], UNICODE, strict=True):
        assert normalize(legacy).text == expected


@pytest.mark.parametrize(("encoding", "font"), [("tcvn3", ".VnTime"), ("vni", "VNI-Times")])
def test_case23_legacy_page_is_cleaned_to_unicode(encoding: str, font: str) -> None:
    # the bytes of a legacy-font page are the legacy code points shown as Latin-1
    body = _page(LEGACY[encoding], "iso-8859-1", font).encode("latin-1")
    art = clean_html(decode_html(body, None), "http://sotp.example.gov.vn/tin-tuc/42")
    for sentence in (LEAD, LIST, ROLE, PEOPLE):
        assert sentence in art.text
    assert art.title == TITLE


def test_case23_page_mixing_unicode_and_tcvn3_paragraphs() -> None:
    paragraphs = [TITLE, LEAD, TCVN3[2], ROLE, TCVN3[4]]
    art = clean_html(_page(paragraphs, "utf-8"), "http://sotp.example.gov.vn/tin-tuc/43")
    for sentence in (LEAD, LIST, ROLE, PEOPLE):
        assert sentence in art.text


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_case23_legacy_article_is_extracted_with_exact_evidence(encoding: str) -> None:
    stored = _article(LEGACY[encoding])
    rec = extract_article(doc_id="x", text=stored, published="2016-12-28")
    schema = rec.to_schema()
    assert [b["number"] for b in schema["blocs"]] == ["6"]
    assert schema["event_date"] == "2016-12-27"
    assert ukey("Sở Giáo dục và Đào tạo") in {ukey(m) for m in schema["members"]}
    assert (ukey("Sở Giáo dục và Đào tạo"), "khoi_truong", 2017) in {
        (ukey(r["unit"]), r["role"], r["year"]) for r in schema["roles"]
    }
    for _, fact in rec.facts():
        if fact.evidence is not None:
            assert stored[fact.evidence.start : fact.evidence.end] == fact.evidence.text


@pytest.mark.parametrize(
    "text",
    [
        "Công ty Cổ phần Dược phẩm Imexpharm® đạt doanh thu hơn 1.500 tỷ đồng.",
        "Khối thi đua số 6 gồm Sở Y tế và Bảo hiểm xã hội tỉnh; tỷ lệ đạt 98,5% (§ 2 Điều 5).",
        "Café sáng cùng lãnh đạo Sở Văn hóa, Thể thao và Du lịch tại Đà Lạt.",
    ],
)
def test_case23_ordinary_unicode_is_not_mistaken_for_legacy_text(text: str) -> None:
    assert normalize(text).text == text


# hard case 23: old tone placement and the Icelandic "Ð" ------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Uỷ ban Kiểm tra Tỉnh uỷ", "Ủy ban Kiểm tra Tỉnh ủy"),
        ("Công ty TNHH MTV Khai thác công trình thuỷ lợi", "Công ty TNHH MTV Khai thác công trình thủy lợi"),
        ("Ðài Phát thanh và Truyền hình tỉnh Thanh Hoá", "Đài Phát thanh và Truyền hình tỉnh Thanh Hóa"),
        ("Trung tâm Chăm sóc sức khoẻ sinh sản", "Trung tâm Chăm sóc sức khỏe sinh sản"),
    ],
)
def test_case23_old_tone_marks_and_eth(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected
    assert normalize(unicodedata.normalize("NFD", raw)).text == expected


def test_case23_old_tone_marks_and_eth_in_an_article() -> None:
    text = _article(
        [
            "Khối thi đua số 1 tổng kết năm 2019",
            "Chiều 08/01, Khối thi đua số 1 của tỉnh Thanh Hoá gồm Uỷ ban Kiểm tra Tỉnh uỷ, Văn phòng Tỉnh "
            "uỷ, Ban Tổ chức Tỉnh uỷ và Ðảng ủy Khối các cơ quan tỉnh tổ chức hội nghị tổng kết công tác "
            "thi đua năm 2019.",
        ]
    )
    rec = extract_article(doc_id="x", text=text, published="2020-01-09").to_schema()
    assert rec["province"] == "Thanh Hóa"
    assert {ukey(m) for m in rec["members"]} == {
        ukey(n)
        for n in (
            "Ủy ban Kiểm tra Tỉnh ủy",
            "Văn phòng Tỉnh ủy",
            "Ban Tổ chức Tỉnh ủy",
            "Đảng ủy Khối các cơ quan tỉnh",
        )
    }


def test_unicode_lines_of_latin1_letters_only_are_not_read_as_vni() -> None:
    # "oà", "iê" are VNI marks after vowels, but these are plain Unicode Vietnamese words
    for line in ("Xã Hoàng Liên", "Tân Hòa và Diên Toàn", "UBND xã Yên Khoái"):
        assert normalize(line).text == line
    # a real VNI line carries a mark no Vietnamese word has ("ñ" for đ)
    assert normalize("Khoái thi ñua soá 6").text == "Khối thi đua số 6"
