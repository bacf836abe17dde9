"""The yearly counts (store.counts) kept with every write, on both engines: after stores,
re-extractions, corrections and undos they equal the counts recomputed from scratch and a
count made by hand from the current records; folding changes no sum."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, counts, repository
from store.current import current_records
from store.keys import name_key
from store.models import Article, CurrentCount
from store.research import bloc_timeline, facet_counts, unit_timeline

TEXT = "Khối thi đua số 2 họp: Sở Y tế, Sở Xây dựng, Sở Tư pháp; Sở Y tế làm Khối trưởng."


def by_hand(session: Session, unit: str) -> dict[int | None, dict[str, Any]]:
    """A unit's records and roles per year, counted from the current records themselves."""
    key = name_key(unit)
    ids = list(session.scalars(select(Article.id)))
    years: dict[int | None, dict[str, Any]] = {}
    for record in current_records(session, ids):
        published = session.get(Article, record["article_id"]).published
        ry = next(
            (int(v[:4]) for v in (record["event_date"], record["published"]) if v),
            published.year if published else None,
        )
        present: set[int | None] = set()
        for m in record["members"]:
            if name_key(m) == key:
                present.add(ry)
        for r in record["roles"]:
            if name_key(r["unit"]) == key:
                present |= {ry, r["year"] or ry}
                at = years.setdefault(r["year"] or ry, {"records": 0, "roles": Counter()})
                at["roles"][r["role"]] += 1
        for a in record["awards"]:
            if name_key(a["recipient"]) == key:
                present.add(a["year"] or ry)
        for y in present:
            years.setdefault(y, {"records": 0, "roles": Counter()})["records"] += 1
    return years


def from_timeline(timeline: list[dict[str, Any]]) -> dict[int | None, dict[str, Any]]:
    out: dict[int | None, dict[str, Any]] = {}
    for e in timeline:
        roles: Counter[str] = Counter()
        for r in e["roles"]:
            roles[r["role"]] += r["records"]
        out[e["year"]] = {"records": e["records"], "roles": roles}
    return out


