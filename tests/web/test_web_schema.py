"""Property tests over the OpenAPI schema (schemathesis): no request the schema allows makes a server error.

Every operation gets a bounded number of generated requests, twice over: as a researcher (no
session: writes must be refused, never crash) and as a signed-in editor with the session's CSRF
token (writes reach the store's validation with generated values)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from seed import EDITOR, EDITOR_PASSWORD, seed
from webclient import SECRET, sign_in

from thidua.settings import Settings
from thidua.web.app import create_app
from thidua.web.security import SESSION_COOKIE


def _app() -> FastAPI:
    """One app over a seeded store of its own, built when the module is collected (schemathesis
    reads the schema then); the folder goes when the interpreter ends."""
    folder = Path(tempfile.mkdtemp(prefix="thidua-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'thidua.sqlite'}"
    seed(url, entities=True)  # entities linked: the entity endpoints reach real rows
    return create_app(Settings(database_url=url, web_secret=SECRET))


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

BOUNDED = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    database=None,  # the same bounded run every time, nothing written beside the tests
)


@schema.parametrize()
@BOUNDED
def test_no_server_error_as_a_researcher(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


@pytest.fixture(scope="module")
def editor_auth() -> dict[str, dict[str, str]]:
    with TestClient(APP) as client:
        csrf = sign_in(client, EDITOR, EDITOR_PASSWORD)
        cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    return {"headers": {"X-CSRF-Token": csrf}, "cookies": {SESSION_COOKIE: cookie}}


@schema.parametrize()
@BOUNDED
def test_no_server_error_as_an_editor(
    case: schemathesis.Case, editor_auth: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(checks=[not_a_server_error], **editor_auth)
