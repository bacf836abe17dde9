"""The speed bench's article generator: deterministic, bounded, and shaped like bloc news."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package; import it from the repository root
    sys.path.insert(0, str(ROOT))
bench_generate = importlib.import_module("bench.generate")
generate: Callable[[int, int], list[str]] = bench_generate.generate

N = 24


@pytest.fixture(scope="module")
def articles() -> list[str]:
    return generate(N, 7)


def test_count_honoured() -> None:
    assert len(generate(0, 1)) == 0
    assert len(generate(1, 1)) == 1
    assert len(generate(13, 1)) == 13


def test_negative_count_rejected() -> None:
    with pytest.raises(ValueError):
        generate(-1, 7)


def test_deterministic_for_a_seed(articles: list[str]) -> None:
    assert generate(N, 7) == articles
    assert generate(10, 7) == articles[:10]  # article i depends only on (seed, i)


def test_different_seeds_differ(articles: list[str]) -> None:
    other = generate(N, 8)
    assert other != articles
    assert sum(a != b for a, b in zip(articles, other, strict=True)) >= N - 2


def test_every_article_within_bounds() -> None:
    for seed in (1, 7, 2024):
        for text in generate(60, seed):
            assert 300 <= len(text.split()) <= 1500


def test_lengths_spread_over_the_range() -> None:
    counts = sorted(len(t.split()) for t in generate(120, 3))
    assert counts[0] < 600
    assert counts[-1] > 1200
    assert 700 <= counts[len(counts) // 2] <= 1100


def test_structure_kept(articles: list[str]) -> None:
    titles = {s.title for s in bench_generate.load_sources()}
    for text in articles:
        first, sep, rest = text.partition("\n\n")
        assert sep and "\n" not in first
        assert 3 <= len(first.split()) <= 40
        assert not first.endswith(".")
        # a title from the mock corpus, up to the varied bloc number and year
        assert _shape(first) in {_shape(t) for t in titles}
        assert rest.strip()


def test_texts_contain_bloc_cues(articles: list[str]) -> None:
    for text in articles:
        assert "Khối thi đua" in text or "Cụm thi đua" in text


def test_articles_are_varied(articles: list[str]) -> None:
    sources = {Path(p).read_text(encoding="utf-8").strip() for p in bench_generate.CORPUS_DIR.glob("*.txt")}
    assert not any(text.strip() in sources for text in articles)
    assert len(set(articles)) == len(articles)


def _shape(title: str) -> str:
    return re.sub(r"\d+|\b[IVX]+\b", "#", title)
