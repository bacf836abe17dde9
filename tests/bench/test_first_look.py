"""bench.first_look records a fold's score once and refuses a second look."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package; import it from the repository root
    sys.path.insert(0, str(ROOT))
first_look = importlib.import_module("bench.first_look")
MOCK_CORPUS = ROOT / "crawler" / "mockportals" / "corpus"


def test_first_look_is_recorded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_look, "RESULTS", tmp_path)
    assert first_look.main(["--fold", "3", "--corpus", str(MOCK_CORPUS), "--note", "test"]) == 0
    data = json.loads((tmp_path / "fold3.json").read_text(encoding="utf-8"))
    assert data["fold"] == 3 and data["note"] == "test" and data["docs"]
    assert 0.0 < data["fields"]["overall"]["F1"] <= 1.0
    before = (tmp_path / "fold3.json").read_bytes()
    assert first_look.main(["--fold", "3", "--corpus", str(MOCK_CORPUS)]) == 1  # no second look
    assert (tmp_path / "fold3.json").read_bytes() == before
