"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from onearticle import machine_record, store_run

from thidua.cli import main


@pytest.fixture(scope="session")
def one_article_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made by `thidua init-db` holding one article and its machine record (built once)."""
    db_file = tmp_path_factory.mktemp("one-article") / "thidua.sqlite"
    url = f"sqlite:///{db_file}"
    assert CliRunner().invoke(main, ["init-db"], env={"THIDUA_DATABASE_URL": url}).exit_code == 0
    store_run(url, machine_record(), "0.1.0")
    return db_file


@pytest.fixture
def url(one_article_db: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of that database for one test (modules with other needs define their own `url`)."""
    copy = tmp_path / "thidua.sqlite"
    shutil.copyfile(one_article_db, copy)
    yield f"sqlite:///{copy}"
