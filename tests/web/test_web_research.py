"""Researchers' pages and API (TestClient): every read endpoint, its filters and its refusals."""

from __future__ import annotations

import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from seed import BAC_NINH


def test_home_shows_counts_and_the_awards_chart(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert "<svg" in r.text and "Awards by year and province" in r.text
    # two awards: Bắc Ninh's in 2018, Hòa Bình's in 2021, one bar each, titled with what they count
    assert "2018: Bắc Ninh 1" in r.text and "2021: Hòa Bình 1" in r.text


def test_api_overview(client: TestClient) -> None:
    data = client.get("/api/overview").json()
    assert data["records"] == 3 and data["articles"] == 3
    assert data["provinces"] == ["Bắc Ninh", "Hòa Bình", "Lào Cai"]
    assert data["years"] == [2019, 2020, 2021]  # the article dates (no event date)
    assert {(a["year"], a["province"], a["awards"]) for a in data["awards_by_year"]} == {
        (2018, "Bắc Ninh", 1),
        (2021, "Hòa Bình", 1),
    }


def test_api_search_filters_facets_sort_and_pages(client: TestClient, ids: dict[str, int]) -> None:
    everything = client.get("/api/records").json()
    assert everything["total"] == 3
    provinces = {f["value"]: f["count"] for f in everything["facets"]["province"]}
    assert provinces == {"Bắc Ninh": 1, "Hòa Bình": 1, "Lào Cai": 1}
    one = client.get("/api/records", params={"province": "hoa binh"}).json()
    assert [r["article_id"] for r in one["rows"]] == [ids["hoa-binh"]]
    assert one["filters"] == {"province": "hoa binh"}
    by_text = client.get("/api/records", params={"q": "Khối trưởng", "award": "co_thi_dua"}).json()
    assert [r["article_id"] for r in by_text["rows"]] == [ids["bac-ninh"]]
    assert client.get("/api/records", params={"award_status": "conferred"}).json()["total"] == 1
    assert client.get("/api/records", params={"year_from": "2020", "year_to": "2021"}).json()["total"] == 2
    assert client.get("/api/records", params={"review": "corrected"}).json()["total"] == 0
    paged = client.get(
        "/api/records", params={"sort": "members", "order": "asc", "per_page": 1, "page": 2}
    ).json()
    assert paged["total"] == 3 and len(paged["rows"]) == 1
    assert paged["rows"][0]["article_id"] == ids["bac-ninh"]  # members: 2 (Hòa Bình), 3, 3 → id order


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"award": "huy_chuong_vang"}, 400, "unknown award"),
        ({"review": "maybe"}, 400, "unknown review state"),
        ({"year": "20x8"}, 422, "year"),
        ({"year_from": "2020", "year_to": "2010"}, 400, "after year-to"),
        ({"sort": "colour"}, 422, "sort"),
        ({"page": "0"}, 422, "page"),
        ({"bloc": "%%"}, 400, "no letters or digits"),
        ({"q": "x" * 501}, 422, "q"),
    ],
)
def test_api_search_refuses_bad_filters_with_one_message(
    client: TestClient, params: dict[str, str], status: int, words: str
) -> None:
    r = client.get("/api/records", params=params)
    assert r.status_code == status
    assert words in r.json()["detail"]
    html = client.get("/search", params=params)  # the page says the same, as a page
    assert html.status_code == status and "text/html" in html.headers["content-type"]
    assert words in html.text


def test_search_page_has_facets_sortable_columns_pages_and_export_links(client: TestClient) -> None:
    r = client.get("/search", params={"province": "Bắc Ninh"})
    assert r.status_code == 200
    assert 'id="facets"' in r.text and "Sở Y tế" in r.text
    assert "sort=members&amp;order=desc" in r.text  # a sortable column header
    assert "/api/export?province=B%E1%BA%AFc+Ninh&amp;format=csv" in r.text
    assert 'id="total">1<' in r.text


