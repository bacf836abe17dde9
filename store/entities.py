"""Entities across articles: canonical units and blocs per province, and the facts that name them.

After a record is stored (`link_article`, called by the crawler, `reextract` and `thidua
correct`), every unit its current record names — a member, a role holder, an award recipient —
and every bloc is linked to an `Entity` of its province. Decisions:

- **Identity.** An entity is (kind, province, key). A unit's key is its name key
  (`extract.namekeys.name_key`, as SCHEMA.md compares names) with abbreviations spelled out
  first ("Sở GD&ĐT" = "Sở Giáo dục và Đào tạo", from the extractor's abbreviation list), relative
  to its province, so "Sở Y tế tỉnh Bắc Ninh" and "Sở Y tế" of a Bắc Ninh record are one unit. A
  unit whose name ends with a province ("UBND tỉnh Bắc Giang" in a cluster of provinces) belongs
  to that province, else to its record's. A bloc's key is ``khoi 6`` / ``cum 6`` when it has a
  number, else its name key. Every spelling seen is kept as an alias.
- **Links survive re-extraction.** A `FactEntity` names the fact by its fact key
  (`store.facts`), which every later run gives the same fact, plus the record's province; rows are
  never updated, so run N's links hold for run N+1, and an editor's merge (`store.entity_corrections`)
  applies to every run.
- **The 2025 reorganisation** (`store.reorg`): a new entity of an old province, of a merged
  department or of an old commune is linked (`EntityLink`, ``successor_2025``) to its successor,
  created if needed. `find_entities` follows those links both ways and matches provinces by
  their 2025 province, so an old province's name finds the unit stored under the new one and
  the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extract.lexicon import lexicon
from extract.namekeys import name_key, ukey
from extract.places import WARD_KINDS, canonical_province, province_2025
from extract.textnorm import normalize_name
from store import reorg
from store.current import Overlay, build_overlay, current_overlays, load_overlay
from store.entity_corrections import Groups, groups
from store.errors import QueryError
from store.models import (
    ENTITY_KINDS,
    Article,
    Correction,
    Entity,
    EntityAlias,
    EntityLink,
    ExtractedRecord,
    FactEntity,
)
from store.queries import _check_text

# the fields whose facts name an entity, and which value names it
ENTITY_FIELDS: Final = {"bloc": "bloc", "member": "unit", "role": "unit", "award": "unit"}
MAX_LINK_DEPTH: Final = 4  # successor chains are one or two steps; a bound keeps a bad link finite


# --- names and keys ----------------------------------------------------------------------


@lru_cache(maxsize=1 << 14)  # the same few thousand unit names come back in every record
def expand(name: str) -> str:
    """Spell out the abbreviations inside a unit name ("Sở GD&ĐT" → "Sở Giáo dục và Đào tạo").

    The same list and rule as `extract.units.expand_abbreviations`, which cannot be imported
    here without loading spaCy (about a second) for every reader of the store.
    """
    out = normalize_name(name)
    for abbr, full in lexicon().abbreviations:
        if abbr in out:
            out = re.sub(rf"(?<![\wÀ-ỹ&-]){re.escape(abbr)}(?![\wÀ-ỹ&])", full, out)
    return re.sub(r"\s+", " ", out).strip()


def province_of(name: str | None) -> str:
    """Return the canonical province `name` spells ("" for none or an unknown name)."""
    if not name:
        return ""
    return canonical_province(name) or ""


@lru_cache(maxsize=1 << 14)
def unit_province(name: str, record_province: str) -> str:
    """Return the province a unit belongs to: one its name ends with, else its record's."""
    words = name.split()
    for i in range(1, len(words)):
        tail = " ".join(words[i:])
        found = canonical_province(tail)
        if found and ukey(tail):
            return found
    return record_province


def _without_province(name: str, province: str) -> str:
    """ "Sở Y tế tỉnh Bình Phước" → "Sở Y tế" (the name to give its successor elsewhere)."""
    words = name.split()
    for i in range(1, len(words)):
        if canonical_province(" ".join(words[i:])) == province:
            rest = words[:i]
            while rest and ukey(rest[-1]) in ("", "tinh", "thanh", "pho", "tp") and len(rest) > 1:
                rest = rest[:-1]
            return " ".join(rest)
    return name


def unit_key(name: str, province: str) -> str:
    """Return the key of a unit named `name` in `province` (see the module docstring)."""
    return name_key(expand(name), province or None) or f"?{name}"


