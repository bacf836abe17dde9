"""Facts as editors see them: a field, a SCHEMA.md value and a fact key that survives re-extraction.

A correction has to find "its" fact again in every later run, whose rows have new ids and maybe
new positions. So each fact has a *fact key* made of what identifies it, not of its row:

| field | key | example |
| --- | --- | --- |
| published, province, event_date | the field name (one per record) | ``province`` |
| event_kind | the kind | ``event_kind:tong_ket`` |
| bloc | the number, else the name's key | ``bloc:number=6``, ``bloc:name=khoi thi dua cac truong`` |
| member | the unit's name key | ``member:so y te`` |
| role | unit key and role (the year is a value) | ``role:so y te|khoi_truong`` |
| award | recipient key, award, issuer (year, status are values) | ``award:so y te|co_thi_dua|ubnd_tinh`` |

Name keys are SCHEMA.md's (`extract.namekeys.name_key`: no case, diacritics, punctuation,
"và"/"tỉnh", nor a trailing name of the record's own province), so a later run that spells a
unit "Sở Y tế tỉnh Bắc Ninh" instead of "Sở Y tế" still names the same fact. What is not part of
the key (a role's year, an award's year and status, a bloc's aliases, a unit's exact spelling)
is the fact's *value*: when it changes under a correction, `store.current` flags the record for
review. Two facts of one record with the same key (two awards of one kind from one issuer for
two years) are told apart by a suffix in list order: ``award:…|ubnd_tinh~2``.

Keys hold only ``[a-z0-9 ]`` from the names, so ``:``, ``|``, ``=`` and ``~`` never clash.
Changing these rules changes the keys stored in `correction.fact_keys`: ship a migration that
recomputes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from extract.namekeys import name_key
from store.models import FACT_KINDS, ExtractedRecord, ScalarFact

SCALAR_FIELDS: Final = ("published", "province", "event_date")
LIST_FIELDS: Final = ("event_kind", "bloc", "member", "role", "award")
# fields whose value is an object; the others hold one string
OBJECT_FIELDS: Final = ("bloc", "role", "award")
# the SCHEMA.md list each list field fills
SCHEMA_LIST: Final = {
    "event_kind": "event_kinds",
    "bloc": "blocs",
    "member": "members",
    "role": "roles",
    "award": "awards",
}
assert set(SCALAR_FIELDS + LIST_FIELDS) == set(FACT_KINDS)

ORDINAL: Final = "~"


def _name(value: object, province: str | None) -> str:
    key = name_key(value, province)
    # a name of only punctuation has an empty key; keep such facts apart from each other
    return key or f"?{value}"


def base_key(field: str, value: Any, province: str | None) -> str:
    """Return the fact key of `value` in `field`, before any ``~n`` suffix.

    Args:
        field: one of `store.models.FACT_KINDS`.
        value: the SCHEMA.md value (a string, or a dict for bloc, role and award).
        province: the record's machine province, whose trailing name a unit key drops.
    """
    if field in SCALAR_FIELDS:
        return field
    if field == "event_kind":
        return f"event_kind:{value}"
    if field == "member":
        return f"member:{_name(value, province)}"
    if field == "bloc":
        number = value.get("number")
        return f"bloc:number={number}" if number else f"bloc:name={_name(value.get('name'), province)}"
    if field == "role":
        return f"role:{_name(value.get('unit'), province)}|{value.get('role')}"
    if field == "award":
        issuer = value.get("issuer") or "-"
        return f"award:{_name(value.get('recipient'), province)}|{value.get('award')}|{issuer}"
    raise ValueError(f"no fact key for field {field!r}")  # callers check the field first


def field_of(key: str) -> str:
    """Return the field a fact key belongs to ("member:so y te" → "member")."""
    return key.split(":", 1)[0].split(ORDINAL, 1)[0]


def unique_key(base: str, taken: Iterable[str]) -> str:
    """Return `base`, or `base~2`, `base~3`, … whichever is not in `taken`."""
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base}{ORDINAL}{n}" in used:
        n += 1
    return f"{base}{ORDINAL}{n}"


@dataclass(frozen=True, slots=True)
class MachineFact:
    """One fact of a stored record, as `store.current` and `store.corrections` use it."""

    field: str
    key: str
    value: Any  # the SCHEMA.md value
    fact_id: int  # the row in the field's table
    evidence: dict[str, Any] | None  # {"start", "end", "text"}; None for metadata and URL facts
    confidence: float
    rule: str


def _evidence(row: Any) -> dict[str, Any] | None:
    if row.evidence_start is None:
        return None
    return {"start": row.evidence_start, "end": row.evidence_end, "text": row.evidence_text}


def _rows(record: ExtractedRecord) -> Iterator[tuple[str, Any, Any]]:
    """Yield (field, SCHEMA.md value, row) for every fact of `record`, in SCHEMA.md order."""
    scalars: list[ScalarFact] = sorted(record.scalars, key=lambda r: (r.field_name, r.position))
    for name in SCALAR_FIELDS:
        for row in scalars:
            if row.field_name == name and row.value is not None:
                yield name, row.value, row
                break  # one per record; save_record never writes two
    for row in scalars:
        if row.field_name == "event_kind" and row.value:
            yield "event_kind", row.value, row
    for bloc in record.blocs:
        yield "bloc", {"name": bloc.name, "number": bloc.number, "aliases": list(bloc.aliases)}, bloc
    for member in record.members:
        yield "member", member.unit, member
    for role in record.roles:
        yield "role", {"unit": role.unit, "role": role.role, "year": role.year}, role
    for award in record.awards:
        yield (
            "award",
            {
                "recipient": award.recipient,
                "award": award.award,
                "issuer": award.issuer,
                "year": award.year,
                "status": award.status,
            },
            award,
        )


def machine_province(record: ExtractedRecord) -> str | None:
    """Return the province the machine read for `record` (what unit keys are made relative to)."""
    return record.province


def machine_facts(record: ExtractedRecord) -> list[MachineFact]:
    """Return every fact of a stored record with its fact key, in SCHEMA.md order."""
    province = machine_province(record)
    taken: set[str] = set()
    facts = []
    for field, value, row in _rows(record):
        key = unique_key(base_key(field, value, province), taken)
        taken.add(key)
        facts.append(
            MachineFact(
                field=field,
                key=key,
                value=value,
                fact_id=row.id,
                evidence=_evidence(row),
                confidence=row.confidence,
                rule=row.rule,
            )
        )
    return facts
