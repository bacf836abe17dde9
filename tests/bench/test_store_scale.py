"""A smoke test of the store-at-scale bench (bench/store_scale.py) with 200 records on SQLite.

The bench itself (100,000 records, both engines) runs by hand (`make bench-store`), never here.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package; import it from the repository root
    sys.path.insert(0, str(ROOT))
scale = importlib.import_module("bench.store_scale")


def test_synthetic_records_vary_and_are_valid() -> None:
    from extract.places import places
    from store.repository import record_problems

    bases = scale.load_bases()
    assert len(bases) == 64
    provinces = [p.name for p in places().provinces]
    made = [scale.synthesize(bases, provinces, i, 7) for i in range(300)]
    assert all(record_problems(s.record) == [] for s in made)
    assert len({s.record.province.value for s in made if s.record.province}) > 50
    assert len({s.published.year for s in made if s.published}) >= 10
    assert {b.number for s in made for b in s.record.blocs} - {None} == {str(n) for n in range(1, 13)}
    again = scale.synthesize(bases, provinces, 123, 7)
    assert again == made[123]  # depends only on (seed, i)


def test_the_bench_runs_end_to_end_on_200_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scale.json"
    argv = ["--records", "200", "--through-repository", "50", "--engines", "sqlite", "--repeats", "1"]
    argv += ["--budget", "0", "--overlay-sample", "20", "--reextract-articles", "0", "--json", str(out)]
    assert scale.main(argv) == 0
    printed = capsys.readouterr().out
    assert "| `facets (every record)` |" in printed
    results = json.loads(out.read_text(encoding="utf-8"))
    sqlite = results["engines"]["sqlite"]
    assert sqlite["stored"]["repository"]["records"] == 50
    assert sqlite["stored"]["bulk"]["records"] == 150
    assert sqlite["stored"]["corrected_articles"] >= 1
    queries = sqlite["queries"]
    assert set(scale.researcher_queries()) | {"SELECT count(*) FROM extracted_record"} == set(queries)
    assert queries["facets (every record)"]["matched"] == 200  # every record, once, both paths
    assert queries["facets --review corrected"]["matched"] == sqlite["stored"]["corrected_articles"]
    assert all(q["runs"] == 1 and q["p95_ms"] >= q["p50_ms"] > 0 for q in queries.values())
    assert queries["search '\"Hà Nội\"'"]["matched"] > 0
    assert sqlite["overlay"]["uncorrected_records"] == 20
