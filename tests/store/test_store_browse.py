"""The web app's read side (store.browse) on both engines: search, sort, pages, facets, queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from extract.record import Record
from store import browse as browse_module
from store import corrections, repository
from store.browse import (
    Filters,
    article_ids_with_text,
    article_text,
    browse,
    matching_ids,
    overview,
    raw_page,
)
from store.current import current_record
from store.errors import ArticleNotFoundError, QueryError
from store.facet_index import FacetIndex
from store.models import Article
from store.review_queue import next_in_queue, review_queue


@pytest.fixture(params=["in SQL", "in memory"])
def both_paths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test twice: `browse` counting in SQL, then from an in-memory index
    (`store.facet_index`) built at that moment, which must give the same answers."""
    if request.param == "in memory":
        sql_browse = browse

        def with_index(session: Session, filters: Filters, **kw: object) -> object:
            return sql_browse(session, filters, index=FacetIndex.build(session), **kw)  # type: ignore[arg-type]

        monkeypatch.setitem(globals(), "browse", with_index)


TA = "Khối thi đua số 2 tỉnh Lạng Sơn họp năm 2020: Sở Công Thương, Sở Xây dựng. Sở Xây dựng nhận Cờ thi đua."
TB = "Cụm thi đua số 4 tỉnh Hà Giang năm 2021 gồm Sở Giáo dục và Đào tạo, Sở Nông nghiệp 100% hoàn thành."
TC = "Khối thi đua số 2 tỉnh Lạng Sơn năm 2022: Sở Công Thương làm Khối trưởng."


