"""Fixtures of the web app's tests: a seeded SQLite store (seed.py, built once and copied per test),
the app over it, and clients signed in or not."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from seed import EDITOR, EDITOR_PASSWORD, seed
from webclient import SECRET, Editor, sign_in

from thidua.settings import Settings
from thidua.web.app import create_app


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("web") / "thidua.sqlite"
    ids = seed(f"sqlite:///{path}")
    return path, ids


@pytest.fixture
def ids(seeded_db: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return seeded_db[1]


@pytest.fixture
def db_url(seeded_db: tuple[Path, dict[str, int]], tmp_path: Path) -> str:
    copy = tmp_path / "thidua.sqlite"
    shutil.copyfile(seeded_db[0], copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, web_secret=SECRET)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def editor(client: TestClient) -> Editor:
    return Editor(client, sign_in(client, EDITOR, EDITOR_PASSWORD))


@pytest.fixture(scope="session")
def entity_seeded_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The seeded store with two more articles and every record linked to entities."""
    path = tmp_path_factory.mktemp("web-entities") / "thidua.sqlite"
    ids = seed(f"sqlite:///{path}", entities=True)
    return path, ids


@pytest.fixture
def entity_db_url(entity_seeded_db: tuple[Path, dict[str, int]], tmp_path: Path) -> str:
    """A copy of the entity store for one test (the CLI may open it beside the app)."""
    copy = tmp_path / "entities.sqlite"
    shutil.copyfile(entity_seeded_db[0], copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def entity_client(entity_db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=entity_db_url, web_secret=SECRET))) as c:
        yield c


@pytest.fixture
def entity_editor(entity_client: TestClient) -> Editor:
    return Editor(entity_client, sign_in(entity_client, EDITOR, EDITOR_PASSWORD))
