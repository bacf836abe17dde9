"""Where a long-running command's logs go: warnings to the console, everything to a rotating file.

`thidua nightly` and `thidua demo` run for minutes to hours; Scrapy and trafilatura log every
request and every page at INFO/DEBUG. The console shows only warnings and errors (above the live
progress display, through Rich); the full log goes to ``<log_dir>/thidua.log``, rotated by size,
as text or, with ``--json-logs``, as one JSON object a line (time, level, logger, message, and
the traceback when there is one), for a log shipper.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.logging import RichHandler

from thidua.settings import Settings

LOG_FILE = "thidua.log"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def file_handler(settings: Settings, *, json_lines: bool) -> logging.Handler:
    """Return the rotating file handler of `settings.log_dir` (created if missing)."""
    folder = Path(settings.log_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        folder / LOG_FILE,
        maxBytes=settings.log_max_bytes,
        backupCount=settings.log_backups,
        encoding="utf-8",
    )
    if json_lines:
        formatter: logging.Formatter = JsonFormatter()
        formatter.converter = time.gmtime  # the "Z" in each time
    else:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    handler.setLevel(settings.log_level.upper())
    return handler


@contextmanager
def quiet_console(settings: Settings, console: Console, *, json_lines: bool = False) -> Iterator[Path]:
    """Send logs to the file, warnings (and worse) to `console`, for the duration of the block.

    Yields:
        The log file's path (for the summary line).
    """
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    to_file = file_handler(settings, json_lines=json_lines)
    to_console = RichHandler(console=console, level=logging.WARNING, show_path=False, markup=False)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(to_file)
    root.addHandler(to_console)
    # Scrapy and trafilatura log every page at INFO/DEBUG: the file's level decides what is kept,
    # the console's handler lets only warnings through
    root.setLevel(min(to_file.level, logging.WARNING))
    try:
        yield Path(settings.log_dir) / LOG_FILE
    finally:
        root.removeHandler(to_file)
        root.removeHandler(to_console)
        to_file.close()
        root.setLevel(saved[0])
        for handler in saved[1]:
            root.addHandler(handler)
