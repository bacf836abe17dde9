"""Facet counts and timelines (store.research) on both engines, over current records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, repository
from store.errors import QueryError
from store.models import Article
from store.research import bloc_timeline, facet_counts, unit_timeline

T18 = "Khối thi đua số 6 tỉnh Bắc Ninh tổng kết năm 2018: Sở Y tế, Sở Tư pháp. Sở Y tế làm Khối trưởng."
T19 = "Khối thi đua số 6 tỉnh Bắc Ninh năm 2019: Sở Y tế, Sở Nội vụ; Sở Nội vụ làm Khối trưởng."
TBP = "Cụm thi đua số 3 tỉnh Bình Phước năm 2017: Sở Y tế tỉnh Bình Phước nhận Bằng khen."
TDN = "Cụm thi đua số 1 tỉnh Đồng Nai: Sở Tài chính."


@pytest.fixture
def stored(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> dict[str, Article]:
    b18 = make_article(T18, title="Khối 6 năm 2018", published=date(2018, 12, 30))
    b19 = make_article(T19, title="Khối 6 năm 2019", published=date(2019, 12, 30))
    bp = make_article(TBP, title="Cụm 3 Bình Phước", published=date(2017, 3, 1))
    dn = make_article(TDN, title="Cụm 1 Đồng Nai", published=None)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    bloc6 = (("Khối thi đua số 6", "6", []),)
    records = {
        b18.id: build_record(
            T18,
            doc_id="b18",
            province="Bắc Ninh",
            event_date="2018-12-28",
            blocs=bloc6,
            members=("Sở Y tế", "Sở Tư pháp"),
            roles=(("Sở Y tế", "khoi_truong", 2018),),
            awards=(("Sở Y tế", "co_thi_dua", "ubnd_tinh", None, "proposed"),),
        ),
        b19.id: build_record(
            T19,
            doc_id="b19",
            province="Bắc Ninh",
            published="2019-12-30",
            blocs=bloc6,
            members=("Sở Y tế", "Sở Nội vụ"),
            roles=(("Sở Nội vụ", "khoi_truong", None),),
        ),
        bp.id: build_record(
            TBP,
            doc_id="bp",
            province="Bình Phước",
            blocs=(("Cụm thi đua số 3", "3", []),),
            members=("Sở Y tế tỉnh Bình Phước",),
            awards=(("Sở Y tế tỉnh Bình Phước", "bang_khen", None, 2016, "conferred"),),
        ),
        dn.id: build_record(
            TDN,
            doc_id="dn",
            province="Đồng Nai",
            blocs=(("Cụm thi đua số 1", "1", []),),
            members=("Sở Tài chính",),
        ),
    }
    for article in (b18, b19, bp, dn):
        repository.save_record(session, run=run, article=article, record=records[article.id])
    repository.finish_run(session, run=run, status="finished", stats={})
    session.flush()
    return {"b18": b18, "b19": b19, "bp": bp, "dn": dn}


def test_facet_counts_without_filters(session: Session, stored: dict[str, Article]) -> None:
    out = facet_counts(session)
    assert out["records"] == 4
    f = out["facets"]
    assert f["province"] == {"Bắc Ninh": 2, "Bình Phước": 1, "Đồng Nai": 1}
    assert f["province_2025"] == {"Bắc Ninh": 2, "Đồng Nai": 2}
    assert f["year"] == {2018: 1, 2019: 1, 2017: 1, None: 1}
    assert f["award"] == {"co_thi_dua": 1, "bang_khen": 1}
    assert f["award_status"] == {"proposed": 1, "conferred": 1}
    assert f["review_state"] == {"machine": 4}


@pytest.mark.parametrize(
    ("kw", "records"),
    [
        ({"province": "Đồng Nai"}, 2),  # a 2025 province takes in Bình Phước, merged into it
        ({"province": "Bình Phước"}, 1),  # an old name finds only that province
        ({"province": "tỉnh Bắc Ninh"}, 2),
        ({"year_from": 2018, "year_to": 2019}, 2),
        ({"year_from": 2019}, 1),
        ({"year_to": 2017}, 1),
        ({"year": 2018}, 1),
        ({"bloc": "6"}, 2),
        ({"unit": "Sở Y tế"}, 3),
        ({"award": "bang_khen"}, 1),
        ({"award_status": "proposed"}, 1),
        ({"review": "corrected"}, 0),
        ({"bloc": "6", "unit": "Sở Nội vụ"}, 1),
    ],
)
def test_facet_counts_filters(
    session: Session, stored: dict[str, Article], kw: dict[str, Any], records: int
) -> None:
    assert facet_counts(session, **kw)["records"] == records


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"province": "Đồng Nai"},
        {"year_from": 2017, "year_to": 2018},
        {"year_to": 2018, "award_status": "conferred"},
        {"unit": "Sở Y tế", "year": 2018},
        {"bloc": "6", "award": "co_thi_dua"},
    ],
)
def test_facet_counts_in_sql_and_by_overlay_agree(
    session: Session, stored: dict[str, Article], kw: dict[str, Any]
) -> None:
    # uncorrected records are counted in SQL, corrected ones from their overlays: an accept
    # changes no value, so moving every record to the overlay path must change no count
    in_sql = facet_counts(session, **kw)
    for article in stored.values():
        corrections.accept_fact(session, article_id=article.id, fact="province", editor="Lan")
    overlaid = facet_counts(session, **kw)
    n = in_sql["records"]
    assert in_sql["facets"]["review_state"] == ({"machine": n} if n else {})
    in_sql["facets"]["review_state"] = overlaid["facets"]["review_state"]  # "corrected" now
    assert overlaid == in_sql


@pytest.mark.parametrize("which", ["unit", "bloc"])
def test_timelines_from_machine_rows_and_from_overlays_agree(
    session: Session, stored: dict[str, Article], which: str
) -> None:
    # uncorrected records are read from the fact tables, corrected ones overlaid: an accept
    # changes no value, so moving every record to the overlay path must change no timeline
    def timeline() -> list[dict[str, Any]]:
        return unit_timeline(session, "Sở Y tế") if which == "unit" else bloc_timeline(session, "6")

    before = timeline()
    assert before  # not trivially equal
    for article in stored.values():
        corrections.accept_fact(session, article_id=article.id, fact="province", editor="Lan")
    assert timeline() == before


def test_facet_counts_read_corrected_values(session: Session, stored: dict[str, Article]) -> None:
    corrections.change_fact(
        session, article_id=stored["dn"].id, fact="province", value="Bắc Ninh", editor="Lan"
    )
    f = facet_counts(session)["facets"]
    assert f["province"] == {"Bắc Ninh": 3, "Bình Phước": 1}
    assert f["review_state"] == {"machine": 3, "corrected": 1}
    assert facet_counts(session, review="corrected", province="Bắc Ninh")["records"] == 1


@pytest.mark.parametrize(
    "kw",
    [
        {"year_from": 2020, "year_to": 2019},
        {"year_from": 0},
        {"award_status": "given"},
        {"review": "maybe"},
        {"province": "%"},
        {"award": "medal"},
    ],
)
def test_facet_counts_refuse_bad_filters(
    session: Session, stored: dict[str, Article], kw: dict[str, Any]
) -> None:
    with pytest.raises(QueryError):
        facet_counts(session, **kw)


def test_unit_timeline(session: Session, stored: dict[str, Article]) -> None:
    tl = unit_timeline(session, "so y te")
    assert [e["year"] for e in tl] == [2016, 2017, 2018, 2019]
    by = {e["year"]: e for e in tl}
    # the award's own year (2016), not its record's (2017)
    assert by[2016]["awards"] == [{"award": "bang_khen", "status": "conferred", "issuer": None, "records": 1}]
    assert by[2016]["blocs"] == [] and by[2016]["records"] == 1
    assert by[2017]["blocs"] == [{"name": "Cụm thi đua số 3", "records": 1}]
    assert by[2018]["roles"] == [{"role": "khoi_truong", "blocs": ["Khối thi đua số 6"], "records": 1}]
    assert [a["award"] for a in by[2018]["awards"]] == ["co_thi_dua"]
    assert by[2019] == {
        "year": 2019,
        "records": 1,
        "blocs": [{"name": "Khối thi đua số 6", "records": 1}],
        "roles": [],
        "awards": [],
    }
    assert [e["year"] for e in unit_timeline(session, "Sở Tư pháp")] == [2018]
    assert unit_timeline(session, "Sở Xây dựng") == []


def test_timelines_count_records_and_list_a_sample(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    # 25 records of one year name the unit: in two blocs at once, a leader in 23 of them, an
    # award in all; counted, most records first
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    for i in range(25):
        text = f"Khối thi đua số 4 và Cụm thi đua số 9 họp lần {i}: Sở Công Thương, Sở Nội vụ."
        article = make_article(text, title=f"Họp {i}", published=date(2021, 1, 1 + i))
        blocs = (("Khối thi đua số 4", "4", []),) + ((("Cụm thi đua số 9", "9", []),) if i % 5 else ())
        holder = "Sở Công Thương" if i < 23 else "Sở Nội vụ"
        record = build_record(
            text,
            doc_id=f"r{i}",
            province="Thái Bình",
            blocs=blocs,
            members=("Sở Công Thương", "Sở Nội vụ"),
            roles=((holder, "khoi_truong", None),),
            awards=(("Sở Công Thương", "bang_khen", None, None, "proposed"),),
        )
        repository.save_record(session, run=run, article=article, record=record)
    session.flush()
    (year,) = unit_timeline(session, "Sở Công Thương")
    assert year["year"] == 2021 and year["records"] == 25
    assert year["blocs"] == [
        {"name": "Khối thi đua số 4", "records": 25},
        {"name": "Cụm thi đua số 9", "records": 20},
    ]
    # roles are grouped by role and bloc list: 18 of the 23 records name both blocs
    assert [(r["role"], r["blocs"], r["records"]) for r in year["roles"]] == [
        ("khoi_truong", ["Khối thi đua số 4", "Cụm thi đua số 9"], 18),
        ("khoi_truong", ["Khối thi đua số 4"], 5),
    ]
    (award,) = year["awards"]
    assert award["records"] == 25
    (bloc,) = bloc_timeline(session, "4")
    assert bloc["records"] == 25
    assert bloc["members"] == [
        {"name": "Sở Công Thương", "records": 25},
        {"name": "Sở Nội vụ", "records": 25},
    ]
    assert [(x["unit"], x["records"]) for x in bloc["leaders"]] == [("Sở Công Thương", 23), ("Sở Nội vụ", 2)]


def test_unit_timeline_follows_corrections(session: Session, stored: dict[str, Article]) -> None:
    corrections.delete_fact(session, article_id=stored["b19"].id, fact="member:so y te", editor="Lan")
    assert 2019 not in [e["year"] for e in unit_timeline(session, "Sở Y tế")]


def test_bloc_timeline(session: Session, stored: dict[str, Article]) -> None:
    tl = bloc_timeline(session, "6")
    assert tl == [
        {
            "year": 2018,
            "records": 1,
            "members": [{"name": "Sở Tư pháp", "records": 1}, {"name": "Sở Y tế", "records": 1}],
            "leaders": [{"unit": "Sở Y tế", "role": "khoi_truong", "records": 1}],
        },
        {
            "year": 2019,
            "records": 1,
            "members": [{"name": "Sở Nội vụ", "records": 1}, {"name": "Sở Y tế", "records": 1}],
            "leaders": [{"unit": "Sở Nội vụ", "role": "khoi_truong", "records": 1}],
        },
    ]
    assert bloc_timeline(session, "Cụm thi đua số 1")[0]["year"] is None
    with pytest.raises(QueryError):
        bloc_timeline(session, "%")
    with pytest.raises(QueryError):
        unit_timeline(session, "")


def test_timelines_leave_the_garbage_collector_as_they_found_it(
    session: Session, stored: dict[str, Article]
) -> None:
    import gc

    assert gc.isenabled()
    assert unit_timeline(session, "Sở Y tế") and gc.isenabled()
    gc.disable()
    try:
        assert bloc_timeline(session, "6") and not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(QueryError):
        unit_timeline(session, "%")
    assert gc.isenabled()
