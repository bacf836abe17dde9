"""In CI a skipped test is a failed test (issue 7: gates that skip must fail in CI).

A skip hides a missing corpus, module or service as well as a test that does not apply. Locally a
skip stays a skip; with ``CI=true`` (what CI sets) every skip — a ``pytest.skip`` call, a
``skipif`` mark, a ``pytest.importorskip`` in a test or at module level — is reported as a failure,
unless the test carries ``@pytest.mark.ci_may_skip``: the mark for a test that cannot apply on the
configuration CI runs (a dialect-specific check, say), never for missing data.

`tests/conftest.py` imports these hooks; `tests/test_ci_gate.py` runs them in a child pytest.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

MARK = "ci_may_skip"


def in_ci() -> bool:
    """True when the CI environment variable says so (``CI=true``, as CI runners set it).

    Read as tests/store/conftest.py reads it: anything but empty, "0", "false" or "no" is CI.
    """
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _reason(longrepr: Any) -> str:
    # a skip's longrepr is (path, line, "Skipped: reason"); anything else is shown as it is
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARK}: the test may skip in CI (it cannot apply there); never for missing data"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail") or item.get_closest_marker(MARK):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped in CI ({_reason(report.longrepr)}): a missing corpus, module or service fails here"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci():  # a module-level importorskip or skip(allow_module_level=True)
        report.outcome = "failed"
        report.longrepr = f"module skipped in CI ({_reason(report.longrepr)}): it must fail here instead"
