"""Fuzzing the extractor with hypothesis: whatever the text, a record with exact evidence, or a named error.

Deterministic (derandomized, no example database) and bounded, so CI runs the same examples in a few
seconds. The text is built from pieces the rules react to (unit names, list words, role and award
cues, dates, separators) mixed with control characters, odd whitespace and arbitrary Unicode, so the
examples reach deep into the relation steps rather than stopping at the first regex.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.api import extract_article
from extract.errors import NotTextError
from extract.record import Record

_PIECES = [
    "Khối thi đua số 3",
    "Cụm thi đua",
    "gồm",
    "gồm các đơn vị:",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở KH&CN",
    "Ban Dân tộc",
    "UBND tỉnh",
    "Trường Chính trị tỉnh",
    "Công ty TNHH Hoa Mai",
    "Hội Nông dân",
    "các sở:",
    "Y tế",
    "Tư pháp",
    "huyện Tân Lạc",
    "là Khối trưởng",
    "Khối phó năm 2024",
    "tặng Bằng khen cho",
    "Cờ thi đua của UBND tỉnh",
    "các đơn vị còn lại",
    "đơn vị này",
    "ngày 15/1/2024",
    "Sáng 12/3,",
    "năm 2023",
    "tổ chức hội nghị tổng kết",
    "ký kết giao ước thi đua",
    "Dự hội nghị có lãnh đạo các",
    "(Khối trưởng)",
    ",",
    ";",
    ":",
    ".",
    " và ",
    "(",
    ")",
    "–",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x0c",
    "\x1b",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "Uỷ ban",
    "\u0301",
    "Khèi thi ®ua",
]

_texts = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(max_size=12)),
    max_size=80,
).map(" ".join)


def _check(text: str, rec: Record) -> None:
    full = rec.to_full()
    json.dumps(full, ensure_ascii=False).encode("utf-8", "surrogatepass")
    for fact in full.get("facts", []):
        ev = fact.get("evidence")
        if ev is not None:
            # every evidence span is the exact stored characters
            assert text[ev["start"] : ev["end"]] == ev["text"]
        assert 0.0 <= fact["confidence"] <= 1.0


@settings(
    derandomize=True,
    database=None,
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_texts)
def test_any_text_gives_a_record_with_exact_evidence_or_a_named_error(text: str) -> None:
    try:
        rec = extract_article(doc_id="fuzz", text=text)
    except NotTextError:
        # only text that is mostly control characters is refused
        controls = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0)
        assert controls * 3 > len(text)
        return
    _check(text, rec)


@settings(derandomize=True, database=None, max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=200, max_size=600).map(" ".join))
def test_long_texts_of_cues_give_records(text: str) -> None:
    # long runs of cues: lists, roles and awards over many sentences and windows
    _check(text, extract_article(doc_id="fuzz", text=text))


@settings(derandomize=True, database=None, max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([p for p in _PIECES if len(p) > 3]), min_size=1, max_size=60))
def test_a_control_character_before_every_word_changes_nothing(pieces: list[str]) -> None:
    # a hostile or broken file with a NUL (or ESC) before every word reads like the clean text
    text = " ".join(pieces)
    clean = extract_article(doc_id="fuzz", text=text).to_schema()
    for ctrl in ("\x00", "\x1b"):
        laced = " ".join(ctrl + word for word in text.split(" "))
        rec = extract_article(doc_id="fuzz", text=laced)
        assert rec.to_schema() == clean
        _check(laced, rec)
