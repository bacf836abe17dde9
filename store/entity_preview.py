"""What a merge, split or undo of entities would change, before it is made (a pure read).

An editor sees this before confirming: the groups before and after, the representative (whose
name the group goes by), and for each entity whose facts would be shown under another
entity, how many facts (by field), records and timeline years move, from which entity to
which. A correction that cannot be made is previewed with the store's own refusal (the named
error and its message, from the same checks `store.entity_corrections` runs before it writes)
and changes nothing. An unknown entity or correction is not a preview: it raises.

``state`` names the groups the preview saw; the writes of `store.entity_corrections` take it
as `expect_state` and refuse when the groups changed in between (another editor merged or split
one of them), so what is confirmed is what was previewed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy.orm import Session

from store.entities import entities_by_id
from store.entity_corrections import (
    Groups,
    check_merge,
    check_split,
    check_undo,
    group_state,
    groups,
    what_if,
)
from store.entity_pages import Naming, naming
from store.errors import EntityCorrectionError, EntityNotFoundError, UndoConflictError
from store.models import Entity, EntityCorrection


def _brief(entities: dict[int, Entity], eid: int) -> dict[str, Any]:
    e = entities[eid]
    return {"id": e.id, "name": e.name, "kind": e.kind, "province": e.province or None}


def _groups_view(
    merged: Groups, ids: Collection[int], entities: dict[int, Entity], found: Naming
) -> list[dict[str, Any]]:
    """Each group the entities `ids` are in: representative, members, what is linked to it."""
    out = []
    for rep in dict.fromkeys(merged.of(i) for i in sorted(ids)):
        members = merged.group(rep)
        out.append(
            {"representative": _brief(entities, rep), "members": [_brief(entities, m) for m in members]}
            | found.of(set(members))
        )
    return out


def _preview(
    session: Session,
    *,
    action: str,
    involved: Sequence[int],
    check: Callable[[], Any],
    entity_ids: Sequence[int] = (),
    undoes: int | None = None,
) -> dict[str, Any]:
    refusal = None
    try:
        check()
    except EntityNotFoundError:
        raise
    except (EntityCorrectionError, UndoConflictError) as exc:
        refusal = {"error": type(exc).__name__, "message": str(exc)}
    if refusal is None:
        before, after = what_if(session, action, entity_ids=entity_ids, undoes=undoes)
    else:
        before = after = groups(session)
    touched = {m for i in involved for g in (before, after) for m in g.group(i)}
    entities = entities_by_id(session, touched)
    missing = sorted(touched - set(entities))
    if missing:  # a refused merge naming an unknown entity twice: still an unknown entity
        raise EntityNotFoundError(f"no entity with id {', '.join(map(str, missing))}")
    found = naming(session, touched)
    moves = []
    for eid in sorted(touched):
        was, will = before.of(eid), after.of(eid)
        if was != will:
            moves.append(
                {
                    "entity": _brief(entities, eid),
                    "from": _brief(entities, was),
                    "to": _brief(entities, will),
                }
                | found.of({eid})
            )
    after_groups = _groups_view(after, touched, entities, found)
    before_years = {
        g["representative"]["id"]: set(g["years"]) for g in _groups_view(before, touched, entities, found)
    }
    for g in after_groups:
        g["new_years"] = sorted(set(g["years"]) - before_years.get(g["representative"]["id"], set()))
    return {
        "action": action,
        "entity_ids": list(entity_ids) if action != "undo" else list(involved),
        "undoes": undoes,
        "allowed": refusal is None,
        "refusal": refusal,
        "before": _groups_view(before, touched, entities, found),
        "after": after_groups,
        "moves": moves,
        "state": group_state(before, involved),
    }


def preview_merge(session: Session, entity_ids: Sequence[int]) -> dict[str, Any]:
    """Return what merging `entity_ids` would change (the first one's name is kept).

    Returns:
        ``action``, ``entity_ids``, ``allowed``, ``refusal`` (``error``: the named error,
        ``message``; None when allowed), ``before`` and ``after`` (each group: ``representative``,
        ``members``, ``facts`` by field, ``fact_count``, ``records``, ``years``; after: also
        ``new_years``), ``moves`` (each entity whose facts would be shown under another:
        ``entity``, ``from``, ``to``, and its facts, records and years) and ``state``.

    Raises:
        EntityNotFoundError: an id names no entity.
    """
    ids = list(entity_ids)
    return _preview(
        session,
        action="merge",
        involved=list(dict.fromkeys(ids)),
        check=lambda: check_merge(session, ids),
        entity_ids=ids,
    )


def preview_split(session: Session, entity_id: int) -> dict[str, Any]:
    """Return what taking `entity_id` out of its merged group would change (as `preview_merge`).

    Raises:
        EntityNotFoundError: no entity has this id.
    """
    return _preview(
        session,
        action="split",
        involved=[entity_id],
        check=lambda: check_split(session, entity_id),
        entity_ids=[entity_id],
    )


def preview_undo(session: Session, correction_id: int) -> dict[str, Any]:
    """Return what undoing entity correction `correction_id` would change (as `preview_merge`).

    Raises:
        CorrectionNotFoundError: no entity correction has this id.
    """
    target = session.get(EntityCorrection, correction_id)
    if target is None:
        check_undo(session, correction_id)  # raises CorrectionNotFoundError with the store's message
    assert target is not None
    return _preview(
        session,
        action="undo",
        involved=list(target.entity_ids),
        check=lambda: check_undo(session, correction_id),
        undoes=correction_id,
    )
