"""What a merge preview and an entity page cost (issue 9, item 9): a measurement, not a gate.

    .venv/bin/python -m bench.entity_preview_speed [--n 1000] [--no-postgres]

Stores `--n` synthetic linked records (`bench.link_speed`'s invented units and blocs, not corpus
text) in a fresh database of each engine, then prints the median time of: a preview of merging
two blocs of one province, a preview of merging two frequent units of one province, and the
page of one of those units (`store.entity_pages.entity_detail`, newest 200 records), each with
how many records it read. The exit code is always 0.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from sqlalchemy import select

from bench.link_speed import empty_store, records, store_all, timed
from store.db import make_engine, session_factory
from store.entity_pages import entity_detail
from store.entity_preview import preview_merge
from store.models import Entity


def _ids(url: str) -> tuple[list[int], list[int]]:
    """Two blocs and two units of Bắc Ninh (the units: Sở Y tế and Sở Tư pháp)."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            province = Entity.province == "Bắc Ninh"
            blocs = list(
                s.scalars(select(Entity.id).where(Entity.kind == "bloc", province).order_by(Entity.key))
            )
            units = list(
                s.scalars(
                    select(Entity.id)
                    .where(Entity.kind == "unit", province, Entity.key.in_(["so y te", "so tu phap"]))
                    .order_by(Entity.key)
                )
            )
        return blocs[:2], units
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    args = parser.parse_args()
    data = records(args.n)
    engines = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    print(f"{args.n} synthetic linked records over 7 provinces; median of 5 runs")
    print(f"{'engine':<11} {'bloc merge preview':>22} {'unit merge preview':>22} {'unit page':>18}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine_name in engines:
            with empty_store(engine_name, Path(tmp)) as url:
                store_all(url, data, link=True)
                blocs, units = _ids(url)
                engine = make_engine(url)
                with session_factory(engine)() as s:
                    sizes = [
                        preview_merge(s, blocs)["after"][0]["records"],
                        preview_merge(s, units)["after"][0]["records"],
                    ]
                    page = len(entity_detail(s, units[0])["records"])
                engine.dispose()
                bloc_ms = timed(url, lambda s, b=blocs: preview_merge(s, b)) * 1000
                unit_ms = timed(url, lambda s, u=units: preview_merge(s, u)) * 1000
                page_ms = timed(url, lambda s, u=units: entity_detail(s, u[0])) * 1000
                print(
                    f"{engine_name:<11} {bloc_ms:>8.1f} ms ({sizes[0]:>4} rec) "
                    f"{unit_ms:>8.1f} ms ({sizes[1]:>4} rec) {page_ms:>7.1f} ms ({page:>3} rec)"
                )


if __name__ == "__main__":
    main()
