"""The one settings object for everything outside Scrapy's own settings module.

Values come from the environment (prefix ``THIDUA_``), e.g. ``THIDUA_DATABASE_URL``.
Pass a ``Settings`` explicitly to the functions that need it; there is no global instance.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The cap on one article's size, checked on the raw bytes before any work (README "Bad input").
# 2 MiB: about a hundred times the longest real article we have seen, and twice the largest input
# bench/hostile.py measures. Defined here, the bottom layer, so extract.limits and the setting share it.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THIDUA_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/thidua.sqlite",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://… in production.",
    )
    http_proxy: str | None = Field(
        default=None,
        description="Send every crawl request through this HTTP proxy (the mock portals use it).",
    )
    crawl_max_pages_per_portal: int = Field(default=400, ge=1)
    crawl_download_delay: float = Field(default=0.5, ge=0.0)
    crawl_timeout: float = Field(default=60.0, gt=0)
    crawl_retry_times: int = Field(default=3, ge=0)
    crawl_jobdir: Path | None = Field(
        default=None, description="Scrapy JOBDIR so an interrupted crawl resumes where it stopped."
    )
    extract_workers: int | None = Field(
        default=None, ge=1, description="Worker processes of `thidua reextract`; one per core when unset."
    )
    max_article_bytes: int = Field(
        default=MAX_ARTICLE_BYTES,
        ge=1,
        description="Refuse an article file larger than this, before reading it (README: Bad input).",
    )
    editor: str | None = Field(
        default=None,
        description="Who `thidua correct` records as the editor when --editor is not given.",
    )
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, v: str) -> str:
        if not v.startswith(("sqlite", "postgresql")):
            raise ValueError(
                f"THIDUA_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, not {v!r}"
            )
        return v

    def sqlite_path(self) -> Path | None:
        """Return the file behind a sqlite URL (None for memory or other backends)."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url[len(prefix) :])
        return None