def bloc_key(name: str, number: str | None, province: str) -> str:
    """Return the key of a bloc: ``khoi 6``/``cum 6`` with a number, else its name key."""
    if number and ukey(number):
        word = "cum" if ukey(name).startswith("cum") else "khoi"
        return f"{word} {ukey(number)}"
    return name_key(expand(name), province or None) or f"?{name}"


# --- what a record names -----------------------------------------------------------------


@dataclass(slots=True)
class _Want:
    """An entity a fact names: where to find it and the spellings to keep as aliases."""

    kind: str
    province: str
    key: str
    name: str
    aliases: list[str] = field(default_factory=list)

    @property
    def ident(self) -> tuple[str, str, str]:
        return self.kind, self.province, self.key


def wanted(field_name: str, value: Any, record_province: str) -> _Want:
    """Return the entity a fact of `field_name` with `value` names, in a record of that province."""
    if field_name == "bloc":
        name = normalize_name(value["name"])
        return _Want(
            "bloc",
            record_province,
            bloc_key(name, value.get("number"), record_province),
            expand(name),
            [name, *(value.get("aliases") or [])],
        )
    raw = value if field_name == "member" else value["unit" if field_name == "role" else "recipient"]
    raw = normalize_name(raw)
    province = unit_province(raw, record_province)
    full = expand(raw)
    return _Want("unit", province, unit_key(raw, province), full, [raw])


def _record_province(overlay: Overlay) -> str:
    shown = overlay.entries["province"]
    return province_of(shown[0].value) if shown else ""


def _wants(overlay: Overlay) -> list[tuple[str, _Want]]:
    """(fact key, entity wanted) for every fact of the current record that names an entity."""
    province = _record_province(overlay)
    surfaces = {m.id: m.surface for m in overlay.record.members}
    out = []
    for fld in ENTITY_FIELDS:
        for entry in overlay.entries[fld]:
            want = wanted(fld, entry.value, province)
            machine = overlay.machine.get(entry.key)
            if fld == "member" and machine is not None and surfaces.get(machine.fact_id):
                want.aliases.append(normalize_name(surfaces[machine.fact_id]))
            out.append((entry.key, want))
    return out


# --- writing entities and links ----------------------------------------------------------


@dataclass(slots=True)
class LinkCache:
    """Entities and aliases already looked up, kept across the articles of one `link_all`."""

    entities: dict[tuple[str, str, str], int] = field(default_factory=dict)
    aliases: set[tuple[int, str]] = field(default_factory=set)


def _create(session: Session, want: _Want, place_kind: str | None) -> tuple[Entity, bool]:
    """Add the entity `want` names; if another writer added it first, return that one."""
    try:
        with session.begin_nested():
            entity = Entity(
                kind=want.kind,
                province=want.province,
                province_2025=(province_2025(want.province) or want.province) if want.province else "",
                key=want.key,
                name=want.name,
                place_kind=place_kind,
            )
            session.add(entity)
        return entity, True
    except IntegrityError:
        stmt = select(Entity).where(
            Entity.kind == want.kind, Entity.province == want.province, Entity.key == want.key
        )
        return session.scalars(stmt).one(), False


def _get_or_create(
    session: Session, wants: Sequence[_Want], cache: LinkCache, *, successors: bool = True
) -> dict[tuple[str, str, str], int]:
    """Return the entity id of every wanted entity, adding the missing ones (with their 2025
    successors, unless `successors` is false: a successor's own successors are not followed,
    since one step covers a province, a department and a commune at once)."""
    missing = list({w.ident: w for w in wants if w.ident not in cache.entities}.values())
    if missing:
        stmt = select(Entity.id, Entity.kind, Entity.province, Entity.key).where(
            tuple_(Entity.kind, Entity.province, Entity.key).in_([w.ident for w in missing])
        )
        for eid, kind, province, key in session.execute(stmt):
            cache.entities[kind, province, key] = eid
    for want in missing:
        if want.ident in cache.entities:
            continue
        place = reorg.place_unit(want.name, want.province or None) if want.kind == "unit" else None
        entity, new = _create(session, want, place.kind if place else None)
        cache.entities[want.ident] = entity.id
        if new and successors:
            _link_successors(session, entity, cache)
    return {w.ident: cache.entities[w.ident] for w in wants}


