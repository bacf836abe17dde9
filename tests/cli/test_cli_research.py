"""`thidua facets` and `thidua timeline` over a one-article store (store.research is tested on
both engines in tests/store/test_store_research.py)."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from thidua.cli import main


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"THIDUA_DATABASE_URL": url, "THIDUA_EDITOR": "Lan"})


def test_facets_json(url: str) -> None:
    result = run(url, "facets", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["records"] == 1
    assert out["facets"]["province"] == {"Bắc Ninh": 1}
    assert out["facets"]["year"] == {"2019": 1}  # the article's publication date
    assert out["facets"]["award"] == {"co_thi_dua": 1}
    assert out["facets"]["review_state"] == {"machine": 1}


def test_facets_filters_and_text(url: str) -> None:
    assert json.loads(run(url, "facets", "--json", "--year-from", "2020").stdout)["records"] == 0
    assert json.loads(run(url, "facets", "--json", "--province", "Bắc Giang").stdout)["records"] == 0
    assert json.loads(run(url, "facets", "--json", "--review", "machine").stdout)["records"] == 1
    result = run(url, "facets", "--award-status", "proposed")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("records: 1\nprovince:\n  Bắc Ninh: 1\n")


def test_facets_bad_range_is_one_line(url: str) -> None:
    result = run(url, "facets", "--year-from", "2020", "--year-to", "2019")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: year-from 2020 is after year-to 2019"


def test_timeline_of_a_unit(url: str) -> None:
    result = run(url, "timeline", "--unit", "so tu phap", "--json")
    assert result.exit_code == 0, result.output
    years = [json.loads(line) for line in result.stdout.splitlines()]
    assert [y["year"] for y in years] == [2018, 2019]
    assert years[0]["awards"] == [
        {"award": "co_thi_dua", "status": "proposed", "issuer": "ubnd_tinh", "article_id": 1}
    ]
    text = run(url, "timeline", "--unit", "Sở Y tế")
    assert text.exit_code == 0 and "  role: khoi_truong (bloc unknown)" in text.stdout, text.output


def test_timeline_of_a_bloc_and_usage(url: str) -> None:
    result = run(url, "timeline", "--bloc", "6")
    assert result.exit_code == 0 and result.stderr == "no records match\n", result.output
    assert run(url, "timeline").exit_code == 2
    assert run(url, "timeline", "--unit", "a", "--bloc", "6").exit_code == 2
    bad = run(url, "timeline", "--bloc", "%")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: bloc '%' has no letters"), bad.output