@pytest.fixture
def busy(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> list[Article]:
    """Six articles stored, two re-extracted with other facts, corrected, one correction undone."""
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    articles = []
    for i in range(6):
        article = make_article(TEXT, title=f"Họp {i}", published=date(2019 + i % 3, 5, 1))
        record = build_record(
            TEXT,
            doc_id=f"a{i}",
            province="Hà Nam" if i % 2 else "Nam Định",
            blocs=(("Khối thi đua số 2", "2", []),),
            members=("Sở Y tế", "Sở Xây dựng", "Sở Tư pháp"),
            roles=(("Sở Y tế", "khoi_truong", 2020 if i == 3 else None),),
            awards=(("Sở Xây dựng", "bang_khen", None, None, "proposed"),) if i % 3 == 0 else (),
        )
        repository.save_record(session, run=run, article=article, record=record)
        articles.append(article)
    repository.finish_run(session, run=run, status="finished", stats={})
    rerun = repository.start_run(session, extractor_version="0.2.0", config={})
    for article in articles[:2]:  # the newer run names another leader and drops a member
        record = build_record(
            TEXT,
            doc_id=f"b{article.id}",
            province="Hà Nam",
            blocs=(("Khối thi đua số 2", "2", []),),
            members=("Sở Y tế", "Sở Tư pháp"),
            roles=(("Sở Tư pháp", "khoi_pho", None),),
        )
        repository.save_record(session, run=rerun, article=article, record=record)
    corrections.delete_fact(session, article_id=articles[2].id, fact="member:so xay dung", editor="Lan")
    corrections.change_fact(
        session, article_id=articles[3].id, fact="province", value="Ninh Bình", editor="Lan"
    )
    undone = corrections.add_fact(
        session, article_id=articles[5].id, field="member", value="Sở Nội vụ", editor="Lan"
    )
    corrections.undo(session, correction_id=undone.id, editor="Lan")
    session.flush()
    return articles


def test_counts_kept_with_writes_equal_a_recount(session: Session, busy: list[Article]) -> None:
    kept = counts.totals(session)
    assert kept  # not trivially equal
    counts.recount(session)
    assert counts.totals(session) == kept


def test_compact_folds_rows_and_keeps_every_sum(session: Session, busy: list[Article]) -> None:
    before = counts.totals(session)
    counts.compact(session)
    rows = session.scalar(select(func.count()).select_from(CurrentCount))
    assert rows == len(before)  # one row per non-zero group
    assert counts.totals(session) == before
    counts.compact(session)  # again: nothing changes
    assert counts.totals(session) == before


def test_compact_rewrites_only_the_keys_written_since_the_last_fold(
    session: Session, busy: list[Article]
) -> None:
    counts.compact(session)
    before = {r.id: r.key for r in session.scalars(select(CurrentCount))}
    assert counts.compact(session) == 0  # nothing appended since
    corrections.delete_fact(session, article_id=busy[4].id, fact="member:so tu phap", editor="Lan")
    kept = counts.totals(session)
    counts.compact(session)
    assert counts.totals(session) == kept
    after = {r.id: r.key for r in session.scalars(select(CurrentCount))}
    rewritten = {key for i, key in before.items() if i not in after}
    # the keys whose sums the correction changed: the unit, the bloc (a member fewer), the
    # record scope (now corrected); the article's other units net to zero and are not touched
    assert rewritten == {"so tu phap", "khoi thi dua so 2", ""}
    untouched = {i for i, key in before.items() if key not in rewritten}
    assert untouched and untouched <= set(after)


def test_finish_run_folds_the_counts(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    for i in range(3):
        article = make_article(TEXT, title=f"Họp {i}")
        record = build_record(TEXT, doc_id=f"f{i}", province="Hà Nam", members=("Sở Y tế",))
        repository.save_record(session, run=run, article=article, record=record)
    unfolded = session.scalar(select(func.count()).select_from(CurrentCount))
    repository.finish_run(session, run=run, status="finished", stats={})
    folded = session.scalar(select(func.count()).select_from(CurrentCount))
    assert folded is not None and unfolded is not None and folded < unfolded
    assert folded == len(counts.totals(session))


@pytest.mark.parametrize("unit", ["Sở Y tế", "Sở Tư pháp", "Sở Xây dựng", "Sở Nội vụ"])
def test_unit_timeline_equals_a_count_by_hand(session: Session, busy: list[Article], unit: str) -> None:
    assert from_timeline(unit_timeline(session, unit)) == by_hand(session, unit)


def test_bloc_timeline_and_facets_follow_the_latest_writes(session: Session, busy: list[Article]) -> None:
    (y2019, y2020, y2021) = bloc_timeline(session, "2")
    assert [y["records"] for y in (y2019, y2020, y2021)] == [2, 3, 2]  # the role of 2020 adds one
    leaders: Counter[tuple[str, str]] = Counter()
    for y in (y2019, y2020, y2021):
        for x in y["leaders"]:
            leaders[x["unit"], x["role"]] += x["records"]
    assert leaders == {("Sở Tư pháp", "khoi_pho"): 2, ("Sở Y tế", "khoi_truong"): 4}
    members = Counter({m["name"]: m["records"] for m in y2019["members"]})
    # of 2019's two records, the re-extracted one no longer names Sở Xây dựng
    assert members == {"Sở Y tế": 2, "Sở Tư pháp": 2, "Sở Xây dựng": 1}
    (y2021_xd,) = [m["records"] for m in y2021["members"] if m["name"] == "Sở Xây dựng"]
    assert y2021_xd == 1  # one of 2021's two lost it to an editor's deletion
    f = facet_counts(session)
    assert f["records"] == 6
    assert f["facets"]["province"] == {"Hà Nam": 3, "Nam Định": 2, "Ninh Bình": 1}
    assert f["facets"]["review_state"] == {"machine": 4, "corrected": 2}  # the undo restored one
    # the unfiltered counts (store.counts) agree with the same facets through a filter's scan
    assert facet_counts(session, review="corrected")["records"] == 2
    assert f["facets"]["province_2025"] == {"Ninh Bình": 6}  # Hà Nam and Nam Định merged into it
    assert [facet_counts(session, province=p)["records"] for p in ("Hà Nam", "Nam Định", "Ninh Bình")] == [
        3,
        2,
        6,
    ]
