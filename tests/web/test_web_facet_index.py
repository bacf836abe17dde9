"""The web app counts search facets from its in-memory index (store.facet_index) when it is current,
with the answers of the app that counts in SQL, and never from one a write has made stale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from seed import EDITOR, EDITOR_PASSWORD
from webclient import SECRET, sign_in

from store import browse as browse_module
from thidua.settings import Settings
from thidua.web.app import create_app

QUERIES = [
    {},
    {"q": "thi đua"},
    {"q": "khoi thi dua", "province": "Bắc Ninh"},
    {"province": "Bắc Ninh", "year": "2021"},
    {"award": "co_thi_dua", "sort": "date", "order": "asc"},
    {"q": "sở", "sort": "members", "per_page": "1", "page": "2"},
    {"review": "machine", "unit": "Sở Tài chính"},
]


@pytest.fixture
def in_sql(db_url: str) -> Iterator[TestClient]:
    app = create_app(
        Settings(database_url=db_url, web_secret=SECRET, web_facet_index=False, web_cache_size=0)
    )
    with TestClient(app) as c:
        yield c


@pytest.fixture
def in_memory(db_url: str) -> Iterator[TestClient]:
    # no results cache, so every request counts
    app = create_app(Settings(database_url=db_url, web_secret=SECRET, web_cache_size=0))
    with TestClient(app) as c:
        keeper = app.state.ctx.facet_index
        assert keeper is not None
        keeper.refresh(wait=True)
        yield c


def _sql_counting_refused(*_: object) -> None:
    raise AssertionError("facets counted in SQL")


def test_searches_counted_in_memory_answer_as_sql_does(
    in_sql: TestClient, in_memory: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert in_sql.get("/api/status").json()["facet_index"]["state"] == "off"
    status = in_memory.get("/api/status").json()["facet_index"]
    assert status["state"] == "current" and status["records"] == in_sql.get("/api/records").json()["total"]
    expected = [in_sql.get("/api/records", params=q).json() for q in QUERIES]
    assert expected[1]["total"] > 0 and expected[2]["total"] > 0
    monkeypatch.setattr(browse_module, "_facets", _sql_counting_refused)  # the index must answer
    assert [in_memory.get("/api/records", params=q).json() for q in QUERIES] == expected
    assert in_memory.get("/search", params={"q": "thi đua"}).status_code == 200


def test_a_correction_is_seen_at_once_and_the_index_catches_up(
    in_memory: TestClient, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = sign_in(in_memory, EDITOR, EDITOR_PASSWORD)
    before = in_memory.get("/api/records", params={"province": "Lạng Sơn"}).json()["total"]
    r = in_memory.post(
        f"/api/records/{ids['hoa-binh']}/corrections",
        json={"action": "change", "fact": "province", "value": "Lạng Sơn"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201
    # the index was made before the write: the next search reads the changed record from SQL
    # beside it, and sees the correction
    assert in_memory.get("/api/status").json()["facet_index"]["state"] == "behind"
    monkeypatch.setattr(browse_module, "_facets", _sql_counting_refused)
    assert in_memory.get("/api/records", params={"province": "Lạng Sơn"}).json()["total"] == before + 1
    keeper = in_memory.app.state.ctx.facet_index  # type: ignore[attr-defined]
    keeper.refresh(wait=True)  # (the request above started an update; this waits for one)
    assert in_memory.get("/api/status").json()["facet_index"]["state"] == "current"
    page = in_memory.get("/api/records", params={"q": "Hòa Bình"}).json()  # the text alone: all in memory
    assert page["total"] >= 1 and {"value": "Lạng Sơn", "count": page["total"]} in page["facets"]["province"]
    assert {"value": "corrected", "count": 1} in page["facets"]["review_state"]
