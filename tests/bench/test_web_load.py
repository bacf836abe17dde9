"""A smoke test of the web load bench (bench/web_load.py) with 300 records on SQLite: the store it
writes answers what its clients ask, a kept store is reused, and the load through `thidua serve`
sees no error and the cache's hits.

The bench itself (100,000 records, both engines) runs by hand, never here.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package; import it from the repository root
    sys.path.insert(0, str(ROOT))
web_load = importlib.import_module("bench.web_load")


def test_the_bench_loads_a_store_and_measures_the_served_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_load.tempfile, "gettempdir", lambda: str(tmp_path))
    url = web_load.kept_url("sqlite", "web_smoke")
    assert url == f"sqlite:///{tmp_path / 'web_smoke.sqlite'}"
    assert web_load.stored_values(url) is None  # a new kept store: nothing yet
    seen = web_load.populate(url, 300, corrected=5)
    kept = web_load.stored_values(url)  # what a later run reads instead of writing again
    assert kept is not None and kept["province"] == seen["province"] and kept["year"] == seen["year"]
    assert set(kept["unit"]) >= set(seen["unit"])

    paths = web_load.scenarios(kept, 40, 7)
    with web_load.server(url, 2, cache=True) as base:
        assert web_load.wait_for_index(base, deadline=time.monotonic() + 60) >= 0  # both workers'
        for name, batch in paths.items():
            result = web_load.load(base, batch, 8)
            assert result["requests"] == 40 and result["errors"] == 0, name
            assert result["p95_ms"] > 0 and result["cache_hit_rate"] is not None
        # 40 searches over at most 16 queries: most are answered from the cache
        assert web_load.load(base, paths["search page"], 8)["cache_hit_rate"] == 1.0
        # (after: each correction is a new data version, so nothing cached before it is a hit)
        with web_load.editors_writing(url, 0.02, 7) as writes:
            result = web_load.load(base, paths[web_load.WRITING], 8)
        assert result["errors"] == 0 and writes["written"] > 0 and writes["refused"] == 0


def test_a_kept_store_name_must_be_a_plain_word() -> None:
    with pytest.raises(SystemExit, match="--keep"):
        web_load.kept_url("sqlite", "../elsewhere")
