"""`thidua export` on a SQLite store made by `thidua init-db`.

The exports themselves are tested on both engines in tests/store/test_store_exports.py; here:
the command line's options (query's filters), its output, one-line errors, and that it never
writes the database.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thidua.cli import main


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"THIDUA_DATABASE_URL": url, "THIDUA_EDITOR": "Lan"})


def test_export_writes_each_format_and_says_what_it_wrote(url: str, tmp_path: Path) -> None:
    ok = run(url, "correct", "change", "1", "award#0", '{"year": 2017}')
    assert ok.exit_code == 0, ok.output
    for fmt in ("jsonl", "csv", "parquet", "sqlite"):
        out = tmp_path / fmt
        result = run(url, "export", "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert result.stdout == f"1 records (1 corrected facts, extractor 0.1.0) exported as {fmt} to {out}\n"
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["corrected_facts"] == 1 and manifest["extractor_versions"] == ["0.1.0"]


def test_export_takes_querys_filters(url: str, tmp_path: Path) -> None:
    result = run(url, "export", "-f", "jsonl", "-o", str(tmp_path / "none"), "--province", "Hòa Bình")
    assert result.exit_code == 0 and result.stdout.startswith("0 records"), result.output
    result = run(
        url, "export", "-f", "jsonl", "-o", str(tmp_path / "bn"), "--unit", "Sở Tư pháp", "--year", "2019"
    )
    assert result.exit_code == 0 and result.stdout.startswith("1 records"), result.output
    manifest = json.loads((tmp_path / "bn" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["filters"] == {"unit": "Sở Tư pháp", "year": 2019}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "0"], "Error: year must be between 1 and 9999, not 0\n"),
        (["--bloc", "%"], "Error: bloc '%' has no letters or digits to match"),
    ],
)
def test_a_bad_filter_is_one_line_and_writes_nothing(
    url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(url, "export", "-f", "csv", "-o", str(tmp_path / "out"), *args)
    assert result.exit_code == 1 and result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_existing_target_is_refused_then_replaced_with_force(url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(url, "export", "-f", "csv", "-o", str(out)).exit_code == 0
    again = run(url, "export", "-f", "sqlite", "-o", str(out))
    assert again.exit_code == 1
    assert again.stderr == f"Error: {out} already exists; choose another -o or give --force to replace it\n"
    assert run(url, "export", "-f", "sqlite", "-o", str(out), "--force").exit_code == 0
    assert (out / "thidua.db").is_file() and not (out / "records.csv").exists()


def test_unwritable_and_unknown_are_clear(url: str, tmp_path: Path) -> None:
    missing = run(url, "export", "-f", "csv", "-o", str(tmp_path / "no" / "out"))
    assert missing.exit_code == 1 and "does not exist; create it first" in missing.stderr
    unknown = run(url, "export", "-f", "xlsx", "-o", str(tmp_path / "out"))
    assert (
        unknown.exit_code == 2
        and "'xlsx' is not one of 'jsonl', 'csv', 'parquet', 'sqlite'" in unknown.stderr
    )


def test_export_never_writes_the_database(url: str, tmp_path: Path) -> None:
    db_file = Path(url.removeprefix("sqlite:///"))
    before = hashlib.sha256(db_file.read_bytes()).hexdigest()
    assert run(url, "export", "-f", "sqlite", "-o", str(tmp_path / "out")).exit_code == 0
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == before


def test_a_missing_database_says_to_run_init_db(tmp_path: Path) -> None:
    result = run(f"sqlite:///{tmp_path / 'none.sqlite'}", "export", "-f", "csv", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "thidua init-db" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
