"""Editors (TestClient): sign-in, rate limit, the queue, corrections by form and by API, history, undo,
and the refusals: no session, expired session, unknown user, missing or wrong CSRF token."""

from __future__ import annotations

import re
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from seed import ADMIN, ADMIN_PASSWORD, EDITOR, EDITOR_PASSWORD
from webclient import Editor, sign_in

from thidua.web.security import SESSION_COOKIE


def _record(client: TestClient, article_id: int) -> dict:
    return client.get(f"/api/records/{article_id}").json()


def _facts(client: TestClient, article_id: int, field: str) -> list:
    return [f for f in _record(client, article_id)["record"]["facts"] if f["field"] == field]


def test_sign_in_sets_a_strict_httponly_cookie_and_goes_on(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    r = client.post(
        "/login",
        data={"name": EDITOR, "password": EDITOR_PASSWORD, "login_token": token.group(1), "next": "/search"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/search"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert EDITOR in client.get("/review").text


def test_sign_in_refuses_a_foreign_next_and_a_form_from_elsewhere(client: TestClient) -> None:
    page = client.get("/login", params={"next": "//evil.example/x"})
    assert 'name="next" value="/review"' in page.text
    r = client.post("/login", data={"name": EDITOR, "password": EDITOR_PASSWORD, "login_token": "forged"})
    assert r.status_code == 403 and "sign-in form expired" in r.text


def test_a_wrong_password_is_refused_and_failures_are_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
        assert token
        r = client.post(
            "/login", data={"name": EDITOR, "password": "sai mật khẩu", "login_token": token.group(1)}
        )
        assert r.status_code == 401 and "wrong name or password" in r.text
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token
    # the right password now gets the same refusal as a wrong one: the name is locked for the window
    r = client.post(
        "/login", data={"name": EDITOR, "password": EDITOR_PASSWORD, "login_token": token.group(1)}
    )
    assert r.status_code == 429 and "too many failed sign-ins" in r.text
    assert r.headers["retry-after"] == str(15 * 60)
    # another user from the same address may still sign in (5 failures < 20 per address)
    sign_in(client, ADMIN, ADMIN_PASSWORD)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client: TestClient) -> None:
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token
    r = client.post("/login", data={"name": "Không Ai", "password": "x" * 12, "login_token": token.group(1)})
    assert r.status_code == 401 and "wrong name or password" in r.text


def test_the_queue_needs_sign_in_and_puts_the_least_sure_first(
    client: TestClient, ids: dict[str, int]
) -> None:
    assert client.get("/review", follow_redirects=False).headers["location"] == "/login?next=/review"
    assert client.get("/api/review/queue").status_code == 401
    sign_in(client, EDITOR, EDITOR_PASSWORD)
    queue = client.get("/api/review/queue").json()
    # lowest confidence first: hostile (0.5), Bắc Ninh (0.55), Hòa Bình (0.85)
    assert [i["article_id"] for i in queue] == [ids["hostile"], ids["bac-ninh"], ids["hoa-binh"]]
    assert 'id="queue"' in client.get("/review").text
    r = client.get("/review/next", params={"after": ids["hostile"]}, follow_redirects=False)
    assert r.headers["location"] == f"/records/{ids['bac-ninh']}"


def test_form_corrections_history_and_undo(editor: Editor, ids: dict[str, int]) -> None:
    c, aid = editor.client, ids["bac-ninh"]
    page = c.get(f"/records/{aid}")
    assert 'id="add-form"' in page.text and "accept (a)" in page.text
    member = _facts(c, aid, "member")[2]
    assert member["value"] == "Sở Nội vụ"
    r = c.post(
        f"/records/{aid}/correct",
        data={
            "csrf_token": editor.csrf,
            "action": "change",
            "fact": member["key"],
            "value": "Sở Nội vụ tỉnh Bắc Ninh",
            "reason": "tên đầy đủ",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/records/{aid}?done=")
    assert [f["value"] for f in _facts(c, aid, "member")][2] == "Sở Nội vụ tỉnh Bắc Ninh"
    # add a member by its evidence span, as selecting text in the page does
    start = _record(c, aid)["text"].index("Bắc Ninh")
    r = c.post(
        f"/records/{aid}/correct",
        data={
            "csrf_token": editor.csrf,
            "action": "add",
            "field": "member",
            "value": "UBND tỉnh Bắc Ninh",
            "ev_start": str(start),
            "ev_end": str(start + 8),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    added = _facts(c, aid, "member")[-1]
    assert added["source"] == "added" and added["evidence"]["text"] == "Bắc Ninh"
    # a role changed through its own inputs (a partial change keeps the unit)
    role = _facts(c, aid, "role")[0]
    c.post(
        f"/records/{aid}/correct",
        data={
            "csrf_token": editor.csrf,
            "action": "change",
            "fact": role["key"],
            "role": "khoi_pho",
            "year": "2020",
        },
    )
    assert _facts(c, aid, "role")[0]["value"] == {"unit": "Sở Y tế", "role": "khoi_pho", "year": 2020}
    c.post(
        f"/records/{aid}/correct",
        data={"csrf_token": editor.csrf, "action": "delete", "fact": _facts(c, aid, "award")[0]["key"]},
    )
    assert _facts(c, aid, "award") == []
    c.post(
        f"/records/{aid}/correct",
        data={"csrf_token": editor.csrf, "action": "accept", "fact": _facts(c, aid, "bloc")[0]["key"]},
    )
    c.post(f"/records/{aid}/correct", data={"csrf_token": editor.csrf, "action": "verify"})
    history = _record(c, aid)["history"]
    assert [h["action"] for h in history] == ["change", "add", "change", "delete", "accept", "verify"]
    first = history[0]
    assert first["editor"] == EDITOR and first["reason"] == "tên đầy đủ"
    assert first["old_value"] == "Sở Nội vụ" and first["new_value"] == "Sở Nội vụ tỉnh Bắc Ninh"
    page = c.get(f"/records/{aid}")
    assert page.text.count('class="inline undo-form"') == 6
    # undo the delete: the award comes back, the history keeps both
    delete_id = history[3]["id"]
    r = c.post(f"/corrections/{delete_id}/undo", data={"csrf_token": editor.csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert [f["value"]["award"] for f in _facts(c, aid, "award")] == ["co_thi_dua"]
    history = _record(c, aid)["history"]
    assert history[-1]["action"] == "undo" and history[-1]["undoes"] == delete_id
    assert not history[3]["in_force"]
    # the search shows the record as corrected
    assert c.get("/api/records", params={"review": "corrected"}).json()["total"] == 1


def test_a_refused_correction_writes_nothing_and_says_why(editor: Editor, ids: dict[str, int]) -> None:
    c, aid = editor.client, ids["bac-ninh"]
    for data, words in (
        ({"action": "change", "fact": "member#0", "value": ""}, "unit is empty"),
        ({"action": "change", "fact": "member#99", "value": "x"}, "member#99"),
        (
            {
                "action": "add",
                "field": "award",
                "value": "Sở Y tế",
                "award": "co_thi_dua",
                "status": "proposed",
                "year": "năm",
            },
            "not a year",
        ),
        (
            {"action": "add", "field": "member", "value": "Sở Mới", "ev_start": "5", "ev_end": "99999"},
            "evidence",
        ),
        ({"action": "explode"}, "unknown action"),
        ({"action": "accept"}, "names a fact"),
    ):
        r = c.post(f"/records/{aid}/correct", data={"csrf_token": editor.csrf, **data})
        assert r.status_code in (404, 422), (data, r.status_code)
        assert words in r.text, (data, r.text[-400:])
    assert _record(c, aid)["history"] == []


def test_api_corrections_and_undo(editor: Editor, ids: dict[str, int]) -> None:
    c, aid = editor.client, ids["hoa-binh"]
    headers = {"X-CSRF-Token": editor.csrf}
    r = c.post(
        f"/api/records/{aid}/corrections",
        json={
            "action": "add",
            "field": "role",
            "value": {"unit": "Sở Tài chính", "role": "khoi_truong", "year": 2021},
        },
        headers=headers,
    )
    assert r.status_code == 201
    made = r.json()
    assert made["action"] == "add" and made["editor"] == EDITOR and made["in_force"]
    r = c.post(
        f"/api/records/{aid}/corrections",
        json={"action": "change", "fact": "province", "value": "Atlantis"},
        headers=headers,
    )
    assert r.status_code == 422 and "not a province" in r.json()["detail"]
    r = c.post(f"/api/corrections/{made['id']}/undo", json={"reason": "nhầm"}, headers=headers)
    assert r.status_code == 201 and r.json()["undoes"] == made["id"]
    r = c.post(f"/api/corrections/{made['id']}/undo", json={}, headers=headers)
    assert r.status_code == 422 and "already undone" in r.json()["detail"]
    assert c.post("/api/corrections/99999/undo", json={}, headers=headers).status_code == 404
    assert _facts(c, aid, "role") == []


WRITES = [
    ("/records/{aid}/correct", "form", {"action": "verify"}),
    ("/api/records/{aid}/corrections", "json", {"action": "verify"}),
    ("/api/corrections/1/undo", "json", {}),
    ("/corrections/1/undo", "form", {}),
    ("/logout", "form", {}),
]


def _write(client: TestClient, path: str, kind: str, body: dict, aid: int, **kw: object):
    url = path.format(aid=aid)
    if kind == "json":
        return client.post(url, json=body, **kw)  # type: ignore[arg-type]
    return client.post(url, data=body, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("path", "kind", "body"), WRITES)
def test_researchers_cannot_write(
    client: TestClient, ids: dict[str, int], path: str, kind: str, body: dict
) -> None:
    r = _write(client, path, kind, body, ids["bac-ninh"])
    assert r.status_code == 401 and "sign in" in r.text


@pytest.mark.parametrize(("path", "kind", "body"), WRITES)
def test_a_missing_or_wrong_csrf_token_is_refused(
    editor: Editor, ids: dict[str, int], path: str, kind: str, body: dict
) -> None:
    missing = _write(editor.client, path, kind, body, ids["bac-ninh"])
    assert missing.status_code == 403 and "CSRF token is missing" in missing.text
    if kind == "json":
        wrong = _write(editor.client, path, kind, body, ids["bac-ninh"], headers={"X-CSRF-Token": "0" * 64})
    else:
        wrong = _write(editor.client, path, kind, {**body, "csrf_token": "0" * 64}, ids["bac-ninh"])
    assert wrong.status_code == 403 and "CSRF token is wrong" in wrong.text
    assert _record(editor.client, ids["bac-ninh"])["history"] == []


def test_an_expired_session_is_refused(
    app: FastAPI, client: TestClient, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = app.state.ctx.signer
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: time.time_ns() / 1e9 - signer.max_age - 60)
    cookie, data = signer.new_session(1)
    monkeypatch.undo()
    client.cookies.set(SESSION_COOKIE, cookie)
    r = client.post(
        f"/api/records/{ids['bac-ninh']}/corrections",
        json={"action": "verify"},
        headers={"X-CSRF-Token": signer.csrf_token(data)},
    )
    assert r.status_code == 401 and "session expired" in r.json()["detail"]
    assert "session expired" in client.get("/review").text


def test_an_unknown_user_or_a_forged_cookie_is_refused(
    app: FastAPI, client: TestClient, ids: dict[str, int]
) -> None:
    signer = app.state.ctx.signer
    cookie, data = signer.new_session(424242)
    client.cookies.set(SESSION_COOKIE, cookie)
    r = client.post(
        f"/api/records/{ids['bac-ninh']}/corrections",
        json={"action": "verify"},
        headers={"X-CSRF-Token": signer.csrf_token(data)},
    )
    assert r.status_code == 401 and "no longer exists" in r.json()["detail"]
    client.cookies.set(SESSION_COOKIE, cookie[:-3] + "abc")
    r = client.post(
        f"/api/records/{ids['bac-ninh']}/corrections",
        json={"action": "verify"},
        headers={"X-CSRF-Token": "x"},
    )
    assert r.status_code == 401 and "not one this server signed" in r.json()["detail"]


def test_sign_out_ends_the_session(editor: Editor) -> None:
    r = editor.client.post("/logout", data={"csrf_token": editor.csrf}, follow_redirects=False)
    assert r.status_code == 303 and f'{SESSION_COOKIE}=""' in r.headers["set-cookie"]
    assert editor.client.get("/api/review/queue").status_code == 401


def test_quality_page_counts_verified_records(editor: Editor, ids: dict[str, int]) -> None:
    c, aid = editor.client, ids["bac-ninh"]
    assert c.get("/api/quality").json()["verified_records"] == 0
    assert "No record is verified yet" in c.get("/quality").text
    c.post(
        f"/records/{aid}/correct", data={"csrf_token": editor.csrf, "action": "delete", "fact": "member#2"}
    )
    c.post(f"/records/{aid}/correct", data={"csrf_token": editor.csrf, "action": "verify"})
    data = c.get("/api/quality").json()
    assert data["verified_records"] == 1
    (version,) = data["by_version"]
    members = version["fields"]["members"]
    assert (members["tp"], members["gold"], members["pred"]) == (2, 2, 3)
    # 19 facts ranked; the first fifth is the 4 least sure: the hostile record's 0.5, 0.5, then
    # Sở Nội vụ (0.55), the fact the editor fixed
    assert data["queue"] == {"facts_ranked": 19, "fixes": 1, "in_first_fifth": 1, "share": 1.0, "unranked": 0}
    page = c.get("/quality").text
    assert "Extractor 0.4.1" in page and 'id="queue-share">1 of the editors' in page
