"""Helpers of the web app's tests (a module of its own: `conftest` names clash across test folders)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

SECRET = "test-secret-" + "x" * 40
_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
_CSRF = re.compile(r'data-csrf="([^"]+)"')


def sign_in(client: TestClient, name: str, password: str, *, next_path: str = "/review") -> str:
    """Sign in through the form as a browser would; return the session's CSRF token."""
    page = client.get("/login")
    token = _TOKEN.search(page.text)
    assert token, page.text
    r = client.post(
        "/login",
        data={"name": name, "password": password, "login_token": token.group(1), "next": next_path},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    home = client.get("/")
    csrf = _CSRF.search(home.text)
    assert csrf, "no CSRF token on the page after signing in"
    return csrf.group(1)


@dataclass
class Editor:
    client: TestClient
    csrf: str
