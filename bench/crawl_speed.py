"""Crawl speed on loopback (issue 10, "Done means"): thidua's crawl stage against a bare Scrapy spider.

Serves the benchmark's rehearsal portal (`lon.gov.vn.test`: `--articles` articles, 50 a listing
page, so 5,000 articles make 5,100 pages; crawler/mockportals/rehearsal.py) from this process,
then runs, each in a child process (a Twisted reactor cannot restart) and in this order:

1. **bare Scrapy**: a 20-line spider that follows the listing pages and fetches every article,
   with no pipeline at all;
2. **thidua, crawl stage**: `crawler.run.run_crawl` with the pipelines cut after the raw page
   (`FetchFailurePipeline`, `BatchedStorePagePipeline` as in production, and
   `StoreRecordPipeline` only to close the run):
   fetch, canonicalise, dedup (its fingerprinter, the store's seen-page check), store the raw page
   in SQLite; no cleaning, relevance or extraction, no resume of pending work;
3. **thidua again** over the unchanged portal and the same database: how many article pages it
   fetches again (target: none);
4. **thidua distributed**, crawl stage, with one and then two worker processes over one Redis
   frontier (crawler/distributed.py) and one PostgreSQL schema.

Both spiders get the same politeness settings: thidua's AutoThrottle, robots.txt obeyed, two
requests at a time to the host, no download delay (the server is local). Pages/s counts responses
(robots.txt included) over the time from the spider's opening to its closing, measured inside the
child; the wall time of each child (interpreter start, imports, database migration) is printed
beside it. Peak memory is each child's `ru_maxrss`.

Run: ``make bench-crawl`` (= ``python -m bench.crawl_speed --json bench/results/crawl_speed.json``);
``--articles 500`` for a quick look. Redis at ``--redis-url`` (default THIDUA_TEST_REDIS_URL or
127.0.0.1:6379) and PostgreSQL at ``--postgres-url`` must answer; their keys and schemas are
removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

REPO = Path(__file__).resolve().parents[1]
PORTAL = "rehearsal-bench"
HOST = "lon.gov.vn.test"
TARGET_RATIO = 0.7
POLITE: dict[str, Any] = {  # what both spiders get
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.0,
}
_ARTICLE = re.compile(r"/tin/\d+\.html$")
_LISTING = re.compile(r"/(?:tin/trang-\d+\.html)?$")


# ---- inside a child --------------------------------------------------------------------------
class Clock:
    """Extension: when the spider opened and closed (epoch seconds), for pages/s."""

    opened = closed = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Clock:
        ext = cls()
        crawler.signals.connect(ext._open, signal=signals.spider_opened)
        crawler.signals.connect(ext._close, signal=signals.spider_closed)
        return ext

    def _open(self) -> None:
        Clock.opened = time.time()

    def _close(self) -> None:
        Clock.closed = time.time()


class BareSpider(Spider):
    """Plain Scrapy: follow the listing pages, fetch every article, keep nothing."""

    name = "bare"

    def __init__(self, proxy: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.proxy = proxy

    async def start(self) -> Any:
        yield Request(f"http://{HOST}/", meta={"proxy": self.proxy})

    def parse(self, response: Response, **kwargs: Any) -> Any:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if _ARTICLE.search(url):
                yield Request(url, callback=self.article, meta={"proxy": self.proxy})
            elif _LISTING.search(url):
                yield Request(url, meta={"proxy": self.proxy})

    def article(self, response: Response) -> None:
        return None


def _child_bare(proxy: str) -> dict[str, Any]:
    from scrapy.crawler import AsyncCrawlerProcess

    settings = {
        **POLITE,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "EXTENSIONS": {"bench.crawl_speed.Clock": 900},
        "USER_AGENT": "thidua-bench",
    }
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, proxy=proxy)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return {"pages": int(stats.get("response_received_count", 0))}


def _child_thidua() -> dict[str, Any]:
    from crawler.run import run_crawl
    from thidua.settings import Settings

    stats = run_crawl(
        Settings(),
        portals=[PORTAL],
        extra_settings={
            **POLITE,
            "THIDUA_RESUME": False,  # pending cleaning is the next stage's work, not the crawl's
            "ITEM_PIPELINES": {
                "crawler.pipelines.FetchFailurePipeline": 50,
                "crawler.offload.BatchedStorePagePipeline": 100,
                "crawler.pipelines.StoreRecordPipeline": 500,  # closes the run (status, report)
            },
            "EXTENSIONS": {
                "crawler.extensions.ProgressReporter": 500,
                "crawler.distributed.SharedFrontier": 510,
                "bench.crawl_speed.Clock": 900,
            },
        },
    )
    return {"pages": stats.pages, "stored": stats.pages_stored, "status": stats.status}


def child(kind: str, proxy: str) -> None:
    """Run one crawl and print its figures as one JSON line."""
    import importlib

    started = time.time()
    out = _child_bare(proxy) if kind == "bare" else _child_thidua()
    # Scrapy loaded the extension as bench.crawl_speed; this code runs as __main__
    clock = importlib.import_module("bench.crawl_speed").Clock
    out.update(
        opened=clock.opened,
        closed=clock.closed,
        wall=time.time() - started,
        maxrss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    print(json.dumps(out))


# ---- the parent ------------------------------------------------------------------------------
def _env(proxy: str, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")},
        "THIDUA_DATABASE_URL": database_url,
        "THIDUA_HTTP_PROXY": proxy,
        "THIDUA_CRAWL_DOWNLOAD_DELAY": "0",
        "THIDUA_CRAWL_CONCURRENCY_PER_DOMAIN": "2",
        "THIDUA_CRAWL_MAX_PAGES_PER_PORTAL": "100000",
        "THIDUA_LOG_LEVEL": "WARNING",
        **extra,
    }


def _start(kind: str, proxy: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.crawl_speed", "--child", kind, "--proxy", proxy],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = proc.communicate(timeout=3600)
    if proc.returncode not in (0, 1) or not stdout.strip():
        raise SystemExit(f"a benchmark crawl failed (exit {proc.returncode}):\n{stderr[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["rate"] = result["pages"] / max(1e-9, result["closed"] - result["opened"])
    return result


def _article_hits(server: Any) -> int:
    return sum(n for k, n in server.hits.items() if HOST in k and _ARTICLE.search(k.split("#")[0]))


def _postgres_schema(admin_url: str) -> tuple[str, Any]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"thidua_bench_{os.getpid()}_{secrets.token_hex(4)}"  # [a-z0-9_]: safe as an identifier
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()

    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False), drop


def _distributed(server: Any, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    import redis

    url, drop = _postgres_schema(args.postgres_url)
    prefix = f"thidua-bench-{secrets.token_hex(4)}"
    try:
        env = _env(
            server.url,
            url,
            THIDUA_CRAWL_REDIS_URL=args.redis_url,
            THIDUA_CRAWL_REDIS_KEY=prefix,
            THIDUA_CRAWL_ID="bench",
        )
        before = dict(server.hits)
        results = [_finish(p) for p in [_start("thidua", server.url, env) for _ in range(workers)]]
    finally:
        drop()
        client = redis.Redis.from_url(args.redis_url)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
    fetched = {k: n - before.get(k, 0) for k, n in server.hits.items() if n - before.get(k, 0)}
    pages = sum(r["pages"] for r in results)
    span = max(r["closed"] for r in results) - min(r["opened"] for r in results)
    return {
        "workers": workers,
        "pages": pages,
        "seconds": span,
        "rate": pages / max(1e-9, span),
        "per_worker_pages": [r["pages"] for r in results],
        "fetched_twice": sum(1 for k, n in fetched.items() if n > 1 and not k.endswith("/robots.txt")),
        "maxrss_mib": max(r["maxrss_mib"] for r in results),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from crawler.mockportals import start_server

    load_before = os.getloadavg()
    out: dict[str, Any] = {"articles": args.articles, "load_before": load_before}
    with start_server(0, bench_articles=args.articles) as server, tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        print(f"serving {args.articles:,} articles on {server.url}; bare Scrapy …", file=sys.stderr)
        out["bare"] = _finish(_start("bare", server.url, _env(server.url, db)))
        print("thidua crawl stage …", file=sys.stderr)
        out["thidua"] = _finish(_start("thidua", server.url, _env(server.url, db)))
        out["ratio"] = out["thidua"]["rate"] / out["bare"]["rate"]
        before = _article_hits(server)
        print("thidua again over the unchanged portal …", file=sys.stderr)
        out["second"] = _finish(_start("thidua", server.url, _env(server.url, db)))
        out["refetched_articles"] = _article_hits(server) - before
        out["refetched_share"] = out["refetched_articles"] / args.articles
        if not args.no_distributed:
            for workers in (1, 2):
                print(f"thidua distributed, {workers} worker(s) …", file=sys.stderr)
                out[f"redis_{workers}"] = _distributed(server, workers, args)
    out["load_after"] = os.getloadavg()
    return out


def report(r: dict[str, Any]) -> str:
    def line(name: str, x: dict[str, Any]) -> str:
        return (
            f"  {name:<34} {x['pages']:>6} pages  {x['rate']:>7.1f} pages/s  "
            f"(crawl {x['closed'] - x['opened']:.1f} s, wall {x['wall']:.1f} s, "
            f"peak {x['maxrss_mib']:.0f} MiB)"
        )

    ok = "PASS" if r["ratio"] >= TARGET_RATIO else "MISS"
    lines = [
        f"crawl speed, {r['articles']:,} articles on loopback "
        f"(load average before {r['load_before'][0]:.2f}, after {r['load_after'][0]:.2f}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()})",
        line("bare Scrapy spider", r["bare"]),
        line("thidua crawl stage (SQLite)", r["thidua"]) + f"  [{r['thidua'].get('stored', 0)} pages stored]",
        f"  ratio thidua / bare: {r['ratio']:.2f} (target >= {TARGET_RATIO}: {ok})",
        line("thidua second run, unchanged", r["second"]),
        f"  article pages fetched again: {r['refetched_articles']} of {r['articles']:,} "
        f"= {r['refetched_share']:.3f} (target 0: {'PASS' if r['refetched_articles'] == 0 else 'MISS'})",
        f"  peak memory: bare {r['bare']['maxrss_mib']:.0f} MiB, thidua {r['thidua']['maxrss_mib']:.0f} MiB",
    ]
    for workers in (1, 2):
        d = r.get(f"redis_{workers}")
        if d:
            lines.append(
                f"  scrapy-redis, {workers} worker(s), PostgreSQL: {d['pages']} pages "
                f"{d['rate']:.1f} pages/s "
                f"({d['seconds']:.1f} s; per worker {d['per_worker_pages']}; pages fetched twice "
                f"{d['fetched_twice']}; peak {d['maxrss_mib']:.0f} MiB)"
            )
    if r.get("redis_1") and r.get("redis_2"):
        lines.append(f"  speed-up with two workers: {r['redis_2']['rate'] / r['redis_1']['rate']:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles of the bench portal")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-distributed", action="store_true", help="skip the scrapy-redis runs")
    parser.add_argument(
        "--redis-url", default=os.environ.get("THIDUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "THIDUA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--child", choices=("bare", "thidua"), help=argparse.SUPPRESS)
    parser.add_argument("--proxy", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.proxy)
        return 0
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    result = run(args)
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
