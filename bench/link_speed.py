"""What linking records to entities costs, beside storing them (issue 8, item 4).

    .venv/bin/python -m bench.link_speed [--n 1000] [--postgres URL]

Stores `--n` synthetic records (invented units, blocs and provinces, not corpus text) twice in
one run: once with `repository.save_record` alone, once with `save_record` followed by
`store.entities.link_article` (what the crawler and `reextract` do), each into a fresh database
of each engine, and prints records/s of both and their ratio; then the time of `find_events`
and `blocs_by_year` for one province and year, and of `find_entities` for one unit name.
A measurement, not a gate: the exit code is always 0.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from extract.record import BlocFact, MemberFact, Record, RoleFact, ScalarFact
from store import repository
from store.blocs import blocs_by_year
from store.db import make_engine, migrate, session_factory
from store.entities import find_entities, link_article
from store.events import find_events
from store.keys import content_key
from store.models import ExtractionRun

PROVINCES = ("Bắc Ninh", "Bắc Giang", "Nghệ An", "Hà Tĩnh", "Bình Phước", "Đồng Nai", "Quảng Bình")
UNITS = (
    "Sở Y tế", "Sở GD&ĐT", "Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Nội vụ", "Sở KH&ĐT", "Sở Tài chính",
    "Sở TN&MT", "Sở Xây dựng", "Sở Giao thông vận tải", "Thanh tra tỉnh", "Sở LĐ-TB&XH", "Văn phòng UBND",
)  # fmt: skip


def records(n: int, seed: int = 7) -> list[tuple[str, Record]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        province = rng.choice(PROVINCES)
        members = rng.sample(UNITS, rng.randint(3, 8))
        day = date(rng.randint(2018, 2024), 12, rng.randint(1, 28)).isoformat()
        number = str(rng.randint(1, 6))
        text = (
            f"Khối thi đua số {number} tỉnh {province} tổng kết ngày {day} (bài {i}): {', '.join(members)}."
        )
        record = Record(
            doc_id=f"bench-{i}",
            province=ScalarFact(None, 0.9, "bench", field_name="province", value=province),
            event_date=ScalarFact(None, 0.9, "bench", field_name="event_date", value=day),
            event_kinds=[ScalarFact(None, 0.9, "bench", field_name="event_kind", value="tong_ket")],
            blocs=[BlocFact(None, 0.9, "bench", name=f"Khối thi đua số {number}", number=number, aliases=[])],
            members=[MemberFact(None, 0.8, "bench", unit=u, surface=u) for u in members],
            roles=[RoleFact(None, 0.9, "bench", unit=members[0], role="khoi_truong", year=None)],
        )
        out.append((text, record))
    return out


def store_all(url: str, data: list[tuple[str, Record]], *, link: bool) -> float:
    """Store every record (and link it if `link`), 25 a transaction as `reextract` does; return seconds."""
    engine = make_engine(url)
    factory = session_factory(engine)
    fetched = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        with factory() as s, s.begin():
            run = repository.start_run(s, extractor_version="bench", config={})
            run_id = run.id
        start = time.perf_counter()
        for chunk in range(0, len(data), 25):
            with factory() as s, s.begin():
                got = s.get(ExtractionRun, run_id)
                assert got is not None
                run = got
                for i, (text, record) in enumerate(data[chunk : chunk + 25], start=chunk):
                    page_url = f"https://bench.example.gov.vn/{i}"
                    page, _ = repository.save_page(
                        s, portal=None, url=page_url, canonical_url=page_url, final_url=page_url, status=200,
                        headers={}, body=b"", encoding="utf-8", fetched_at=fetched,
                    )  # fmt: skip
                    article, _ = repository.save_article(
                        s, page=page, url=page_url, canonical_url=page_url, title=None, text=text,
                        published=None, content_key=content_key(title=None, published=None, text=text),
                        is_bloc_news=True, relevance_reason="bench",
                    )  # fmt: skip
                    row = repository.save_record(s, run=run, article=article, record=record)
                    if link:
                        link_article(s, article, row)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def timed(url: str, call: Callable[..., object], rounds: int = 5) -> float:
    engine = make_engine(url)
    try:
        times = []
        for _ in range(rounds):
            with session_factory(engine)() as s:
                start = time.perf_counter()
                call(s)
                times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        engine.dispose()


POSTGRES_URL = os.environ.get(
    "THIDUA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def empty_store(engine_name: str, folder: Path, name: str = "bench") -> Iterator[str]:
    """Yield the URL of a new store at the schema's head: a SQLite file `name` in `folder` (it goes
    with the folder), or a PostgreSQL schema of its own, dropped afterwards."""
    if engine_name == "sqlite":
        url = f"sqlite:///{folder / f'{name}.sqlite'}"
        migrate(url)
        yield url
        return
    url, drop = fresh_postgres()
    try:
        migrate(url)
        yield url
    finally:
        drop()


def fresh_postgres() -> tuple[str, Callable[[], None]]:
    """Return the URL of a new PostgreSQL schema and a function that drops it."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"thidua_bench_{os.getpid()}_{secrets.token_hex(4)}"  # [a-z0-9_] only: safe as an identifier
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"})

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    args = parser.parse_args()
    data = records(args.n)
    engines = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    print(f"{args.n} synthetic records, 3-8 members each; 25 records a transaction")
    print(f"{'engine':<11} {'store rec/s':>12} {'store+link rec/s':>17} {'ratio':>6}  "
          f"{'events ms':>9} {'blocs ms':>8} {'units ms':>8}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for engine_name in engines:
            results = {}
            for link in (False, True):
                with empty_store(engine_name, Path(tmp), str(link)) as url:
                    results[link] = store_all(url, data, link=link)
                    if link:
                        events = timed(url, lambda s: find_events(s, province="Đồng Nai", year=2020))
                        blocs = timed(url, lambda s: blocs_by_year(s, province="Bắc Ninh", year=2021))
                        units = timed(url, lambda s: find_entities(s, "Sở KH&ĐT", province="Bắc Giang"))
            plain, linked = args.n / results[False], args.n / results[True]
            print(
                f"{engine_name:<11} {plain:>12.1f} {linked:>17.1f} {results[True] / results[False]:>6.2f}  "
                f"{events * 1000:>9.1f} {blocs * 1000:>8.1f} {units * 1000:>8.1f}"
            )


if __name__ == "__main__":
    main()
