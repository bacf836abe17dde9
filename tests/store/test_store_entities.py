"""Entities across articles (store.entities, store.reorg, store.entity_corrections, store.blocs)
on both engines. The articles and records are written for these tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, repository
from store.blocs import bloc_history, blocs_by_year
from store.entities import find_entities, link_all, link_article, unit_key
from store.entity_corrections import (
    check_state,
    groups,
    merge_entities,
    split_entity,
    undo_entity_correction,
)
from store.entity_pages import entity_detail, list_entities
from store.entity_preview import preview_merge, preview_split, preview_undo
from store.errors import (
    CorrectionNotFoundError,
    EntityKindError,
    EntityNotFoundError,
    InvalidEditorError,
    NotMergedError,
    PreviewOutdatedError,
    QueryError,
    SelfMergeError,
    UndoConflictError,
)
from store.models import Article, Entity, EntityCorrection, EntityLink, FactEntity

Store = Callable[..., Article]

A1 = (
    "Khối thi đua các sở tỉnh Bắc Ninh họp tổng kết năm 2018. Khối gồm Sở GD&ĐT, Sở Y tế tỉnh Bắc Ninh "
    "và Sở Tư pháp. Sở Tư pháp làm Khối trưởng."
)
A2 = (
    "Năm 2019, Khối thi đua số 6 của tỉnh Bắc Ninh có Sở Giáo dục và Đào tạo, Sở Y tế, Sở Tư pháp. "
    "UBND tỉnh tặng Cờ thi đua cho Sở Y tế."
)


@pytest.fixture
def store(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> Store:
    """Store an article with a record from its own run, link it, and return the article."""

    def put(
        text: str, *, article: Article | None = None, published: date | None = None, **record: Any
    ) -> Article:
        article = article or make_article(text, title=text[:40], published=published or date(2019, 1, 2))
        run = repository.start_run(session, extractor_version="0.4.1", config={})
        row = repository.save_record(session, run=run, article=article, record=build_record(text, **record))
        repository.finish_run(session, run=run, status="finished", stats={})
        link_article(session, article, row)
        session.flush()
        return article

    return put


def _entity(session: Session, kind: str, province: str, key: str) -> Entity:
    return session.scalars(
        select(Entity).where(Entity.kind == kind, Entity.province == province, Entity.key == key)
    ).one()


def _links(session: Session, article: Article) -> dict[str, tuple[int, int]]:
    rows = session.execute(
        select(FactEntity.fact_key, FactEntity.id, FactEntity.entity_id).where(
            FactEntity.article_id == article.id
        )
    )
    return {key: (row_id, eid) for key, row_id, eid in rows}


def test_one_unit_across_articles_with_its_abbreviations(session: Session, store: Store) -> None:
    a1 = store(A1, province="Bắc Ninh", members=("Sở GD&ĐT", "Sở Y tế tỉnh Bắc Ninh", "Sở Tư pháp"))
    a2 = store(A2, province="Bắc Ninh", members=("Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Tư pháp"))
    school = _entity(session, "unit", "Bắc Ninh", "so giao duc dao tao")
    health = _entity(session, "unit", "Bắc Ninh", "so y te")
    assert school.name == "Sở Giáo dục và Đào tạo"  # the abbreviation spelled out
    assert {a.alias for a in school.aliases} == {"Sở GD&ĐT", "Sở Giáo dục và Đào tạo"}
    assert {a.alias for a in health.aliases} == {"Sở Y tế tỉnh Bắc Ninh", "Sở Y tế"}
    assert _links(session, a1)["member:so gd dt"][1] == school.id
    assert _links(session, a2)["member:so giao duc dao tao"][1] == school.id
    assert session.scalar(select(func.count()).select_from(Entity).where(Entity.province == "Bắc Ninh")) == 3
    # a reader may write the abbreviation, with or without the province
    found = find_entities(session, "Sở GD&ĐT tỉnh Bắc Ninh", province="Bắc Ninh")
    assert [(e["id"], e["match"]) for e in found] == [(school.id, "name")]
    assert find_entities(session, "Sở GD&ĐT", province="Hà Nội") == []


def test_a_unit_named_with_another_province_belongs_to_it(session: Session, store: Store) -> None:
    text = "Cụm thi đua các tỉnh miền núi: UBND tỉnh Lào Cai, UBND tỉnh Yên Bái."
    store(text, province="Lào Cai", members=("UBND tỉnh Lào Cai", "UBND tỉnh Yên Bái"))
    yen_bai = _entity(session, "unit", "Yên Bái", "uy ban nhan dan")
    assert yen_bai.province_2025 == "Lào Cai"  # Yên Bái became part of Lào Cai in 2025
    assert _entity(session, "unit", "Lào Cai", "uy ban nhan dan").id != yen_bai.id


def test_reextraction_keeps_links_and_merges(session: Session, store: Store) -> None:
    bloc_a = (("Khối thi đua các sở", None, []),)
    bloc_6 = (("Khối thi đua số 6", "6", []),)
    a1 = store(
        A1, province="Bắc Ninh", event_date="2018-12-20", blocs=bloc_a, members=("Sở GD&ĐT", "Sở Tư pháp")
    )
    store(A2, province="Bắc Ninh", event_date="2019-12-20", blocs=bloc_6, members=("Sở Y tế", "Sở Tư pháp"))
    named = _entity(session, "bloc", "Bắc Ninh", "khoi thi dua cac so")
    numbered = _entity(session, "bloc", "Bắc Ninh", "khoi 6")
    merge = merge_entities(session, entity_ids=[numbered.id, named.id], editor="Lan", reason="một khối")
    before = _links(session, a1)
    # the extractor runs again over a1: same facts (one spelled out now) and one unit more
    store(
        A1,
        article=a1,
        province="Bắc Ninh",
        event_date="2018-12-20",
        blocs=bloc_a,
        members=("Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Y tế tỉnh Bắc Ninh"),
    )
    after = _links(session, a1)
    for key, link in before.items():
        assert after[key] == link  # the same rows: nothing re-linked or rewritten
    assert after["member:so giao duc dao tao"][1] == before["member:so gd dt"][1]  # same unit, new key
    assert after["member:so y te"][1] == _entity(session, "unit", "Bắc Ninh", "so y te").id
    # the merge holds for the new run: both years under one bloc, the kept one's name
    years = blocs_by_year(session, province="Bắc Ninh")
    assert [(b["bloc"]["id"], b["year"]) for b in years] == [(numbered.id, 2018), (numbered.id, 2019)]
    assert {m["name"] for m in years[0]["members"]} == {"Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Y tế"}
    assert groups(session).group(named.id) == [numbered.id, named.id]
    assert merge.action == "merge" and merge.entity_ids == [numbered.id, named.id]


def test_merge_then_split_restores(session: Session, store: Store) -> None:
    award = ("Sở Y tế", "co_thi_dua", "ubnd_tinh", 2019, "conferred")
    store(A1, province="Bắc Ninh", event_date="2018-12-20", blocs=(("Khối thi đua các sở", None, []),),
          members=("Sở GD&ĐT",), roles=(("Sở Tư pháp", "khoi_truong", 2018),))  # fmt: skip
    store(A2, province="Bắc Ninh", event_date="2019-12-20", blocs=(("Khối thi đua số 6", "6", []),),
          members=("Sở Y tế",), awards=(award,))  # fmt: skip
    named = _entity(session, "bloc", "Bắc Ninh", "khoi thi dua cac so")
    numbered = _entity(session, "bloc", "Bắc Ninh", "khoi 6")
    original = blocs_by_year(session, province="Bắc Ninh")
    assert len(original) == 2
    merge_entities(session, entity_ids=[named.id, numbered.id], editor="Lan")
    merged = blocs_by_year(session, province="Bắc Ninh")
    assert {b["bloc"]["id"] for b in merged} == {named.id}
    history = bloc_history(session, "6", province="Bắc Ninh")
    assert [h["bloc"]["id"] for h in history] == [named.id]
    assert [y["year"] for y in history[0]["years"]] == [2018, 2019]
    assert history[0]["years"][1]["awards"][0]["recipient"]["name"] == "Sở Y tế"
    split = split_entity(session, entity_id=numbered.id, editor="Lan", reason="hai khối khác nhau")
    assert blocs_by_year(session, province="Bắc Ninh") == original
    assert groups(session).group(numbered.id) == [numbered.id]
    # undo of the split is one more correction, and the merge is back
    undo = undo_entity_correction(session, correction_id=split.id, editor="Minh")
    assert undo.undoes_id == split.id and undo.action == "undo"
    assert groups(session).of(numbered.id) == named.id
    assert session.scalar(select(func.count()).select_from(EntityCorrection)) == 3


def test_merge_and_split_are_validated_and_write_nothing(session: Session, store: Store) -> None:
    store(A2, province="Bắc Ninh", blocs=(("Khối thi đua số 6", "6", []),), members=("Sở Y tế", "Sở Tư pháp"))
    health = _entity(session, "unit", "Bắc Ninh", "so y te").id
    justice = _entity(session, "unit", "Bắc Ninh", "so tu phap").id
    bloc = _entity(session, "bloc", "Bắc Ninh", "khoi 6").id
    missing = max(health, justice, bloc) + 1000

    def count() -> int:
        return session.scalar(select(func.count()).select_from(EntityCorrection)) or 0

    refused: list[tuple[type[Exception], Callable[[], Any]]] = [
        (EntityNotFoundError, lambda: merge_entities(session, entity_ids=[health, missing], editor="Lan")),
        (SelfMergeError, lambda: merge_entities(session, entity_ids=[health, health], editor="Lan")),
        (SelfMergeError, lambda: merge_entities(session, entity_ids=[health], editor="Lan")),
        (EntityKindError, lambda: merge_entities(session, entity_ids=[health, bloc], editor="Lan")),
        (NotMergedError, lambda: split_entity(session, entity_id=justice, editor="Lan")),
        (EntityNotFoundError, lambda: split_entity(session, entity_id=missing, editor="Lan")),
        (InvalidEditorError, lambda: merge_entities(session, entity_ids=[health, justice], editor="  ")),
        (
            CorrectionNotFoundError,
            lambda: undo_entity_correction(session, correction_id=missing, editor="Lan"),
        ),
    ]
    for error, call in refused:
        with pytest.raises(error):
            call()
        assert count() == 0, error
    merge = merge_entities(session, entity_ids=[health, justice], editor="Lan")
    with pytest.raises(SelfMergeError, match="already merged"):
        merge_entities(session, entity_ids=[justice, health], editor="Lan")
    split = split_entity(session, entity_id=justice, editor="Lan")
    # undoing the merge would leave the split splitting something never merged
    with pytest.raises(UndoConflictError, match=f"correction {split.id}"):
        undo_entity_correction(session, correction_id=merge.id, editor="Lan")
    undo_entity_correction(session, correction_id=split.id, editor="Lan")
    with pytest.raises(UndoConflictError, match="already undone"):
        undo_entity_correction(session, correction_id=split.id, editor="Lan")
    assert count() == 3


def test_entity_corrections_are_append_only_in_the_database(session: Session, store: Store) -> None:
    store(A2, province="Bắc Ninh", members=("Sở Y tế", "Sở Tư pháp"))
    ids = [_entity(session, "unit", "Bắc Ninh", k).id for k in ("so y te", "so tu phap")]
    merge = merge_entities(session, entity_ids=ids, editor="Lan")
    for statement in (
        "UPDATE entity_correction SET reason = 'x' WHERE id = :id",
        "DELETE FROM entity_correction WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement), {"id": merge.id})


def test_old_province_finds_the_unit_stored_under_the_new_one(session: Session, store: Store) -> None:
    # after 1 July 2025 Bình Phước is part of Đồng Nai: a 2025 article names Đồng Nai's unit
    text_new = "Cụm thi đua số 2 tỉnh Đồng Nai họp tháng 9/2025: Sở Y tế, Sở Tài chính."
    store(text_new, province="Đồng Nai", members=("Sở Y tế", "Sở Tài chính"), published=date(2025, 9, 20))
    stored = _entity(session, "unit", "Đồng Nai", "so y te")
    found = find_entities(session, "Sở Y tế", province="Bình Phước")
    assert [(e["id"], e["match"], e["province_2025"]) for e in found] == [(stored.id, "name", "Đồng Nai")]
    # and a unit of the old province: linked to its successor, found under either name
    text_old = "Cụm thi đua số 3 tỉnh Bình Phước năm 2021: Sở Y tế tỉnh Bình Phước, Sở Kế hoạch và Đầu tư."
    store(text_old, province="Bình Phước", members=("Sở Y tế tỉnh Bình Phước", "Sở KH&ĐT"))
    old = _entity(session, "unit", "Bình Phước", "so y te")
    assert old.province_2025 == "Đồng Nai"
    link = session.scalars(select(EntityLink).where(EntityLink.from_id == old.id)).one()
    assert link.to_id == stored.id and "vietnamadminunits" in link.source
    from_new = {e["id"]: e["match"] for e in find_entities(session, "Sở Y tế", province="Đồng Nai")}
    assert from_new == {stored.id: "name", old.id: "name"}  # both are units of today's Đồng Nai
    elsewhere = store(A2, province="Bắc Ninh", members=("Sở Y tế",))
    assert elsewhere is not None
    from_old = {e["id"]: e["match"] for e in find_entities(session, "Sở Y tế tỉnh Bình Phước")}
    assert from_old == {old.id: "name", stored.id: "name"}  # not Bắc Ninh's: the name says Bình Phước
    # the department merged into Sở Tài chính, which is the one of Đồng Nai since July 2025
    planning = _entity(session, "unit", "Bình Phước", "so ke hoach dau tu")
    finance = _entity(session, "unit", "Đồng Nai", "so tai chinh")
    assert session.scalars(select(EntityLink.to_id).where(EntityLink.from_id == planning.id)).all() == [
        finance.id
    ]
    predecessors = find_entities(session, "Sở Tài chính", province="Đồng Nai")
    assert {(e["id"], e["match"]) for e in predecessors} == {
        (finance.id, "name"),
        (planning.id, "predecessor"),
    }
    successors = find_entities(session, "Sở KH&ĐT", province="Bình Phước")
    assert {(e["id"], e["match"]) for e in successors} >= {(planning.id, "name"), (finance.id, "successor")}
    source = session.scalars(select(EntityLink.source).where(EntityLink.from_id == planning.id)).one()
    assert "45/2025" in source


def test_merged_departments_within_a_province(session: Session, store: Store) -> None:
    text = "Khối thi đua các sở tỉnh Bắc Ninh: Sở Giao thông vận tải, Sở Lao động - TB&XH, Sở TN&MT."
    store(text, province="Bắc Ninh", members=("Sở Giao thông vận tải", "Sở Lao động - TB&XH", "Sở TN&MT"))
    succ = {
        old.name: session.get(Entity, link.to_id).name  # type: ignore[union-attr]
        for old, link in session.execute(
            select(Entity, EntityLink)
            .join(EntityLink, EntityLink.from_id == Entity.id)
            .where(Entity.province == "Bắc Ninh")
        ).tuples()
    }
    assert succ == {
        "Sở Giao thông vận tải": "Sở Xây dựng",
        "Sở Lao động - Thương binh và Xã hội": "Sở Nội vụ",
        "Sở Tài nguyên và Môi trường": "Sở Nông nghiệp và Môi trường",
    }


def test_old_commune_links_to_the_commune_it_became(session: Session, store: Store) -> None:
    text = "Cụm thi đua các xã huyện Lộc Ninh: UBND xã Lộc Hiệp, UBND huyện Lộc Ninh."
    store(text, province="Bình Phước", members=("UBND xã Lộc Hiệp", "UBND huyện Lộc Ninh"))
    commune = _entity(session, "unit", "Bình Phước", unit_key("UBND xã Lộc Hiệp", "Bình Phước"))
    assert commune.place_kind == "xã"
    target = session.get(
        Entity, session.scalars(select(EntityLink.to_id).where(EntityLink.from_id == commune.id)).one()
    )
    assert target is not None and (target.name, target.province) == (
        "Ủy ban nhân dân xã Lộc Quang",
        "Đồng Nai",
    )
    district = _entity(session, "unit", "Bình Phước", unit_key("UBND huyện Lộc Ninh", "Bình Phước"))
    assert district.place_kind == "huyện"  # districts were abolished: no successor
    assert session.scalars(select(EntityLink).where(EntityLink.from_id == district.id)).all() == []
    assert [e["id"] for e in find_entities(session, "UBND huyện Lộc Ninh", province="Đồng Nai")] == [
        district.id
    ]


def test_facts_an_editor_adds_are_linked_and_link_all_backfills(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    article = make_article(A2, title="Khối 6", published=date(2019, 12, 30))
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    repository.save_record(
        session, run=run, article=article, record=build_record(A2, province="Bắc Ninh", members=("Sở Y tế",))
    )
    corrections.add_fact(session, article_id=article.id, field="member", value="Sở Tư pháp", editor="Lan")
    assert _links(session, article) == {}  # stored before linking existed
    articles, added = link_all(session)
    assert (articles, added) == (1, 2)
    assert set(_links(session, article)) == {"member:so y te", "member:so tu phap"}
    assert link_all(session) == (1, 0)  # nothing twice


def test_find_entities_refuses_bad_input(session: Session) -> None:
    with pytest.raises(QueryError, match="not a province"):
        find_entities(session, "Sở Y tế", province="Xứ Sở Thần Tiên")
    with pytest.raises(QueryError, match="unknown entity kind"):
        find_entities(session, "Sở Y tế", kind="person")
    with pytest.raises(QueryError, match="no letters"):
        find_entities(session, "%%")
    with pytest.raises(QueryError, match="at most"):
        find_entities(session, "Sở " * 400)


# --- previews and pages (store.entity_preview, store.entity_pages) ---------------------------


def _two_blocs(store: Store) -> None:
    award = ("Sở Y tế", "co_thi_dua", "ubnd_tinh", 2019, "conferred")
    store(A1, province="Bắc Ninh", event_date="2018-12-20", blocs=(("Khối thi đua các sở", None, []),),
          members=("Sở GD&ĐT", "Sở Tư pháp"))  # fmt: skip
    store(A2, province="Bắc Ninh", event_date="2019-12-20", blocs=(("Khối thi đua số 6", "6", []),),
          members=("Sở Y tế", "Sở Tư pháp"), awards=(award,))  # fmt: skip


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EntityCorrection)) or 0


def test_preview_merge_says_what_moves_and_writes_nothing(session: Session, store: Store) -> None:
    _two_blocs(store)
    named = _entity(session, "bloc", "Bắc Ninh", "khoi thi dua cac so").id
    numbered = _entity(session, "bloc", "Bắc Ninh", "khoi 6").id
    p = preview_merge(session, [numbered, named])
    assert p["allowed"] and p["refusal"] is None and _count(session) == 0
    assert [g["representative"]["id"] for g in p["before"]] == sorted([numbered, named])
    (after,) = p["after"]
    assert after["representative"] == {"id": numbered, "name": "Khối thi đua số 6", "kind": "bloc",
                                       "province": "Bắc Ninh"}  # fmt: skip
    assert [m["id"] for m in after["members"]] == [numbered, named]
    assert after["years"] == [2018, 2019] and after["new_years"] == [2018] and after["records"] == 2
    (move,) = p["moves"]
    assert (move["entity"]["id"], move["from"]["id"], move["to"]["id"]) == (named, named, numbered)
    assert move["facts"] == {"bloc": 1} and move["records"] == 1 and move["years"] == [2018]
    # a unit: the member and the award of Sở Y tế move to Sở Tư pháp
    health = _entity(session, "unit", "Bắc Ninh", "so y te").id
    justice = _entity(session, "unit", "Bắc Ninh", "so tu phap").id
    (move,) = preview_merge(session, [justice, health])["moves"]
    assert move["facts"] == {"member": 1, "award": 1} and move["years"] == [2019]
    # the preview's figures are what the merge then shows
    merge_entities(session, entity_ids=[numbered, named], editor="Lan")
    detail = entity_detail(session, named)
    assert detail["representative"]["id"] == numbered
    assert detail["linked"]["years"] == after["years"] and detail["linked"]["records"] == after["records"]


def test_previews_refuse_with_the_store_errors_and_split_and_undo(session: Session, store: Store) -> None:
    _two_blocs(store)
    named = _entity(session, "bloc", "Bắc Ninh", "khoi thi dua cac so").id
    numbered = _entity(session, "bloc", "Bắc Ninh", "khoi 6").id
    health = _entity(session, "unit", "Bắc Ninh", "so y te").id
    refused = {
        "EntityKindError": preview_merge(session, [health, numbered]),
        "SelfMergeError": preview_merge(session, [health, health]),
        "NotMergedError": preview_split(session, named),
    }
    for error, p in refused.items():
        assert not p["allowed"] and p["refusal"]["error"] == error and p["moves"] == []
        assert [g["representative"]["id"] for g in p["after"]] == [
            g["representative"]["id"] for g in p["before"]
        ]
    # the message is the store's: the same text the write raises
    with pytest.raises(EntityKindError) as raised:
        merge_entities(session, entity_ids=[health, numbered], editor="Lan")
    assert refused["EntityKindError"]["refusal"]["message"] == str(raised.value)
    with pytest.raises(EntityNotFoundError):
        preview_merge(session, [health, health + 10_000])
    with pytest.raises(EntityNotFoundError):
        preview_merge(session, [health + 10_000, health + 10_000])
    with pytest.raises(CorrectionNotFoundError):
        preview_undo(session, 10_000)
    merge = merge_entities(session, entity_ids=[numbered, named], editor="Lan")
    assert preview_merge(session, [named, numbered])["refusal"]["error"] == "SelfMergeError"
    split = preview_split(session, numbered)  # the representative leaves: the other one keeps its records
    assert split["allowed"]
    assert [(m["entity"]["id"], m["from"]["id"], m["to"]["id"]) for m in split["moves"]] == [
        (named, numbered, named)
    ]
    assert {g["representative"]["id"]: g["years"] for g in split["after"]} == {
        numbered: [2019],
        named: [2018],
    }
    undo = preview_undo(session, merge.id)
    assert undo["allowed"] and [m["to"]["id"] for m in undo["moves"]] == [named]
    done = split_entity(session, entity_id=numbered, editor="Lan")
    conflict = preview_undo(session, merge.id)
    assert (
        conflict["refusal"]["error"] == "UndoConflictError"
        and f"correction {done.id}" in conflict["refusal"]["message"]
    )
    assert _count(session) == 2


def test_a_confirmation_after_the_groups_changed_is_refused(session: Session, store: Store) -> None:
    _two_blocs(store)
    health = _entity(session, "unit", "Bắc Ninh", "so y te").id
    justice = _entity(session, "unit", "Bắc Ninh", "so tu phap").id
    education = _entity(session, "unit", "Bắc Ninh", "so giao duc dao tao").id
    state = preview_merge(session, [justice, health])["state"]
    assert state == ";".join(map(str, sorted([justice, health])))  # each alone
    check_state(session, [justice, health], state)  # nothing changed: passes
    merge_entities(session, entity_ids=[health, education], editor="Minh")  # another editor, meanwhile
    with pytest.raises(PreviewOutdatedError, match="preview again"):
        merge_entities(session, entity_ids=[justice, health], editor="Lan", expect_state=state)
    assert _count(session) == 1
    fresh = preview_merge(session, [justice, health])["state"]
    merge_entities(session, entity_ids=[justice, health], editor="Lan", expect_state=fresh)
    split_state = preview_split(session, education)["state"]
    split_entity(session, entity_id=health, editor="Minh")
    with pytest.raises(PreviewOutdatedError):
        split_entity(session, entity_id=education, editor="Lan", expect_state=split_state)
    assert _count(session) == 3


def test_entity_list_and_page(session: Session, store: Store) -> None:
    _two_blocs(store)
    units = list_entities(session, kind="unit", province="Bắc Ninh")
    assert units["total"] == 3
    assert [r["name"] for r in units["rows"]] == ["Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Y tế"]
    assert [r["articles"] for r in units["rows"]] == [1, 2, 1]
    # words of an alias, abbreviations, no diacritics
    assert [r["name"] for r in list_entities(session, kind="unit", name="GD&ĐT")["rows"]] == [
        "Sở Giáo dục và Đào tạo"
    ]
    for words in ("tu phap", "Sở Tư pháp tỉnh Bắc Ninh"):
        assert [r["name"] for r in list_entities(session, kind="unit", name=words)["rows"]] == ["Sở Tư pháp"]
    assert list_entities(session, kind="unit", name="50%_")["total"] == 0  # LIKE wildcards are text
    assert list_entities(session, kind="bloc", province="Hòa Bình")["total"] == 0
    for bad in ({"kind": "person"}, {"province": "Atlantis"}, {"name": "!!"}, {"page": 0}):
        with pytest.raises(QueryError):
            list_entities(session, **bad)  # type: ignore[arg-type]
    justice = _entity(session, "unit", "Bắc Ninh", "so tu phap").id
    health = _entity(session, "unit", "Bắc Ninh", "so y te").id
    merge_entities(session, entity_ids=[justice, health], editor="Lan", reason="thử")
    page = entity_detail(session, health)
    assert page["representative"]["name"] == "Sở Tư pháp" and [g["id"] for g in page["group"]] == [
        justice,
        health,
    ]
    assert [r["year"] for r in page["records"]] == [2019, 2018]  # newest first
    facts_2019 = {(f["field"], f["entity_id"]) for f in page["records"][0]["facts"]}
    assert facts_2019 == {("member", justice), ("member", health), ("award", health)}
    assert page["linked"]["facts"] == {"member": 3, "award": 1}
    assert [(c["action"], c["editor"], c["reason"]) for c in page["corrections"]] == [("merge", "Lan", "thử")]
    assert list_entities(session, kind="unit", name="y te")["rows"][0]["merged_into"] == justice
    with pytest.raises(EntityNotFoundError):
        entity_detail(session, health + 10_000)