def _successors(entity: Entity) -> list[tuple[_Want, str]]:
    """The entities `entity` became (part of) in 2025, each with the source that says so."""
    if entity.kind != "unit" or not entity.province:
        return []
    new_province = entity.province_2025
    place = reorg.place_unit(entity.name, entity.province)
    if place is not None:
        if place.kind not in WARD_KINDS:
            return []  # districts were abolished on 1 July 2025: nothing took their place
        out = []
        for prov, kind, name in reorg.ward_successors(place.kind, place.place, entity.province):
            full = place.renamed(kind, name)
            out.append((_Want("unit", prov, unit_key(full, prov), full), reorg.WARD_SOURCE))
        if out:
            return out
    merged = reorg.department_successor(entity.key)
    if merged is not None:
        name, source = merged.new_name, f"store/data/departments-2025.tsv: {merged.source}"
    else:
        name, source = _without_province(entity.name, entity.province), reorg.PROVINCE_SOURCE
    target = _Want("unit", new_province, unit_key(name, new_province), name)
    if target.ident == (entity.kind, entity.province, entity.key):
        return []
    return [(target, source)]


def _link_successors(session: Session, entity: Entity, cache: LinkCache) -> None:
    """Add the 2025 successors of a new entity and the links to them (nothing already there)."""
    for target, source in _successors(entity):
        to_id = _get_or_create(session, [target], cache, successors=False)[target.ident]
        if to_id == entity.id:
            continue
        exists = session.scalar(
            select(EntityLink.id).where(
                EntityLink.from_id == entity.id,
                EntityLink.to_id == to_id,
                EntityLink.relation == "successor_2025",
            )
        )
        if exists is None:
            with session.begin_nested():
                session.add(
                    EntityLink(from_id=entity.id, to_id=to_id, relation="successor_2025", source=source)
                )


def _add_all(session: Session, rows: Sequence[Any]) -> None:
    """Insert `rows` in one savepoint; if another writer added one of them first (a unique key
    clash, rare), insert them one by one and skip those already there."""
    if not rows:
        return
    try:
        with session.begin_nested():
            session.add_all(rows)
    except IntegrityError:
        for row in rows:
            fresh = type(row)(**{c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"})
            try:
                with session.begin_nested():
                    session.add(fresh)
            except IntegrityError:
                pass


def _add_aliases(session: Session, pairs: Iterable[tuple[int, str, str]], cache: LinkCache) -> None:
    """Add the (entity id, alias, province) spellings not stored yet."""
    todo = {
        (eid, alias): province
        for eid, alias, province in pairs
        if alias and (eid, alias) not in cache.aliases
    }
    if not todo:
        return
    stmt = select(EntityAlias.entity_id, EntityAlias.alias).where(
        EntityAlias.entity_id.in_({eid for eid, _ in todo})
    )
    cache.aliases.update(session.execute(stmt).tuples())
    rows = [
        EntityAlias(entity_id=eid, alias=alias, alias_key=name_key(alias, province or None))
        for (eid, alias), province in todo.items()
        if (eid, alias) not in cache.aliases
    ]
    _add_all(session, rows)
    cache.aliases.update(todo)


def link_overlay(session: Session, overlay: Overlay, cache: LinkCache | None = None) -> int:
    """Link every fact of a current record that names a unit or bloc; return how many links were added."""
    cache = cache or LinkCache()
    pairs = _wants(overlay)
    if not pairs:
        return 0
    province = _record_province(overlay)
    article_id = overlay.article.id
    ids = _get_or_create(session, [w for _, w in pairs], cache)
    _add_aliases(
        session, ((ids[w.ident], a, w.province) for _, w in pairs for a in dict.fromkeys(w.aliases)), cache
    )
    linked = set(
        session.scalars(
            select(FactEntity.fact_key).where(
                FactEntity.article_id == article_id, FactEntity.province == province
            )
        )
    )
    rows, seen = [], set(linked)
    for key, want in pairs:
        if key in seen:
            continue  # linked by an earlier run: the link holds
        seen.add(key)
        rows.append(
            FactEntity(
                article_id=article_id,
                fact_key=key,
                province=province,
                entity_id=ids[want.ident],
                record_id=overlay.record.id,
            )
        )
    _add_all(session, rows)
    return len(rows)


def link_article(
    session: Session, article: Article, record: ExtractedRecord | None = None, cache: LinkCache | None = None
) -> int:
    """Link the current record of `article` to its entities (see `link_overlay`).

    `record` is the newest record when the caller has just stored it (its facts are in memory,
    so only the article's corrections are read); else the newest record is loaded. Nothing is
    committed. Raises `NoRecordError` for an article never extracted.
    """
    if record is None:
        overlay = load_overlay(session, article)
    else:
        corrections = session.scalars(select(Correction).where(Correction.article_id == article.id)).all()
        overlay = build_overlay(article, record, corrections)
    return link_overlay(session, overlay, cache)


def link_all(session: Session, *, batch: int = 200) -> tuple[int, int]:
    """Link every extracted article (what `thidua link-entities` runs after an upgrade).

    Returns (articles, links added). Nothing is committed.
    """
    ids = list(
        session.scalars(select(ExtractedRecord.article_id).distinct().order_by(ExtractedRecord.article_id))
    )
    cache, added = LinkCache(), 0
    for start in range(0, len(ids), batch):
        for overlay in current_overlays(session, ids[start : start + batch]):
            added += link_overlay(session, overlay, cache)
    return len(ids), added


# --- reading -----------------------------------------------------------------------------


def links_of(session: Session, records: Sequence[dict[str, Any]]) -> dict[int, dict[str, int]]:
    """Return, for each current record, its linked facts: article id → fact key → entity id."""
    wanted_province = {r["article_id"]: province_of(r["province"]) for r in records}
    out: dict[int, dict[str, int]] = {a: {} for a in wanted_province}
    if not wanted_province:
        return out
    stmt = select(
        FactEntity.article_id, FactEntity.fact_key, FactEntity.province, FactEntity.entity_id
    ).where(FactEntity.article_id.in_(list(wanted_province)))
    for aid, key, province, eid in session.execute(stmt):
        if wanted_province[aid] == province:
            out[aid][key] = eid
    return out


def entities_by_id(session: Session, ids: Iterable[int]) -> dict[int, Entity]:
    """Return the entities with these ids."""
    wanted_ids = list(set(ids))
    if not wanted_ids:
        return {}
    return {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(wanted_ids)))}


