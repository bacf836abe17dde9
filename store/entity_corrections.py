"""Editors' merges and splits of entities (units and blocs), as append-only corrections.

The machine makes one entity per (kind, province, name key) (`store.entities`). When two of
them are the same unit or bloc under names no key can join ("Khối thi đua số 3" and "Khối các
cơ quan Nội chính"), an editor merges them; when a merge was wrong, the editor splits one entity
back out. Both are rows of `entity_correction`, never an update of an entity or a link, and an
undo is one more row, as for facts (`store.corrections`):

- **merge** ``[a, b, …]``: every entity named, with the groups they are already in, becomes one
  group whose *representative* is ``a``'s (its name is the group's name).
- **split** ``[x]``: `x` leaves its group and stands alone again; if `x` was the representative,
  the next entity of the group (in merge order) takes its place.
- **undo**: cancels one earlier correction (an undo of an undo restores it).

`groups` replays the corrections in force, oldest first, and is what every reader of entities
uses. Every function checks before it writes and raises a named `EntityCorrectionError` (or
`CorrectionNotFoundError`, `UndoConflictError`) with nothing written: an unknown entity, an
entity merged with itself (or with one it is already merged with), a unit merged with a bloc,
a split of an entity that is merged with nothing, and an undo after which a later correction
would no longer make sense. The entities' rows are locked first (PostgreSQL), so two editors
merging the same entities take turns.

The checks are public (`check_merge`, `check_split`, `check_undo`, without the lock) and
`what_if` replays one more correction without writing it: `store.entity_preview` shows an
editor what a correction would change, with the very refusal the write would raise. A write
given the preview's ``expect_state`` refuses (`PreviewOutdatedError`) when the groups changed
since the preview.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.corrections import _check_reason, check_editor, editor_named
from store.current import undone_ids
from store.errors import (
    CorrectionNotFoundError,
    EntityKindError,
    EntityNotFoundError,
    NotMergedError,
    PreviewOutdatedError,
    SelfMergeError,
    UndoConflictError,
)
from store.models import Entity, EntityCorrection


@dataclass(slots=True)
class Groups:
    """Merged entities: each group's members in merge order, the first being its representative."""

    members: dict[int, list[int]] = field(default_factory=dict)  # representative -> members
    rep: dict[int, int] = field(default_factory=dict)  # member -> representative (merged ones only)

    def of(self, entity_id: int) -> int:
        """Return the representative of `entity_id` (itself when it is merged with nothing)."""
        return self.rep.get(entity_id, entity_id)

    def group(self, entity_id: int) -> list[int]:
        """Return every entity merged with `entity_id`, itself included, representative first."""
        return list(self.members.get(self.of(entity_id), [entity_id]))

    def merge(self, ids: Sequence[int]) -> str | None:
        """Merge the groups of `ids`; return why not, if it cannot be done."""
        reps = [self.of(i) for i in ids]
        if len(set(reps)) != len(reps):
            return f"entities {', '.join(map(str, ids))} name one entity twice or are already merged"
        target = reps[0]
        joined = self.group(target)
        for r in reps[1:]:
            joined += self.group(r)
            self.members.pop(r, None)
        self.members[target] = joined
        for m in joined:
            self.rep[m] = target
        return None

    def split(self, entity_id: int) -> str | None:
        """Take `entity_id` out of its group; return why not, if it is merged with nothing."""
        group = self.group(entity_id)
        if len(group) < 2:
            return f"entity {entity_id} is not merged with any other entity"
        rest = [m for m in group if m != entity_id]
        self.members.pop(group[0])
        self.rep.pop(entity_id)
        if len(rest) == 1:
            self.rep.pop(rest[0])
        else:
            self.members[rest[0]] = rest
            for m in rest:
                self.rep[m] = rest[0]
        return None


def _replay(corrections: Iterable[EntityCorrection | _Pending]) -> tuple[Groups, list[str]]:
    """Apply the corrections in force in order; return the groups and what failed."""
    rows = list(corrections)
    undone = undone_ids(rows)  # type: ignore[arg-type]  # the same undo rule as fact corrections
    groups, problems = Groups(), []
    for c in sorted(rows, key=lambda c: c.id):
        if c.action == "undo" or c.id in undone:
            continue
        issue = groups.merge(c.entity_ids) if c.action == "merge" else groups.split(c.entity_ids[0])
        if issue:
            problems.append(f"correction {c.id} ({c.action}): {issue}")
    return groups, problems


def _all(session: Session) -> list[EntityCorrection]:
    return list(session.scalars(select(EntityCorrection).order_by(EntityCorrection.id)))


