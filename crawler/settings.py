# Scrapy settings for the thidua crawler.
#
# Polite defaults for slow, fragile provincial portals (see ../shared/research/portals.md §4).
# Everything that is not Scrapy's own (database URL, proxy, delays, budgets) comes from
# thidua.settings.Settings, i.e. the same THIDUA_* environment variables the CLI reads;
# crawler/run.py overrides these with the Settings object it is given.
#
#     https://docs.scrapy.org/en/latest/topics/settings.html
#     https://docs.scrapy.org/en/latest/topics/downloader-middleware.html
#     https://docs.scrapy.org/en/latest/topics/spider-middleware.html

from crawler.registry import ALL
from thidua.settings import Settings

_env = Settings()

BOT_NAME = "thidua"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ADDONS: dict[str, int] = {}


# Crawl responsibly by identifying yourself (and your website) on the user-agent
BOT_VERSION = "0.2"


def user_agent(contact: str | None) -> str:
    """The User-Agent: who we are and how a webmaster reaches the operator (THIDUA_CRAWL_CONTACT)."""
    reach = f"+{contact}" if contact else "contact: set THIDUA_CRAWL_CONTACT"
    return f"thidua-crawler/{BOT_VERSION} (research crawler for emulation-bloc news; {reach})"


USER_AGENT = user_agent(_env.crawl_contact)

# Obey robots.txt rules: a policy for every portal (STYLE.md "Settled" 4)
ROBOTSTXT_OBEY = True

# Concurrency and throttling settings
# Gov servers are slow and fragile: one request at a time per host (portals.md §4.2 allows 2 max).
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = _env.crawl_concurrency_per_domain  # 1 or 2 (Settings checks)
DOWNLOAD_DELAY = _env.crawl_download_delay

# Slow servers need 60-90 s (portals.md §4.2: 30 s gave far fewer pages than 60 s plus retries)
DOWNLOAD_TIMEOUT = max(60.0, _env.crawl_timeout)

# Retry the transient failures gov portals are known for, at least three times
RETRY_ENABLED = True
RETRY_TIMES = max(3, _env.crawl_retry_times)
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Trap protection besides the registry's URL allowlists: Liferay relative-link nesting and
# date pickers can generate URLs without end (portals.md §4.5). 25 listing pages deep is enough
# to reach two years of news on the portals observed. crawler/traps.py enforces the depth (and
# URL length, repeated segments, endless calendars) and records what it refuses; Scrapy's own
# DEPTH_LIMIT would drop the same requests without a trace, so it is off.
DEPTH_LIMIT = 0
THIDUA_CRAWL_MAX_DEPTH = _env.crawl_max_depth
THIDUA_CRAWL_MAX_URL_LENGTH = 512
THIDUA_CRAWL_MAX_PATH_SEGMENTS = 12
THIDUA_CRAWL_MAX_SEGMENT_REPEATS = 3
THIDUA_CRAWL_MAX_DATES = _env.crawl_max_dates
# A redirect chain longer than this is given up and recorded (crawler/redirects.py)
REDIRECT_MAX_TIMES = 10

# TLS: verify certificates except where a portal's registry entry says otherwise (crawler/tls.py)
DOWNLOAD_HANDLERS = {"https": "crawler.tls.PortalTlsDownloadHandler"}
THIDUA_CRAWL_CA_BUNDLE = str(_env.crawl_ca_bundle) if _env.crawl_ca_bundle else None
# Page budget for the whole crawl; crawler/run.py sets it to the per-portal cap times the
# number of portals crawled. The per-portal cap itself is enforced by the spider.
THIDUA_MAX_PAGES_PER_PORTAL = _env.crawl_max_pages_per_portal
CLOSESPIDER_PAGECOUNT = _env.crawl_max_pages_per_portal * max(1, len(ALL))

# Dedupe requests on canonical URLs (crawler/urls.py) instead of Scrapy's generic canonical form,
# so ;jsessionid=, p_p_auth=, redirect= and case variants of one page are fetched once.
REQUEST_FINGERPRINTER_CLASS = "crawler.middlewares.CanonicalRequestFingerprinter"
# (REQUEST_FINGERPRINTER_IMPLEMENTATION is gone since Scrapy 2.12: the current
# fingerprinter is the only one, and ours builds on it.)

# Sessions: SharePoint postback pagers need the ASP.NET_SessionId cookie (portals.md §6.2)
COOKIES_ENABLED = True

# Disable Telnet Console and the remote-control HTTP server (both open a listening port)
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Override the default request headers:
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "vi,en;q=0.5",
}

# Enable or disable downloader middlewares
# See https://docs.scrapy.org/en/latest/topics/downloader-middleware.html
DOWNLOADER_MIDDLEWARES = {
    # before RobotsTxtMiddleware (100) creates robots.txt requests and before
    # HttpProxyMiddleware (750) reads meta["proxy"]
    "crawler.middlewares.ThiduaProxyMiddleware": 50,
    # first of all: nothing goes to a portal found down (crawler/health.py)
    "crawler.middlewares.PortalDownMiddleware": 60,
    # after robots.txt (100) and before the download: a stored article is skipped, or asked for
    # with If-None-Match / If-Modified-Since (crawler/incremental.py); its query in a worker thread
    # (crawler/offload.py)
    "crawler.offload.ThreadedConditionalRequestMiddleware": 120,
    # refuse redirects that leave the portal (hacked pages redirect to gambling sites);
    # above RedirectMiddleware (600), since responses pass middlewares from high to low
    "crawler.middlewares.OffsiteRedirectMiddleware": 610,
    # record redirect loops and endless chains instead of letting them vanish (crawler/redirects.py)
    "crawler.redirects.RedirectLoopMiddleware": 605,
    # refuse crawler traps (endless calendars, nesting language links) and record them
    "crawler.traps.TrapGuardMiddleware": 110,
    # above RetryMiddleware (550): sees every attempt, so a dead server is known after a few
    "crawler.middlewares.PortalHealthMiddleware": 590,
    # a distributed crawl's per-host limit across all its workers (crawler/shared_slots.py): last
    # on the way down, so requests dropped above (60-120) or waiting for robots.txt (100) hold no
    # lease; first on the way up, so the lease is back before retries and redirects make new requests
    "crawler.shared_slots.SharedSlotMiddleware": 950,
}

