"""The one settings object for everything outside Scrapy's own settings module.

Values come from the environment (prefix ``THIDUA_``), e.g. ``THIDUA_DATABASE_URL``.
Pass a ``Settings`` explicitly to the functions that need it; there is no global instance.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The cap on one article's size, checked on the raw bytes before any work (README "Bad input").
# 2 MiB: about a hundred times the longest real article we have seen, and twice the largest input
# bench/hostile.py measures. Defined here, the bottom layer, so extract.limits and the setting share it.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
# The cap on one fetched page (HTML, before cleaning). Real portal pages are 50-400 KB; a few carry
# inline images and reach a few MB. A 50 MB page took 341 s and 4.2 GB to clean (issue 10), so the
# cap keeps one page under half a minute (5 MiB of dense text: 25.5 s, 271 MB; README "Resume, …").
MAX_PAGE_BYTES = 5 * 1024 * 1024


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
    crawl_mock: bool = Field(
        default=False,
        description="Crawl the mock portals when none is named (demo, tests); else the real ones.",
    )
    crawl_contact: str | None = Field(
        default=None,
        description="An e-mail or URL where a portal's webmaster can reach the operator; it goes in the "
        "User-Agent, and a crawl of real portals refuses to start without it.",
    )
    crawl_concurrency_per_domain: int = Field(
        default=1, ge=1, le=2, description="Requests at once to one host; gov servers are fragile (≤ 2)."
    )
    crawl_max_pages_per_portal: int = Field(default=400, ge=1)
    crawl_download_delay: float = Field(default=0.5, ge=0.0)
    crawl_timeout: float = Field(default=60.0, gt=0)
    crawl_retry_times: int = Field(default=3, ge=0)
    crawl_jobdir: Path | None = Field(
        default=None, description="Scrapy JOBDIR so an interrupted crawl resumes where it stopped."
    )
    crawl_portal_down_after: int = Field(
        default=5,
        ge=0,
        description="A portal whose last N requests failed at the server is not asked again this crawl "
        "(0: never).",
    )
    crawl_recheck_days: float = Field(
        default=30.0,
        ge=0.0,
        description="A stored article first seen at most this many days ago is asked for again with "
        "If-None-Match/If-Modified-Since (a 304 costs no body); older ones only when a sitemap or feed "
        "dates them after the last fetch.",
    )
    crawl_max_page_bytes: int = Field(
        default=MAX_PAGE_BYTES,
        ge=1024,
        description="Refuse a fetched page larger than this while downloading, before cleaning it.",
    )
    crawl_lock_wait: float = Field(
        default=0.0,
        ge=0.0,
        description="Seconds a crawl waits for another crawl on the same database before refusing.",
    )
    crawl_ca_bundle: Path | None = Field(
        default=None,
        description="A PEM file of CA certificates trusted besides the system's (crawler/tls.py).",
    )
    crawl_max_depth: int = Field(
        default=25, ge=0, description="Links from a start URL beyond which a request is a trap (0: no limit)."
    )
    crawl_max_dates: int = Field(
        default=31,
        ge=0,
        description="Distinct dates one URL shape may take in a crawl before it is a calendar trap "
        "(0: no limit).",
    )
    crawl_backoff_after: int = Field(
        default=2,
        ge=0,
        description="Crawls in a row a portal may fail before it is backed off "
        "(0: never; crawler/backoff.py).",
    )
    crawl_backoff_hours: float = Field(
        default=24.0,
        ge=0.0,
        description="Base wait before a backed-off portal is probed again; doubles with each failure, "
        "7 days at most.",
    )
    crawl_store_batch: int = Field(
        default=100,
        ge=1,
        description="Raw pages stored per transaction by the crawl (crawler/offload.py); 1: each page alone.",
    )
    crawl_store_batch_ms: float = Field(
        default=200.0,
        ge=0,
        description="Milliseconds a batch of raw pages waits for more pages before it is written.",
    )
    crawl_redis_url: str | None = Field(
        default=None,
        description="redis://… of a shared frontier and duplicate filter: every crawl process given the same "
        "URL and crawl id shares the work (crawler/distributed.py).",
    )
    crawl_redis_key: str = Field(
        default="thidua",
        pattern=r"^[A-Za-z0-9:_.-]+$",
        description="Prefix of the Redis keys; a distributed crawl's keys are <prefix>:<crawl id>:….",
    )
    crawl_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Names one distributed crawl (its workers share it); default: today's UTC date.",
    )
    db_busy_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a SQLite writer waits for another connection's lock."
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
    log_level: str = Field(default="INFO", description="Level of the log file (and of plain `scrapy crawl`).")
    log_dir: Path = Field(
        default=Path("var/log"),
        description="Where `thidua nightly` and `thidua demo` write their rotating log file, thidua.log.",
    )
    log_json: bool = Field(default=False, description="Write the log file as JSON lines (--json-logs).")
    log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Size of one log file.")
    log_backups: int = Field(default=7, ge=0, description="Rotated log files kept (thidua.log.1 …).")
    # the web app (`thidua serve`, thidua/web)
    web_host: str = Field(default="127.0.0.1", description="Address `thidua serve` listens on (loopback).")
    web_port: int = Field(default=8000, ge=1, le=65535)
    web_secret: SecretStr | None = Field(
        default=None,
        description="Key signing session cookies and CSRF tokens (32+ characters); `thidua serve` "
        "makes a random one per start when unset, so sessions end with the server.",
    )
    web_session_minutes: int = Field(default=480, ge=1, description="An editor's session lasts this long.")
    web_cookie_secure: bool = Field(
        default=False, description="Mark cookies Secure: set it when a TLS proxy serves the app."
    )
    web_threads: int = Field(
        default=4,
        ge=1,
        le=256,
        description="Requests one web worker computes at once (the rest wait their turn, in order); a "
        "long export or a first broad search holds one for its duration. More workers, not more "
        "threads, use more CPUs (`thidua serve --workers`).",
    )
    web_cache_size: int = Field(
        default=512,
        ge=0,
        description="Entries of the web results cache kept per web worker in memory, and in all in "
        "web_cache_dir: results of the search page, the records API and the home page, the API's JSON "
        "bodies, and the search and home pages as rendered for anonymous viewers (least recently used "
        "dropped first in memory, oldest in the directory; 0: no cache at all). Keyed by the store's "
        "data version, so a write is seen by the next request (thidua/web/cache.py).",
    )
    web_cache_seconds: float = Field(
        default=60.0,
        ge=0.0,
        description="A cached result is served at most this long, from memory or web_cache_dir: the "
        "bound on staleness when the data version misses a concurrent PostgreSQL writer "
        "(store/data_version.py).",
    )
    web_facet_index: bool = Field(
        default=True,
        description="Each web worker keeps every current record's facet values in memory (some 60 "
        "bytes a record) and the articles of recent search words, so a search counts its facets "
        "in a few milliseconds instead of in SQL (store/facet_index.py). After a write it is "
        "updated in the background, searches reading what changed from SQL beside it meanwhile; "
        "it is read again in full every half web_cache_seconds. Off: facets counted in SQL.",
    )
    web_cache_dir: Path | None = Field(
        default=None,
        description="A directory where the web worker processes of one server share cached results, "
        "so a query one worker computed is a hit in the others (files, one per entry; thidua/web/"
        "cache.py). Unset: each worker caches in memory only, except under `thidua serve --workers N` "
        "(N > 1), which makes a private one (mode 0700) for the run and removes it at exit. A directory "
        "other users may write is refused (memory only, with a warning).",
    )
    web_login_window_minutes: int = Field(default=15, ge=1)
    web_login_max_failures_per_user: int = Field(default=5, ge=1)
    web_login_max_failures_per_ip: int = Field(default=20, ge=1)

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, v: str) -> str:
        if not v.startswith(("sqlite", "postgresql")):
            raise ValueError(
                f"THIDUA_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, not {v!r}"
            )
        return v

    @field_validator("web_secret")
    @classmethod
    def _strong_secret(cls, v: SecretStr | None) -> SecretStr | None:
        # a short key can be guessed offline from one signed cookie
        if v is not None and len(v.get_secret_value()) < 32:
            raise ValueError("THIDUA_WEB_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return v

    def sqlite_path(self) -> Path | None:
        """Return the file behind a sqlite URL (None for memory or other backends)."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url[len(prefix) :])
        return None
