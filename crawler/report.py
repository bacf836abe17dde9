"""The run report: per portal what a crawl fetched, found and failed on, and the run's status.

Built from the crawler's stats (`thidua/portal/<name>/<counter>`, counted by the spider and the
pipelines) and the spider's `PortalHealth`; stored in the run's `stats["report"]` and printed by
`thidua crawl`/`thidua nightly`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crawler.health import PortalHealth

# close reasons after which the crawl did all it was asked to
COMPLETE = frozenset({"finished", "closespider_pagecount"})


def crawl_report(
    stats: Mapping[str, Any], health: PortalHealth | None, portals: Sequence[str]
) -> dict[str, Any]:
    """Return, per portal: responses, pages, new, bloc, changed, unchanged, records, failures (by
    reason), held_back (requests not sent to a portal found down), failed, seconds.

    new: articles stored for the first time; changed: articles whose clean text changed on the
    portal (a new version, extracted again); unchanged: stored articles asked for again that
    had not changed (a 304, the same bytes or the same clean text).
    """
    out: dict[str, Any] = {}
    for name in portals:
        prefix = f"thidua/portal/{name}/"
        mine = {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}
        failures: dict[str, int] = {}
        skipped: dict[str, int] = {}
        warnings: dict[str, int] = {}
        backoff: dict[str, Any] = {}
        for key, value in mine.items():
            if key.startswith("fetch/"):
                failures[f"fetch: {key.removeprefix('fetch/')}"] = int(value)
            elif key.startswith("failures/") and key != "failures/fetch":
                failures[key.removeprefix("failures/")] = int(value)
            elif key.startswith("skipped/"):
                skipped[key.removeprefix("skipped/")] = int(value)
            elif key.startswith("warnings/"):  # crawler/tls.py: content fetched over weakened TLS
                warnings[key.removeprefix("warnings/")] = int(value)
            elif key.startswith("backoff/"):  # crawler/backoff.py
                backoff[key.removeprefix("backoff/")] = value
        out[name] = {
            "responses": int(mine.get("responses", 0)),
            "pages": int(mine.get("pages", 0)),
            "new": int(mine.get("new", 0)),
            "bloc": int(mine.get("bloc", 0)),
            "changed": int(mine.get("changed", 0)),
            "unchanged": int(mine.get("unchanged", 0)),
            "records": int(mine.get("records", 0)),
            "failures": dict(sorted(failures.items())),
            "held_back": int(mine.get("held_back", 0)),
            "skipped": dict(sorted(skipped.items())),
            "warnings": dict(sorted(warnings.items())),
            "backoff": backoff,
            "failed": bool(health.has_failed(name)) if health is not None else False,
            "down": health.why.get(name, "") if health is not None and health.is_down(name) else "",
            "seconds": round(health.seconds(name), 1) if health is not None else 0.0,
        }
    return out


def run_status(reason: str, report: Mapping[str, Any]) -> str:
    """Return the run's final status: interrupted, failed (a portal failed) or finished."""
    if reason not in COMPLETE:
        return "interrupted"
    if any(p.get("failed") for p in report.values()):
        return "failed"
    return "finished"


def format_report(report: Mapping[str, Any], *, status: str, run_id: int | None, seconds: float) -> str:
    """Return the report as a table for the console."""
    head = (
        f"{'portal':<18} {'pages':>6} {'new':>5} {'bloc':>5} {'changed':>7} {'same':>5} {'records':>7}"
        f" {'time':>7}"
        "  failures"
    )
    lines = [f"run {run_id} {status} in {seconds:.1f} s", head]
    for name, p in report.items():
        failures = ", ".join(f"{k} {v}" for k, v in p["failures"].items()) or "-"
        if p.get("held_back"):
            failures += f"; {p['held_back']} held back"
        if p.get("skipped"):
            failures += "; skipped " + ", ".join(f"{k} {v}" for k, v in p["skipped"].items())
        if p.get("warnings"):
            failures += "; WARNING " + ", ".join(p["warnings"])
        backoff = p.get("backoff") or {}
        if backoff.get("action") == "skip":
            failures += (
                f"; backed off after {backoff.get('streak')} failed crawls, "
                f"probe after {backoff.get('next_probe')}"
            )
        elif backoff.get("action") == "probe":
            failures += (
                f"; probed after {backoff.get('streak')} failed crawls: {backoff.get('probe', 'no answer')}"
            )
        mark = "  FAILED" if p.get("failed") else ""
        if p.get("down"):
            mark += f" (down: {p['down']})"
        counts = (
            f"{p['responses']:>6} {p['new']:>5} {p['bloc']:>5} {p['changed']:>7}"
            f" {p.get('unchanged', 0):>5} {p['records']:>7}"
        )
        lines.append(f"{name:<18} {counts} {p['seconds']:>6.1f}s  {failures}{mark}")
    return "\n".join(lines)
