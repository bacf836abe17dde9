"""Units and blocs in the web app (TestClient): the entity list and pages for everyone; merge,
split and undo for editors, each previewed (nothing written) and then confirmed (one store
call); the store's named refusals as clear 4xx answers that write nothing; the role and CSRF
checks on every write. The store (seed.py, entities=True) has one unit under two names
("Trường Chính trị tỉnh" and "Trường Chính trị Nguyễn Văn Cừ") and one bloc under two names."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from webclient import Editor

from thidua.cli import main
from thidua.web.security import SESSION_COOKIE

SCHOOL = "Trường Chính trị tỉnh"
SCHOOL_NVC = "Trường Chính trị Nguyễn Văn Cừ"


def _id(client: TestClient, name: str, kind: str = "unit") -> int:
    rows = client.get("/api/entities", params={"kind": kind, "name": name}).json()["rows"]
    (found,) = [r for r in rows if r["name"] == name]
    return int(found["id"])


def _history(client: TestClient) -> list[dict[str, Any]]:
    r = client.get("/api/entity-corrections")
    assert r.status_code == 200
    return list(r.json())


def _post(editor: Editor, path: str, body: dict[str, Any]) -> Any:
    return editor.client.post(path, json=body, headers={"X-CSRF-Token": editor.csrf})


def test_everyone_reads_the_entity_list_and_pages(entity_client: TestClient) -> None:
    c = entity_client
    units = c.get("/api/entities", params={"kind": "unit", "province": "Bac Ninh"}).json()
    names = [r["name"] for r in units["rows"]]
    assert units["total"] == 6 and "Sở Nội vụ" in names and SCHOOL in names and SCHOOL_NVC in names
    home_affairs = next(r for r in units["rows"] if r["name"] == "Sở Nội vụ")
    assert (
        home_affairs["aliases"] == ["Sở Nội vụ", "Sở Nội vụ tỉnh Bắc Ninh"] and home_affairs["articles"] == 2
    )
    # words of a name, without diacritics, find the units
    assert [r["name"] for r in c.get("/api/entities", params={"name": "chinh tri"}).json()["rows"]] == [
        SCHOOL,
        SCHOOL_NVC,
    ]
    blocs = c.get("/api/entities", params={"kind": "bloc", "province": "Bắc Ninh"}).json()["rows"]
    assert {b["name"] for b in blocs} == {"Khối thi đua số 6", "Khối các cơ quan Nội chính"}
    detail = c.get(f"/api/entities/{home_affairs['id']}").json()
    assert detail["representative"]["name"] == "Sở Nội vụ"
    assert [r["year"] for r in detail["records"]] == [2021, 2019]  # published 2019-01-03, no meeting date
    assert detail["linked"]["facts"] == {"member": 2} and detail["corrections"] == []
    page = c.get(f"/entities/{home_affairs['id']}")
    assert page.status_code == 200 and "Sở Nội vụ tỉnh Bắc Ninh" in page.text and 'id="records"' in page.text
    assert 'id="entity-actions"' not in page.text  # no merge or split for a researcher
    listing = c.get("/entities", params={"kind": "unit", "province": "Bắc Ninh"})
    assert listing.status_code == 200 and 'id="total">6<' in listing.text
    assert 'type="checkbox"' not in listing.text and 'id="merge-preview"' not in listing.text
    history = c.get("/entity-corrections")
    assert history.status_code == 200 and "No unit or bloc was merged" in history.text
    # a timeline by a name's words leads to the entities of that name
    assert 'href="/entities?kind=bloc&amp;name=6"' in c.get("/blocs", params={"name": "6"}).text
    assert [
        r["name"] for r in c.get("/api/entities", params={"kind": "bloc", "name": "6"}).json()["rows"]
    ] == ["Khối thi đua số 6"]


def test_unknown_and_bad_reads_get_clear_answers(entity_client: TestClient) -> None:
    c = entity_client
    r = c.get("/api/entities/99999")
    assert r.status_code == 404 and r.json() == {
        "detail": "no entity with id 99999",
        "error": "EntityNotFoundError",
    }
    assert c.get("/entities/99999").status_code == 404
    r = c.get("/api/entities", params={"province": "Atlantis"})
    assert r.status_code == 400 and "not a province" in r.json()["detail"]
    assert c.get("/api/entities", params={"kind": "person"}).status_code == 422
    r = c.get("/api/entities", params={"name": "!!!"})
    assert r.status_code == 400 and "no letters or digits" in r.json()["detail"]


def test_merge_preview_confirm_split_and_undo_by_the_api(entity_editor: Editor) -> None:
    c = entity_editor.client
    school, nvc = _id(c, SCHOOL), _id(c, SCHOOL_NVC)
    preview = c.get("/api/entity-merge/preview", params={"ids": [school, nvc]})
    assert preview.status_code == 200
    p = preview.json()
    assert p["allowed"] and p["refusal"] is None and _history(c) == []  # a preview writes nothing
    (after,) = p["after"]
    assert after["representative"]["name"] == SCHOOL and [m["id"] for m in after["members"]] == [school, nvc]
    assert after["years"] == [2020, 2021] and after["new_years"] == [2021] and after["records"] == 2
    (move,) = p["moves"]
    assert (move["entity"]["id"], move["from"]["id"], move["to"]["id"]) == (nvc, nvc, school)
    assert move["facts"] == {"member": 1, "award": 1} and move["records"] == 1 and move["years"] == [2021]
    made = _post(
        entity_editor,
        "/api/entity-merge",
        {"entity_ids": [school, nvc], "reason": "một trường", "state": p["state"]},
    )
    assert made.status_code == 201, made.text
    merge = made.json()
    assert (merge["action"], merge["entity_ids"], merge["editor"], merge["reason"], merge["in_force"]) == (
        "merge",
        [school, nvc],
        "Nguyễn Thị Lan",
        "một trường",
        True,
    )
    detail = c.get(f"/api/entities/{nvc}").json()
    assert detail["representative"]["id"] == school and detail["entity"]["merged_into"] == school
    assert detail["linked"]["years"] == after["years"] and detail["linked"]["facts"] == {
        "member": 2,
        "award": 1,
    }
    # split the kept one out: the other keeps its own record under its own name
    split_preview = c.get(f"/api/entities/{school}/split/preview").json()
    assert [(m["entity"]["id"], m["from"]["id"], m["to"]["id"]) for m in split_preview["moves"]] == [
        (nvc, school, nvc)
    ]
    split = _post(entity_editor, f"/api/entities/{school}/split", {"state": split_preview["state"]})
    assert split.status_code == 201 and split.json()["action"] == "split"
    assert c.get(f"/api/entities/{nvc}").json()["group"][0]["id"] == nvc
    undo_preview = c.get(f"/api/entity-corrections/{split.json()['id']}/undo/preview").json()
    assert undo_preview["allowed"] and [m["to"]["id"] for m in undo_preview["moves"]] == [school]
    undo = _post(entity_editor, f"/api/entity-corrections/{split.json()['id']}/undo", {"reason": "nhầm"})
    assert undo.status_code == 201 and undo.json()["undoes"] == split.json()["id"]
    assert c.get(f"/api/entities/{nvc}").json()["representative"]["id"] == school
    history = _history(c)
    assert [(h["action"], h["in_force"]) for h in history] == [
        ("merge", True),
        ("split", False),
        ("undo", True),
    ]
    assert [h["id"] for h in c.get("/api/entity-corrections", params={"entity_id": nvc}).json()] == [
        merge["id"]
    ]


def test_refusals_are_the_store_errors_and_write_nothing(entity_editor: Editor) -> None:
    c = entity_editor.client
    school, nvc, justice = _id(c, SCHOOL), _id(c, SCHOOL_NVC), _id(c, "Sở Tư pháp")
    bloc = _id(c, "Khối thi đua số 6", "bloc")

    def refused(
        method: str, path: str, body: dict[str, Any] | None, status: int, error: str, words: str
    ) -> None:
        before = _history(c)
        r = _post(entity_editor, path, body or {}) if method == "post" else c.get(path)
        assert r.status_code == status, (path, r.text)
        assert r.json()["error"] == error and words in r.json()["detail"], r.json()
        assert _history(c) == before

    refused(
        "post",
        "/api/entity-merge",
        {"entity_ids": [school, bloc]},
        422,
        "EntityKindError",
        "units with units",
    )
    refused(
        "post",
        "/api/entity-merge",
        {"entity_ids": [school, school]},
        422,
        "SelfMergeError",
        "each entity once",
    )
    refused(
        "post", "/api/entity-merge", {"entity_ids": [school]}, 422, "SelfMergeError", "two entities or more"
    )
    refused("post", "/api/entity-merge", {"entity_ids": [school, 99999]}, 404, "EntityNotFoundError", "99999")
    refused("post", f"/api/entities/{school}/split", None, 422, "NotMergedError", "not merged")
    refused("post", "/api/entities/99999/split", None, 404, "EntityNotFoundError", "99999")
    refused("post", "/api/entity-corrections/99999/undo", None, 404, "CorrectionNotFoundError", "99999")
    refused("get", "/api/entity-merge/preview?ids=99999&ids=1", None, 404, "EntityNotFoundError", "99999")
    refused(
        "get", "/api/entity-corrections/99999/undo/preview", None, 404, "CorrectionNotFoundError", "99999"
    )
    # a preview of a refused correction is a preview: 200, the store's error and message, no move
    p = c.get("/api/entity-merge/preview", params={"ids": [school, bloc]}).json()
    assert not p["allowed"] and p["refusal"]["error"] == "EntityKindError" and p["moves"] == []
    state = c.get("/api/entity-merge/preview", params={"ids": [school, nvc]}).json()["state"]
    assert (
        _post(entity_editor, "/api/entity-merge", {"entity_ids": [school, nvc], "state": state}).status_code
        == 201
    )
    refused(
        "post", "/api/entity-merge", {"entity_ids": [nvc, school]}, 422, "SelfMergeError", "already merged"
    )
    p = c.get("/api/entity-merge/preview", params={"ids": [nvc, school]}).json()
    assert p["refusal"]["error"] == "SelfMergeError" and "already merged" in p["refusal"]["message"]
    # confirming a preview whose groups changed since (another editor merged Sở Tư pháp in)
    stale = c.get(f"/api/entities/{nvc}/split/preview").json()["state"]
    assert _post(entity_editor, "/api/entity-merge", {"entity_ids": [school, justice]}).status_code == 201
    refused(
        "post", f"/api/entities/{nvc}/split", {"state": stale}, 409, "PreviewOutdatedError", "preview again"
    )
    (merge_id,) = [h["id"] for h in _history(c) if h["action"] == "merge" and justice in h["entity_ids"]]
    split = _post(entity_editor, f"/api/entities/{justice}/split", {}).json()
    refused(
        "post",
        f"/api/entity-corrections/{merge_id}/undo",
        {},
        422,
        "UndoConflictError",
        f"correction {split['id']}",
    )
    assert _post(entity_editor, f"/api/entity-corrections/{split['id']}/undo", {}).status_code == 201
    refused(
        "post", f"/api/entity-corrections/{split['id']}/undo", {}, 422, "UndoConflictError", "already undone"
    )
    # bad input never reaches the store
    assert _post(entity_editor, "/api/entity-merge", {"entity_ids": [school, 2**40]}).status_code == 422
    assert _post(entity_editor, "/api/entity-merge", {"entity_ids": "12"}).status_code == 422


WRITES = [
    ("/api/entity-merge", {"entity_ids": [1, 2]}),
    ("/api/entities/1/split", {}),
    ("/api/entity-corrections/1/undo", {}),
]
FORMS = [
    ("/entity-merge", {"ids": ["1", "2"]}),
    ("/entities/1/split", {}),
    ("/entity-corrections/1/undo", {}),
]


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_api_writes_need_an_editor_and_the_csrf_token(
    entity_client: TestClient, path: str, body: dict
) -> None:
    c = entity_client
    r = c.post(path, json=body)  # a researcher: no session
    assert r.status_code == 401 and "sign in as an editor" in r.json()["detail"]
    c.cookies.set(SESSION_COOKIE, "forged.cookie.value")
    assert c.post(path, json=body).status_code == 401
    c.cookies.clear()
    from seed import EDITOR, EDITOR_PASSWORD
    from webclient import sign_in

    csrf = sign_in(c, EDITOR, EDITOR_PASSWORD)
    r = c.post(path, json=body)
    assert r.status_code == 403 and "CSRF token is missing" in r.json()["detail"]
    r = c.post(path, json=body, headers={"X-CSRF-Token": csrf[::-1]})
    assert r.status_code == 403 and "CSRF token is wrong" in r.json()["detail"]
    assert _history(c) == []


@pytest.mark.parametrize(("path", "form"), FORMS)
def test_form_writes_need_an_editor_and_the_csrf_token(entity_editor: Editor, path: str, form: dict) -> None:
    c = entity_editor.client
    r = c.post(path, data=form, follow_redirects=False)
    assert r.status_code == 403 and "CSRF token is missing" in r.text
    r = c.post(path, data={**form, "csrf_token": "x" * 64}, follow_redirects=False)
    assert r.status_code == 403 and "CSRF token is wrong" in r.text
    c.cookies.clear()
    r = c.post(path, data={**form, "csrf_token": entity_editor.csrf}, follow_redirects=False)
    assert r.status_code == 401
    assert _history(c) == []


def test_previews_are_for_editors(entity_client: TestClient) -> None:
    c = entity_client
    assert c.get("/api/entity-merge/preview", params={"ids": [1, 2]}).status_code == 401
    assert c.get("/api/entities/1/split/preview").status_code == 401
    r = c.get("/entity-merge", params={"ids": [1, 2]}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fentity-merge%3Fids%3D1%26ids%3D2"
    r = c.get("/entities/1/split", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_the_pages_pick_preview_confirm_split_and_undo(entity_editor: Editor) -> None:
    c, csrf = entity_editor.client, entity_editor.csrf
    school, nvc = _id(c, SCHOOL), _id(c, SCHOOL_NVC)
    listing = c.get("/entities", params={"kind": "unit", "name": "chính trị", "ids": [nvc]})
    assert f'name="ids" value="{school}"' in listing.text and 'id="merge-preview"' in listing.text
    assert re.search(rf'value="{nvc}"[^>]*checked', listing.text)  # the one picked before stays ticked
    page = c.get("/entity-merge", params={"ids": [nvc, school]})
    assert page.status_code == 200 and 'id="confirm-form"' in page.text and 'id="refusal"' not in page.text
    assert "timeline gains 2020" in page.text and 'id="keep-name"' in page.text
    # keep the other's name: the same merge, that one first
    keep = re.search(r'<a href="(/entity-merge\?ids=\d+&amp;ids=\d+)">' + SCHOOL, page.text)
    assert keep, page.text
    page = c.get(keep.group(1).replace("&amp;", "&"))
    state = re.search(r'name="state" value="([^"]*)"', page.text)
    assert state and "timeline gains 2021" in page.text
    assert _history(c) == []
    r = c.post(
        "/entity-merge",
        data={
            "csrf_token": csrf,
            "ids": [str(school), str(nvc)],
            "state": state.group(1),
            "reason": "một trường",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/entities/{school}?done=")
    merged = c.get(r.headers["location"])
    assert 'id="notice"' in merged.text and "2 merged, named after " + SCHOOL in merged.text
    assert f'href="/entities/{nvc}/split"' in merged.text
    assert "via " + SCHOOL_NVC in merged.text  # the award of 2021 comes from the other name
    # a refused merge shows the store's error and no confirm button
    bloc = _id(c, "Khối thi đua số 6", "bloc")
    refused = c.get("/entity-merge", params={"ids": [school, bloc]})
    assert (
        refused.status_code == 200
        and "EntityKindError" in refused.text
        and 'id="confirm-form"' not in refused.text
    )
    split_page = c.get(f"/entities/{nvc}/split")
    assert 'id="confirm-form"' in split_page.text
    r = c.post(f"/entities/{nvc}/split", data={"csrf_token": csrf, "reason": "thử"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/entities/{nvc}?done=")
    history = c.get("/entity-corrections")
    split_id = _history(c)[-1]["id"]
    assert f'href="/entity-corrections/{split_id}/undo"' in history.text
    assert c.get(f"/entity-corrections/{split_id}/undo").status_code == 200
    r = c.post(f"/entity-corrections/{split_id}/undo", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert [h["action"] for h in _history(c)] == ["merge", "split", "undo"]
    assert c.get(f"/api/entities/{nvc}").json()["representative"]["id"] == school


def test_a_unit_an_editor_adds_on_the_web_gets_its_entity(
    entity_editor: Editor, entity_seeded_db: Any
) -> None:
    c = entity_editor.client
    aid = entity_seeded_db[1]["noi-chinh"]
    assert c.get("/api/entities", params={"name": "Công an tỉnh"}).json()["total"] == 0
    r = _post(
        entity_editor,
        f"/api/records/{aid}/corrections",
        {"action": "add", "field": "member", "value": "Công an tỉnh"},
    )
    assert r.status_code == 201, r.text
    (row,) = c.get("/api/entities", params={"name": "Công an tỉnh"}).json()["rows"]
    assert row["province"] == "Bắc Ninh" and row["articles"] == 1
    assert [r["article_id"] for r in c.get(f"/api/entities/{row['id']}").json()["records"]] == [aid]


def _cli_timeline(url: str, option: str, name: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["timeline", option, name, "--json"], env={"THIDUA_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_timelines_follow_merges_and_splits_in_the_api_the_page_and_the_cli(
    entity_editor: Editor, entity_db_url: str
) -> None:
    c = entity_editor.client
    school, nvc = _id(c, SCHOOL), _id(c, SCHOOL_NVC)
    khoi6, noi_chinh = _id(c, "Khối thi đua số 6", "bloc"), _id(c, "Khối các cơ quan Nội chính", "bloc")

    def unit_years() -> dict[int | None, int]:
        years = c.get("/api/units/timeline", params={"name": SCHOOL_NVC}).json()["years"]
        assert years == _cli_timeline(entity_db_url, "--unit", SCHOOL_NVC)  # one answer, two ways
        return {y["year"]: y["records"] for y in years}

    assert unit_years() == {2021: 1}
    merged = _post(entity_editor, "/api/entity-merge", {"entity_ids": [nvc, school]})
    assert merged.status_code == 201, merged.text
    assert unit_years() == {2020: 1, 2021: 1}  # the other name's record of 2020
    page = c.get("/units", params={"name": SCHOOL_NVC})
    assert "Khối các cơ quan Nội chính</a> (1)" in page.text and "editors' merges" in page.text
    split = _post(entity_editor, f"/api/entities/{school}/split", {})
    assert split.status_code == 201, split.text
    assert unit_years() == {2021: 1}
    # a bloc: its number finds the other name's record once they are merged, and not after the undo
    bloc = _post(entity_editor, "/api/entity-merge", {"entity_ids": [khoi6, noi_chinh]})
    assert bloc.status_code == 201, bloc.text
    years = c.get("/api/blocs/timeline", params={"name": "6"}).json()["years"]
    assert years == _cli_timeline(entity_db_url, "--bloc", "6")
    # the Nội chính record of 2020 names its leader of 2021: a role's own year counts it there too
    assert [(y["year"], y["records"]) for y in years] == [(2019, 1), (2020, 1), (2021, 2)]
    assert years[2]["leaders"] == [{"unit": "Thanh tra tỉnh", "role": "khoi_truong", "records": 1}]
    assert {m["name"] for m in years[1]["members"]} == {"Sở Tư pháp", "Thanh tra tỉnh", SCHOOL}
    undo = _post(entity_editor, f"/api/entity-corrections/{bloc.json()['id']}/undo", {})
    assert undo.status_code == 201, undo.text
    years = c.get("/api/blocs/timeline", params={"name": "6"}).json()["years"]
    assert (
        [y["year"] for y in years]
        == [2019, 2021]
        == [y["year"] for y in _cli_timeline(entity_db_url, "--bloc", "6")]
    )
