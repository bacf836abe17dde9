"""What following editors' merges costs the name timelines: a measurement, not a gate.

    .venv/bin/python -m bench.timeline_merges [--n 1000] [--merges 500] [--no-postgres]

Stores `--n` synthetic linked records (`bench.link_speed`'s invented units and blocs, not corpus
text) in a fresh database of each engine, then prints the median time of `unit_timeline(
"Sở Tư pháp")` and `bloc_timeline("6")` three times: with no merge; after `--merges` merges of
invented units that neither name matches (each a pair of entities made for the bench, so the
timelines replay every merge and read every merged entity's spellings, but add no key); and after
one more merge each that they do match (Sở Tư pháp with Sở Nội vụ, bloc 6 with bloc 5, of Bắc
Ninh), which adds the other's spellings. The exit code is always 0.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.link_speed import empty_store, records, store_all, timed
from store.db import make_engine, session_factory
from store.entity_corrections import merge_entities
from store.keys import name_key
from store.merged_keys import merged_keys
from store.models import Entity, EntityAlias
from store.research import bloc_timeline, unit_timeline

EDITOR = "Bench"


def _unrelated_merges(session: Session, pairs: int) -> None:
    """Make `pairs` pairs of invented units of Quảng Bình and merge each pair."""
    for i in range(pairs):
        ids = []
        for j in (2 * i, 2 * i + 1):
            name = f"Đơn vị thử nghiệm số {j}"
            entity = Entity(
                kind="unit", province="Quảng Bình", province_2025="Quảng Trị", key=name_key(name), name=name
            )
            session.add(entity)
            session.flush()
            session.add(EntityAlias(entity_id=entity.id, alias=name, alias_key=name_key(name)))
            ids.append(entity.id)
        merge_entities(session, entity_ids=ids, editor=EDITOR)
    session.commit()


def _matching_merges(session: Session) -> None:
    """Merge Sở Tư pháp with Sở Nội vụ, and bloc 6 with bloc 5, of Bắc Ninh."""

    def one(kind: str, key: str) -> int:
        stmt = select(Entity.id).where(Entity.kind == kind, Entity.province == "Bắc Ninh", Entity.key == key)
        return int(session.scalars(stmt).one())

    merge_entities(session, entity_ids=[one("unit", "so tu phap"), one("unit", "so noi vu")], editor=EDITOR)
    merge_entities(session, entity_ids=[one("bloc", "khoi 6"), one("bloc", "khoi 5")], editor=EDITOR)
    session.commit()


def _times(url: str) -> tuple[float, float, int]:
    """Median ms of the unit and the bloc timeline, and how many keys the merges add to both."""
    unit_ms = timed(url, lambda s: unit_timeline(s, "Sở Tư pháp")) * 1000
    bloc_ms = timed(url, lambda s: bloc_timeline(s, "6")) * 1000
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            added = len(merged_keys(s, "unit", "so tu phap")) + len(merged_keys(s, "bloc", "6", number="6"))
    finally:
        engine.dispose()
    return unit_ms, bloc_ms, added


def _write(url: str, change: Callable[[Session], None]) -> None:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            change(s)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--merges", type=int, default=500)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    args = parser.parse_args()
    data = records(args.n)
    engines = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    print(f"{args.n} synthetic linked records over 7 provinces; median of 5 runs, ms (keys the merges add)")
    print(f"{'engine':<11} {'state':<28} {'unit timeline':>14} {'bloc timeline':>14} {'keys':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine_name in engines:
            with empty_store(engine_name, Path(tmp)) as url:
                store_all(url, data, link=True)
                states: list[tuple[str, Callable[[Session], None] | None]] = [
                    ("no merge", None),
                    (f"{args.merges} unrelated merges", lambda s: _unrelated_merges(s, args.merges)),
                    ("+ 2 merges they match", _matching_merges),
                ]
                for label, change in states:
                    if change is not None:
                        _write(url, change)
                    unit_ms, bloc_ms, added = _times(url)
                    print(f"{engine_name:<11} {label:<28} {unit_ms:>11.1f} ms {bloc_ms:>11.1f} ms {added:>5}")


if __name__ == "__main__":
    main()
