"""One editor action → one `store.corrections` call; the form's fields → a SCHEMA.md value.

The web layer only translates: validation, locking and the append-only row are the store's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from store import corrections
from store.current import load_overlay
from store.entities import link_overlay
from store.errors import InvalidValueError
from store.models import Article, Correction

ACTIONS = ("accept", "change", "add", "delete", "verify")
# which form inputs make the value of each field; "value" is the main text input
_OBJECT_KEYS: dict[str, dict[str, str]] = {
    "bloc": {"value": "name", "number": "number"},
    "role": {"value": "unit", "role": "role", "year": "year"},
    "award": {"value": "recipient", "award": "award", "issuer": "issuer", "year": "year", "status": "status"},
}


def value_from_form(field: str, form: Mapping[str, str], *, partial: bool) -> Any:
    """Return the value the form's inputs give for `field`.

    Text fields take the ``value`` input. Bloc, role and award take their keys from the inputs
    named in `_OBJECT_KEYS`; an empty input is left out when `partial` (a change keeps the
    fact's value for it) and is null otherwise. A year must be digits.

    Raises:
        InvalidValueError: a year that is not a number.
    """
    keys = _OBJECT_KEYS.get(field)
    if keys is None:
        return form.get("value", "")
    out: dict[str, Any] = {}
    for name, key in keys.items():
        text = form.get(name, "").strip()
        if not text:
            if not partial and key not in ("name", "unit", "recipient", "role", "award", "status"):
                out[key] = None
            continue
        if key == "year":
            if not text.isdigit() or len(text) > 4:
                raise InvalidValueError(f"{field} year {text[:20]!r} is not a year")
            out[key] = int(text)
        else:
            out[key] = text
    return out


def evidence_from(start: object, end: object) -> tuple[int, int] | None:
    """Return (start, end) from two form inputs or a JSON pair; None when both are empty.

    Raises:
        InvalidValueError: one is missing or either is not a whole number.
    """
    if start in (None, "") and end in (None, ""):
        return None
    try:
        a, b = int(str(start)), int(str(end))
    except ValueError:
        raise InvalidValueError(f"evidence {start!r}:{end!r} is not two character offsets") from None
    return a, b


def apply(
    session: Session,
    *,
    article_id: int,
    action: str,
    editor: str,
    fact: str | None = None,
    field: str | None = None,
    value: Any = None,
    reason: str | None = None,
    evidence: tuple[int, int] | None = None,
) -> Correction:
    """Make one correction with the store's function for `action`; nothing is committed.

    Raises:
        CorrectionError (any of its kinds), ArticleNotFoundError, NoRecordError: as the
        store's functions; `InvalidValueError` for an unknown action or a missing fact.
    """
    if action not in ACTIONS:
        raise InvalidValueError(f"unknown action {action[:40]!r}; use one of {', '.join(ACTIONS)}")
    if action in ("accept", "change", "delete") and not fact:
        raise InvalidValueError(f"{action} names a fact (its key, or its place such as member#2)")
    reason = reason or None
    if action == "accept":
        return corrections.accept_fact(
            session, article_id=article_id, fact=str(fact), editor=editor, reason=reason, evidence=evidence
        )
    if action == "change":
        return corrections.change_fact(
            session,
            article_id=article_id,
            fact=str(fact),
            value=value,
            editor=editor,
            reason=reason,
            evidence=evidence,
        )
    if action == "delete":
        return corrections.delete_fact(
            session, article_id=article_id, fact=str(fact), editor=editor, reason=reason, evidence=evidence
        )
    if action == "add":
        if not field:
            raise InvalidValueError("add names the field of the new fact (member, role, award, …)")
        return corrections.add_fact(
            session,
            article_id=article_id,
            field=field,
            value=value,
            editor=editor,
            reason=reason,
            evidence=evidence,
        )
    return corrections.verify(
        session, article_id=article_id, field=field or None, editor=editor, reason=reason
    )


def link_entities(session: Session, correction: Correction) -> None:
    """Link the corrected record's units and blocs to entities, as `thidua correct` does: a
    member, role holder, award recipient or bloc the correction added gets its entity, so the
    unit and bloc pages and merges see it. Nothing is committed."""
    article = session.get(Article, correction.article_id)
    assert article is not None  # the correction was just made on it
    link_overlay(session, load_overlay(session, article))