def groups(session: Session) -> Groups:
    """Return the merged groups as the entity corrections in force make them."""
    # the four columns the replay reads, not ORM rows: every name timeline replays the merges
    # (`store.merged_keys`), and 500 corrections load in 1.6 ms instead of 3.4 (SQLite)
    stmt = select(
        EntityCorrection.id, EntityCorrection.action, EntityCorrection.entity_ids, EntityCorrection.undoes_id
    ).order_by(EntityCorrection.id)
    return _replay(_Pending(*row) for row in session.execute(stmt).tuples())[0]


def group_state(merged: Groups, entity_ids: Iterable[int]) -> str:
    """A short text naming the groups of `entity_ids` ("3,7;5": entity 3 merged with 7, 5 alone)."""
    return ";".join(",".join(map(str, merged.group(i))) for i in sorted(set(entity_ids)))


def check_state(session: Session, entity_ids: Iterable[int], state: str | None) -> None:
    """Refuse a write whose preview saw other groups than there are now (None: no check).

    Raises:
        PreviewOutdatedError: the groups of `entity_ids` changed since the preview.
    """
    if state is None:
        return
    now = group_state(groups(session), entity_ids)
    if now != state:
        raise PreviewOutdatedError(
            f"the entities' groups changed since the preview ({state or 'none'} → {now}); preview again"
        )


