"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium; no browser
download) against `thidua serve`'s app on a loopback port.

The journeys of issue 9: a researcher's search → facet → record → export; an editor's
sign-in → queue → correct → history → undo; an editor's merge of two units → preview → confirm →
split → undo; and the hostile article, whose payloads must not run.
Screenshots go to THIDUA_SCREENSHOT_DIR (the README's come from
``THIDUA_SCREENSHOT_DIR=docs/screenshots pytest tests/web/test_web_browser.py``), else to the test's
temporary folder. Without Chromium the tests skip, which fails them under CI=true (tests/ci_gate.py).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from seed import EDITOR, EDITOR_PASSWORD, HOSTILE_UNIT, seed
from webclient import SECRET

from thidua.settings import Settings
from thidua.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium"
)

sync_api = pytest.importorskip("playwright.sync_api")


def _serve(folder: Path, *, entities: bool = False) -> Iterator[tuple[str, dict[str, int]]]:
    url = f"sqlite:///{folder / 'thidua.sqlite'}"
    ids = seed(url, entities=entities)
    app = create_app(Settings(database_url=url, web_secret=SECRET))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", ids
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """The app over a freshly seeded store, served by uvicorn on a free loopback port."""
    yield from _serve(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def entity_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """The same with two more articles and every record linked to its units and blocs."""
    yield from _serve(tmp_path_factory.mktemp("browser-entities"), entities=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("THIDUA_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_researcher_search_facet_record_export(server, page, shots: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, ids = server
    page.goto(base + "/")
    assert page.locator("svg.chart rect").count() >= 2
    page.screenshot(path=str(shots / "home.png"))
    page.fill("input[name=q]", "thi đua")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.inner_text("#total") == "3"
    refused: list[str] = []  # what the Content-Security-Policy blocked, if anything
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.evaluate("window.thiduaSamePage = true")  # survives only if the page is not reloaded
    page.click("#facets section[data-facet=province] a:text('Bắc Ninh')")
    page.wait_for_url("**province=*")
    page.wait_for_function("document.getElementById('total').textContent === '1'")
    # htmx fetched the next search and swapped the results in: same document, new URL
    assert page.evaluate("window.thiduaSamePage === true")
    assert page.evaluate("typeof window.htmx") == "object"
    page.screenshot(path=str(shots / "search.png"))
    page.click("#results tbody a:text('Khối thi đua số 6 tổng kết')")
    page.wait_for_url(f"**/records/{ids['bac-ninh']}")
    # clicking highlighted evidence shows its fact: field, value, confidence, rule, extractor
    page.click("#article-text mark.f-award")
    panel = page.locator("#fact-panel")
    assert panel.is_visible()
    assert "co_thi_dua" in panel.inner_text() and "confidence 0.70" in panel.inner_text()
    assert "extractor 0.4.1" in panel.inner_text()
    page.screenshot(path=str(shots / "record.png"))
    page.go_back()
    with page.expect_download() as info:
        page.click("#export-csv")
    target = tmp_path / "export.zip"
    info.value.save_as(target)
    names = zipfile.ZipFile(target).namelist()
    assert {"records.csv", "members.csv", "datapackage.json", "manifest.json"} <= set(names)
    assert "Bắc Ninh" in zipfile.ZipFile(target).read("records.csv").decode()
    assert refused == []


def test_editor_sign_in_queue_correct_history_undo(server, page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    base, ids = server
    page.goto(base + "/review")
    page.wait_for_url("**/login?next=/review")
    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", EDITOR_PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_url("**/review")
    rows = page.locator("#queue tbody tr")
    assert rows.count() == 3
    page.screenshot(path=str(shots / "queue.png"))
    page.click("#queue a >> nth=1")  # Bắc Ninh: its least sure fact is Sở Nội vụ (0.55)
    page.wait_for_url(f"**/records/{ids['bac-ninh']}")
    # keyboard first: j j … to the member, c to change it
    target = page.locator("li.fact-item", has_text="Sở Nội vụ")
    index = int((target.get_attribute("id") or "fact-0").split("-")[1])
    for _ in range(index + 1):
        page.keyboard.press("j")
    page.keyboard.press("c")
    form = target.locator("details.act-change form")
    form.locator("input[name=value]").fill("Sở Nội vụ tỉnh Bắc Ninh")
    form.locator("input[name=reason]").fill("tên đầy đủ")
    form.locator("button").click()
    page.wait_for_url("**done=*")
    assert "Sở Nội vụ tỉnh Bắc Ninh" in page.inner_text("#facts")
    # add a missing member by selecting its words in the text
    page.evaluate(
        """() => {
        const segs = [...document.querySelectorAll('#article-text [data-o]')];
        const seg = segs.find(e => e.textContent.includes('Hội nghị'));
        const node = seg.firstChild; const i = node.data.indexOf('Hội nghị');
        const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 'Hội nghị'.length);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
        document.getElementById('article-text').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }"""
    )
    text = page.evaluate(
        "() => fetch(location.pathname.replace('/records/', '/api/records/')).then(r => r.json())"
    )["text"]
    start = text.index("Hội nghị")
    assert page.input_value("#ev-start") == str(start) and page.input_value("#ev-end") == str(start + 8)
    page.fill("#add-value", "Hội nghị Khối")
    page.click("#add-form button")
    page.wait_for_url("**done=*")
    history = page.locator("#history tbody tr")
    assert history.count() == 2
    assert "tên đầy đủ" in history.nth(0).inner_text() and EDITOR in history.nth(0).inner_text()
    page.screenshot(path=str(shots / "record-editor.png"), full_page=True)
    # undo the change: the machine's value is back, the history shows both
    history.nth(0).locator("button:text('undo')").click()
    page.wait_for_url("**done=*")
    assert "Sở Nội vụ tỉnh Bắc Ninh" not in page.inner_text("#facts")
    assert page.locator("#history tbody tr").count() == 3
    assert "undone" in page.locator("#history tbody tr").nth(0).inner_text()
    page.locator("#history").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "history.png"))
    # n goes on to the next record in the queue
    page.keyboard.press("n")
    page.wait_for_url(f"**/records/{ids['hoa-binh']}")


def _assert_inert(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []
    # no element the payloads would have made exists in the page
    assert (
        page.locator(
            "#article-text img, #article-text svg, #article-text a[href^=javascript], #facts img"
        ).count()
        == 0
    )


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_hostile_article_runs_nothing(server, page, shots: Path, signed_in: bool) -> None:  # type: ignore[no-untyped-def]
    base, ids = server
    if signed_in:
        page.goto(base + "/login")
        page.fill("input[name=name]", EDITOR)
        page.fill("input[name=password]", EDITOR_PASSWORD)
        page.click("button:text('Sign in')")
        page.wait_for_url("**/review")
    page.goto(f"{base}/records/{ids['hostile']}")
    _assert_inert(page)
    # the payload text is shown as text
    assert "<script>window.__pwned = 'script'</script>" in page.inner_text("#article-text")
    assert page.locator("#source-url").evaluate("e => e.tagName") == "SPAN"  # javascript: URL not a link
    for mark in page.locator("#article-text mark").all():
        mark.hover()
        mark.click()
    page.locator("#raw-page summary").click()
    page.locator("#record-json summary").click()
    page.keyboard.press("j")
    _assert_inert(page)
    if not signed_in:
        page.screenshot(path=str(shots / "hostile.png"))
    for path in ("/search?q=%3Cscript%3E", "/search?province=L%C3%A0o+Cai", "/blocs?name=9", "/"):
        page.goto(base + path)
        _assert_inert(page)
    page.goto(
        base
        + "/units?name="
        + HOSTILE_UNIT.replace(" ", "+")
        .replace('"', "%22")
        .replace(">", "%3E")
        .replace("<", "%3C")
        .replace("=", "%3D")
    )
    _assert_inert(page)


def _sign_in(page, base: str, next_path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login?next={next_path}")
    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", EDITOR_PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_url(f"**{next_path}")


def test_editor_merges_two_units_after_a_preview_splits_and_undoes(entity_server, page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    base, _ = entity_server
    _sign_in(page, base, "/entities")
    page.fill("#entity-name", "chính trị")
    page.click("#entity-search")
    page.wait_for_url("**name=*")
    rows = page.locator("#entities tbody tr")
    assert rows.count() == 2
    school, nvc = (int(rows.nth(i).get_attribute("data-id") or 0) for i in (0, 1))
    assert "Trường Chính trị tỉnh" in rows.nth(0).inner_text()
    rows.nth(0).locator("input[type=checkbox]").check()
    rows.nth(1).locator("input[type=checkbox]").check()
    page.screenshot(path=str(shots / "entities.png"))
    page.click("#merge-preview")
    page.wait_for_url("**/entity-merge?*")
    # the preview: the group after, what moves from which entity to which; nothing written yet
    assert page.locator("#refusal").count() == 0
    moves = page.locator("#moves tbody tr")
    assert moves.count() == 1
    assert "Trường Chính trị Nguyễn Văn Cừ" in moves.nth(0).inner_text()
    assert "1 member, 1 award" in moves.nth(0).inner_text()
    assert "timeline gains 2021" in page.inner_text("#after")
    assert page.locator("#keep-name").is_visible()
    page.fill("#reason", "cùng một trường, hai tên")
    page.screenshot(path=str(shots / "merge-preview.png"), full_page=True)
    assert page.evaluate("() => fetch('/api/entity-corrections').then(r => r.json())") == []
    page.click("#confirm")
    page.wait_for_url(f"**/entities/{school}?done=*")
    assert page.locator("#group tbody tr").count() == 2
    assert "via Trường Chính trị Nguyễn Văn Cừ" in page.inner_text("#records")
    assert "cùng một trường, hai tên" in page.inner_text("#history")
    page.screenshot(path=str(shots / "entity-merged.png"), full_page=True)
    # split the other one out again, through its preview
    page.click(f"#group tr[data-id='{nvc}'] a:text('split out…')")
    page.wait_for_url(f"**/entities/{nvc}/split")
    assert "Trường Chính trị Nguyễn Văn Cừ" in page.inner_text("#moves")
    page.click("#confirm")
    page.wait_for_url(f"**/entities/{nvc}?done=*")
    assert page.locator("#merged-into").count() == 0 and page.locator("#group tbody tr").count() == 1
    # and undo the split from the history of merges and splits: merged again
    page.goto(base + "/entity-corrections")
    history = page.locator("#entity-history tbody tr")
    assert history.count() == 2 and "split" in history.nth(0).inner_text()
    history.nth(0).locator("a.undo-link").click()
    page.wait_for_url("**/undo")
    page.click("#confirm")
    page.wait_for_url(f"**/entities/{nvc}?done=*")
    assert page.locator("#merged-into").is_visible()
    page.goto(base + "/entity-corrections")
    assert page.locator("#entity-history tbody tr").count() == 3
    assert "undone" in page.locator("#entity-history tbody tr").nth(1).inner_text()
    page.screenshot(path=str(shots / "entity-history.png"))

    # the hostile units of the Lào Cai record are text on the entity pages too
    def inert() -> None:
        _assert_inert(page)
        assert page.locator("main img, main svg:not(.chart), main a[href^=javascript]").count() == 0

    page.goto(base + "/entities?province=L%C3%A0o+Cai")
    inert()
    ids = [int(r.get_attribute("data-id") or 0) for r in page.locator("#entities tbody tr").all()]
    assert len(ids) == 4
    for eid in ids:
        page.goto(f"{base}/entities/{eid}")
        inert()
    page.goto(f"{base}/entity-merge?ids={ids[0]}&ids={ids[1]}")
    inert()
    assert page.locator("#confirm-form").count() == 1
