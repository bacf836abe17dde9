"""`thidua nightly` (issue 10, item 7): quiet console, full log in a rotating file, a stored report."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from crawlhelpers import REPO, crawl_env
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.mockportals import start_server
from crawler.mockportals.portals import mock_portal
from store.db import make_engine
from store.models import ExtractionRun

TODAY = dt.date(2024, 3, 28)


def test_nightly_reports_per_portal_logs_to_a_file_and_fails_when_a_portal_failed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nightly.sqlite'}"
    log_dir = tmp_path / "log"
    # thaibinh is not served: the proxy answers 502 for everything of it, so it fails entirely
    with start_server(today=TODAY, portals=[mock_portal("hoabinh")]) as server:
        agents: set[str] = set()
        site = server.site("hoabinh")
        handle = site.handle

        def logged(req: Any) -> Any:
            agents.add(req.headers.get("user-agent", ""))
            return handle(req)

        site.handle = logged  # type: ignore[method-assign]
        env = crawl_env(
            url,
            server.url,
            THIDUA_LOG_DIR=str(log_dir),
            THIDUA_LOG_LEVEL="INFO",
            THIDUA_CRAWL_CONTACT="mailto:ops@example.org",
        )
        done = subprocess.run(
            [sys.executable, "-m", "thidua.cli", "nightly", "-p", "hoabinh", "-p", "thaibinh", "--json-logs"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr[-3000:]
    # every request said who crawls and how to reach them
    assert agents and all(a.startswith("thidua-crawler/") and "+mailto:ops@example.org" in a for a in agents)
    # the console: the live table and one error line; no Scrapy or trafilatura chatter
    assert "Traceback" not in done.stderr
    for chatter in ("[scrapy", "INFO", "DEBUG", "Crawled (200)", "Gave up retrying"):
        assert chatter not in done.stderr, chatter
    assert "error: run 1 failed: thaibinh failed entirely" in done.stderr
    assert "┃ portal" in done.stderr and "hoabinh" in done.stderr
    # the report on stdout: a row per portal, the failed one marked, failures by reason
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if line.split()}
    assert done.stdout.startswith("run 1 failed in ")
    assert rows["thaibinh"].endswith("FAILED (down: HTTP 502)"), rows["thaibinh"]
    assert "FAILED" not in rows["hoabinh"] and int(rows["hoabinh"].split()[1]) > 0
    # the log file: JSON lines with Scrapy's own INFO lines in them
    lines = [json.loads(line) for line in (log_dir / "thidua.log").read_text(encoding="utf-8").splitlines()]
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
    assert any(e["logger"].startswith("scrapy") and e["level"] == "INFO" for e in lines)
    assert any("Spider closed" in e["message"] for e in lines)
    # the report stored with the run
    engine = make_engine(url)
    with Session(engine) as session:
        (run,) = session.scalars(select(ExtractionRun)).all()
    engine.dispose()
    report = run.stats["report"]
    assert run.status == "failed" and set(report) == {"hoabinh", "thaibinh"}
    assert report["thaibinh"]["failed"] and not report["hoabinh"]["failed"]
    assert report["hoabinh"]["new"] > 0 and report["hoabinh"]["records"] > 0
    assert report["hoabinh"]["seconds"] > 0 and report["thaibinh"]["down"] == "HTTP 502"
