"""Editors' corrections: one store function per action, each validated before anything is written.

See `store.current` for how corrections are laid over the machine record, and `store.facts`
for the fact keys that name facts across re-extractions. Every function here:

- takes the `Session` first and the rest keyword-only, and never commits (the caller owns the
  transaction), like `store.repository`;
- names the fact it acts on by fact key (``member:so y te``) or by place in the current record
  (``member#2``, counted from 0 as ``thidua record`` shows it);
- locks the article's row first (``SELECT … FOR NO KEY UPDATE`` on PostgreSQL; SQLite has one
  writer at a time), so two editors of one article take turns and each validates against the
  other's correction, never a stale record; a crawler storing a new run meanwhile neither waits
  nor loses anything: the correction records the record and machine values it was made
  against, and `store.current` flags any difference;
- checks the editor, the field, the fact, the value, the evidence span and the reason before
  writing, and raises a named `store.errors.CorrectionError` with nothing written when one is
  wrong; the row is then added in a savepoint;
- returns the new `Correction` row, flushed (it has its id).

Values are SCHEMA.md values: a string for published and event_date (``YYYY-MM-DD``), province
(a province `extract.places` knows, stored in its canonical form), event_kind (a code) and
member (a unit name); an object for bloc (name, number, aliases), role (unit, role, year) and
award (recipient, award, issuer, year, status). For a change, merge or split an object may
name only the keys that change (``{"year": 2018}``); the others keep the fact's current value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, get_args

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extract.places import canonical_province
from extract.record import EVENT_KINDS, AwardKind, AwardStatus, Issuer, Record, RoleKind
from extract.record import AwardFact as AwardData
from extract.record import BlocFact as BlocData
from extract.record import MemberFact as MemberData
from extract.record import RoleFact as RoleData
from store import current_table
from store.current import Entry, Overlay, load_overlay, undone_ids
from store.errors import (
    ArticleNotFoundError,
    CorrectionNotFoundError,
    DuplicateFactError,
    FactNotFoundError,
    InvalidEditorError,
    InvalidValueError,
    UndoConflictError,
    UnknownFieldError,
)
from store.facts import SCALAR_FIELDS, base_key, field_of, machine_province, unique_key
from store.models import FACT_KINDS, Article, Correction, Editor
from store.repository import record_problems

# the fields a merge or split can act on: lists of names (two event kinds are never "the same")
NAME_FIELDS: Final = ("bloc", "member", "role", "award")
# an editor's year must look like an emulation year: a typo such as 20018 is refused, where the
# machine's columns would take any year from 1 to 9999
YEARS: Final = range(1900, 2101)
MAX_REASON_CHARS: Final = 4000
MAX_EDITOR_CHARS: Final = 128  # the editor.name column

_KEYS: Final = {
    "bloc": {"name": True, "number": False, "aliases": False},  # key: required when adding
    "role": {"unit": True, "role": True, "year": False},
    "award": {"recipient": True, "award": True, "issuer": False, "year": False, "status": True},
}
_DEFAULTS: Final[dict[str, Any]] = {"number": None, "aliases": [], "year": None, "issuer": None}
_PLACE = re.compile(r"([a-z_]+)#(\d+)")


# --- checks ------------------------------------------------------------------------------


def _text_issue(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds characters that are not UTF-8 text"
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        return "holds control characters"
    return None


def check_editor(name: object) -> str:
    """Return the editor's name, trimmed; raise `InvalidEditorError` if it cannot name anyone."""
    if not isinstance(name, str):
        raise InvalidEditorError(f"the editor must be a name, not {type(name).__name__}")
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise InvalidEditorError("the editor's name is empty; say who makes the correction (--editor NAME)")
    if len(name) > MAX_EDITOR_CHARS:
        raise InvalidEditorError(
            f"the editor's name is {len(name)} characters long; give at most {MAX_EDITOR_CHARS}"
        )
    issue = _text_issue(name)
    if issue:
        raise InvalidEditorError(f"the editor's name {name!r} {issue}")
    return name


def _check_reason(reason: object) -> str | None:
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise InvalidValueError(f"the reason must be text, not {type(reason).__name__}")
    reason = unicodedata.normalize("NFC", reason.strip())
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidValueError(
            f"the reason is {len(reason):,} characters long; give at most {MAX_REASON_CHARS:,}"
        )
    issue = _text_issue(reason)
    if issue:
        raise InvalidValueError(f"the reason {issue}")
    return reason or None