@pytest.fixture
def stored(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> dict[str, Article]:
    a = make_article(TA, title="Khối 2 Lạng Sơn 2020", published=date(2020, 12, 1))
    b = make_article(TB, title="Cụm 4 Hà Giang", published=date(2021, 6, 1))
    c = make_article(TC, title="Khối 2 năm 2022", published=date(2022, 3, 1))
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    records = {
        a.id: build_record(
            TA,
            doc_id="a",
            province="Lạng Sơn",
            blocs=(("Khối thi đua số 2", "2", []),),
            members=("Sở Công Thương", "Sở Xây dựng"),
            awards=(("Sở Xây dựng", "co_thi_dua", "ubnd_tinh", 2020, "conferred"),),
        ),
        b.id: build_record(
            TB,
            doc_id="b",
            province="Hà Giang",
            blocs=(("Cụm thi đua số 4", "4", []),),
            members=("Sở Giáo dục và Đào tạo", "Sở Nông nghiệp", "Sở Y tế"),
        ),
        c.id: build_record(
            TC,
            doc_id="c",
            province="Lạng Sơn",
            blocs=(("Khối thi đua số 2", "2", []),),
            members=("Sở Công Thương",),
            roles=(("Sở Công Thương", "khoi_truong", 2022),),
        ),
    }
    for art in (a, b, c):
        repository.save_record(session, run=run, article=art, record=records[art.id])
    repository.finish_run(session, run=run, status="finished", stats={})
    session.flush()
    return {"a": a, "b": b, "c": c}


def test_text_search_is_a_case_insensitive_substring_with_wildcards_escaped(
    session: Session, stored: dict[str, Article]
) -> None:
    assert article_ids_with_text(session, "xây dựng") == [stored["a"].id]
    assert article_ids_with_text(session, "KHỐI 2") == sorted([stored["a"].id, stored["c"].id])  # titles
    # "%" and "_" are the words themselves, not LIKE wildcards
    assert article_ids_with_text(session, "100%") == [stored["b"].id]
    assert article_ids_with_text(session, "S_ ") == []
    assert article_ids_with_text(session, "   ") == []
    with pytest.raises(QueryError):
        article_ids_with_text(session, "a\x00b")


@pytest.mark.usefixtures("both_paths")
def test_browse_filters_sorts_pages_and_counts_facets_over_every_match(
    session: Session, stored: dict[str, Article]
) -> None:
    page = browse(session, Filters(province="Lang Son"), sort="date", descending=False, per_page=1)
    assert page.total == 2
    assert [r["article_id"] for r in page.rows] == [stored["a"].id]  # oldest first, one a page
    assert matching_ids(session, Filters(province="Lang Son")) == [stored["a"].id, stored["c"].id]
    assert page.facets["province"] == {"Lạng Sơn": 2}
    assert page.facets["year"] == {2020: 1, 2022: 1}
    assert page.facets["unit"]["Sở Công Thương"] == 2
    assert page.facets["award"] == {"co_thi_dua": 1}
    second = browse(session, Filters(province="Lang Son"), sort="date", descending=False, page=2, per_page=1)
    assert [r["article_id"] for r in second.rows] == [stored["c"].id]
    by_members = browse(session, Filters(), sort="members", descending=True)
    assert by_members.rows[0]["article_id"] == stored["b"].id and by_members.rows[0]["members"] == 3
    text_and_facet = browse(session, Filters(q="khối trưởng", province="Lạng Sơn"))
    assert [r["article_id"] for r in text_and_facet.rows] == [stored["c"].id]


@pytest.mark.usefixtures("both_paths")
def test_bloc_and_unit_facets_count_the_newest_matches_past_a_bound(
    session: Session, stored: dict[str, Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = browse(session, Filters())
    assert everything.names_over == everything.total == 3  # under the bound: every match
    monkeypatch.setattr(browse_module, "NAMES_OVER", 2)
    page = browse(session, Filters())
    # names of the two newest (2022 and 2021), every other facet over all three matches
    assert page.total == 3 and page.names_over == 2
    assert page.facets["unit"] == {
        "Sở Công Thương": 1,
        "Sở Giáo dục và Đào tạo": 1,
        "Sở Nông nghiệp": 1,
        "Sở Y tế": 1,
    }
    assert page.facets["bloc"] == {"Cụm thi đua số 4": 1, "Khối thi đua số 2": 1}
    assert page.facets["province"] == {"Lạng Sơn": 2, "Hà Giang": 1}


@pytest.mark.usefixtures("both_paths")
def test_browse_reads_corrected_values(session: Session, stored: dict[str, Article]) -> None:
    corrections.change_fact(
        session, article_id=stored["b"].id, fact="province", value="Lạng Sơn", editor="Lan"
    )
    page = browse(session, Filters(province="Lạng Sơn"))
    assert page.total == 3 and matching_ids(session, Filters(province="Lạng Sơn")) == sorted(
        a.id for a in stored.values()
    )
    assert page.facets["review_state"] == {"machine": 2, "corrected": 1}
    assert [r["article_id"] for r in browse(session, Filters(review="corrected")).rows] == [stored["b"].id]
    assert matching_ids(session, Filters(review="corrected")) == [stored["b"].id]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"sort": "nope"}, "unknown sort"),
        ({"page": 0}, "page must be"),
        ({"per_page": 10_000}, "per_page must be"),
    ],
)
def test_browse_refuses_a_bad_page(session: Session, kw: dict[str, object], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        browse(session, Filters(), **kw)  # type: ignore[arg-type]


def test_overview_counts_what_the_database_holds(session: Session, stored: dict[str, Article]) -> None:
    out = overview(session)
    assert out["records"] == 3
    assert out["provinces"] == ["Hà Giang", "Lạng Sơn"]
    assert out["years"] == [2020, 2021, 2022]
    assert out["awards_by_year"] == {2020: {"Lạng Sơn": 1}}


def test_raw_page_and_text(session: Session, stored: dict[str, Article]) -> None:
    raw = raw_page(session, stored["a"].id)
    assert raw.text.startswith("<html>") and raw.status == 200
    assert article_text(session, stored["b"].id) == TB
    with pytest.raises(ArticleNotFoundError):
        raw_page(session, 10**9)
    with pytest.raises(ArticleNotFoundError):
        article_text(session, 10**9)


def test_review_queue_puts_flags_first_then_lowest_confidence(
    session: Session, stored: dict[str, Article], build_record: Callable[..., Record]
) -> None:
    # make_record's confidences: member 0.7, award 0.6, role 0.85, bloc 0.95, scalars 0.9
    queue = review_queue(session, limit=None)
    assert [i.article_id for i in queue] == [stored["a"].id, stored["b"].id, stored["c"].id]
    assert queue[0].lowest_confidence == pytest.approx(0.6)
    # verifying every fact of a record takes it out of the queue
    corrections.verify(session, article_id=stored["a"].id, editor="Lan")
    assert stored["a"].id not in [i.article_id for i in review_queue(session, limit=None)]
    # a review flag (the machine changed its mind under a correction) brings a record to the top
    corrections.change_fact(
        session, article_id=stored["c"].id, fact="member#0", value="Sở Tài chính", editor="Lan"
    )
    art_c = stored["c"]
    run = repository.start_run(session, extractor_version="0.4.2", config={})
    repository.save_record(
        session,
        run=run,
        article=art_c,
        record=build_record(TC, doc_id="c", province="Lạng Sơn", members=("Sở Công Thương tỉnh Lạng Sơn",)),
    )
    repository.finish_run(session, run=run, status="finished", stats={})
    queue = review_queue(session, limit=None)
    assert queue[0].article_id == art_c.id and queue[0].flags >= 1
    assert review_queue(session, limit=1, offset=1)[0].article_id == queue[1].article_id
    assert next_in_queue(session, after=None) == art_c.id
    assert next_in_queue(session, after=art_c.id) == queue[1].article_id
    assert next_in_queue(session, after=queue[-1].article_id) is None


TD = "Hội nghị sơ kết của các đơn vị tỉnh Lạng Sơn, không nêu khối."


@pytest.mark.usefixtures("both_paths")
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(q="sở", year_from=2020, year_to=2021, unit="Sở Công Thương"),
        Filters(
            province="Lạng Sơn", award="co_thi_dua", award_status="conferred", bloc="2", review="machine"
        ),
    ],
)
def test_sql_and_overlay_paths_give_the_same_answer(
    session: Session,
    stored: dict[str, Article],
    make_article: Callable[..., Article],
    build_record: Callable[..., Record],
    filters: Filters,
) -> None:
    # an article without bloc, province or dates, so missing values sort too
    d = make_article(TD, title="Không khối", published=None)
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    repository.save_record(
        session, run=run, article=d, record=build_record(TD, doc_id="d", members=("Sở Y tế",))
    )
    repository.finish_run(session, run=run, status="finished", stats={})

    def answers() -> list[object]:
        out: list[object] = [matching_ids(session, filters)]
        for sort in ("date", "title", "province", "bloc", "members", "awards", "review"):
            for descending in (True, False):
                page = browse(session, filters, sort=sort, descending=descending, per_page=2)
                rest = browse(session, filters, sort=sort, descending=descending, page=2, per_page=2)
                out.append(
                    (
                        sort,
                        descending,
                        page.total,
                        page.facets,
                        [r["article_id"] for r in page.rows + rest.rows],
                    )
                )
        return out

    machine = answers()  # no correction
    for art in (*stored.values(), d):  # a verify changes no value, only rewrites the current records
        corrections.verify(session, article_id=art.id, editor="Lan")
    assert answers() == machine


