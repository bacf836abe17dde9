"""Read queries: find_records filters and summary counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, repository
from store.errors import QueryError
from store.models import Article
from store.queries import (
    _has_word_run,
    find_records,
    matching_article_ids,
    province_keys,
    summary,
)

BN_TEXT = (
    "Ngày 28/12, Khối thi đua số 6 tỉnh Bắc Ninh tổng kết năm 2018. Khối gồm "
    "Sở Lao động - Thương binh và Xã hội, Sở Y tế. Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua "
    "cho Sở Lao động - Thương binh và Xã hội."
)
BP_TEXT = (
    "Cụm thi đua số 3 (Cụm III) tỉnh Bình Phước ký kết giao ước thi đua năm 2017; "
    "Công ty Cao su Đồng Phú's làm Cụm trưởng, Trường Cao đẳng nghiệp vụ cao su nhận Bằng khen."
)
HCM_TEXT = "Khối thi đua các trường đại học tổng kết, Trường Đại học Y Dược được tặng Cờ thi đua."


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(r["doc_id"] for r in rows)


@pytest.fixture
def stored(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> dict[str, Article]:
    """Three articles with one finished run of records."""
    bn = make_article(BN_TEXT, title="Khối thi đua số 6 tổng kết", published=date(2019, 1, 3))
    bp = make_article(BP_TEXT, title="Cụm thi đua số 3 ký giao ước", published=date(2017, 3, 28))
    hcm = make_article(HCM_TEXT, title="Khối các trường đại học", published=None)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    records = {
        bn.id: build_record(
            BN_TEXT,
            doc_id="bn",
            province="Bắc Ninh",
            published="2019-01-03",
            event_date="2018-12-28",
            event_kinds=("tong_ket",),
            blocs=(("Khối thi đua số 6", "6", []),),
            members=("Sở Lao động - Thương binh và Xã hội", "Sở Y tế"),
            awards=(("Sở Lao động - Thương binh và Xã hội", "co_thi_dua", "ubnd_tinh", 2018, "proposed"),),
        ),
        bp.id: build_record(
            BP_TEXT,
            doc_id="bp",
            province="Bình Phước",
            published="2017-03-28",
            event_kinds=("giao_uoc",),
            blocs=(("Cụm thi đua số 3", "3", ["Cụm III"]),),
            members=("Công ty Cao su Đồng Phú's",),
            roles=(("Công ty Cao su Đồng Phú's", "khoi_truong", 2017),),
            awards=(("Trường Cao đẳng nghiệp vụ cao su", "bang_khen", None, 2016, "conferred"),),
        ),
        hcm.id: build_record(
            HCM_TEXT,
            doc_id="hcm",
            province="Hồ Chí Minh",
            blocs=(("Khối thi đua các trường đại học", None, []),),
            awards=(("Trường Đại học Y Dược", "co_thi_dua", None, None, "conferred"),),
        ),
    }
    for article in (bn, bp, hcm):
        repository.save_record(session, run=run, article=article, record=records[article.id])
    repository.finish_run(session, run=run, status="finished", stats={})
    session.flush()
    return {"bn": bn, "bp": bp, "hcm": hcm}


def test_no_filter_returns_schema_shaped_records(session: Session, stored: dict[str, Article]) -> None:
    rows = find_records(session)
    assert ids(rows) == ["bn", "bp", "hcm"]
    bp = next(r for r in rows if r["doc_id"] == "bp")
    assert bp["blocs"] == [{"name": "Cụm thi đua số 3", "number": "3", "aliases": ["Cụm III"]}]
    assert bp["roles"] == [{"unit": "Công ty Cao su Đồng Phú's", "role": "khoi_truong", "year": 2017}]
    assert bp["awards"][0]["issuer"] is None
    assert (bp["article_id"], bp["url"], bp["title"]) == (
        stored["bp"].id,
        stored["bp"].url,
        "Cụm thi đua số 3 ký giao ước",
    )
    # newest event first: the Bắc Ninh meeting (2018-12-28), then Bình Phước (2017)
    assert [r["doc_id"] for r in rows][:2] == ["bn", "bp"]


@pytest.mark.parametrize(
    ("province", "expected"),
    [
        ("Bắc Ninh", ["bn"]),
        ("bac ninh", ["bn"]),
        ("tỉnh Bình Phước", ["bp"]),
        ("TP. Hồ Chí Minh", ["hcm"]),
        ("Bình Định", []),
        # a province of 2025 takes in the old ones merged into it; an old name only itself
        ("Đồng Nai", ["bp"]),
        ("dong nai", ["bp"]),
        ("Bình Dương", []),
        ("Thành phố Hồ Chí Minh", ["hcm"]),
    ],
)
def test_filter_by_province(
    session: Session, stored: dict[str, Article], province: str, expected: list[str]
) -> None:
    assert ids(find_records(session, province=province)) == expected
    assert sorted(matching_article_ids(session, province=province)) == sorted(stored[k].id for k in expected)


def test_province_keys_of_old_and_new_names() -> None:
    assert province_keys("Bình Phước") == ("binh phuoc",)
    assert province_keys("Đồng Nai") == ("binh phuoc", "dong nai")
    # Bắc Ninh of 2025 = Bắc Ninh + Bắc Giang; Huế is the old Thừa Thiên Huế
    assert province_keys("tỉnh Bắc Ninh") == ("bac giang", "bac ninh")
    assert province_keys("Bắc Giang") == ("bac giang",)
    assert "thua thien hue" in province_keys("Huế")
    assert province_keys("Atlantis") == ("atlantis",)
    with pytest.raises(QueryError):
        province_keys("--")


@pytest.mark.parametrize(("year", "expected"), [(2018, ["bn"]), (2019, ["bn"]), (2017, ["bp"]), (2020, [])])
def test_filter_by_event_or_published_year(
    session: Session, stored: dict[str, Article], year: int, expected: list[str]
) -> None:
    # bn: meeting on 2018-12-28, published 2019-01-03, so both years find it
    assert ids(find_records(session, year=year)) == expected


@pytest.mark.parametrize(
    ("bloc", "expected"),
    [
        ("6", ["bn"]),
        ("Khối thi đua số 6", ["bn"]),
        ("cum iii", ["bp"]),
        ("KHỐI THI ĐUA", ["bn", "hcm"]),
        ("số 3", ["bp"]),
        ("9", []),
    ],
)
def test_filter_by_bloc_number_name_or_alias(
    session: Session, stored: dict[str, Article], bloc: str, expected: list[str]
) -> None:
    assert ids(find_records(session, bloc=bloc)) == expected


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("Sở Lao động, Thương binh & Xã hội", ["bn"]),  # other punctuation, "&" for "và"
        ("so lao dong thuong binh xa hoi", ["bn"]),  # no diacritics at all
        ("SỞ Y TẾ", ["bn"]),
        ("Trường Cao đẳng nghiệp vụ cao su", ["bp"]),  # an award recipient
        ("Trường", ["bp", "hcm"]),
        ("Sở La", []),  # whole words only
    ],
)
def test_filter_by_unit_ignores_case_and_diacritics(
    session: Session, stored: dict[str, Article], unit: str, expected: list[str]
) -> None:
    assert ids(find_records(session, unit=unit)) == expected


def test_names_with_a_quote_are_bound_parameters(session: Session, stored: dict[str, Article]) -> None:
    assert ids(find_records(session, unit="Công ty Cao su Đồng Phú's")) == ["bp"]
    assert find_records(session, province="Bắc Ninh' OR '1'='1") == []
    assert find_records(session, bloc="6' OR 1=1 --") == []


@pytest.mark.parametrize(
    ("award", "expected"), [("co_thi_dua", ["bn", "hcm"]), ("bang_khen", ["bp"]), ("huan_chuong", [])]
)
def test_filter_by_award_type(
    session: Session, stored: dict[str, Article], award: str, expected: list[str]
) -> None:
    assert ids(find_records(session, award=award)) == expected


def test_filters_combine_and_limit_caps(session: Session, stored: dict[str, Article]) -> None:
    assert ids(find_records(session, award="co_thi_dua", province="Bắc Ninh", year=2018)) == ["bn"]
    assert find_records(session, award="co_thi_dua", province="Bình Phước") == []
    assert len(find_records(session, limit=2)) == 2


@pytest.mark.parametrize(
    "kw", [{"award": "Cờ thi đua"}, {"unit": " - "}, {"province": "..."}, {"bloc": "  "}, {"limit": 0}]
)
def test_unusable_filters_say_so(session: Session, stored: dict[str, Article], kw: dict[str, Any]) -> None:
    with pytest.raises(QueryError):
        find_records(session, **kw)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"year": 0}, "year must be between 1 and 9999, not 0"),
        ({"year": -1}, "year must be between 1 and 9999, not -1"),
        ({"year": 10**20}, "year must be between 1 and 9999, not 100,000,000,000,000,000,000"),
        ({"limit": 2**63}, "limit must be between 1 and 9,223,372,036,854,775,807, not 9,223,"),
        ({"limit": -5}, "limit must be between 1 and"),
        # undecodable bytes of a command-line argument arrive as lone surrogates (PEP 383)
        ({"bloc": "Kh\udcf4i 6"}, r"bloc 'Kh\\udcf4i 6' holds bytes that are not UTF-8 text"),
        ({"unit": "S\udcc6 Y t\udce9"}, "unit .* holds bytes that are not UTF-8 text"),
        ({"province": "B\udcaec Ninh"}, "province .* holds bytes that are not UTF-8 text"),
        ({"unit": "Sở Y tế " * 15_000}, "unit is 120,000 characters long; give at most 500"),
        ({"bloc": "6" * 501}, "bloc is 501 characters long"),
        ({"unit": "Sở Y\x00 tế"}, "holds a NUL character"),
        ({"bloc": "%"}, "bloc '%' has no letters or digits to match"),
        ({"bloc": "_"}, "bloc '_' has no letters or digits to match"),
        ({"unit": "%"}, "unit '%' has no letters or digits to match"),
    ],
)
def test_bad_filter_values_raise_a_query_error(
    session: Session, stored: dict[str, Article], kw: dict[str, Any], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        find_records(session, **kw)


@pytest.mark.parametrize("year", [1, 9999])
def test_the_first_and_last_years_are_valid_filters(
    session: Session, stored: dict[str, Article], year: int
) -> None:
    assert find_records(session, year=year) == []


def test_the_largest_limit_is_accepted(session: Session, stored: dict[str, Article]) -> None:
    assert ids(find_records(session, limit=2**63 - 1)) == ["bn", "bp", "hcm"]


@pytest.mark.parametrize(("needle", "found"), [("so y te", True), ("so%te", False), ("s_ y te", False)])
def test_like_wildcards_in_a_key_match_only_themselves(session: Session, needle: str, found: bool) -> None:
    # keys hold only [a-z0-9 ] today; the escaping keeps '%' and '_' literal should that change
    assert session.scalar(select(_has_word_run(literal("ubnd so y te tinh"), needle))) is found


def test_queries_read_the_newest_run_unless_told_otherwise(
    session: Session, stored: dict[str, Article], build_record: Callable[..., Record]
) -> None:
    first_run_id = find_records(session)[0]["run_id"]
    run2 = repository.start_run(session, extractor_version="0.2.0", config={})
    fixed = build_record(BN_TEXT, doc_id="bn", province="Bắc Ninh", members=("Sở Y tế",))
    repository.save_record(session, run=run2, article=stored["bn"], record=fixed)
    session.flush()

    assert ids(find_records(session, unit="Sở Lao động - Thương binh và Xã hội")) == []
    assert ids(find_records(session, unit="Sở Lao động - Thương binh và Xã hội", run_id=first_run_id)) == [
        "bn"
    ]
    assert ids(find_records(session)) == ["bn", "bp", "hcm"]
    assert ids(find_records(session, run_id=run2.id)) == ["bn"]


def test_summary_counts(
    session: Session, stored: dict[str, Article], make_article: Callable[..., Article]
) -> None:
    make_article("Giá lúa tăng nhẹ trong tuần.", title="Thị trường", is_bloc_news=False)
    repository.record_failure(session, stage="fetch", url="https://x/1", portal=None, error="timeout")
    repository.record_failure(session, stage="fetch", url="https://x/2", portal=None, error="timeout")
    repository.record_failure(session, stage="clean", url="https://x/3", portal=None, error="empty")
    repository.resolve_failures(session, url="https://x/1")
    session.flush()

    s = summary(session)
    assert (s["pages"], s["fetches"], s["articles"], s["bloc_news_articles"]) == (4, 4, 4, 3)
    assert s["records"] == 3
    assert s["facts"] == {
        "published": 2,
        "province": 3,
        "event_date": 1,
        "event_kind": 2,
        "bloc": 3,
        "member": 3,
        "role": 1,
        "award": 3,
    }
    assert s["failures"] == {"clean": 1, "fetch": 2}
    assert s["unresolved_failures"] == 2
    assert summary(session, run_id=10_000)["records"] == 0


# --- queries read the current record (corrections applied) ----------------------------------

FILTERS: list[dict[str, Any]] = [
    {},
    {"province": "bac ninh"},
    {"province": "TP. Hồ Chí Minh"},
    {"year": 2018},
    {"year": 2017},
    {"year": 2019},
    {"bloc": "3"},
    {"bloc": "III"},
    {"bloc": "cụm III"},
    {"bloc": "khối các trường"},
    {"unit": "Sở Y tế"},
    {"unit": "Cao su"},
    {"unit": "Trường Đại học Y Dược"},
    {"award": "co_thi_dua"},
    {"award": "bang_khen", "year": 2017},
    {"limit": 1},
    {"limit": 2},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) or "none" for f in FILTERS])
def test_corrected_records_match_the_filters_as_machine_records_do(
    session: Session, stored: dict[str, Article], filters: dict[str, Any]
) -> None:
    # an accepted fact changes no value: every filter must find the same records, in the same
    # order, whether a record is read from the fact tables (SQL) or overlaid (Python)
    machine = [r["doc_id"] for r in find_records(session, **filters)]
    for article in stored.values():
        corrections.accept_fact(session, article_id=article.id, fact="province", editor="Lan")
    assert [r["doc_id"] for r in find_records(session, **filters)] == machine


def test_queries_find_records_by_their_corrected_values(session: Session, stored: dict[str, Article]) -> None:
    bn, bp = stored["bn"].id, stored["bp"].id
    ed = {"editor": "Nguyễn Thị Lan"}
    corrections.delete_fact(session, article_id=bn, fact="member:so y te", **ed)
    corrections.add_fact(session, article_id=bp, field="member", value="Sở Y tế", **ed)
    corrections.change_fact(session, article_id=bp, fact="province", value="Đồng Nai", **ed)
    corrections.change_fact(session, article_id=bp, fact="event_kind:giao_uoc", value="tong_ket", **ed)
    corrections.change_fact(
        session, article_id=bn, fact="bloc#0", value={"name": "Khối thi đua số 7", "number": "7"}, **ed
    )
    corrections.add_fact(
        session,
        article_id=bn,
        field="award",
        value={"recipient": "Sở Tư pháp", "award": "huan_chuong", "status": "proposed"},
        **ed,
    )

    assert ids(find_records(session, unit="Sở Y tế")) == ["bp"]
    assert ids(find_records(session, province="Đồng Nai")) == ["bp"]
    assert ids(find_records(session, province="Bình Phước")) == []
    assert ids(find_records(session, province="Bình Dương")) == []
    assert ids(find_records(session, bloc="6")) == []
    assert ids(find_records(session, bloc="7")) == ["bn"]
    assert ids(find_records(session, award="huan_chuong")) == ["bn"]
    found = find_records(session, province="Đồng Nai")[0]
    assert found["event_kinds"] == ["tong_ket"] and found["members"][-1] == "Sở Y tế"
    assert found["corrected_facts"] == 3


def test_a_corrected_date_moves_a_record_in_the_order(session: Session, stored: dict[str, Article]) -> None:
    assert [r["doc_id"] for r in find_records(session)] == ["bn", "bp", "hcm"]
    corrections.add_fact(
        session, article_id=stored["hcm"].id, field="event_date", value="2020-05-01", editor="Lan"
    )
    corrections.change_fact(
        session, article_id=stored["bn"].id, fact="event_date", value="2016-12-28", editor="Lan"
    )
    assert [r["doc_id"] for r in find_records(session)] == ["hcm", "bp", "bn"]
    assert [r["doc_id"] for r in find_records(session, limit=2)] == ["hcm", "bp"]
    assert ids(find_records(session, year=2020)) == ["hcm"]