def _links(session: Session, ids: set[int]) -> list[EntityLink]:
    stmt = select(EntityLink).where((EntityLink.from_id.in_(ids)) | (EntityLink.to_id.in_(ids)))
    return list(session.scalars(stmt))


def describe(session: Session, entity: Entity, merged: Groups) -> dict[str, Any]:
    """Return an entity as readers see it: names, province old and new, links and merge group."""
    links = _links(session, {entity.id})
    return {
        "id": entity.id,
        "kind": entity.kind,
        "name": entity.name,
        "province": entity.province or None,
        "province_2025": entity.province_2025 or None,
        "key": entity.key,
        "place_kind": entity.place_kind,
        "aliases": [a.alias for a in entity.aliases],
        "successors": [{"id": ln.to_id, "source": ln.source} for ln in links if ln.from_id == entity.id],
        "predecessors": [{"id": ln.from_id, "source": ln.source} for ln in links if ln.to_id == entity.id],
        "merged_into": merged.of(entity.id) if merged.of(entity.id) != entity.id else None,
        "group": merged.group(entity.id),
    }


def _check_kind(kind: str) -> None:
    if kind not in ENTITY_KINDS:
        raise QueryError(f"unknown entity kind {str(kind)[:20]!r}; use one of {', '.join(ENTITY_KINDS)}")


def check_province(province: str | None) -> str | None:
    """Return the canonical name of a province filter (old or new); raise QueryError if unknown."""
    if province is None:
        return None
    text = _check_text("province", province)
    found = canonical_province(text)
    if found is None:
        raise QueryError(
            f"province {text[:60]!r} is not a province (give its name, e.g. 'Bắc Ninh', 'Đồng Nai')"
        )
    return found


def _name_keys(kind: str, name: str, province: str | None) -> set[str]:
    """The keys and alias keys a name given by a reader can have."""
    prov = province or ""
    keys = {name_key(name, province), name_key(expand(name), province)}
    if kind == "unit":
        keys.add(unit_key(name, unit_province(name, prov)))
    else:
        number = name.strip() if name.strip().isdigit() else None
        found = re.search(r"(?:số\s+)?(\d+)\s*$", normalize_name(name), re.IGNORECASE)
        if number or found:
            n = number or (found.group(1) if found else "")
            keys |= {f"khoi {n}", f"cum {n}"} if number else {bloc_key(name, n, prov)}
        keys.add(bloc_key(name, None, prov))
    return keys - {""}


