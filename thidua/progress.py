"""The live progress display of `thidua nightly` and `thidua demo`: one row per portal (Rich).

The crawler's ProgressReporter (crawler/extensions.py) calls `CrawlDisplay.update` with its
counters every half second; the table is redrawn in place on a terminal and printed once at the
end otherwise (cron, a pipe), so a log file never fills with redraws.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from crawler.report import crawl_report


class CrawlDisplay:
    """A Rich table of per-portal counters, live while the crawl runs."""

    def __init__(self, console: Console, portals: Sequence[str]) -> None:
        self.console = console
        self.portals = list(portals)
        self.stats: dict[str, Any] = {}
        # not transient: the last table stays on screen as the crawl's summary
        self.live = Live(self.table(), console=console, refresh_per_second=4, auto_refresh=False)

    def update(self, stats: dict[str, Any]) -> None:
        """Take the crawler's current counters and redraw."""
        self.stats = stats
        self.live.update(self.table(), refresh=self.console.is_terminal)

    def table(self) -> Table:
        report = crawl_report(self.stats, None, self.portals)
        table = Table(title="thidua crawl", title_justify="left", expand=False)
        for name, justify in (
            ("portal", "left"),
            ("pages", "right"),
            ("new", "right"),
            ("bloc", "right"),
            ("changed", "right"),
            ("records", "right"),
            ("failures", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for name, p in report.items():
            failures = sum(p["failures"].values())
            table.add_row(
                name,
                str(p["responses"]),
                str(p["new"]),
                str(p["bloc"]),
                str(p["changed"]),
                str(p["records"]),
                f"[red]{failures}[/red]" if failures else "0",
            )
        return table

    def __enter__(self) -> CrawlDisplay:
        self.live.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.live.stop()
