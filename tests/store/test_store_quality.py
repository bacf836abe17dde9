"""Measured quality against verified records on both engines: what store.quality reads, scored by
thidua.quality."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, repository
from store.models import Article
from store.quality import verified_article_ids, verified_sets
from thidua.quality import measured_quality as verified_quality

T1 = "Khối thi đua số 5 tỉnh Yên Bái năm 2019 gồm Sở Y tế, Sở Tư pháp, Sở Nội vụ và Sở Ngoại vụ."
T2 = "Cụm thi đua số 1 tỉnh Nam Định năm 2020: Sở Tài chính, Sở Xây dựng."


@pytest.fixture
def two(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> tuple[Article, Article]:
    a = make_article(T1, title="Khối 5", published=date(2019, 5, 1))
    b = make_article(T2, title="Cụm 1", published=date(2020, 5, 1))
    for version, members in (("0.3.0", ("Sở Y tế",)), ("0.4.0", ("Sở Y tế", "Sở Tư pháp", "Sở Ngoại vụ"))):
        run = repository.start_run(session, extractor_version=version, config={})
        repository.save_record(
            session, run=run, article=a, record=build_record(T1, doc_id="a", members=members)
        )
        repository.save_record(
            session, run=run, article=b, record=build_record(T2, doc_id="b", members=("Sở Tài chính",))
        )
        repository.finish_run(session, run=run, status="finished", stats={})
    session.flush()
    return a, b


def test_precision_and_recall_by_version_against_verified_records(
    session: Session, two: tuple[Article, Article]
) -> None:
    a, b = two
    assert verified_quality(session)["verified_records"] == 0
    # the editor removes a wrong member, adds a missed one and verifies the record: gold is
    # Sở Y tế, Sở Tư pháp, Sở Nội vụ
    corrections.delete_fact(session, article_id=a.id, fact="member#2", editor="Lan")
    corrections.add_fact(session, article_id=a.id, field="member", value="Sở Nội vụ", editor="Lan")
    corrections.verify(session, article_id=a.id, editor="Lan")
    corrections.verify(session, article_id=b.id, field="member", editor="Lan")  # one field: not gold
    assert verified_article_ids(session) == [a.id]
    sets = verified_sets(session)
    assert list(sets.golds) == [str(a.id)] and list(sets.by_version) == ["0.3.0", "0.4.0"]
    assert sets.golds[str(a.id)]["members"] == ["Sở Y tế", "Sở Tư pháp", "Sở Nội vụ"]
    out = verified_quality(session)
    assert out["verified_records"] == 1
    by = {v["extractor_version"]: v for v in out["by_version"]}
    assert by["0.4.0"]["records"] == 1
    m4, m3 = by["0.4.0"]["fields"]["members"], by["0.3.0"]["fields"]["members"]
    assert (m4["tp"], m4["gold"], m4["pred"]) == (2, 3, 3)  # Sở Ngoại vụ wrong, Sở Nội vụ missed
    assert (m3["tp"], m3["gold"], m3["pred"]) == (1, 3, 1)
    assert m3["precision"] == 1.0 and m3["recall"] == pytest.approx(1 / 3)
    # the newest records hold 4 member facts, all 0.7, ranked by kind and id: the first fifth
    # (round(0.8) = 1 fact) is Sở Y tế; the delete hit Sở Ngoại vụ, third
    assert out["queue"] == {"facts_ranked": 4, "fixes": 1, "in_first_fifth": 0, "share": 0.0, "unranked": 0}


def test_an_undone_verify_is_not_gold_and_fixes_are_ranked(
    session: Session, two: tuple[Article, Article]
) -> None:
    a, _ = two
    v = corrections.verify(session, article_id=a.id, editor="Lan")
    corrections.undo(session, correction_id=v.id, editor="Lan")
    assert verified_article_ids(session) == []
    # make the lowest fact unmistakable: delete members of both records; the first fifth of 4
    # facts (all 0.7) is one fact, in ranking order (kind, then id): the first member row
    first = corrections.delete_fact(session, article_id=a.id, fact="member#0", editor="Lan")
    corrections.delete_fact(session, article_id=a.id, fact="member#1", editor="Lan")
    q = verified_quality(session)["queue"]
    assert q["fixes"] == 2 and q["unranked"] == 0
    assert q["in_first_fifth"] == 1 and q["share"] == 0.5
    assert first.fact_id is not None
