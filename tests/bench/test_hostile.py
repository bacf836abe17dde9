"""bench/hostile.py builds the hostile shapes it claims to, at the sizes it claims."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package; import it from the repository root
    sys.path.insert(0, str(ROOT))
hostile = importlib.import_module("bench.hostile")


@pytest.mark.parametrize("shape", sorted(hostile.SHAPES))
@pytest.mark.parametrize("size", [10_000, 100_000])
def test_each_shape_fills_its_size(shape: str, size: int) -> None:
    text = hostile.SHAPES[shape](size)
    assert size - 100 <= len(text.encode("utf-8")) <= size


def test_the_shapes_are_what_they_say() -> None:
    assert hostile.unit_list(20_000).count(", ") > 800  # about 1,000 units in one sentence
    assert hostile.punct_runs(20_000).count(", ,; ; và và") > 1000
    line = hostile.huge_line(50_000)
    assert "\n" not in line
    laced = hostile.nul_laced(20_000)
    assert laced.count("\x00") > 2_000


def test_a_child_reports_time_and_memory() -> None:
    r = hostile._child("punct_runs", 10_000)
    assert r["bytes"] <= 10_000 and r["seconds"] > 0 and r["max_rss_kib"] > 0 and r["traced_peak_mib"] > 0
    assert "error" not in r and r["members"] >= 1
