"""Hostile input to the extractor (issue 7, item 8): size cap, control characters, windows, linear cost.

The texts are written for these tests or built from the project's own mock articles.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.util import filter_spans

from extract import pipeline, units
from extract.api import extract_article
from extract.document import windows
from extract.errors import ArticleTooLargeError, NotTextError
from extract.limits import MAX_ARTICLE_BYTES, WINDOW_CHARS, check_size
from extract.spanindex import SpanIndex
from extract.textnorm import normalize
from extract.units import UnitSpan

MOCK_TEXT = Path(__file__).resolve().parents[2] / "crawler" / "mockportals" / "corpus" / "text"
ARTICLE = (MOCK_TEXT / "bd-2016-khoi7-tk.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the size cap


def test_an_article_above_the_cap_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_work(*_args: object) -> None:
        raise AssertionError("normalised an article above the cap")

    monkeypatch.setattr(pipeline, "normalize", no_work)
    with pytest.raises(ArticleTooLargeError, match="above the cap of 1,000 bytes"):
        extract_article(doc_id="big", text="ạ" * 501, max_bytes=1000)  # 501 characters, 1,503 bytes


def test_the_cap_counts_utf8_bytes_not_characters() -> None:
    extract_article(doc_id="ok", text="ạ" * 333, max_bytes=1000)  # 999 bytes: read
    with pytest.raises(ArticleTooLargeError):
        extract_article(doc_id="big", text="ạ" * 334, max_bytes=1000)


def test_the_default_cap_is_two_mebibytes() -> None:
    assert MAX_ARTICLE_BYTES == 2 * 1024 * 1024
    check_size(MAX_ARTICLE_BYTES)
    with pytest.raises(ArticleTooLargeError):
        check_size(MAX_ARTICLE_BYTES + 1)


# ---------------------------------------------------------------- control characters


@pytest.mark.parametrize("ctrl", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_control_character_before_every_word_reads_like_the_clean_article(ctrl: str) -> None:
    laced = " ".join(ctrl + word for word in ARTICLE.split(" "))
    clean = extract_article(doc_id="a", text=ARTICLE).to_schema()
    rec = extract_article(doc_id="a", text=laced)
    assert clean["members"] and rec.to_schema() == clean
    for fact in rec.to_full()["facts"]:
        ev = fact["evidence"]
        if ev:
            assert laced[ev["start"] : ev["end"]] == ev["text"]


def test_a_control_character_between_words_separates_them() -> None:
    n = normalize("Sở\x00Y\x1btế\x00\x00 gồm")
    assert n.text == "Sở Y tế gồm"
    assert n.orig_text(0, 7) == "Sở\x00Y\x1btế"


def test_text_that_is_mostly_control_characters_is_refused() -> None:
    with pytest.raises(NotTextError, match="control characters"):
        extract_article(doc_id="bin", text="\x00K\x00h\x00\x01\x02\x00i")  # UTF-16 read as UTF-8


# ---------------------------------------------------------------- windows and look-ups


def test_a_normal_sentence_is_one_window() -> None:
    w = "Khối gồm Sở Y tế, Sở Tư pháp và Sở Nội vụ."
    assert windows(w, 0, len(w)) == [(0, len(w))]


def test_a_long_sentence_is_cut_into_windows_at_separators() -> None:
    w = "Khối gồm: " + "Sở Y tế, Sở Tư pháp; " * 400
    spans = windows(w, 0, len(w))
    assert len(spans) > 1
    assert all(0 < e - s <= WINDOW_CHARS for s, e in spans)
    assert all(w[e - 1] in ";," for _s, e in spans[:-1])  # cut after a separator, never inside a word
    covered = "".join(w[s:e] for s, e in spans)
    assert covered.replace(" ", "") == w.replace(" ", "")


def test_a_sentence_without_separators_is_still_cut() -> None:
    w = "x" * (3 * WINDOW_CHARS + 5)
    spans = windows(w, 0, len(w))
    assert [e - s for s, e in spans] == [WINDOW_CHARS] * 3 + [5]


_spans = st.lists(
    st.tuples(st.integers(0, 300), st.integers(0, 40)).map(
        lambda t: UnitSpan(t[0], t[0] + t[1], "", 1.0, "")
    ),
    max_size=40,
)


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(_spans, st.integers(0, 340), st.integers(0, 60))
def test_span_index_keeps_what_a_full_scan_keeps_in_order(spans: list[UnitSpan], s: int, n: int) -> None:
    e = s + n
    assert SpanIndex(spans).within(s, e) == [u for u in spans if u.end >= s and u.start <= e]


def _whole_doc_matches(text: str) -> list[tuple[int, int]]:
    """The gazetteer matches of one spaCy Doc over the whole text (as before chunking)."""
    doc = units._nlp().make_doc(text)
    found = filter_spans([doc[s:e] for _, s, e in units._matcher()(doc)])
    return [(sp.start_char, sp.end_char) for sp in found]


def test_gazetteer_chunks_find_what_one_doc_finds() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(MOCK_TEXT.glob("*.txt")))
    assert len(text) > 3 * units.GAZETTEER_WINDOW_CHARS
    assert units._gazetteer_matches(text) == _whole_doc_matches(text)


def test_gazetteer_windows_over_one_long_line_find_what_one_doc_finds() -> None:
    line = " ".join(p.read_text(encoding="utf-8").replace("\n", " ") for p in sorted(MOCK_TEXT.glob("*.txt")))
    assert len(line) > 3 * units.GAZETTEER_WINDOW_CHARS
    assert units._gazetteer_matches(line) == _whole_doc_matches(line)


# ---------------------------------------------------------------- linear cost


def test_a_list_of_thousands_of_units_extracts_in_linear_time() -> None:
    # 300 KB in one sentence: quadratic list splitting took about 37 s here; linear reading about 1 s.
    # The bound is loose so a busy CI machine never trips it; bench/hostile.py measures the growth.
    names = [
        "Sở Y tế",
        "Sở Tư pháp",
        "Sở Nội vụ",
        "Ban Dân tộc",
        "Hội Nông dân tỉnh",
        "Trường Chính trị tỉnh",
    ]
    items = ", ".join(names[i % len(names)] for i in range(20_000))
    text = f"Khối thi đua số 3\nKhối thi đua số 3 gồm các đơn vị: {items} đã tổ chức hội nghị."
    assert len(text.encode()) > 300_000
    t0 = time.perf_counter()
    rec = extract_article(doc_id="list", text=text)
    assert time.perf_counter() - t0 < 15
    assert {"Sở Y tế", "Sở Tư pháp", "Sở Nội vụ"} <= {m.unit for m in rec.members}
