"""The name keys an editor's merges join: what name timelines add to the keys a name's words match.

Name timelines (`store.research.unit_timeline`, `bloc_timeline`) read the yearly counts
(`store.counts`), which are kept per *spelling*: a unit's name key (`CurrentFact.name_key`), a
bloc's names key (its name and aliases). An editor's merge (`store.entity_corrections`) joins
entities whose spellings no key joins ("Trường Chính trị tỉnh" and "Trường Chính trị Nguyễn Văn
Cừ"); entity pages follow it through the facts' links (`store.entity_pages`). This module turns
the merges in force into spellings, so the timelines follow them too without reading a fact.

The rule (`merged_keys`):

- A merged group (two entities or more, as `store.entity_corrections.groups` replays the
  corrections in force now) **belongs to a name** when the name's words occur, as whole words,
  in one of its spellings (an alias of a member: every spelling a fact linked to it had, as
  `store.entities` keeps them), the rule `store.queries.keys_with` applies to the counts' keys;
  or, for a bloc asked for by number, when a member is a bloc of that number (``khoi 6``).
- The timeline then also counts every name key (`CurrentNameKey`) that holds one of the
  group's spellings as a whole name: the key itself for a unit, one of the names of a bloc's
  names key. A split takes a member's spellings out of its group; an undo of the merge, all of
  them.

Decisions:

- **Editors' merges only**, not every entity a matched key belongs to. An entity also joins
  spellings by the machine's own rules (abbreviations spelled out, a trailing province: "Sở Y tế
  tỉnh Bắc Ninh" and "Sở Y tế" are one unit of Bắc Ninh), and the counts do not know the
  province: pulling "Sở Y tế" into the timeline of "Sở Y tế tỉnh Bắc Ninh" would count every
  province's Sở Y tế. A merge is an editor's statement that two spellings are one unit or bloc;
  the machine's joins stay with the word rule they always had.
- **A spelling counts wherever records use it.** The counts are per spelling across provinces,
  like the words' own keys, so a merged spelling is counted in every province that uses it, not
  only in the merged entity's. Counting per entity would need the facts' links at write time.
- **Cheap**: one query of the entity corrections (few, written by hand), then, only if there are
  merges, one of the merged entities' aliases, and, only if a group belongs to the name, one of
  the name keys; no fact is read.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, any_, bindparam, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from extract.namekeys import ukey
from store.entity_corrections import groups
from store.keys import NAMES_KEY_SEPARATOR, name_key
from store.models import CurrentNameKey, Entity, EntityAlias
from store.queries import batches


def _spellings(session: Session, kind: str, number: str | None) -> list[tuple[set[str], bool]]:
    """Return each merged group of `kind`: its spellings' name keys, and whether a member is
    the bloc numbered `number`."""
    merged = groups(session)
    members = sorted(merged.rep)  # the entities merged with at least one other
    if not members:
        return []
    n = ukey(number) if number else ""
    numbered_keys = {f"khoi {n}", f"cum {n}"} if n else set()
    keys: dict[int, set[str]] = {}
    numbered: set[int] = set()
    postgres = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL: the ids as one array parameter; a thousand ids bound one by one took 5 ms to
    # send and plan, as an array 1.3 (bench/README.md, "timeline_merges")
    for chunk in [members] if postgres else batches(members):
        among = (
            Entity.id == any_(bindparam("ids", chunk, type_=ARRAY(Integer)))
            if postgres
            else Entity.id.in_(chunk)
        )
        stmt = (
            select(Entity.id, Entity.key, EntityAlias.alias)
            .outerjoin(EntityAlias, EntityAlias.entity_id == Entity.id)
            .where(among, Entity.kind == kind)
        )
        for eid, key, alias in session.execute(stmt):
            rep = merged.of(eid)
            spelled = keys.setdefault(rep, set())
            if alias and name_key(alias):
                spelled.add(name_key(alias))
            if key in numbered_keys:
                numbered.add(rep)
    return [(spelled, rep in numbered) for rep, spelled in keys.items()]


def _holding(session: Session, spellings: set[str]) -> list[str]:
    """Return the name keys holding one of `spellings` as a whole name (a unit's key, or one of
    the names of a bloc's names key)."""
    sep = NAMES_KEY_SEPARATOR
    # pad with the separator so "khoi 6" cannot match inside "khoi 6 mo rong"; keys hold only
    # [a-z0-9 ] and the separator, and every value is a bound parameter
    padded = literal(sep, String()).concat(CurrentNameKey.key).concat(literal(sep, String()))
    found: set[str] = set()
    ordered = sorted(spellings)
    for start in range(0, len(ordered), 200):  # a few LIKEs a statement, whatever the groups hold
        part = ordered[start : start + 200]
        stmt = select(CurrentNameKey.key).where(
            or_(*(padded.contains(f"{sep}{s}{sep}", autoescape=True) for s in part))
        )
        found.update(session.scalars(stmt))
    return sorted(found)


def merged_keys(session: Session, kind: str, words_key: str, *, number: str | None = None) -> list[str]:
    """Return the name keys a name's timeline adds for the editors' merges (module docstring).

    Args:
        session: an open session.
        kind: ``unit`` or ``bloc``.
        words_key: the name key of the name asked for (`store.keys.name_key`).
        number: a bloc asked for by number, as `store.queries` reads it ("6"); None for a unit.

    Returns:
        The name keys of every merged group that belongs to the name, sorted; empty when no
        group does (then the timeline is the words' alone).
    """
    padded = f" {words_key} "
    wanted: set[str] = set()
    for spelled, numbered in _spellings(session, kind, number):
        if numbered or any(padded in f" {k} " for k in spelled):
            wanted |= spelled
    return _holding(session, wanted) if wanted else []
