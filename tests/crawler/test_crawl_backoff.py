"""A portal that keeps failing is backed off across crawls (crawler/backoff.py), not hammered.

Subprocess crawls of the rehearsal portal that answers 503 to everything, one after the other
on one database, as nightly runs would be: failed, failed, skipped, probed (failed), healed and
probed (answered, crawled in full), after which the streak is over.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from crawlhelpers import REPO, crawl_command, crawl_env

from crawler.backoff import Streak, plans, read_streaks
from crawler.mockportals import start_server
from crawler.mockportals.server import MockPortalServer

PORTAL = "rehearsal-down"
HOST = "sap.gov.vn.test"


def nightly(url: str, server: MockPortalServer, returncode: int, **env: str) -> dict[str, Any]:
    """Crawl the down portal once; return its report entry (and check the exit status)."""
    done = subprocess.run(
        crawl_command([PORTAL]),
        cwd=REPO,
        env=crawl_env(url, server.url, **env),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == returncode, done.stderr[-3000:]
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    report: dict[str, Any] = stats["report"][PORTAL]
    return report


def page_hits(server: MockPortalServer) -> int:
    """Requests the portal received, robots.txt left out."""
    return sum(n for k, n in server.hits.items() if HOST in k and "/robots.txt" not in k)


def test_a_failing_portal_is_skipped_then_probed_then_crawled_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'backoff.sqlite'}"
    with start_server(0, bench_articles=10) as server:
        site = server.rehearsal(PORTAL)
        # nights 1 and 2: the portal fails (a 503 storm, retried, then held back)
        for night in (1, 2):
            report = nightly(url, server, returncode=1)
            assert report["failed"] and report["backoff"] == {}, night
        before = page_hits(server)
        assert before >= 8  # 4 attempts of the start URL, twice

        # night 3: failed twice in a row, last failure minutes ago: skipped, not one request
        report = nightly(url, server, returncode=0)
        assert report["backoff"]["action"] == "skip" and report["backoff"]["streak"] == 2
        assert "next_probe" in report["backoff"] and not report["failed"]
        assert page_hits(server) == before

        # night 4, the wait over (0 hours): one probe, no retry; it fails, the streak grows
        report = nightly(url, server, returncode=1, THIDUA_CRAWL_BACKOFF_HOURS="0")
        assert report["backoff"]["action"] == "probe" and report["failed"]
        assert page_hits(server) == before + 1
        assert report["failures"] == {"fetch: HTTP 503": 1}

        # the server comes back; night 5 probes (streak 3) and, answered, crawls the whole portal
        site.failing = False
        report = nightly(url, server, returncode=0, THIDUA_CRAWL_BACKOFF_HOURS="0")
        assert report["backoff"] == {"action": "probe", "streak": 3, "probe": "answered"}
        assert report["pages"] == len(site.article_urls()) and not report["failed"]

    # the streak is over: the next night crawls it as usual
    assert read_streaks(url, [PORTAL])[PORTAL] == Streak(0, None)
    assert plans(url, [PORTAL], after=2, hours=24)[PORTAL].action == "crawl"