@pytest.mark.usefixtures("both_paths")
def test_missing_values_sort_last_both_ways_and_corrected_values_sort_and_count(
    session: Session,
    stored: dict[str, Article],
    make_article: Callable[..., Article],
    build_record: Callable[..., Record],
) -> None:
    a, b, c = (stored[k].id for k in "abc")
    d = make_article(TD, title="Không khối", published=None)  # no date, no bloc, no province
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    repository.save_record(
        session, run=run, article=d, record=build_record(TD, doc_id="d", members=("Sở Y tế",))
    )
    repository.finish_run(session, run=run, status="finished", stats={})

    def order(sort: str, descending: bool) -> list[int]:
        return [r["article_id"] for r in browse(session, Filters(), sort=sort, descending=descending).rows]

    assert order("date", True) == [c, b, a, d.id]
    assert order("date", False) == [a, b, c, d.id]
    assert order("bloc", False)[-1] == d.id and order("bloc", True)[-1] == d.id
    assert order("province", True) == [c, a, b, d.id]  # "Lạng Sơn" after "Hà Giang", ties by id
    # an editor's member makes a the record with the most members, and counts under its unit
    for unit in ("Sở Tư pháp", "Sở Nội vụ"):
        corrections.add_fact(session, article_id=a, field="member", value=unit, editor="Lan")
    assert order("members", True)[:2] == [a, b]
    page = browse(session, Filters(unit="Sở Tư pháp"))
    assert [r["article_id"] for r in page.rows] == [a] and page.rows[0]["members"] == 4
    assert page.facets["unit"] == {"Sở Công Thương": 1, "Sở Nội vụ": 1, "Sở Tư pháp": 1, "Sở Xây dựng": 1}
    assert page.facets["review_state"] == {"corrected": 1}


@pytest.mark.usefixtures("both_paths")
def test_the_table_rows_say_what_the_current_records_say(
    session: Session,
    stored: dict[str, Article],
    make_article: Callable[..., Article],
    build_record: Callable[..., Record],
) -> None:
    """Each line of the results table, read from columns, equals what the record itself says,
    corrected or not, dated or not (the record read back through `store.current`)."""
    d = make_article(TD, title="Không khối", published=None)
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    repository.save_record(
        session, run=run, article=d, record=build_record(TD, doc_id="d", members=("Sở Y tế",))
    )
    repository.finish_run(session, run=run, status="finished", stats={})
    a = stored["a"].id
    corrections.add_fact(session, article_id=a, field="member", value="Sở Nội vụ", editor="Lan")
    corrections.delete_fact(session, article_id=stored["b"].id, fact="bloc#0", editor="Lan")
    rows = browse(session, Filters(), per_page=50).rows
    assert len(rows) == 4
    for row in rows:
        record = current_record(session, row["article_id"])
        article = session.get(Article, row["article_id"])
        assert article is not None
        published = article.published.isoformat() if article.published else None
        assert row == {
            "article_id": article.id,
            "title": article.title,
            "url": article.url,
            "date": record["event_date"] or record["published"] or published,
            "year": row["year"],
            "province": record["province"],
            "bloc": record["blocs"][0]["name"] if record["blocs"] else None,
            "members": len(record["members"]),
            "roles": len(record["roles"]),
            "awards": len(record["awards"]),
            "review": row["review"],
            "extractor_version": record["extractor_version"],
        }
    by_id = {r["article_id"]: r for r in rows}
    assert by_id[a]["review"] == "corrected" and by_id[stored["c"].id]["review"] == "machine"
    assert by_id[d.id]["date"] is None and by_id[d.id]["bloc"] is None
