"""Events, not reports (store.events) on both engines: the write-ups of one meeting on several
sites are one event with several mentions. The articles are written for these tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, repository
from store.entities import link_article
from store.entity_corrections import merge_entities
from store.errors import QueryError
from store.events import find_events
from store.models import Article, Page

# one meeting of Khối thi đua số 4 of Hà Tĩnh, told by the department, the portal and a paper
DEPT = (
    "Sáng 12/12/2023, Khối thi đua số 4 tổng kết công tác thi đua năm 2023. Khối gồm Sở Tư pháp, "
    "Sở Nội vụ, Thanh tra tỉnh. Sở Nội vụ là Khối trưởng. "
    "Khối đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp."
)
PORTAL = (
    "Ngày 12/12, các đơn vị Khối thi đua số 4 (Sở Tư pháp, Sở Nội vụ, Thanh tra tỉnh, Sở Ngoại vụ) "
    "họp tổng kết. "
    "Sở Nội vụ giữ vai trò Khối trưởng; Sở Tư pháp được UBND tỉnh tặng Cờ thi đua."
)
PAPER = "Khối thi đua số 4 tổng kết năm 2023 với sự tham dự của Sở Tư pháp và Sở Nội vụ."
OTHER_DAY = "Ngày 20/3/2023, Khối thi đua số 4 ký kết giao ước thi đua năm 2023: Sở Tư pháp, Sở Nội vụ."

Put = Callable[..., Article]
BLOC4 = (("Khối thi đua số 4", "4", []),)
FLAG = ("Sở Tư pháp", "co_thi_dua", "ubnd_tinh", 2023)


@pytest.fixture
def put(
    session: Session,
    make_page: Callable[..., Page],
    make_article: Callable[..., Article],
    build_record: Callable[..., Record],
) -> Put:
    """Store an article from `url` with its record, linked to entities."""
    run = repository.start_run(session, extractor_version="0.4.1", config={})

    def store(url: str, text: str, **record: Any) -> Article:
        article = make_article(text, title=text[:50], published=date(2023, 12, 13), page=make_page(url))
        record = {"province": "Hà Tĩnh", "blocs": BLOC4} | record
        row = repository.save_record(session, run=run, article=article, record=build_record(text, **record))
        link_article(session, article, row)
        session.flush()
        return article

    return store


def _meeting(
    put: Put, *, portal_status: str = "proposed", portal_members: tuple[str, ...] | None = None
) -> list[Article]:
    dept = put(
        "https://sonoivu.hatinh.example.gov.vn/tin/khoi-4-tong-ket",
        DEPT,
        event_date="2023-12-12",
        event_kinds=("tong_ket",),
        members=("Sở Tư pháp", "Sở Nội vụ", "Thanh tra tỉnh"),
        roles=(("Sở Nội vụ", "khoi_truong", 2023),),
        awards=((*FLAG, "proposed"),),
    )
    portal = put(
        "https://hatinh.example.gov.vn/tin-tuc/khoi-thi-dua-4",
        PORTAL,
        event_date="2023-12-12",
        event_kinds=("tong_ket",),
        members=portal_members or ("Sở Tư pháp", "Sở Nội vụ", "Thanh tra tỉnh"),
        roles=(("Sở Nội vụ", "khoi_truong", 2023),),
        awards=((*FLAG, portal_status),),
    )
    return [dept, portal]


def test_two_write_ups_of_one_meeting_are_one_event(session: Session, put: Put) -> None:
    dept, portal = _meeting(put)
    paper = put(
        "https://baohatinh.example.vn/khoi-4",
        PAPER,
        event_date="2023-12-12",
        event_kinds=("tong_ket",),
    )
    other = put("https://sonoivu.hatinh.example.gov.vn/tin/ky-ket", OTHER_DAY, event_date="2023-03-20",
                event_kinds=("giao_uoc",), members=("Sở Tư pháp", "Sở Nội vụ"))  # fmt: skip
    events = find_events(session, province="Hà Tĩnh", year=2023)
    assert [(e["date"], len(e["mentions"])) for e in events] == [("2023-03-20", 1), ("2023-12-12", 3)]
    event = events[1]
    assert [m["article_id"] for m in event["mentions"]] == [dept.id, portal.id, paper.id]
    assert {m["site"] for m in event["mentions"]} == {
        "sonoivu.hatinh.example.gov.vn",
        "hatinh.example.gov.vn",
        "baohatinh.example.vn",
    }
    assert event["kinds"] == ["tong_ket"] and event["bloc"]["name"] == "Khối thi đua số 4"
    # merged facts, each with who said it, where and in which words
    justice = next(m for m in event["members"] if m["unit"]["name"] == "Sở Tư pháp")
    assert [(s["article_id"], s["url"]) for s in justice["said_by"]] == [
        (dept.id, dept.url),
        (portal.id, portal.url),
    ]
    assert justice["said_by"][0]["evidence"] == "Sở Tư pháp"
    (leader,) = event["leaders"]
    assert leader["unit"]["name"] == "Sở Nội vụ" and len(leader["said_by"]) == 2
    (award,) = event["awards"]
    assert [s["value"]["status"] for s in award["said_by"]] == ["proposed", "proposed"]
    assert event["review"] == []  # they agree; the paper lists nothing, so it does not disagree
    assert events[0]["mentions"][0]["article_id"] == other.id


def test_mentions_that_disagree_are_flagged(session: Session, put: Put) -> None:
    dept, portal = _meeting(
        put,
        portal_status="conferred",
        portal_members=("Sở Tư pháp", "Sở Nội vụ", "Thanh tra tỉnh", "Sở Ngoại vụ"),
    )
    (event,) = find_events(session, province="Hà Tĩnh")
    flags = {f["flag"]: f for f in event["review"]}
    assert set(flags) == {"member_missing", "award_differs"}
    missing = flags["member_missing"]
    assert (missing["unit"]["name"], missing["said_by"], missing["not_by"]) == (
        "Sở Ngoại vụ",
        [portal.id],
        [dept.id],
    )
    values = flags["award_differs"]["values"]
    assert {a: v["status"] for a, v in values.items()} == {dept.id: "proposed", portal.id: "conferred"}
    # an editor corrects the portal's award status: the mentions agree again
    corrections.change_fact(
        session, article_id=portal.id, fact="award#0", value={"status": "proposed"}, editor="Lan"
    )
    corrections.delete_fact(session, article_id=portal.id, fact="member#3", editor="Lan", reason="khách mời")
    (event,) = find_events(session, province="Hà Tĩnh")
    assert event["review"] == []


def test_a_different_role_holder_is_flagged(session: Session, put: Put) -> None:
    dept, _ = _meeting(put)
    third = put("https://thanhtra.hatinh.example.gov.vn/khoi-4", PAPER, event_date="2023-12-12",
                event_kinds=("tong_ket",), roles=(("Thanh tra tỉnh", "khoi_truong", 2023),))  # fmt: skip
    (event,) = find_events(session)
    (flag,) = [f for f in event["review"] if f["flag"] == "role_holder_differs"]
    assert flag["values"][dept.id] == "Sở Nội vụ" and flag["values"][third.id] == "Thanh tra tỉnh"


def test_events_follow_merged_blocs_and_the_2025_province(session: Session, put: Put) -> None:
    # the same meeting, once by the bloc's number and once by its name, in Quảng Bình (part of
    # Quảng Trị since 1 July 2025)
    kw: dict[str, Any] = {"event_date": "2024-12-10", "event_kinds": ("tong_ket",), "province": "Quảng Bình"}
    put("https://a.example.gov.vn/1", PAPER, blocs=(("Khối thi đua số 2", "2", []),), **kw)
    named = "Khối các cơ quan nội chính tỉnh Quảng Bình tổng kết ngày 10/12/2024."
    put("https://b.example.gov.vn/2", named, blocs=(("Khối các cơ quan nội chính", None, []),), **kw)
    events = find_events(session, province="Quảng Trị")
    assert [len(e["mentions"]) for e in events] == [1, 1]
    assert find_events(session, province="Quảng Bình") == events
    ids = [e["bloc"]["id"] for e in events]
    merge_entities(session, entity_ids=sorted(ids), editor="Lan", reason="một khối, hai tên")
    (event,) = find_events(session, province="Quảng Trị")
    assert len(event["mentions"]) == 2 and event["bloc"]["id"] == min(ids)
    assert find_events(session, province="Hà Tĩnh") == []
    with pytest.raises(QueryError, match="not a province"):
        find_events(session, province="Atlantis")
