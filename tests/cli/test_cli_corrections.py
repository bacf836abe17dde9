"""`thidua record` and `thidua correct …` on a SQLite store made by `thidua init-db`.

The store functions behind them are tested on both engines in tests/store/test_store_corrections.py;
here: the command line's names for facts and values, its output, and one-line errors.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from onearticle import TEXT, URL, machine_record, store_run

from thidua.cli import main


def run(url: str, *args: str, editor: str | None = None) -> Result:
    env = {"THIDUA_DATABASE_URL": url}
    if editor is not None:
        env["THIDUA_EDITOR"] = editor
    return CliRunner().invoke(main, list(args), env=env)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def current(url: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(ok(run(url, "record", "1", "--json")))
    return data


def test_record_shows_places_values_sources_and_keys(url: str) -> None:
    out = ok(run(url, "record", "1"))
    assert f"article 1  {URL}" in out
    assert "record 1 of run 1 (extractor 0.1.0); 0 corrections in force, 0 facts corrected" in out
    lines = out.splitlines()
    assert any(ln.split() == ["province", "Bắc", "Ninh", "machine", "province"] for ln in lines), out
    assert any(ln.startswith("member#1 ") and ln.endswith("member:so tu phap") for ln in lines), out
    assert any(ln.startswith("award#0 ") and '"year": 2018' in ln for ln in lines), out


@pytest.mark.parametrize("ref", ["1", "article-1", URL])
def test_record_takes_an_id_a_doc_id_or_a_url(url: str, ref: str) -> None:
    assert current(url)["article_id"] == json.loads(ok(run(url, "record", ref, "--json")))["article_id"] == 1


def test_record_never_writes_the_database(url: str) -> None:
    db_file = Path(url.removeprefix("sqlite:///"))
    before = hashlib.sha256(db_file.read_bytes()).hexdigest()
    ok(run(url, "record", "1", "--history"))
    # (a WAL reader makes its -shm index beside the file; the database itself is untouched)
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == before


def test_each_action_from_the_command_line(url: str) -> None:
    ed = ["--editor", "Nguyễn Thị Lan"]
    out = ok(run(url, "correct", "change", "1", "award#0", '{"year": 2017}', *ed, "--reason", "bài ghi 2017"))
    assert out == (
        "correction 1: change award:so tu phap|co_thi_dua|ubnd_tinh (article 1) → "
        '{"recipient": "Sở Tư pháp", "award": "co_thi_dua", "issuer": "ubnd_tinh", "year": 2017, '
        '"status": "proposed"}\n'
    )
    start = TEXT.index("Sở Y tế làm")
    ok(
        run(
            url,
            "correct",
            "accept",
            "1",
            "role:so y te|khoi_truong",
            *ed,
            "--evidence",
            f"{start}:{start + 7}",
        )
    )
    ok(run(url, "correct", "add", "1", "member", "Sở Nội vụ", *ed))
    ok(run(url, "correct", "add", "1", "event_date", "2018-12-28", *ed))
    ok(run(url, "correct", "delete", "1", "member#0", *ed))
    ok(run(url, "correct", "verify", "1", "member", *ed))
    ok(run(url, "correct", "split", "1", "member:so noi vu", "Sở Nội vụ", "Ban Thi đua - Khen thưởng", *ed))
    ok(run(url, "correct", "merge", "1", "member#1", "member#2", "--value", "Sở Nội vụ", *ed))
    out = ok(run(url, "correct", "undo", "8", *ed))
    assert out == "correction 9: undo member:so noi vu member:ban thi dua khen thuong (article 1)\n"

    record = current(url)
    assert record["members"] == ["Sở Tư pháp", "Sở Nội vụ", "Ban Thi đua - Khen thưởng"]
    assert record["event_date"] == "2018-12-28"
    assert record["awards"][0]["year"] == 2017  # type: ignore[index]
    history = ok(run(url, "record", "1", "--history"))
    assert "Nguyễn Thị Lan: change award:so tu phap|co_thi_dua|ubnd_tinh" in history
    assert "— bài ghi 2017" in history
    assert "merge member:so noi vu member:ban thi dua khen thuong" in history and "(undone)" in history
    assert "(deleted)" in history


def test_the_editor_comes_from_thidua_editor(url: str) -> None:
    ok(run(url, "correct", "accept", "1", "province", editor="Trần Văn Minh"))
    assert "Trần Văn Minh: accept province" in ok(run(url, "record", "1", "--history"))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["change", "1", "member:so giao duc", "Sở GD"], "holds no fact 'member:so giao duc'"),
        (["add", "1", "leaders", "Sở Y tế"], "field 'leaders': SCHEMA.md has no such field"),
        (["change", "1", "award#0", '{"award": "huy_chuong"}'], "award award 'huy_chuong' is not one of"),
        (["change", "1", "province", "Atlantis"], "province 'Atlantis' is not a province"),
        (["accept", "99", "province"], "no article '99'"),
        (["undo", "99"], "no correction with id 99"),
        (["accept", "1", "province", "--editor", "   "], "the editor's name is empty"),
        (["accept", "1", "province", "--evidence", "0:100000"], "evidence 0:100000 is not a span"),
    ],
)
def test_a_refused_correction_is_one_line_and_writes_nothing(
    url: str, args: list[str], fragment: str
) -> None:
    before = current(url)
    result = run(url, "correct", *args, editor="Lan")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], result.stderr
    assert current(url) == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["accept", "1", "province"], "say who corrects: --editor NAME (or set THIDUA_EDITOR)"),
        (["change", "1", "award#0", "{year: 2017}", "--editor", "Lan"], "is not valid JSON"),
        (["accept", "1", "province", "--editor", "Lan", "--evidence", "3-9"], "is not START:END"),
    ],
)
def test_usage_errors(url: str, args: list[str], fragment: str) -> None:
    result = run(url, "correct", *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr


def test_a_re_extraction_that_disagrees_shows_in_record_and_query(url: str) -> None:
    ok(run(url, "correct", "accept", "1", "role#0", "--editor", "Lan"))
    store_run(url, machine_record(role_year=2018), "0.2.0")
    out = ok(run(url, "record", "1"))
    assert "record 2 of run 2 (extractor 0.2.0)" in out
    assert (
        "REVIEW machine_changed role:so y te|khoi_truong (correction 1): machine read "
        '{"unit": "Sở Y tế", "role": "khoi_truong", "year": 2019} then, '
        '{"unit": "Sở Y tế", "role": "khoi_truong", "year": 2018} now; '
        'the record shows {"unit": "Sở Y tế", "role": "khoi_truong", "year": 2019}'
    ) in out
    assert "[review] Khối thi đua số 6 tổng kết" in ok(run(url, "query"))
    lines = ok(run(url, "query", "--json")).splitlines()
    assert json.loads(lines[0])["roles"][0]["year"] == 2019


def test_query_prints_corrected_values(url: str) -> None:
    ok(run(url, "correct", "delete", "1", "member:so y te", "--editor", "Lan"))
    ok(run(url, "correct", "delete", "1", "role#0", "--editor", "Lan"))
    assert run(url, "query", "--unit", "Sở Y tế").stderr == "no records match\n"
    row = json.loads(ok(run(url, "query", "--json", "--unit", "Sở Tư pháp")))
    assert row["members"] == ["Sở Tư pháp"] and row["corrected_facts"] == 2