def find_entities(
    session: Session, name: str, *, province: str | None = None, kind: str = "unit"
) -> list[dict[str, Any]]:
    """Return the entities a name stands for, with those the 2025 reorganisation links them to.

    Args:
        session: an open session.
        name: a unit's name (abbreviations allowed: "Sở GD&ĐT") or a bloc's number or name.
        province: old or new ("Bình Phước" or "Đồng Nai"): entities of any province that is or
            became part of the same province of 2025; None for every province.
        kind: ``unit`` or ``bloc``.

    Returns:
        One dict per entity (`describe`), with ``match``: ``name`` (its key or an alias matches),
        ``successor`` / ``predecessor`` (linked by the 2025 reorganisation to a match) or
        ``merged`` (an editor merged it with a match). Matches first, then by id.

    Raises:
        QueryError: an unknown kind or province, or a name that cannot be used.
    """
    _check_kind(kind)
    text = _check_text(kind, name)
    if not ukey(text):
        raise QueryError(f"{kind} {text[:60]!r} has no letters or digits to match")
    canonical = check_province(province)
    if canonical is None and kind == "unit":
        # "Sở Y tế tỉnh Bình Phước" names its province: the units of that province (and of the
        # province of 2025 it is part of), not every province's "Sở Y tế"
        canonical = unit_province(text, "") or None
    keys = _name_keys(kind, text, canonical)
    alias_ids = select(EntityAlias.entity_id).where(EntityAlias.alias_key.in_(keys))
    stmt = select(Entity).where(Entity.kind == kind, Entity.key.in_(keys) | Entity.id.in_(alias_ids))
    if canonical is not None:
        stmt = stmt.where(Entity.province_2025 == (province_2025(canonical) or canonical))
    found: dict[int, str] = {e.id: "name" for e in session.scalars(stmt)}
    frontier = set(found)
    for _ in range(MAX_LINK_DEPTH):  # the reorganisation's links, both ways
        nxt: set[int] = set()
        for ln in _links(session, frontier):
            for other, how in ((ln.to_id, "successor"), (ln.from_id, "predecessor")):
                if other not in found:
                    found[other] = how
                    nxt.add(other)
        if not nxt:
            break
        frontier = nxt
    merged = groups(session)
    for eid in list(found):
        for other in merged.group(eid):
            found.setdefault(other, "merged")
    entities = entities_by_id(session, found)
    order = {"name": 0, "successor": 1, "predecessor": 1, "merged": 2}
    return [
        describe(session, entities[eid], merged) | {"match": how}
        for eid, how in sorted(found.items(), key=lambda kv: (order[kv[1]], kv[0]))
        if eid in entities
    ]


# --- current records with their entities -------------------------------------------------


@dataclass(slots=True)
class LinkedFact:
    """One fact of a current record with the entity it names, merges applied (None: unlinked)."""

    field: str
    key: str
    value: Any
    entity_id: int | None
    evidence: dict[str, Any] | None


@dataclass(slots=True)
class LinkedRecord:
    """A current record (`store.current`) whose blocs and units are resolved to entities."""

    record: dict[str, Any]
    year: int | None
    facts: dict[str, list[LinkedFact]]  # bloc, member, role, award

    @property
    def article_id(self) -> int:
        return int(self.record["article_id"])

    def bloc_ids(self) -> list[int]:
        return [f.entity_id for f in self.facts["bloc"] if f.entity_id is not None]


def linked_records(
    session: Session, rows: Sequence[tuple[dict[str, Any], int | None]], merged: Groups | None = None
) -> list[LinkedRecord]:
    """Resolve the facts of current records (with their years) to entities, merges applied."""
    merged = merged if merged is not None else groups(session)
    links = links_of(session, [r for r, _ in rows])
    out = []
    for record, year in rows:
        mine = links.get(record["article_id"], {})
        facts: dict[str, list[LinkedFact]] = {f: [] for f in ENTITY_FIELDS}
        for fact in record["facts"]:
            if fact["field"] in facts:
                eid = mine.get(fact["key"])
                facts[fact["field"]].append(
                    LinkedFact(
                        fact["field"],
                        fact["key"],
                        fact["value"],
                        None if eid is None else merged.of(eid),
                        fact["evidence"],
                    )
                )
        out.append(LinkedRecord(record, year, facts))
    return out


def names_of(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Return the name of each entity id (merged groups show their representative's name)."""
    return {eid: e.name for eid, e in entities_by_id(session, (i for i in ids if i is not None)).items()}
