"""Name timelines follow editors' merges and splits (store.research, store.merged_keys), on both
engines. The articles and records are written for these tests: one unit and one bloc of Bắc Ninh
under names no key joins."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from extract.record import Record
from store import repository
from store.entities import link_article
from store.entity_corrections import merge_entities, split_entity, undo_entity_correction
from store.models import Article, Entity
from store.research import bloc_timeline, unit_timeline

NVC = "Trường Chính trị Nguyễn Văn Cừ"
SCHOOL = "Trường Chính trị tỉnh"
PARTY = "Trường Đảng tỉnh Bắc Ninh"
NOI_CHINH = "Khối các cơ quan Nội chính"
KHOI_6 = "Khối thi đua số 6"

T20 = (
    f"{NOI_CHINH} tỉnh Bắc Ninh tổng kết năm 2020: {SCHOOL}, Thanh tra tỉnh. Thanh tra tỉnh làm Khối trưởng."
)
T21 = f"Năm 2021, {KHOI_6} tỉnh Bắc Ninh có {NVC}, Sở Nội vụ. UBND tỉnh tặng Bằng khen cho {NVC}."
T19 = f"Năm 2019, {PARTY} dự hội nghị Khối thi đua số 2 tỉnh Bắc Ninh."
T18 = "Năm 2018, Khối thi đua số 4 tỉnh Bắc Ninh có Sở Y tế, Sở Tài chính."
T17 = "Năm 2017, Khối thi đua số 1 thành phố Hà Nội có Sở Y tế, Sở Xây dựng."
AWARD = (NVC, "bang_khen", "ubnd_tinh", None, "conferred")
T22 = "Năm 2022, Khối thi đua số 4 tỉnh Bắc Ninh có Sở Y tế tỉnh Bắc Ninh, Sở Tài chính."


@pytest.fixture
def units(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> dict[str, int]:
    """Store and link six records; return the entity id of each unit and bloc the tests merge."""
    records: list[tuple[str, dict[str, Any]]] = [  # years in the event dates
        (T20, {"province": "Bắc Ninh", "event_date": "2020-12-20", "blocs": ((NOI_CHINH, None, []),),
               "members": (SCHOOL, "Thanh tra tỉnh"), "roles": (("Thanh tra tỉnh", "khoi_truong", None),)}),
        (T21, {"province": "Bắc Ninh", "event_date": "2021-12-20", "blocs": ((KHOI_6, "6", []),),
               "members": (NVC, "Sở Nội vụ"), "awards": (AWARD,)}),
        (T19, {"province": "Bắc Ninh", "event_date": "2019-06-01", "blocs": (("Khối thi đua số 2", "2", []),),
               "members": (PARTY,)}),
        (T18, {"province": "Bắc Ninh", "event_date": "2018-06-01", "blocs": (("Khối thi đua số 4", "4", []),),
               "members": ("Sở Y tế", "Sở Tài chính")}),
        (T17, {"province": "Hà Nội", "event_date": "2017-06-01", "blocs": (("Khối thi đua số 1", "1", []),),
               "members": ("Sở Y tế", "Sở Xây dựng")}),
        (T22, {"province": "Bắc Ninh", "event_date": "2022-06-01", "blocs": (("Khối thi đua số 4", "4", []),),
               "members": ("Sở Y tế tỉnh Bắc Ninh", "Sở Tài chính")}),
    ]  # fmt: skip
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    for i, (text, fields) in enumerate(records):
        article = make_article(text, title=text[:40], published=date(2023, 1, 1 + i))
        row = repository.save_record(
            session, run=run, article=article, record=build_record(text, doc_id=f"d{i}", **fields)
        )
        link_article(session, article, row)
    repository.finish_run(session, run=run, status="finished", stats={})
    session.flush()

    def entity(kind: str, key: str) -> int:
        stmt = select(Entity.id).where(Entity.kind == kind, Entity.province == "Bắc Ninh", Entity.key == key)
        return int(session.scalars(stmt).one())

    return {
        "nvc": entity("unit", "truong chinh tri nguyen van cu"),
        "school": entity("unit", "truong chinh tri"),
        "party": entity("unit", "truong dang"),
        "khoi6": entity("bloc", "khoi 6"),
        "noi_chinh": entity("bloc", "khoi cac co quan noi chinh"),
    }


def _records(years: list[dict[str, Any]]) -> dict[int | None, int]:
    return {y["year"]: y["records"] for y in years}


def test_a_merge_brings_the_other_units_records_and_an_undo_takes_them_away(
    session: Session, units: dict[str, int]
) -> None:
    assert _records(unit_timeline(session, NVC)) == {2021: 1}
    merge = merge_entities(session, entity_ids=[units["nvc"], units["school"]], editor="Lan")
    merged = unit_timeline(session, NVC)
    assert _records(merged) == {2020: 1, 2021: 1}
    (y2020, y2021) = merged
    # what the records say under the other spelling, counted as for its own name
    assert y2020["blocs"] == [{"name": NOI_CHINH, "records": 1}] and y2020["awards"] == []
    assert y2021["awards"] == [
        {"award": "bang_khen", "status": "conferred", "issuer": "ubnd_tinh", "records": 1}
    ]
    assert _records(unit_timeline(session, "truong chinh tri nguyen van cu")) == {2020: 1, 2021: 1}
    # a unit merged with nothing keeps its own timeline
    assert _records(unit_timeline(session, PARTY)) == {2019: 1}
    undo_entity_correction(session, correction_id=merge.id, editor="Minh")
    assert _records(unit_timeline(session, NVC)) == {2021: 1}


def test_a_split_moves_one_units_records_out_of_the_group(session: Session, units: dict[str, int]) -> None:
    merge_entities(session, entity_ids=[units["nvc"], units["school"], units["party"]], editor="Lan")
    assert _records(unit_timeline(session, NVC)) == {2019: 1, 2020: 1, 2021: 1}
    # asked for by another member's name, the whole group answers
    assert _records(unit_timeline(session, PARTY)) == {2019: 1, 2020: 1, 2021: 1}
    split_entity(session, entity_id=units["school"], editor="Lan", reason="hai trường")
    assert _records(unit_timeline(session, NVC)) == {2019: 1, 2021: 1}
    assert _records(unit_timeline(session, PARTY)) == {2019: 1, 2021: 1}
    # the split-out unit's words ("truong chinh tri") also match NVC's spelling, as before any
    # merge, and so bring NVC's group: its own record, NVC's and the party school's
    assert _records(unit_timeline(session, SCHOOL)) == {2019: 1, 2020: 1, 2021: 1}
    split_entity(session, entity_id=units["party"], editor="Lan")
    assert _records(unit_timeline(session, NVC)) == {2021: 1}


def test_bloc_timelines_follow_merges(session: Session, units: dict[str, int]) -> None:
    assert _records(bloc_timeline(session, "6")) == {2021: 1}
    merge = merge_entities(session, entity_ids=[units["khoi6"], units["noi_chinh"]], editor="Lan")
    by_number = bloc_timeline(session, "6")
    assert _records(by_number) == {2020: 1, 2021: 1}
    assert by_number[0]["members"] == [
        {"name": "Thanh tra tỉnh", "records": 1},
        {"name": SCHOOL, "records": 1},
    ]
    assert by_number[0]["leaders"] == [{"unit": "Thanh tra tỉnh", "role": "khoi_truong", "records": 1}]
    # the other name of the group finds the numbered bloc's records, and its name does too
    assert _records(bloc_timeline(session, NOI_CHINH)) == {2020: 1, 2021: 1}
    assert _records(bloc_timeline(session, KHOI_6)) == {2020: 1, 2021: 1}
    # another number is another bloc
    assert _records(bloc_timeline(session, "4")) == {2018: 1, 2022: 1}
    undo_entity_correction(session, correction_id=merge.id, editor="Lan")
    assert _records(bloc_timeline(session, "6")) == {2021: 1}
    assert _records(bloc_timeline(session, NOI_CHINH)) == {2020: 1}


def test_the_machines_own_joins_are_not_followed(session: Session, units: dict[str, int]) -> None:
    # "Sở Y tế" and "Sở Y tế tỉnh Bắc Ninh" are one unit of Bắc Ninh, but the counts are per
    # spelling: following that join would count Hà Nội's Sở Y tế (2017) too
    merge_entities(session, entity_ids=[units["nvc"], units["school"]], editor="Lan")
    assert _records(unit_timeline(session, "Sở Y tế tỉnh Bắc Ninh")) == {2022: 1}
    assert _records(unit_timeline(session, "Sở Y tế")) == {2017: 1, 2018: 1, 2022: 1}


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_merged_timeline_reads_counts_not_facts(session: Session, units: dict[str, int]) -> None:
    merge_entities(session, entity_ids=[units["nvc"], units["school"]], editor="Lan")
    merge_entities(session, entity_ids=[units["khoi6"], units["noi_chinh"]], editor="Lan")
    session.flush()
    with _statements(session) as seen:
        assert unit_timeline(session, NVC) and bloc_timeline(session, "6")
    assert seen and not [s for s in seen if "current_fact" in s or "fact_entity" in s]
    assert len(seen) <= 10  # words' keys, corrections, aliases, merged keys, sums: per timeline
