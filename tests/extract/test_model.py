"""The shipped UNIT span model (extract/models/units), its training data and the `thidua train` command.

Sentences here are written for these tests; "Vạn Ninh" is forced into the held-out half of the training
data, so the school below is a unit the model has never seen.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.model import MODEL_DIR, ModelMissingError, load_model, unit_spans
from extract.train import CORPUS_FILE, build_corpus, load_corpus, misaligned
from thidua.cli import main


@pytest.fixture(scope="module")
def corpus() -> list[dict]:  # type: ignore[type-arg]
    return load_corpus(CORPUS_FILE)


def _texts(text: str, spans: list[tuple[int, int, float]]) -> list[str]:
    return [text[s:e] for s, e, _ in spans]


def test_model_loads_from_the_repository() -> None:
    nlp = load_model()
    assert nlp.pipe_names == ["tok2vec", "spancat"]
    assert nlp.meta["license"] == "GPL-3.0-or-later"
    metrics = json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["dev_unseen"]["f1"] > 0.7
    assert (MODEL_DIR / "README.md").is_file()
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size < 15 * 1024 * 1024


def test_finds_an_unseen_open_class_unit(corpus: list[dict]) -> None:  # type: ignore[type-arg]
    assert not any("Vạn Ninh" in r["text"] for r in corpus if r["split"] == "train")
    text = "Trường Trung cấp Nghề Vạn Ninh được tặng Bằng khen"
    assert _texts(text, unit_spans(text)) == ["Trường Trung cấp Nghề Vạn Ninh"]


def test_unit_after_a_person_title_excludes_the_title() -> None:
    text = "Phát biểu tại hội nghị, bà Hoàng Thị Yến, Giám đốc Trung tâm Dịch vụ việc làm tỉnh, cho biết …"
    assert "Trung tâm Dịch vụ việc làm tỉnh" in _texts(text, unit_spans(text))


def test_no_span_in_a_distractor() -> None:
    assert unit_spans("Khối lượng công việc năm nay rất lớn.") == []


def test_spans_are_offsets_into_the_text_and_inside_the_window() -> None:
    text = "Tin cũ. Năm 2024, Sở Y tế và Trường THPT Hoàng Diệu được tặng Cờ thi đua. Tin khác: Sở Tư pháp."
    start = text.index("Năm")
    end = text.index(" Tin khác")
    spans = unit_spans(text, start, end)
    assert spans, "expected units in the window"
    for s, e, score in spans:
        assert start <= s < e <= end and 0.5 <= score <= 1.0
        assert text[s:e] == text[s:e].strip() and text[s] != ","
    assert "Sở Tư pháp" not in _texts(text, spans)
    assert spans == [(s + start, e + start, sc) for s, e, sc in unit_spans(text[start:end])]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # sorted, no overlaps


def test_training_data_is_aligned_large_enough_and_split_by_name(corpus: list[dict]) -> None:  # type: ignore[type-arg]
    assert len(corpus) >= 600
    assert sum(r["source"] == "hand" for r in corpus) >= 80
    assert [r["text"] for r in corpus if misaligned(r)] == []
    names = {
        split: {r["text"][s:e].casefold() for r in corpus if r["split"] == split for s, e, _ in r["spans"]}
        for split in ("train", "dev")
    }
    assert names["dev"] and not (names["dev"] & names["train"])
    assert any(not r["spans"] for r in corpus)  # sentences without units are there too


def test_corpus_file_is_what_build_corpus_generates(corpus: list[dict]) -> None:  # type: ignore[type-arg]
    assert build_corpus(0) == corpus


def test_missing_model_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="thidua train"):
        load_model(tmp_path / "nowhere")


def test_train_command_on_a_tiny_budget(tmp_path: Path) -> None:
    out = tmp_path / "units"
    args = ["train", "--out", str(out), "--steps", "20", "--limit", "50", "--seed", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "dev_unseen" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["training"]["steps"] == 20 and metrics["training"]["train_sentences"] == 50
    assert load_model(out).pipe_names == ["tok2vec", "spancat"]
    again = CliRunner().invoke(main, [*args[:2], str(tmp_path / "again"), *args[3:]])
    assert again.exit_code == 0, again.output
    # same seed, same data, same steps: the same weights
    assert (out / "spancat" / "model").read_bytes() == (tmp_path / "again" / "spancat" / "model").read_bytes()
