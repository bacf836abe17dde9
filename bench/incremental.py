"""What a second crawl costs, and what near-duplicate detection finds (issue 10, items 2 and 3).

    .venv/bin/python -m bench.incremental [--revise 3] [--portals hoabinh,tayninh-stc,...]

Part 1, crawls: starts the mock portals on loopback, crawls them three times into one fresh
SQLite database (subprocesses, as `thidua crawl`): (1) from empty, (2) with nothing changed,
(3) after `--revise` articles per portal were changed by the mock. For each crawl it prints
requests sent, article bodies the mock served, 304 answers, records stored, articles changed
and seconds, then the share of article pages re-fetched by crawl 2 (target 0) and whether
crawl 3 fetched exactly the changed articles of the portals that send validators.

Part 2, near-duplicates: for every text of the mock corpus (and ../shared/corpus/dev/text when
present, read only), an edited copy ("(TĐKT) - " lead, last paragraph dropped, title prefix,
source line) is made; prints, side by side, how many copies trafilatura's Simhash, a 64-bit
simhash over shingles, and store.neardup's MinHash bands + checks find, and how many of the
unrelated pairs each would merge. A measurement, not a gate: the exit code is always 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from hashlib import blake2b
from pathlib import Path
from typing import Any

from crawler.mockportals import start_server
from crawler.mockportals.corpus import DEFAULT_CORPUS
from crawler.mockportals.server import MockPortalServer
from store.db import migrate
from store.neardup import fingerprint, near_duplicate, shingles

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "corpus" / "dev" / "text"
VALIDATING = (
    "hoabinh",
    "bacgiang",
    "thidua-tw",
    "tayninh-stc",
    "binhdinh-stp",
    "quangnam-toaan",
    "quangninh",
)


def crawl(url: str, proxy: str, portals: list[str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update(
        THIDUA_DATABASE_URL=url,
        THIDUA_HTTP_PROXY=proxy,
        THIDUA_CRAWL_DOWNLOAD_DELAY="0",
        THIDUA_LOG_LEVEL="WARNING",
        THIDUA_CRAWL_MOCK="1",
    )
    cmd = [sys.executable, "-m", "crawler.run", *itertools.chain.from_iterable(("-p", p) for p in portals)]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=1800)
    if done.returncode not in (0, 1):
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    stats: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    stats["seconds"] = time.perf_counter() - started
    return stats


def bodies(server: MockPortalServer) -> dict[str, Counter[int]]:
    return {s.portal.name: Counter(s.served) for s in server.sites.values()}


def not_modified(server: MockPortalServer) -> int:
    return sum(sum(s.not_modified.values()) for s in server.sites.values())


def part_crawls(portals: list[str], revise: int) -> None:
    print("crawls of the mock portals (loopback, one SQLite file, subprocesses)")
    print(f"{'crawl':<28} {'requests':>8} {'bodies':>7} {'304':>5} {'records':>7} {'changed':>7} {'s':>6}")
    with tempfile.TemporaryDirectory() as tmp, start_server(today=dt.date(2024, 3, 28)) as server:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        migrate(url)
        rows: list[tuple[str, dict[str, Any], int, int]] = []
        revised: dict[str, set[int]] = {}
        third: dict[str, set[int]] = {}
        for n, label in enumerate(("1 from empty", "2 nothing changed", f"3 after {revise}/portal changed")):
            if n == 2:
                for site in server.sites.values():
                    if site.portal.name not in portals:
                        continue
                    own = [e for e in site.entries if e.source_line is None and site.served[e.local_id]]
                    for entry in own[:revise]:
                        site.revise(entry.article.id)
                        revised.setdefault(site.portal.name, set()).add(entry.local_id)
            before, before_304 = bodies(server), not_modified(server)
            stats = crawl(url, server.url, portals)
            after = bodies(server)
            served = sum(sum((after[p] - before[p]).values()) for p in after)
            rows.append((label, stats, served, not_modified(server) - before_304))
            if n == 2:
                third = {p: set((after[p] - before[p]).keys()) for p in after if after[p] - before[p]}
        for label, stats, served, nm in rows:
            print(
                f"{label:<28} {stats['requests']:>8} {served:>7} {nm:>5} {stats['records']:>7} "
                f"{stats.get('changed', 0):>7} {stats['seconds']:>6.1f}"
            )
        first, second = rows[0][2], rows[1][2]
        share = second / max(first, 1)
        print(f"share of article pages re-fetched by crawl 2: {second}/{first} = {share:.3f} (target 0)")
        expected = {p: ids for p, ids in revised.items() if p in VALIDATING}
        exact = [p for p, ids in expected.items() if third.get(p) == ids]
        extra = sorted(set(third) - set(expected))
        print(
            f"crawl 3: on {len(exact)} of {len(expected)} portals with validators it fetched exactly the "
            f"changed article; bodies from unchanged portals: {extra or 'none'}"
        )
        for portal, ids in sorted(expected.items()):
            if third.get(portal) != ids:
                print(f"  {portal}: changed {sorted(ids)}, fetched {sorted(third.get(portal, ()))}")
        for portal in sorted(set(revised) - set(VALIDATING)):
            print(
                f"  {portal}: no validator, no sitemap: its change is not seen (fetched {third.get(portal)})"
            )


def _texts() -> list[str]:
    paths = sorted((DEFAULT_CORPUS / "text").glob("*.txt")) + sorted((DEFAULT_CORPUS / "other").glob("*.txt"))
    if DEV.is_dir():
        paths += sorted(DEV.glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def _copy(text: str) -> str:
    title, _, body = text.partition("\n\n")
    paras = body.split("\n\n")
    kept = paras[:-1] if len(paras) > 2 else paras
    return f"Hòa Bình: {title}\n\n(TĐKT) - " + "\n\n".join(kept) + "\n\nNguồn: Cổng TTĐT tỉnh Hòa Bình"


def _shingle_simhash(text: str) -> int:
    counts = [0] * 64
    for s in shingles(text):
        h = int.from_bytes(blake2b(s.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            counts[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << b for b in range(64) if counts[b] > 0)


def part_neardup() -> None:
    from trafilatura.deduplication import Simhash

    texts = list(dict.fromkeys(_texts()))
    copies = [_copy(t) for t in texts]
    pairs = list(itertools.combinations(range(len(texts)), 2))
    print(f"\nnear-duplicates: {len(texts)} texts, an edited copy of each, {len(pairs):,} unrelated pairs")
    print(f"{'method':<44} {'copies found':>12} {'unrelated merged':>16} {'ms/text':>8}")

    def timed(fn: Any) -> tuple[list[Any], float]:
        t0 = time.perf_counter()
        out = [fn(t) for t in texts]
        return out, (time.perf_counter() - t0) / len(texts) * 1000

    traf, traf_ms = timed(Simhash)
    traf_c = [Simhash(c) for c in copies]
    found = sum((a.hash ^ b.hash).bit_count() <= 3 for a, b in zip(traf, traf_c, strict=True))
    merged = sum((traf[i].hash ^ traf[j].hash).bit_count() <= 3 for i, j in pairs)
    print(f"{'trafilatura 2.3 Simhash, <= 3 bits':<44} {found:>12} {merged:>16} {traf_ms:>8.1f}")
    own, own_ms = timed(_shingle_simhash)
    own_c = [_shingle_simhash(c) for c in copies]
    found = sum((a ^ b).bit_count() <= 3 for a, b in zip(own, own_c, strict=True))
    merged = sum((own[i] ^ own[j]).bit_count() <= 3 for i, j in pairs)
    print(f"{'simhash of 3-word shingles, <= 3 bits':<44} {found:>12} {merged:>16} {own_ms:>8.1f}")
    fps, mh_ms = timed(lambda t: set(enumerate(fingerprint(t).bands)))
    found = sum(
        bool(fps[i] & set(enumerate(fingerprint(c).bands))) and near_duplicate(texts[i], c)
        for i, c in enumerate(copies)
    )
    candidates = [(i, j) for i, j in pairs if fps[i] & fps[j]]
    merged = sum(near_duplicate(texts[i], texts[j]) for i, j in candidates)
    label = "store.neardup: MinHash 20x4 bands + checks"
    print(f"{label:<44} {found:>12} {merged:>16} {mh_ms:>8.1f}")
    print(f"  (band candidates among unrelated pairs: {len(candidates)}, all refused by the text checks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revise", type=int, default=1, help="articles changed per portal before crawl 3")
    parser.add_argument(
        "--portals", default="hoabinh,bacgiang,quangninh,tayninh-stc,binhdinh-stp,binhphuoc-stttt,thidua-tw"
    )
    parser.add_argument("--skip-crawls", action="store_true", help="only the near-duplicate part")
    parser.add_argument("--skip-neardup", action="store_true", help="only the crawls")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if not args.skip_crawls:
        part_crawls([p.strip() for p in args.portals.split(",") if p.strip()], args.revise)
    if not args.skip_neardup:
        part_neardup()


if __name__ == "__main__":
    main()
