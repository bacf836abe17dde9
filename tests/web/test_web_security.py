"""Article text never runs: autoescaped pages, no inline script or style, strict headers.

The browser proof (the payloads really stay inert in Chromium) is test_web_browser.py; these tests
check what the server sends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from seed import HOSTILE_UNIT, PAYLOAD_IMG, PAYLOAD_LINK, PAYLOAD_QUOTES, PAYLOAD_SCRIPT
from webclient import Editor

TEMPLATES = Path(__file__).resolve().parents[2] / "thidua" / "web" / "templates"


def test_every_response_carries_the_security_headers(client: TestClient, ids: dict[str, int]) -> None:
    for path in (
        "/",
        "/search",
        f"/records/{ids['hostile']}",
        "/api/records",
        "/login",
        "/records/0",
        "/static/app.js",
    ):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), template.name
        assert not re.search(r"\sstyle=|<style", source), template.name
        assert not re.search(r"\son[a-z]+=", source), template.name
        assert not re.search(r"\|\s*safe\b", source) and "Markup(" not in source, template.name


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_hostile_record_is_escaped_everywhere(
    client: TestClient, editor: Editor, ids: dict[str, int], signed_in: bool
) -> None:
    c = editor.client if signed_in else client
    if not signed_in:
        c.cookies.clear()
    pages = [
        c.get(f"/records/{ids['hostile']}").text,
        c.get("/search").text,
        c.get("/search", params={"q": "<script>"}).text,
        c.get("/units", params={"name": HOSTILE_UNIT}).text,
        c.get("/blocs", params={"name": "9"}).text,
        c.get("/").text,
    ]
    for text in pages:
        for payload in (
            PAYLOAD_SCRIPT,
            PAYLOAD_IMG,
            PAYLOAD_LINK,
            PAYLOAD_QUOTES,
            HOSTILE_UNIT,
            "<svg onload",
        ):
            assert payload not in text
        # the only script element of any page is the app's own file
        assert re.findall(r"<script[^>]*>", text) == [  # the app's own files, nothing else
            '<script src="/static/vendor/htmx.min.js" defer>',
            '<script src="/static/app.js" defer>',
        ]
        assert "javascript:" not in re.sub(r"&[a-z#0-9]+;", "", " ".join(re.findall(r'href="([^"]*)"', text)))
    record_page = pages[0]
    assert "&lt;script&gt;window.__pwned = &#39;script&#39;&lt;/script&gt;" in record_page
    # the javascript: source URL is shown as text, not made a link
    assert '<span id="source-url">javascript:window.__pwned=&#39;url&#39;</span>' in record_page
    # the raw page is there, as escaped text
    assert "&lt;body onload=" in record_page


def test_api_returns_json_not_html(client: TestClient, ids: dict[str, int]) -> None:
    r = client.get(f"/api/records/{ids['hostile']}")
    assert r.headers["content-type"] == "application/json"
    assert PAYLOAD_SCRIPT in r.json()["text"]  # the data is kept as it was; only its display is inert
