"""Back off portals that keep failing, across nightly runs: skip them, then probe them lightly.

Within a crawl, a dead portal is found down after a few attempts (crawler/health.py). Across
crawls, a portal down for weeks would still take those attempts, and their retries, every night.
So each crawl reads the failure streak of its portals from the reports of earlier crawl runs
(`ExtractionRun.stats["report"]`, written by every crawl; no table of its own): the number of
crawls in a row, newest first, in which the portal *failed* (went down, or answered nothing).
A crawl that skipped the portal does not count either way; killed runs are not read.

With a streak of THIDUA_CRAWL_BACKOFF_AFTER (2) or more, the portal is backed off:

* **skip** while less than `hours × 2^(streak − after)` (THIDUA_CRAWL_BACKOFF_HOURS, 24; at most
  7 days) have passed since its last failed crawl — no request at all;
* **probe** after that: only its first start URL, once, without retries. If the probe answers,
  the rest of the portal is crawled as usual in the same run and the streak ends; if it fails,
  the portal failed again (its streak grows, the next probe waits twice as long).

Both are in the run report (`backoff`: action, streak, next probe) and logged as warnings, so
the operator sees every morning which portals are being spared and since when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from store.db import make_engine, session_factory
from store.models import ExtractionRun

Action = Literal["crawl", "probe", "skip"]
MAX_WAIT = dt.timedelta(days=7)
_RUNS_READ = 400  # newest crawl runs read for the streaks: a year of nightly runs and then some


class HistoryUnreadable(Exception):
    """The earlier crawl runs cannot be read; this crawl backs off no portal (the message says why)."""


@dataclass(frozen=True, slots=True)
class Streak:
    """How a portal fared in the crawls before this one."""

    failed_runs: int = 0  # crawls in a row (newest first) in which it failed
    last_failed: dt.datetime | None = None  # when the newest of them started (UTC)


@dataclass(frozen=True, slots=True)
class Plan:
    """What this crawl does with one portal."""

    action: Action
    streak: int = 0
    next_probe: dt.datetime | None = None  # for "skip": when it will be probed

    def describe(self, portal: str) -> str:
        """One line for the log and the console."""
        if self.action == "skip":
            when = f"{self.next_probe:%Y-%m-%d %H:%M} UTC" if self.next_probe else "later"
            return f"{portal}: failed {self.streak} crawls in a row; skipped, probed again after {when}"
        if self.action == "probe":
            return f"{portal}: failed {self.streak} crawls in a row; probing its first start URL only"
        return f"{portal}: crawled"


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def streaks_from_reports(
    runs: Iterable[tuple[dt.datetime, dict[str, object]]], portals: Sequence[str]
) -> dict[str, Streak]:
    """Compute each portal's streak from (started_at, report) of crawl runs, newest first."""
    out: dict[str, Streak] = {}
    open_ = set(portals)
    count: dict[str, int] = dict.fromkeys(portals, 0)
    last: dict[str, dt.datetime | None] = dict.fromkeys(portals, None)
    for started, report in runs:
        for name in list(open_):
            entry = report.get(name)
            if not isinstance(entry, dict):
                continue  # not crawled by that run
            backoff = entry.get("backoff")
            if isinstance(backoff, dict) and backoff.get("action") == "skip":
                continue  # spared, not tried: says nothing
            if entry.get("failed"):
                count[name] += 1
                last[name] = last[name] or _utc(started)
            else:
                open_.discard(name)
        if not open_:
            break
    for name in portals:
        out[name] = Streak(count[name], last[name])
    return out


def read_streaks(database_url: str, portals: Sequence[str]) -> dict[str, Streak]:
    """Read the streaks of `portals` from the crawl runs stored in `database_url`."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(ExtractionRun.started_at, ExtractionRun.config, ExtractionRun.stats)
                .where(ExtractionRun.status.in_(("finished", "failed")))
                .order_by(ExtractionRun.id.desc())
                .limit(_RUNS_READ)
            ).all()
    except SQLAlchemyError as exc:
        raise HistoryUnreadable(
            "cannot read earlier crawl runs, so no portal is backed off this crawl: "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        engine.dispose()
    runs = [
        (started, (stats or {}).get("report") or {})
        for started, config, stats in rows
        if (config or {}).get("source") == "crawl"
    ]
    return streaks_from_reports(runs, portals)


def plan_for(streak: Streak, *, now: dt.datetime, after: int, hours: float) -> Plan:
    """Decide whether a portal with `streak` is crawled, probed or skipped at `now`."""
    if after <= 0 or streak.failed_runs < after:
        return Plan("crawl", streak.failed_runs)
    wait = min(dt.timedelta(hours=hours) * 2 ** (streak.failed_runs - after), MAX_WAIT)
    last = streak.last_failed or now
    if now < last + wait:
        return Plan("skip", streak.failed_runs, last + wait)
    return Plan("probe", streak.failed_runs)


def plans(
    database_url: str, portals: Sequence[str], *, after: int, hours: float, now: dt.datetime | None = None
) -> dict[str, Plan]:
    """Return this crawl's plan for each portal (all "crawl" when backing off is off)."""
    if after <= 0:
        return {name: Plan("crawl") for name in portals}
    moment = now or dt.datetime.now(dt.UTC)
    return {
        name: plan_for(streak, now=moment, after=after, hours=hours)
        for name, streak in read_streaks(database_url, portals).items()
    }
