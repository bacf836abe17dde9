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
        {"award": "co_thi_dua", "status": "proposed", "issuer": "ubnd_tinh", "records": 1}
    ]
    assert years[0]["records"] == 1
    text = run(url, "timeline", "--unit", "Sở Y tế")
    assert text.exit_code == 0, text.output
    assert "  role: khoi_truong (bloc unknown) ×1" in text.stdout
    assert "  records: 1" in text.stdout


def test_timeline_of_a_bloc_and_usage(url: str) -> None:
    result = run(url, "timeline", "--bloc", "6")
    assert result.exit_code == 0 and result.stderr == "no records match\n", result.output
    assert run(url, "timeline").exit_code == 2
    assert run(url, "timeline", "--unit", "a", "--bloc", "6").exit_code == 2
    bad = run(url, "timeline", "--bloc", "%")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: bloc '%' has no letters"), bad.output


def test_search_finds_the_article_without_accents(url: str) -> None:
    result = run(url, "search", '"so tu phap"')
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2019-01-03  Khối thi đua số 6 tổng kết"
    assert lines[1].strip() == "https://sonoivu.bacninh.example.gov.vn/tin-tuc/khoi-thi-dua-so-6"
    assert "Khối gồm Sở Y tế, [Sở Tư pháp]. Sở Y tế làm" in lines[2]
    hits = [json.loads(line) for line in run(url, "search", "BAC NINH", "--json").stdout.splitlines()]
    assert [(h["article_id"], h["published"]) for h in hits] == [(1, "2019-01-03")]


def test_search_filters_and_refusals(url: str) -> None:
    # Bắc Ninh of 2025 takes in Bắc Giang; Bắc Giang alone is another province
    assert run(url, "search", "khoi", "--json", "--province", "Bắc Ninh").stdout.count("\n") == 1
    empty = run(url, "search", "khoi", "--province", "Bắc Giang")
    assert empty.exit_code == 0 and empty.stderr == "no articles match\n", empty.output
    assert run(url, "search", "khoi", "--year", "2019", "--json").stdout.count("\n") == 1
    bad = run(url, "search", "  ***  ")
    assert bad.exit_code == 1, bad.output
    assert bad.stderr.startswith("Error: search text '  ***  ' has no letters or digits"), bad.output
    long = run(url, "search", "x" * 201)
    assert long.exit_code == 1 and long.stderr.count("\n") == 1 and "at most 200" in long.stderr


def test_query_by_a_2025_province_finds_the_old_one(url: str) -> None:
    # the record's province is Bắc Ninh, which is also the 2025 province Bắc Giang merged into
    assert run(url, "query", "--json", "--province", "Bắc Ninh").stdout.count("\n") == 1
    assert run(url, "query", "--json", "--province", "Bắc Giang").stdout == ""
