"""The vendored browser library (thidua/web/vendor.py): pinned, checked, served by the app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from thidua.web import vendor


def test_the_committed_files_are_the_pinned_ones() -> None:
    assert vendor.check() == ["htmx.min.js"]
    assert vendor.manifest()["htmx.min.js"]["version"].startswith("2.")


def test_a_changed_or_missing_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(vendor.MANIFEST, tmp_path / "manifest.json")
    monkeypatch.setattr(vendor, "VENDOR", tmp_path)
    monkeypatch.setattr(vendor, "MANIFEST", tmp_path / "manifest.json")
    with pytest.raises(vendor.VendorError, match="missing"):
        vendor.check()
    (tmp_path / "htmx.min.js").write_text("alert(1)", encoding="utf-8")
    with pytest.raises(vendor.VendorError, match="SHA-256"):
        vendor.check()


def test_pages_load_it_from_the_app_with_eval_off(client: TestClient) -> None:
    page = client.get("/search").text
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in page
    assert '"allowEval": false' in page and '"includeIndicatorStyles": false' in page
    assert 'hx-boost="true"' in page
    served = client.get("/static/vendor/htmx.min.js")
    assert served.status_code == 200 and "javascript" in served.headers["content-type"]
    assert "script-src 'self'" in served.headers["content-security-policy"]
