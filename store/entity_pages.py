"""What readers see of entities: a list to pick from, one entity's page, and the facts of the
current records that name given entities.

Facts are found through their links (`FactEntity`) and read from the *current* records
(`store.current`), so a fact an editor deleted is not counted and one an editor added is, and a
link made under a province the record no longer has is left out (`store.entities.links_of`).
Entity ids are reported before merges (each fact's own entity), so callers can say which member
of a merged group a fact comes from; `store.entity_corrections.groups` gives the groups.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extract.namekeys import name_key, ukey
from extract.places import province_2025
from store.current import current_records
from store.current_table import record_year
from store.entities import (
    ENTITY_FIELDS,
    _check_kind,
    check_province,
    describe,
    entities_by_id,
    expand,
    linked_records,
    unit_province,
)
from store.entity_corrections import Groups, entity_corrections_of, groups
from store.errors import EntityNotFoundError, QueryError
from store.models import Article, Entity, EntityAlias, FactEntity
from store.queries import _check_text, batches

PER_PAGE: Final = 50
MAX_PAGE: Final = 10_000
MAX_RECORDS: Final = 200  # records listed on one entity's page; the page says how many there are


@dataclass(slots=True)
class EntityFact:
    """One fact of a current record linked to an entity (its own, before merges)."""

    entity_id: int
    field: str
    key: str
    value: Any
    article_id: int
    year: int | None


@dataclass(slots=True)
class Naming:
    """The current records naming some entities, and their facts that do."""

    records: list[dict[str, Any]] = field(default_factory=list)  # article_id, title, url, province, year
    facts: list[EntityFact] = field(default_factory=list)
    linked_articles: int = 0  # articles with a link to one of the entities, before any limit

    def of(self, entity_ids: Collection[int]) -> dict[str, Any]:
        """Facts by field, records and years of the facts linked to `entity_ids`."""
        mine = [f for f in self.facts if f.entity_id in entity_ids]
        by_field = {fld: sum(1 for f in mine if f.field == fld) for fld in ENTITY_FIELDS}
        return {
            "facts": {k: v for k, v in by_field.items() if v},
            "fact_count": len(mine),
            "records": len({f.article_id for f in mine}),
            "years": sorted({f.year for f in mine if f.year is not None}),
            "undated_records": len({f.article_id for f in mine if f.year is None}),
        }


def naming(session: Session, entity_ids: Collection[int], *, limit: int | None = None) -> Naming:
    """Return the current records whose facts are linked to `entity_ids` (merges not applied).

    Args:
        session: an open session.
        entity_ids: entity ids, each taken as itself (pass a merged group's members for the group).
        limit: read at most this many articles, the newest stored first; None: all of them.
    """
    wanted = set(entity_ids)
    out = Naming()
    if not wanted:
        return out
    article_ids = list(
        session.scalars(
            select(FactEntity.article_id)
            .where(FactEntity.entity_id.in_(wanted))
            .distinct()
            .order_by(FactEntity.article_id.desc())
        )
    )
    out.linked_articles = len(article_ids)
    if limit is not None:
        article_ids = article_ids[:limit]
    rows: list[tuple[dict[str, Any], int | None]] = []
    for chunk in batches(article_ids):
        published = dict(
            session.execute(select(Article.id, Article.published).where(Article.id.in_(chunk))).tuples().all()
        )
        rows += [(r, record_year(r, published.get(r["article_id"]))) for r in current_records(session, chunk)]
    for linked in linked_records(session, rows, Groups()):  # empty groups: each fact's own entity
        facts = [
            EntityFact(f.entity_id, f.field, f.key, f.value, linked.article_id, linked.year)
            for fs in linked.facts.values()
            for f in fs
            if f.entity_id in wanted
        ]
        if not facts:
            continue
        r = linked.record
        out.records.append(
            {
                "article_id": linked.article_id,
                "title": r["title"],
                "url": r["url"],
                "province": r["province"],
                "year": linked.year,
            }
        )
        out.facts += facts
    return out


def _name_filter(name: str) -> Any:
    """The condition "the entity's key or one of its aliases contains the words of `name`"."""
    text = _check_text("name", name)
    # the words as given, abbreviations spelled out, and the name key relative to a province the
    # name ends with ("Sở Tư pháp tỉnh Bắc Ninh" → "so tu phap", the key it is stored under)
    keys = {ukey(text), ukey(expand(text)), name_key(expand(text), unit_province(text, "") or None)} - {""}
    if not keys:
        raise QueryError(f"name {text[:60]!r} has no letters or digits to match")
    conditions = []
    for k in sorted(keys):
        aliases = select(EntityAlias.entity_id).where(EntityAlias.alias_key.contains(k, autoescape=True))
        conditions += [Entity.key.contains(k, autoescape=True), Entity.id.in_(aliases)]
    cond = conditions[0]
    for c in conditions[1:]:
        cond = cond | c
    return cond


def list_entities(
    session: Session,
    *,
    kind: str = "unit",
    province: str | None = None,
    name: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> dict[str, Any]:
    """Return one page of the entities of a kind, to browse and to pick entities to merge.

    Args:
        session: an open session.
        kind: ``unit`` or ``bloc``.
        province: old or new name; entities of every province that is or became part of the
            same province of 2025. None: every province.
        name: words of the name or of an alias (diacritics and case ignored, abbreviations
            spelled out: "GD&ĐT" finds "Sở Giáo dục và Đào tạo"). None: every entity.
        page, per_page: which page, and its size.

    Returns:
        ``total``, ``page``, ``per_page`` and ``rows``: id, kind, name, province,
        province_2025, aliases, ``articles`` (linked articles), ``group`` (the merged group,
        representative first) and ``merged_into`` (its representative, or None), ordered by
        province, name key and id.

    Raises:
        QueryError: an unknown kind or province, a name without letters, a page out of range.
    """
    _check_kind(kind)
    if not (1 <= page <= MAX_PAGE) or not (1 <= per_page <= 200):
        raise QueryError(f"page {page} of {per_page} is out of range (pages 1-{MAX_PAGE}, 1-200 a page)")
    stmt = select(Entity).where(Entity.kind == kind)
    canonical = check_province(province)
    if canonical is not None:
        stmt = stmt.where(Entity.province_2025 == (province_2025(canonical) or canonical))
    if name is not None and name.strip():
        stmt = stmt.where(_name_filter(name))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    found = list(
        session.scalars(
            stmt.order_by(Entity.province_2025, Entity.province, Entity.key, Entity.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    counts = dict(
        session.execute(
            select(FactEntity.entity_id, func.count(func.distinct(FactEntity.article_id)))
            .where(FactEntity.entity_id.in_([e.id for e in found]))
            .group_by(FactEntity.entity_id)
        )
        .tuples()
        .all()
    )
    merged = groups(session)
    rows = [
        {
            "id": e.id,
            "kind": e.kind,
            "name": e.name,
            "province": e.province or None,
            "province_2025": e.province_2025 or None,
            "aliases": [a.alias for a in e.aliases],
            "articles": counts.get(e.id, 0),
            "group": merged.group(e.id),
            "merged_into": merged.of(e.id) if merged.of(e.id) != e.id else None,
        }
        for e in found
    ]
    return {"total": total, "page": page, "per_page": per_page, "rows": rows}


def _brief(e: Entity) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "name": e.name, "province": e.province or None}


def entity_detail(session: Session, entity_id: int, *, limit: int = MAX_RECORDS) -> dict[str, Any]:
    """Return one entity as its page shows it: names, merged group, linked records, corrections.

    Returns:
        ``entity`` (`store.entities.describe`), ``representative`` (the group's kept entity,
        whose name the group goes by), ``group`` (each member: id, kind, name, province,
        aliases and what is linked to it), ``records`` (the newest `limit` current records
        naming the group, each with its facts that do and the member each names), ``linked``
        (facts by field, records and years of the whole group), ``linked_articles`` (before
        the limit) and ``corrections`` (every entity correction naming the entity or a
        member of its group, oldest first, with whether it is in force).

    Raises:
        EntityNotFoundError: no entity has this id.
    """
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise EntityNotFoundError(f"no entity with id {entity_id}")
    merged = groups(session)
    members = merged.group(entity_id)
    entities = entities_by_id(session, members)
    found = naming(session, members, limit=limit)
    facts_of: dict[int, list[dict[str, Any]]] = {}
    for f in found.facts:
        facts_of.setdefault(f.article_id, []).append(
            {"field": f.field, "key": f.key, "value": f.value, "entity_id": f.entity_id}
        )
    records = sorted(
        ({**r, "facts": facts_of[r["article_id"]]} for r in found.records),
        key=lambda r: (r["year"] is None, -(r["year"] or 0), -r["article_id"]),
    )
    everyone = set(members) | {entity_id}
    return {
        "entity": describe(session, entity, merged),
        "representative": _brief(entities[merged.of(entity_id)]),
        "group": [
            _brief(entities[m]) | {"aliases": [a.alias for a in entities[m].aliases]} | found.of({m})
            for m in members
        ],
        "records": records,
        "linked": found.of(set(members)),
        "linked_articles": found.linked_articles,
        "corrections": [c for c in entity_corrections_of(session) if everyone.intersection(c["entity_ids"])],
    }
