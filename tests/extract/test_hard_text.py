"""Normalisation keeps offsets: every evidence span is the exact stored characters, whatever the input form.

The issue's list item 1 (and research note §5.1–5.2): NFC and NFD input, old tone placement ("hoá",
"Uỷ"), the Icelandic "Ð", stray whitespace (no-break and zero-width spaces, tabs, doubled spaces,
CRLF) must give the same facts as clean modern text, and every fact's evidence must satisfy
`stored[ev.start:ev.end] == ev.text`. Boilerplate lines (view counters, font-size widgets, repeated
captions, "Nguồn:" lines) are ignored for matching. Articles are written for these tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from extract.api import extract_article
from extract.lexicon import ukey
from extract.record import Record
from extract.textnorm import normalize


def _paragraphs(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


BASE = _paragraphs(
    "Khối thi đua số 5 tổng kết công tác thi đua, khen thưởng năm 2023",
    "Chiều 11/01, Khối thi đua số 5 của tỉnh Hưng Yên tổ chức hội nghị tổng kết công tác thi đua, khen "
    "thưởng năm 2023 và ký kết giao ước thi đua năm 2024. Khối gồm 05 đơn vị: Sở Văn hóa, Thể thao và "
    "Du lịch; Sở Y tế; Sở Giáo dục và Đào tạo; Hội Liên hiệp Phụ nữ tỉnh; Đài Phát thanh và Truyền hình "
    "tỉnh.",
    "Sở Y tế (Khối trưởng) chủ trì hội nghị. Hội nghị thống nhất đề nghị Ủy ban nhân dân tỉnh tặng Cờ "
    "thi đua năm 2023 cho Sở Giáo dục và Đào tạo; đề nghị Chủ tịch Ủy ban nhân dân tỉnh tặng Bằng khen "
    "cho Hội Liên hiệp Phụ nữ tỉnh.",
    "Dịp này, Đài Phát thanh và Truyền hình tỉnh vinh dự đón nhận Cờ thi đua của Chính phủ năm 2022.",
    "Hội nghị đã bầu Sở Văn hóa, Thể thao và Du lịch làm Khối trưởng năm 2024.",
)


def _old_style(text: str) -> str:
    return text.replace("hóa", "hoá").replace("Ủy", "Uỷ").replace("Đài", "Ðài").replace("Đào", "Ðào")


def _stray_whitespace(text: str) -> str:
    return "\ufeff" + text.replace("Sở Y tế;", "Sở\u00a0Y\u00a0tế;").replace(
        "Bằng khen", "Bằng\u200b khen"
    ).replace("Hội Liên hiệp Phụ nữ tỉnh;", "Hội Liên hiệp  Phụ nữ tỉnh;").replace(
        "\n\nDịp này", "\n\n\tDịp này"
    ).replace("\n", "\r\n")


VARIANTS: dict[str, Callable[[str], str]] = {
    "nfc": lambda t: t,
    "nfd": lambda t: unicodedata.normalize("NFD", t),
    "old-tone-and-eth": _old_style,
    "old-tone-nfd": lambda t: unicodedata.normalize("NFD", _old_style(t)),
    "stray-whitespace": _stray_whitespace,
}


def _keyed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema record with every name replaced by its comparison key."""
    return {
        "published": schema["published"],
        "province": schema["province"],
        "event_date": schema["event_date"],
        "event_kinds": sorted(schema["event_kinds"]),
        "blocs": sorted(
            (ukey(b["name"]), b["number"], tuple(sorted(map(ukey, b["aliases"])))) for b in schema["blocs"]
        ),
        "members": sorted(map(ukey, schema["members"])),
        "roles": sorted((ukey(r["unit"]), r["role"], r["year"]) for r in schema["roles"]),
        "awards": sorted(
            (ukey(a["recipient"]), a["award"], a["issuer"] or "", a["year"] or 0, a["status"])
            for a in schema["awards"]
        ),
    }


def _assert_exact_evidence(stored: str, rec: Record) -> None:
    for kind, fact in rec.facts():
        ev = fact.evidence
        if ev is None:
            continue
        assert 0 <= ev.start < ev.end <= len(stored), (kind, ev)
        assert stored[ev.start : ev.end] == ev.text, (kind, ev)
        assert ev.text.strip(), (kind, ev)
        # a span never cuts a letter from its combining marks
        assert not unicodedata.combining(stored[ev.start]), (kind, ev)
        assert ev.end == len(stored) or not unicodedata.combining(stored[ev.end]), (kind, ev)