def test_record_api_page_and_raw(client: TestClient, ids: dict[str, int]) -> None:
    data = client.get(f"/api/records/{ids['bac-ninh']}").json()
    assert data["text"] == BAC_NINH
    record = data["record"]
    assert record["province"] == "Bắc Ninh" and record["extractor_version"] == "0.4.1"
    member = next(f for f in record["facts"] if f["field"] == "member")
    ev = member["evidence"]
    assert BAC_NINH[ev["start"] : ev["end"]] == ev["text"] == member["value"]
    assert data["history"] == []
    page = client.get(f"/records/{ids['bac-ninh']}")
    assert page.status_code == 200
    # every fact with evidence is highlighted at its offsets, and links to its details
    assert page.text.count('<mark class="fact') >= 5
    assert f'data-o="{ev["start"]}"' in page.text
    assert "confidence 0.55 · rule test · extractor 0.4.1" in page.text
    assert 'id="raw-page"' in page.text and 'id="record-json"' in page.text
    raw = client.get(f"/api/records/{ids['bac-ninh']}/raw").json()
    assert raw["text"] == "<html><body><p>Khoi 6</p></body></html>" and raw["status"] == 200


@pytest.mark.parametrize("path", ["/api/records/999999", "/records/999999", "/api/records/999999/raw"])
def test_a_missing_record_is_404_with_a_message(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "no article with id 999999" in r.text


def test_unit_and_bloc_timelines(client: TestClient, ids: dict[str, int]) -> None:
    unit = client.get("/api/units/timeline", params={"name": "Sở Y tế"}).json()
    assert unit["name"] == "Sở Y tế"
    by_year = {e["year"]: e for e in unit["years"]}
    assert by_year[2019]["roles"] == [{"role": "khoi_truong", "blocs": ["Khối thi đua số 6"], "records": 1}]
    bloc = client.get("/api/blocs/timeline", params={"name": "6"}).json()
    assert [m["name"] for m in bloc["years"][0]["members"]] == ["Sở Nội vụ", "Sở Tư pháp", "Sở Y tế"]
    page = client.get("/units", params={"name": "Sở Y tế"}).text
    assert (
        "Khối thi đua số 6</a> (1)" in page
        and 'href="/search?unit=S%E1%BB%9F+Y+t%E1%BA%BF&amp;year=2019"' in page
    )
    for path, name in (("/units", "Sở Xây dựng"), ("/blocs", "Cụm thi đua số 3")):
        page = client.get(path, params={"name": name})
        assert page.status_code == 200 and "<svg" in page.text and name in page.text
    assert client.get("/units", params={"name": ""}).status_code == 422
    assert client.get("/api/units/timeline", params={"name": "%%%"}).status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_of_the_current_filter(client: TestClient, ids: dict[str, int], fmt: str) -> None:
    r = client.get("/api/export", params={"format": fmt, "q": "Bằng khen"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert f"thidua-{fmt}.zip" in r.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["records"] == 1 and manifest["filters"] == {"q": "Bằng khen"}
    if fmt == "jsonl":
        rows = [json.loads(line) for line in archive.read("records.jsonl").decode().splitlines()]
        assert [row["article_id"] for row in rows] == [ids["hoa-binh"]]
    elif fmt == "csv":
        assert "Hòa Bình" in archive.read("records.csv").decode()
    else:
        table = pq.read_table(io.BytesIO(archive.read("records.parquet")))
        assert table.column("article_id").to_pylist() == [ids["hoa-binh"]]


def test_export_refuses_an_unknown_format(client: TestClient) -> None:
    assert client.get("/api/export", params={"format": "xlsx"}).status_code == 422


def test_openapi_documents_every_api_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/overview",
        "/api/records",
        "/api/records/{article_id}",
        "/api/records/{article_id}/raw",
        "/api/units/timeline",
        "/api/blocs/timeline",
        "/api/export",
        "/api/review/queue",
        "/api/records/{article_id}/corrections",
        "/api/corrections/{correction_id}/undo",
    } <= paths
    # no interactive docs page: it would load scripts from a CDN
    assert client.get("/docs").status_code == 404


def test_static_files_are_served_with_the_same_headers(client: TestClient) -> None:
    for name, kind in (("app.css", "text/css"), ("app.js", "javascript"), ("favicon.svg", "image/svg+xml")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_search_says_when_bloc_and_unit_facets_cover_only_the_newest_matches(
    client: TestClient, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.browse

    full = client.get("/api/records").json()
    assert full["names_over"] == full["total"] > 1
    assert "in the newest" not in client.get("/search").text
    monkeypatch.setattr(store.browse, "NAMES_OVER", 1)
    sampled = client.get("/api/records", params={"per_page": 2}).json()  # another key: not cached
    assert sampled["names_over"] == 1 and sampled["total"] == full["total"]
    page = client.get("/search", params={"per_page": 2}).text
    assert f"in the newest 1 of {full['total']} matches" in page