def _check_evidence(article: Article, evidence: object) -> tuple[int, int, str] | None:
    if evidence is None:
        return None
    if (
        not isinstance(evidence, tuple | list)
        or len(evidence) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in evidence)
    ):
        raise InvalidValueError(f"evidence must be two character offsets (start, end), not {evidence!r}")
    start, end = evidence
    if not 0 <= start < end <= len(article.text):
        raise InvalidValueError(
            f"evidence {start}:{end} is not a span of article {article.id}'s text "
            f"(0 <= start < end <= {len(article.text)})"
        )
    return start, end, article.text[start:end]


def _check_field(fld: object, allowed: Sequence[str] = FACT_KINDS) -> str:
    if fld not in allowed:
        known = "" if fld in FACT_KINDS else " SCHEMA.md has no such field;"
        raise UnknownFieldError(f"field {str(fld)[:40]!r}:{known} use one of {', '.join(allowed)}")
    return str(fld)


def _text(fld: str, name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(f"{fld} {name} must be text, not {type(value).__name__}")
    return unicodedata.normalize("NFC", value.strip())


def _year(fld: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in YEARS:
        raise InvalidValueError(f"{fld} year {value!r} is not a year from {YEARS[0]} to {YEARS[-1]}")
    return value


def _choice(fld: str, name: str, value: object, allowed: tuple[str, ...], *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if value not in allowed:
        raise InvalidValueError(f"{fld} {name} {str(value)[:40]!r} is not one of {', '.join(allowed)}")
    return value


def _object(fld: str, value: object, base: dict[str, Any] | None) -> dict[str, Any]:
    """Return the full object value of `fld`: `value`'s keys over `base` (or the defaults)."""
    if not isinstance(value, dict):
        raise InvalidValueError(
            f"a {fld} value is an object with {', '.join(_KEYS[fld])}, not {type(value).__name__}"
        )
    unknown = sorted(str(k) for k in value if k not in _KEYS[fld])
    if unknown:
        raise InvalidValueError(
            f"unknown key(s) {', '.join(map(repr, unknown))} for a {fld}; use {', '.join(_KEYS[fld])}"
        )
    if base is None:
        missing = [k for k, required in _KEYS[fld].items() if required and k not in value]
        if missing:
            raise InvalidValueError(f"a new {fld} needs {', '.join(missing)}")
        full = {k: _DEFAULTS.get(k) for k in _KEYS[fld]} | value
    else:
        full = dict(base) | value
    return {k: full[k] for k in _KEYS[fld]}  # SCHEMA.md's key order


def check_value(fld: str, value: object, *, base: Any = None) -> Any:
    """Return `value` as a valid SCHEMA.md value of `fld`, trimmed and NFC; else raise.

    Args:
        fld: the field.
        value: the editor's value; for an object field, only the keys to change when `base`
            is given.
        base: the fact's current value (a change, merge or split), or None (an add).

    Raises:
        UnknownFieldError: `fld` is not a SCHEMA.md field.
        InvalidValueError: the value breaks SCHEMA.md or would not fit the store.
    """
    fld = _check_field(fld)
    out: Any
    if fld in ("published", "event_date"):
        text = _text(fld, "value", value)
        try:
            out = date.fromisoformat(text).isoformat() if len(text) == 10 else None
        except ValueError:
            out = None
        if out is None:
            raise InvalidValueError(f"{fld} {text[:40]!r} is not a YYYY-MM-DD date")
        return out
    if fld == "province":
        text = _text(fld, "value", value)
        out = canonical_province(text) if not _text_issue(text) else None
        if out is None:
            raise InvalidValueError(
                f"province {text[:60]!r} is not a province (give its name, e.g. 'Bắc Ninh', 'Hồ Chí Minh')"
            )
        return out
    if fld == "event_kind":
        return _choice(fld, "value", value, EVENT_KINDS)
    if fld == "member":
        out = _text(fld, "unit", value)
        record = Record("correction", members=[MemberData(None, 1.0, "editor", unit=out, surface=out)])
    elif fld == "bloc":
        out = _object(fld, value, base)
        out["name"] = _text(fld, "name", out["name"])
        if out["number"] is not None:
            out["number"] = _text(fld, "number", out["number"]) or None
        if not isinstance(out["aliases"], list):
            raise InvalidValueError("bloc aliases must be a list of names")
        out["aliases"] = [_text(fld, "alias", a) for a in out["aliases"]]
        record = Record("correction", blocs=[BlocData(None, 1.0, "editor", **out)])
    elif fld == "role":
        out = _object(fld, value, base)
        out["unit"] = _text(fld, "unit", out["unit"])
        out["role"] = _choice(fld, "role", out["role"], get_args(RoleKind))
        out["year"] = _year(fld, out["year"])
        record = Record("correction", roles=[RoleData(None, 1.0, "editor", **out)])
    else:
        out = _object(fld, value, base)
        out["recipient"] = _text(fld, "recipient", out["recipient"])
        out["award"] = _choice(fld, "award", out["award"], get_args(AwardKind))
        out["issuer"] = _choice(fld, "issuer", out["issuer"], get_args(Issuer), optional=True)
        out["year"] = _year(fld, out["year"])
        out["status"] = _choice(fld, "status", out["status"], get_args(AwardStatus))
        record = Record("correction", awards=[AwardData(None, 1.0, "editor", **out)])
    # the machine's own checks (empty names, NUL, lengths the columns hold), so a corrected
    # record never holds what the extractor could not have stored
    problems = [p.split(": ", 1)[-1] for p in record_problems(record) if not p.startswith(("doc_id",))]
    if problems:
        raise InvalidValueError(f"{fld} value refused: {'; '.join(problems)}")
    return out


# --- the article, its current record and its facts ---------------------------------------


def lock_article(session: Session, article_id: object) -> Article:
    """Return the article, its row locked until the transaction ends (PostgreSQL; SQLite has
    one writer at a time). Raise `ArticleNotFoundError` if there is none."""
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        raise ArticleNotFoundError(f"an article id is a number, not {article_id!r}")
    # FOR NO KEY UPDATE: editors of one article wait for each other, but a crawler storing a
    # record (whose foreign key takes FOR KEY SHARE on the article) never waits for an editor
    stmt = select(Article).where(Article.id == article_id).with_for_update(key_share=True)
    article = session.scalars(stmt).one_or_none()
    if article is None:
        raise ArticleNotFoundError(f"no article with id {article_id}")
    return article


def resolve_fact(overlay: Overlay, ref: object) -> Entry:
    """Return the fact of the current record that `ref` names.

    Args:
        overlay: the article's current record (`store.current.load_overlay`).
        ref: a fact key (``member:so y te``, ``province``) or a place (``member#2``, from 0).

    Raises:
        UnknownFieldError: the field part names no SCHEMA.md field.
        FactNotFoundError: the current record holds no such fact.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise FactNotFoundError(f"name a fact by its key or place (member#0), not {ref!r}")
    ref = ref.strip()
    place = _PLACE.fullmatch(ref)
    fld = _check_field(place.group(1) if place else field_of(ref))
    entries = overlay.entries[fld]
    if place:
        n = int(place.group(2))
        if n < len(entries):
            return entries[n]
        have = f"{fld}#0 to {fld}#{len(entries) - 1}" if entries else f"no {fld}"
        raise FactNotFoundError(
            f"article {overlay.article.id}'s current record has {have}, not {ref} (see thidua record)"
        )
    entry = overlay.find(ref)
    if entry is None:
        known = ", ".join(e.key for e in entries[:8]) or "none"
        raise FactNotFoundError(
            f"article {overlay.article.id}'s current record holds no fact {ref[:80]!r}; "
            f"its {fld} facts: {known}"
        )
    return entry


@dataclass(slots=True)
class _Plan:
    """What a correction will write, once every check passed."""

    action: str
    field: str | None
    targets: list[Entry]
    results: list[tuple[str, Any]]  # (fact key, value)
    old_value: Any
    new_value: Any


def _result_keys(
    overlay: Overlay, fld: str, values: Sequence[Any], targets: Sequence[Entry]
) -> list[tuple[str, Any]]:
    """Give each new value its fact key; refuse a value the record already holds elsewhere."""
    province = machine_province(overlay.record)
    gone = {t.key for t in targets}
    others = [e for e in overlay.entries[fld] if e.key not in gone]
    taken = {e.key for e in others}
    out: list[tuple[str, Any]] = []
    for value in values:
        same = next((e for e in others if e.value == value), None)
        if same is not None:
            raise DuplicateFactError(
                f"article {overlay.article.id}'s record already holds this {fld} as {same.key!r}; "
                "correct that fact instead"
            )
        if fld in SCALAR_FIELDS and others:
            raise DuplicateFactError(
                f"article {overlay.article.id}'s record already has a {fld} ({others[0].value!r}); "
                f"change it instead of adding one"
            )
        if any(v == value for _, v in out):
            raise InvalidValueError(f"the same {fld} is given twice")
        key = unique_key(base_key(fld, value, province), taken)
        taken.add(key)
        out.append((key, value))
    return out


def _write(
    session: Session,
    overlay: Overlay,
    plan: _Plan,
    *,
    editor: str,
    reason: str | None,
    evidence: tuple[int, int, str] | None,
) -> Correction:
    """Add the correction row of `plan` (and the editor, if new) in a savepoint."""
    keys = [t.key for t in plan.targets]
    result_keys = [k for k, _ in plan.results]
    if plan.action == "verify":
        fields = [plan.field] if plan.field else list(FACT_KINDS)
        basis = {k: f.value for k, f in overlay.machine.items() if f.field in fields}
    else:
        basis = {k: overlay.machine[k].value if k in overlay.machine else None for k in [*keys, *result_keys]}
    first = overlay.machine.get(keys[0]) if keys else None
    with session.begin_nested():  # the editor and the correction, or neither
        row = Correction(
            article_id=overlay.article.id,
            record_id=overlay.record.id,
            editor=editor_named(session, editor),
            action=plan.action,
            field=plan.field,
            fact_id=first.fact_id if first else None,
            fact_keys=keys,
            result_keys=result_keys,
            machine_values=basis,
            old_value=plan.old_value,
            new_value=plan.new_value,
            evidence_start=evidence[0] if evidence else None,
            evidence_end=evidence[1] if evidence else None,
            evidence_text=evidence[2] if evidence else None,
            reason=reason,
        )
        session.add(row)
        session.flush()
        # the queries' copy of the record; the article is locked, so `overlay.record` is still newest
        current_table.refresh_article(session, overlay.article, overlay.record)
    return row


def editor_named(session: Session, name: str) -> Editor:
    """Return the editor called `name`, added if new (two sessions adding one name get one row)."""
    name = check_editor(name)
    found = session.scalars(select(Editor).where(Editor.name == name)).one_or_none()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            editor = Editor(name=name)
            session.add(editor)
    except IntegrityError:  # another session added the same name first
        return session.scalars(select(Editor).where(Editor.name == name)).one()
    return editor


def _open(
    session: Session, article_id: object, editor: object, reason: object, evidence: object
) -> tuple[Overlay, str, str | None, tuple[int, int, str] | None]:
    """Check the editor and the reason, lock the article, load its current record, check the span."""
    name = check_editor(editor)
    why = _check_reason(reason)
    article = lock_article(session, article_id)
    overlay = load_overlay(session, article)
    return overlay, name, why, _check_evidence(article, evidence)


# --- the actions -------------------------------------------------------------------------


def accept_fact(
    session: Session,
    *,
    article_id: int,
    fact: str,
    editor: str,
    reason: str | None = None,
    evidence: tuple[int, int] | None = None,
) -> Correction:
    """Confirm that one fact of the current record is right as it stands.

    If a later run reads that fact differently (or drops it), the accepted value stays and the
    record is flagged for review. Args and errors as `change_fact`, without a value.
    """
    overlay, name, why, span = _open(session, article_id, editor, reason, evidence)
    target = resolve_fact(overlay, fact)
    plan = _Plan("accept", target.field, [target], [(target.key, target.value)], target.value, target.value)
    return _write(session, overlay, plan, editor=name, reason=why, evidence=span)


def change_fact(
    session: Session,
    *,
    article_id: int,
    fact: str,
    value: Any,
    editor: str,
    reason: str | None = None,
    evidence: tuple[int, int] | None = None,
) -> Correction:
    """Give one fact of the current record a new value.

    Args:
        session: the caller's session; nothing is committed.
        article_id: the article whose record is corrected.
        fact: the fact's key or place (``award#0``).
        value: the new SCHEMA.md value; for bloc, role and award only the keys that change.
        editor: who corrects (a non-empty name; added to the editors if new).
        reason: why, for the next editor.
        evidence: (start, end) offsets of the article text that support the value.

    Returns:
        The correction, flushed.

    Raises:
        ArticleNotFoundError, NoRecordError: no such article, or no record of it yet.
        InvalidEditorError: the editor's name is empty, too long or not text.
        UnknownFieldError, FactNotFoundError: the fact is not in the current record.
        InvalidValueError: the value, span or reason is refused, or the value is unchanged.
        DuplicateFactError: the record already holds that value as another fact.
    """
    overlay, name, why, span = _open(session, article_id, editor, reason, evidence)
    target = resolve_fact(overlay, fact)
    new = check_value(target.field, value, base=target.value)
    if new == target.value:
        raise InvalidValueError(f"{target.key} already is {new!r}; to confirm it, accept it")
    results = _result_keys(overlay, target.field, [new], [target])
    plan = _Plan("change", target.field, [target], results, target.value, new)
    return _write(session, overlay, plan, editor=name, reason=why, evidence=span)


def add_fact(
    session: Session,
    *,
    article_id: int,
    field: str,
    value: Any,
    editor: str,
    reason: str | None = None,
    evidence: tuple[int, int] | None = None,
) -> Correction:
    """Add a fact the machine missed (a member, a role, an award, a bloc, an event kind, or a
    published, province or event date the record lacks). Args and errors as `change_fact`,
    with the `field` to add to instead of a fact; an object value needs its required keys."""
    overlay, name, why, span = _open(session, article_id, editor, reason, evidence)
    fld = _check_field(field)
    new = check_value(fld, value)
    results = _result_keys(overlay, fld, [new], [])
    plan = _Plan("add", fld, [], results, None, new)
    return _write(session, overlay, plan, editor=name, reason=why, evidence=span)


def delete_fact(
    session: Session,
    *,
    article_id: int,
    fact: str,
    editor: str,
    reason: str | None = None,
    evidence: tuple[int, int] | None = None,
) -> Correction:
    """Remove a wrong fact from the current record (the machine's row stays in its run).
    Args and errors as `change_fact`, without a value."""
    overlay, name, why, span = _open(session, article_id, editor, reason, evidence)
    target = resolve_fact(overlay, fact)
    plan = _Plan("delete", target.field, [target], [], target.value, None)
    return _write(session, overlay, plan, editor=name, reason=why, evidence=span)


def verify(
    session: Session,
    *,
    article_id: int,
    field: str | None = None,
    editor: str,
    reason: str | None = None,
) -> Correction:
    """Record that an editor checked one field (or, with `field` None, the whole record) against
    the article and found it right and complete. A fact a later run adds to or changes in that
    field flags the record for review.

    Raises:
        ArticleNotFoundError, NoRecordError, InvalidEditorError, UnknownFieldError,
        InvalidValueError: as `change_fact`.
    """
    overlay, name, why, _ = _open(session, article_id, editor, reason, None)
    fld = None if field is None else _check_field(field)
    fields = [fld] if fld else list(FACT_KINDS)
    shown = {f: [e.value for e in overlay.entries[f]] for f in fields}
    plan = _Plan("verify", fld, [], [], shown[fld] if fld else shown, None)
    return _write(session, overlay, plan, editor=name, reason=why, evidence=None)


def merge_facts(
    session: Session,
    *,
    article_id: int,
    facts: Sequence[str],
    value: Any = None,
    editor: str,
    reason: str | None = None,
    evidence: tuple[int, int] | None = None,
) -> Correction:
    """Make two or more facts of one field that name the same thing (one unit listed twice under
    two spellings) into one fact, with `value` (by default the first fact's value; for an object
    field the keys given change the first fact's value). Errors as `change_fact`."""
    overlay, name, why, span = _open(session, article_id, editor, reason, evidence)
    if isinstance(facts, str) or len(facts) < 2:
        raise FactNotFoundError("a merge names two facts or more")
    targets = [resolve_fact(overlay, ref) for ref in facts]
    if len({t.key for t in targets}) != len(targets):
        raise FactNotFoundError(f"a merge names each fact once, not {', '.join(t.key for t in targets)}")
    fld = _check_field(targets[0].field, NAME_FIELDS)
    if any(t.field != fld for t in targets):
        raise UnknownFieldError(f"a merge joins facts of one field, not {', '.join(t.key for t in targets)}")
    new = targets[0].value if value is None else check_value(fld, value, base=targets[0].value)
    results = _result_keys(overlay, fld, [new], targets)
    plan = _Plan("merge", fld, targets, results, [t.value for t in targets], new)
    return _write(session, overlay, plan, editor=name, reason=why, evidence=span)


def split_fact(
    session: Session,
    *,
    article_id: int,
    fact: str,
    values: Sequence[Any],
    editor: str,
    reason: str | None = None,
    evidence: tuple[int, int] | None = None,
) -> Correction:
    """Replace one fact by two or more (a unit the machine read as one that is two, an award for
    two years); for an object field each value gives the keys that differ from the fact's.
    Errors as `change_fact`."""
    overlay, name, why, span = _open(session, article_id, editor, reason, evidence)
    target = resolve_fact(overlay, fact)
    fld = _check_field(target.field, NAME_FIELDS)
    if isinstance(values, str | dict) or len(values) < 2:
        raise InvalidValueError("a split gives two values or more")
    news = [check_value(fld, v, base=target.value) for v in values]
    results = _result_keys(overlay, fld, news, [target])
    plan = _Plan("split", fld, [target], results, target.value, news)
    return _write(session, overlay, plan, editor=name, reason=why, evidence=span)


def undo(session: Session, *, correction_id: int, editor: str, reason: str | None = None) -> Correction:
    """Cancel an earlier correction by adding an undo (an undo of an undo restores it).

    Raises:
        CorrectionNotFoundError: no correction has this id.
        UndoConflictError: it is already undone, or a later correction in force acts on a fact
            it made (undo that one first).
        InvalidEditorError, InvalidValueError: as `change_fact`.
    """
    name = check_editor(editor)
    why = _check_reason(reason)
    if isinstance(correction_id, bool) or not isinstance(correction_id, int):
        raise CorrectionNotFoundError(f"a correction id is a number, not {correction_id!r}")
    target = session.get(Correction, correction_id)
    if target is None:
        raise CorrectionNotFoundError(f"no correction with id {correction_id}")
    article = lock_article(session, target.article_id)
    corrections = list(
        session.scalars(select(Correction).where(Correction.article_id == article.id).order_by(Correction.id))
    )
    undone = undone_ids(corrections)
    if target.id in undone:
        raise UndoConflictError(f"correction {target.id} is already undone")
    made = set(target.result_keys)
    for later in corrections:
        in_force = later.id > target.id and later.id not in undone and later.action != "undo"
        if in_force and made & set(later.fact_keys):
            raise UndoConflictError(
                f"correction {later.id} ({later.action}) acts on a fact correction {target.id} "
                f"made; undo {later.id} first"
            )
    newest = load_overlay(session, article).record
    with session.begin_nested():
        row = Correction(
            article_id=article.id,
            record_id=newest.id,
            editor=editor_named(session, name),
            action="undo",
            field=target.field,
            fact_keys=list(target.fact_keys),
            result_keys=[],
            machine_values={},
            reason=why,
            undoes_id=target.id,
        )
        session.add(row)
        session.flush()
        current_table.refresh_article(session, article, newest)  # the queries' copy of the record
    return row


# --- reading the history -----------------------------------------------------------------


def corrections_of(session: Session, *, article_id: int) -> list[dict[str, Any]]:
    """Return every correction of an article, oldest first, with whether it is still in force."""
    rows = list(
        session.scalars(select(Correction).where(Correction.article_id == article_id).order_by(Correction.id))
    )
    undone = undone_ids(rows)
    return [
        {
            "id": c.id,
            "created_at": c.created_at.isoformat() if c.created_at else None,
            "editor": c.editor.name,
            "action": c.action,
            "field": c.field,
            "fact_keys": list(c.fact_keys),
            "result_keys": list(c.result_keys),
            "old_value": c.old_value,
            "new_value": c.new_value,
            "evidence": None
            if c.evidence_start is None
            else {"start": c.evidence_start, "end": c.evidence_end, "text": c.evidence_text},
            "reason": c.reason,
            "record_id": c.record_id,
            "undoes": c.undoes_id,
            "in_force": c.id not in undone,
        }
        for c in rows
    ]