# list item 1: the working copy and its offset map ---------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Uỷ ban Mặt trận Tổ quốc Việt Nam tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
        ("\u00d0ảng ủy Khối các cơ quan tỉnh", "Đảng ủy Khối các cơ quan tỉnh"),
        ("Sở\u00a0Tư\u00a0pháp tỉnh\tBắc Kạn", "Sở Tư pháp tỉnh Bắc Kạn"),
        ("Sở Tư pháp\u200b và Thanh tra tỉnh", "Sở Tư pháp và Thanh tra tỉnh"),
        ("quý và hoàn thành", "quý và hoàn thành"),  # modern spelling is left alone
    ],
)
def test_working_copy_uses_one_convention(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected
    assert normalize(unicodedata.normalize("NFD", raw)).text == expected


@pytest.mark.parametrize(
    "raw",
    [
        unicodedata.normalize("NFD", "Sở Giáo dục và Đào tạo được tặng Cờ thi đua của Ủy ban nhân dân tỉnh"),
        "Uỷ ban Kiểm tra Tỉnh uỷ và Sở Văn hoá, Thể thao và Du lịch tỉnh Khánh Hoà",
        "\ufeffÐài Phát thanh\u00a0và Truyền hình\r\ntỉnh Quảng Bình\u200b được tặng Bằng khen",
    ],
    ids=["nfd", "old-tone", "eth-and-whitespace"],
)
def test_every_working_word_maps_back_to_its_stored_characters(raw: str) -> None:
    n = normalize(raw)
    for m in re.finditer(r"\w+", n.text):
        s, e = n.to_orig(m.start(), m.end())
        assert n.orig_text(m.start(), m.end()) == raw[s:e]
        assert normalize(raw[s:e]).text == m.group(), (m.group(), raw[s:e])


# list item 1: evidence spans on whole articles ---------------------------------------------------
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_evidence_span_is_the_stored_text(variant: str) -> None:
    stored = VARIANTS[variant](BASE)
    rec = extract_article(doc_id="hard-text", text=stored, published="2024-01-12")
    assert len(rec.facts()) > 10
    _assert_exact_evidence(stored, rec)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "nfc"])
def test_input_form_does_not_change_the_facts(variant: str) -> None:
    baseline = extract_article(doc_id="hard-text", text=BASE, published="2024-01-12").to_schema()
    stored = VARIANTS[variant](BASE)
    got = extract_article(doc_id="hard-text", text=stored, published="2024-01-12").to_schema()
    assert _keyed(got) == _keyed(baseline)


def test_baseline_article_is_read_correctly() -> None:
    rec = _keyed(extract_article(doc_id="hard-text", text=BASE, published="2024-01-12").to_schema())
    assert rec["members"] == sorted(
        ukey(n)
        for n in (
            "Sở Văn hóa, Thể thao và Du lịch",
            "Sở Y tế",
            "Sở Giáo dục và Đào tạo",
            "Hội Liên hiệp Phụ nữ tỉnh",
            "Đài Phát thanh và Truyền hình tỉnh",
        )
    )
    assert rec["roles"] == sorted(
        [
            (ukey("Sở Y tế"), "khoi_truong", 2023),
            (ukey("Sở Văn hóa, Thể thao và Du lịch"), "khoi_truong", 2024),
        ]
    )
    assert rec["province"] == "Hưng Yên"
    assert rec["event_date"] == "2024-01-11"


# list item 1: boilerplate lines are not matched -----------------------------------------------------
BOILERPLATE_ARTICLE = _paragraphs(
    "Khối thi đua số 2 tổng kết năm 2023",
    "Cỡ chữ: A A A",
    "Thứ Tư, 10/01/2024 15:20",
    "Lượt xem: 1.284",
    "Chiều 09/01, Khối thi đua số 2 của tỉnh Hưng Yên tổ chức hội nghị tổng kết công tác thi đua năm "
    "2023. Khối gồm 03 đơn vị: Sở Công Thương, Sở Xây dựng và Thanh tra tỉnh.",
    "Quang cảnh hội nghị tổng kết Khối thi đua số 2, Sở Công Thương trao Bằng khen",
    "Hội nghị thống nhất đề nghị Chủ tịch UBND tỉnh tặng Bằng khen cho Sở Xây dựng.",
    "Quang cảnh hội nghị tổng kết Khối thi đua số 2, Sở Công Thương trao Bằng khen",
    "Tin, ảnh: Thu Hương",
    "Nguồn: Sở Tư pháp tỉnh Hưng Yên",
)


def _boilerplate_spans(stored: str) -> list[tuple[int, int]]:
    spans = []
    for line in ("Cỡ chữ: A A A", "Lượt xem: 1.284", "Nguồn: Sở Tư pháp tỉnh Hưng Yên"):
        i = stored.index(line)
        spans.append((i, i + len(line)))
    caption = "Quang cảnh hội nghị tổng kết Khối thi đua số 2, Sở Công Thương trao Bằng khen"
    second = stored.index(caption, stored.index(caption) + 1)
    spans.append((second, second + len(caption)))
    return spans


def test_boilerplate_lines_give_no_facts() -> None:
    rec = extract_article(doc_id="hard-text", text=BOILERPLATE_ARTICLE)
    schema = rec.to_schema()
    assert schema["published"] == "2024-01-10"  # the date line, not the view counter
    assert schema["event_date"] == "2024-01-09"
    assert sorted(map(ukey, schema["members"])) == sorted(
        ukey(n) for n in ("Sở Công Thương", "Sở Xây dựng", "Thanh tra tỉnh")
    )  # "Sở Tư pháp" only appears in the "Nguồn:" line
    for kind, fact in rec.facts():
        if fact.evidence is None:
            continue
        for s, e in _boilerplate_spans(BOILERPLATE_ARTICLE):
            assert fact.evidence.end <= s or fact.evidence.start >= e, (kind, fact.evidence)
    _assert_exact_evidence(BOILERPLATE_ARTICLE, rec)