def _lock(session: Session, ids: Sequence[object], *, lock: bool = True) -> list[Entity]:
    """Return the entities `ids` names, rows locked (PostgreSQL) unless `lock` is false (a
    preview, which may run on a read-only connection); raise if one is unknown."""
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int):
            raise EntityNotFoundError(f"an entity id is a number, not {i!r}")
    stmt = select(Entity).where(Entity.id.in_(list(ids))).order_by(Entity.id)
    found = {e.id: e for e in session.scalars(stmt.with_for_update() if lock else stmt)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise EntityNotFoundError(f"no entity with id {', '.join(missing)} (see thidua units / thidua blocs)")
    return [found[i] for i in ids]  # type: ignore[index]  # every id was checked above


def _add(
    session: Session,
    *,
    editor: str,
    action: str,
    ids: list[int],
    reason: str | None,
    undoes: int | None = None,
) -> EntityCorrection:
    with session.begin_nested():
        row = EntityCorrection(
            editor=editor_named(session, editor),
            action=action,
            entity_ids=ids,
            reason=reason,
            undoes_id=undoes,
        )
        session.add(row)
        session.flush()
    return row


def check_merge(session: Session, entity_ids: Sequence[int], *, lock: bool = False) -> list[Entity]:
    """Return the entities a merge of `entity_ids` would join; raise why it cannot be done.

    What `merge_entities` checks before it writes, and what a preview (`store.entity_preview`)
    shows: the same named errors with the same messages.

    Raises:
        EntityNotFoundError: an id names no entity.
        SelfMergeError: fewer than two entities, one named twice, or entities already merged.
        EntityKindError: a unit and a bloc.
    """
    if isinstance(entity_ids, str | bytes) or len(entity_ids) < 2:
        raise SelfMergeError("a merge names two entities or more")
    ids = list(entity_ids)
    if len(set(ids)) != len(ids):
        raise SelfMergeError(f"a merge names each entity once, not {', '.join(map(str, ids))}")
    entities = _lock(session, ids, lock=lock)
    kinds = {e.kind for e in entities}
    if len(kinds) > 1:
        raise EntityKindError(
            f"a merge joins units with units or blocs with blocs, not {' and '.join(sorted(kinds))}"
        )
    current, _ = _replay(_all(session))
    issue = current.merge(ids)
    if issue:
        raise SelfMergeError(issue)
    return entities


def merge_entities(
    session: Session,
    *,
    entity_ids: Sequence[int],
    editor: str,
    reason: str | None = None,
    expect_state: str | None = None,
) -> EntityCorrection:
    """Merge two or more entities that are the same unit or bloc; the first one's name stays.

    `expect_state` is a preview's ``state`` (`store.entity_preview`): given, the merge is
    refused if the groups changed since, checked once the rows are locked.

    Raises:
        InvalidEditorError, InvalidValueError: a bad editor name or reason.
        EntityNotFoundError, SelfMergeError, EntityKindError: as `check_merge`.
        PreviewOutdatedError: the groups changed since the preview.
    """
    name = check_editor(editor)
    why = _check_reason(reason)
    check_merge(session, entity_ids, lock=True)
    check_state(session, entity_ids, expect_state)
    return _add(session, editor=name, action="merge", ids=list(entity_ids), reason=why)


def check_split(session: Session, entity_id: int, *, lock: bool = False) -> Entity:
    """Return the entity a split would take out of its group; raise why it cannot be done.

    Raises:
        EntityNotFoundError: no entity has this id.
        NotMergedError: the entity is merged with nothing.
    """
    entity = _lock(session, [entity_id], lock=lock)[0]
    current, _ = _replay(_all(session))
    issue = current.split(entity_id)
    if issue:
        raise NotMergedError(f"{issue}; only a merged entity can be split")
    return entity


def split_entity(
    session: Session,
    *,
    entity_id: int,
    editor: str,
    reason: str | None = None,
    expect_state: str | None = None,
) -> EntityCorrection:
    """Take one entity out of the group it was merged into (a wrong merge).

    Raises:
        InvalidEditorError, InvalidValueError, EntityNotFoundError, PreviewOutdatedError: as
            `merge_entities`.
        NotMergedError: the entity is merged with nothing.
    """
    name = check_editor(editor)
    why = _check_reason(reason)
    check_split(session, entity_id, lock=True)
    check_state(session, [entity_id], expect_state)
    return _add(session, editor=name, action="split", ids=[entity_id], reason=why)


def check_undo(session: Session, correction_id: int, *, lock: bool = False) -> EntityCorrection:
    """Return the entity correction an undo would cancel; raise why it cannot be undone.

    Raises:
        CorrectionNotFoundError: no entity correction has this id.
        UndoConflictError: it is already undone, or a later correction in force would no
            longer make sense without it (undo that one first).
    """
    if isinstance(correction_id, bool) or not isinstance(correction_id, int):
        raise CorrectionNotFoundError(f"an entity correction id is a number, not {correction_id!r}")
    target = session.get(EntityCorrection, correction_id)
    if target is None:
        raise CorrectionNotFoundError(f"no entity correction with id {correction_id}")
    if target.action != "undo":
        _lock(session, target.entity_ids, lock=lock)
    rows = _all(session)
    if target.id in undone_ids(rows):  # type: ignore[arg-type]
        raise UndoConflictError(f"entity correction {target.id} is already undone")
    # replay with the undo added as the newest row: a later correction that no longer makes
    # sense (a split of an entity the undone merge joined) refuses the undo
    before = set(_replay(rows)[1])
    problems = [p for p in _replay([*rows, pending_undo(rows, target.id)])[1] if p not in before]
    if problems:
        raise UndoConflictError(
            f"cannot undo entity correction {target.id}: {problems[0]}; undo that one first"
        )
    return target


def undo_entity_correction(
    session: Session,
    *,
    correction_id: int,
    editor: str,
    reason: str | None = None,
    expect_state: str | None = None,
) -> EntityCorrection:
    """Cancel an earlier merge, split or undo by adding an undo.

    Raises:
        CorrectionNotFoundError, UndoConflictError: as `check_undo`.
        InvalidEditorError, InvalidValueError, PreviewOutdatedError: as `merge_entities`.
    """
    name = check_editor(editor)
    why = _check_reason(reason)
    target = check_undo(session, correction_id, lock=True)
    check_state(session, target.entity_ids, expect_state)
    return _add(
        session, editor=name, action="undo", ids=list(target.entity_ids), reason=why, undoes=target.id
    )


@dataclass(slots=True)
class _Pending:
    """A correction not yet written, replayed to see what it would do (same fields as the row)."""

    id: int
    action: str
    entity_ids: list[int]
    undoes_id: int | None


def pending_undo(rows: Sequence[EntityCorrection], correction_id: int) -> _Pending:
    """An undo of `correction_id` not yet written, newer than every row of `rows`."""
    return _Pending((rows[-1].id if rows else 0) + 1, "undo", [], correction_id)


def what_if(
    session: Session, action: str, *, entity_ids: Sequence[int] = (), undoes: int | None = None
) -> tuple[Groups, Groups]:
    """Return the groups now and as they would be after one more correction (nothing written).

    Call it once the correction passed its check (`check_merge`, `check_split`, `check_undo`):
    a correction that cannot be done is skipped by the replay, so "after" would equal "now".
    """
    rows = _all(session)
    if action == "undo":
        extra = pending_undo(rows, int(undoes or 0))
    else:
        extra = _Pending((rows[-1].id if rows else 0) + 1, action, list(entity_ids), None)
    return _replay(rows)[0], _replay([*rows, extra])[0]


def entity_corrections_of(session: Session, *, entity_id: int | None = None) -> list[dict[str, Any]]:
    """Return the entity corrections (of one entity, if given), oldest first, with whether in force."""
    rows = _all(session)
    undone = undone_ids(rows)  # type: ignore[arg-type]
    out = []
    for c in rows:
        if entity_id is not None and entity_id not in c.entity_ids:
            continue
        out.append(
            {
                "id": c.id,
                "created_at": c.created_at.isoformat() if c.created_at else None,
                "editor": c.editor.name,
                "action": c.action,
                "entity_ids": list(c.entity_ids),
                "reason": c.reason,
                "undoes": c.undoes_id,
                "in_force": c.id not in undone,
            }
        )
    return out
