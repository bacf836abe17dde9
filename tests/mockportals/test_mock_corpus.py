from __future__ import annotations

import json
from pathlib import Path

from mockhelpers import FIXTURE_CORPUS

from crawler.mockportals.corpus import ascii_slug, load_corpus, stable_number


def test_fixture_corpus_is_read_with_author_split_off() -> None:
    corpus = load_corpus(FIXTURE_CORPUS)
    by_id = {a.id: a for a in corpus.articles}
    assert set(by_id) == {"fx-001", "fx-002", "fx-101", "fx-102"}
    fx1 = by_id["fx-001"]
    assert fx1.title.startswith("Khối thi đua các cơ quan Nội chính")
    assert fx1.author == "Minh Anh"
    assert fx1.paragraphs[-1].startswith("Hội nghị thống nhất")
    assert fx1.relevant and not by_id["fx-101"].relevant
    assert by_id["fx-101"].author is None  # meta author null: the last paragraph stays body text
    assert fx1.published_time.hour == 15 and fx1.published_time.minute == 46
    assert fx1.text() == (FIXTURE_CORPUS / "text" / "fx-001.txt").read_text(encoding="utf-8").strip()


def test_single_newlines_stay_inside_a_paragraph() -> None:
    fx2 = {a.id: a for a in load_corpus(FIXTURE_CORPUS).articles}["fx-002"]
    assert "\n" in fx2.paragraphs[0]


def test_incomplete_and_broken_pairs_are_skipped_and_reported(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "a.txt").write_text("Tiêu đề\n\nThân bài.", encoding="utf-8")  # no meta yet
    (tmp_path / "text" / "b.txt").write_text("Tiêu đề\n\nThân bài.", encoding="utf-8")
    (tmp_path / "text" / "b.meta.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "text" / "c.txt").write_text("Tiêu đề\n\nThân bài.", encoding="utf-8")
    meta = {"published": "2020-01-02", "portal": "hoabinh", "relevant": True}
    (tmp_path / "text" / "c.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus.articles] == ["c"]
    assert any(s.startswith("a.txt") for s in corpus.skipped)
    assert any(s.startswith("b.txt") for s in corpus.skipped)


def test_slug_and_numbers_are_stable() -> None:
    assert ascii_slug("Khối thi đua Đồng bằng số 2") == "khoi-thi-dua-dong-bang-so-2"
    assert ascii_slug("Hội nghị tổng kết công tác thi đua", 20) == "hoi-nghi-tong-ket-co"
    assert stable_number("x") == stable_number("x")
    assert 100000 <= stable_number("y") <= 999999
