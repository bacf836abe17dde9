"""`thidua reextract` as a user runs it: real worker processes, a progress bar, one-line errors.

The selection and the run's bookkeeping are tested on both engines in
tests/store/test_store_reextract.py; here the command line, and that two worker processes write
exactly the records one process writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from store import repository
from store.db import make_engine, migrate, session_factory
from store.keys import content_key
from store.models import ExtractedRecord, ExtractionRun
from store.queries import record_dict
from thidua.cli import main

MOCK_CORPUS = Path(__file__).resolve().parents[2] / "crawler" / "mockportals" / "corpus"


def _texts(n: int) -> list[str]:
    files = sorted((MOCK_CORPUS / "text").glob("*.txt"))
    if len(files) < n:
        pytest.fail(f"the mock corpus at {MOCK_CORPUS} has {len(files)} texts, the test needs {n}")
    return [f.read_text(encoding="utf-8") for f in files[:n]]


@pytest.fixture
def url(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'thidua.sqlite'}"
    migrate(db)
    engine = make_engine(db)
    try:
        with session_factory(engine)() as s, s.begin():
            portal = repository.upsert_portal(s, name="hoabinh", province="Hòa Bình", family="t", hosts=[])
            for i, text in enumerate(_texts(6)):
                page_url = f"https://hoabinh.example.vn/tin/{i}"
                page, _ = repository.save_page(
                    s,
                    portal=portal,
                    url=page_url,
                    canonical_url=page_url,
                    final_url=page_url,
                    status=200,
                    headers={},
                    body=text.encode(),
                    encoding="utf-8",
                    fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
                )
                title = text.split("\n", 1)[0][:200]
                repository.save_article(
                    s,
                    page=page,
                    url=page_url,
                    canonical_url=page_url,
                    title=title,
                    text=text,
                    published=None,
                    content_key=content_key(title=title, published=None, text=text),
                    is_bloc_news=True,
                    relevance_reason="test",
                )
    finally:
        engine.dispose()
    return db


def _records(url: str, run_id: int) -> list[dict[str, object]]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            rows = s.scalars(select(ExtractedRecord).where(ExtractedRecord.run_id == run_id)).all()
            return [
                {k: v for k, v in record_dict(r, r.article).items() if k not in ("record_id", "run_id")}
                for r in sorted(rows, key=lambda r: r.article_id)
            ]
    finally:
        engine.dispose()


def test_two_worker_processes_write_what_one_writes(url: str) -> None:
    env = {**os.environ, "THIDUA_DATABASE_URL": url}
    command = [sys.executable, "-m", "thidua.cli", "reextract", "--all"]
    runs = []
    for workers in ("1", "2"):
        proc = subprocess.run(
            [*command, "--workers", workers],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert f"re-extracting 6 articles with {workers} workers" in proc.stderr
        assert proc.stdout.startswith(f"run {len(runs) + 1} finished: 6 records of 6 articles, 0 failures")
        runs.append(len(runs) + 1)
    serial, parallel = (_records(url, r) for r in runs)
    assert len(serial) == 6 and any(r["members"] for r in serial)
    assert parallel == serial
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            run = s.get(ExtractionRun, runs[1])
            assert run is not None and run.config["workers"] == 2 and run.stats["records"] == 6
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        ([], 1, "Error: say which articles: --all, --since DATE, --portal NAME or --extractor-below VERSION"),
        (["--all", "--portal", "hoabinh"], 1, "Error: --all re-extracts every article"),
        (
            ["--portal", "hanoi"],
            1,
            "Error: no stored page came from a portal named 'hanoi'; portals: hoabinh",
        ),
        (["--extractor-below", "moi"], 1, "Error: --extractor-below 'moi' is not a version"),
        (["--since", "2024-13-01"], 2, "Invalid value for '--since'"),
        (["--all", "--workers", "0"], 2, "Invalid value for '-j' / '--workers'"),
    ],
)
def test_bad_selections_are_one_line(url: str, args: list[str], code: int, fragment: str) -> None:
    result = CliRunner().invoke(main, ["reextract", *args], env={"THIDUA_DATABASE_URL": url})
    assert result.exit_code == code, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_nothing_to_do(url: str) -> None:
    result = CliRunner().invoke(
        main, ["reextract", "--since", "2999-01-01"], env={"THIDUA_DATABASE_URL": url}
    )
    assert result.exit_code == 0 and result.stderr == "no stored articles match\n"