# Enable or disable extensions
# See https://docs.scrapy.org/en/latest/topics/extensions.html
EXTENSIONS = {
    "crawler.extensions.ProgressReporter": 500,
    # keeps the raw URL forms and print views seen for each article (crawler/canonical.py)
    "crawler.canonical.UrlAliasRecorder": 510,
    # a worker of a distributed crawl (THIDUA_CRAWL_REDIS_URL): heartbeat, idle wait, clean-up
    "crawler.distributed.SharedFrontier": 520,
}
# Seconds between progress reports (pages fetched, articles kept)
THIDUA_PROGRESS_INTERVAL = 30.0

# Configure item pipelines: record fetch failures, store the raw page, clean, judge relevance,
# extract, store the record.
# See https://docs.scrapy.org/en/latest/topics/item-pipeline.html
ITEM_PIPELINES = {
    "crawler.pipelines.FetchFailurePipeline": 50,
    "crawler.incremental.NotModifiedPipeline": 60,
    # StorePagePipeline with its database work in a worker thread, many pages a transaction
    # (crawler/offload.py)
    "crawler.offload.BatchedStorePagePipeline": 100,
    "crawler.pipelines.CleanPipeline": 200,
    "crawler.pipelines.RelevancePipeline": 300,
    "crawler.pipelines.ExtractPipeline": 400,
    "crawler.pipelines.StoreRecordPipeline": 500,
}
# Pages stored in one transaction, at most, and how long the first of them waits for the others
# (crawler/offload.py); a crawl killed meanwhile fetches the unwritten ones again next time
THIDUA_STORE_BATCH = 100
THIDUA_STORE_BATCH_MS = 200.0
# Scrapy handles each callback's output with this many asyncio tasks, started for every response
# however little it yields (default 100). A page yields one item at most, plus requests that are
# only scheduled; 100 tasks a page cost the crawl stage about a fifth of its speed
# (bench/crawl_speed.py), 8 keep a listing's requests and an article's item apart
CONCURRENT_ITEMS = 8
# Dropping non-bloc pages is routine, not a warning
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

# Enable and configure the AutoThrottle extension (disabled by default)
# See https://docs.scrapy.org/en/latest/topics/autothrottle.html
AUTOTHROTTLE_ENABLED = True
# The initial download delay: start at the polite delay and let server latency raise it
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
# The maximum download delay to be set in case of high latencies
AUTOTHROTTLE_MAX_DELAY = 60.0
# The average number of requests Scrapy should be sending in parallel to
# each remote server
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Enable showing throttling stats for every response received:
AUTOTHROTTLE_DEBUG = False

# HTTP caching stays off: we keep raw pages in the store, and a cache would hide server changes
HTTPCACHE_ENABLED = False

# Resume an interrupted crawl (scheduler queue and seen requests on disk)
# See https://docs.scrapy.org/en/latest/topics/jobs.html
JOBDIR = str(_env.crawl_jobdir) if _env.crawl_jobdir else None

# thidua's own settings (read by crawler/middlewares.py, crawler/pipelines.py)
THIDUA_DATABASE_URL = _env.database_url
THIDUA_HTTP_PROXY = _env.http_proxy

LOG_LEVEL = _env.log_level

# Before its first request a crawl finishes what a killed crawl left half-done (crawler/resume.py)
THIDUA_RESUME = True
# Listings are walked newest first and stop at a page of stored articles, when the portal's last
# crawl finished (crawler/resume.py KnownArticles); off with refresh
THIDUA_INCREMENTAL = True
# A stored article first seen this many days ago or less is asked for again, conditionally
THIDUA_RECHECK_DAYS = _env.crawl_recheck_days
# A portal that failed this many crawls in a row is skipped, then probed (crawler/backoff.py)
THIDUA_CRAWL_BACKOFF_AFTER = _env.crawl_backoff_after
THIDUA_CRAWL_BACKOFF_HOURS = _env.crawl_backoff_hours
# A portal whose last N requests all failed at the server is down for the rest of the crawl
THIDUA_PORTAL_DOWN_AFTER = _env.crawl_portal_down_after
# Pages larger than this are refused while downloading (Scrapy cancels them), before any cleaning:
# a 50 MB page would take minutes and gigabytes in lxml and trafilatura
DOWNLOAD_MAXSIZE = _env.crawl_max_page_bytes
DOWNLOAD_WARNSIZE = min(DOWNLOAD_MAXSIZE, 2 * 1024 * 1024)
THIDUA_MAX_PAGE_BYTES = _env.crawl_max_page_bytes
# Seconds a SQLite writer waits for another connection's lock before giving up
THIDUA_DB_BUSY_TIMEOUT = _env.db_busy_timeout

# Set settings whose default value is deprecated to a future-proof value
FEED_EXPORT_ENCODING = "utf-8"
