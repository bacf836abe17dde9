"""The current record: the newest machine facts with the editors' corrections laid over them.

`current_record` is the one function the CLI, the exports and the web app read a record
through (issue 8, item 3). It starts from the record of the article's newest extraction run,
applies every correction of the article that is still in force, oldest first, and says where
each fact comes from. Decisions:

- **Identity.** Facts are matched by fact key (`store.facts`), never by row id, so a correction
  made on run N's fact applies to run N+1's equivalent fact.
- **Undo.** An undo cancels one earlier correction (an undo of an undo restores it); cancelled
  corrections are skipped. Nothing is ever deleted from the correction table.
- **A human value wins; a disagreeing machine value is flagged, never dropped.** Every
  correction stored what the machine said, then, about each fact it touched
  (`Correction.machine_values`). For each fact key, the newest correction touching it is
  compared with the newest run: if the machine's value changed since *and* differs from what
  the current record shows, the record carries a review flag with both values
  (``machine_changed``, ``machine_dropped``, ``machine_added``). When the machine comes round to
  the editor's value (it now finds the unit an editor added, or no longer finds one an editor
  deleted), there is nothing to review. A field an editor verified also flags facts the machine
  found there later.
- **Evidence.** A fact keeps its machine evidence unless a correction gave its own span.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from extract.record import schema_record
from store.errors import ArticleNotFoundError, NoRecordError
from store.facts import LIST_FIELDS, SCALAR_FIELDS, MachineFact, field_of, machine_facts
from store.models import FACT_KINDS, Article, Correction, ExtractedRecord

# what a fact's `source` says about its value
SOURCE_OF_ACTION = {"accept": "accepted", "change": "corrected", "merge": "corrected", "split": "corrected"}
SOURCE_OF_ACTION["add"] = "added"


@dataclass(slots=True)
class Entry:
    """One fact of the current record while corrections are applied."""

    field: str
    key: str
    value: Any
    source: str  # machine | accepted | corrected | added
    evidence: dict[str, Any] | None
    corrections: list[int] = dataclasses.field(default_factory=list)
    verified_by: list[int] = dataclasses.field(default_factory=list)


@dataclass(slots=True)
class Overlay:
    """The newest machine record of one article with its corrections applied."""

    article: Article
    record: ExtractedRecord
    machine: dict[str, MachineFact]  # the newest run's facts by key
    entries: dict[str, list[Entry]]  # by field, in record order
    active: list[Correction]  # the corrections in force, oldest first
    removed: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    review: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def find(self, key: str) -> Entry | None:
        """Return the entry with fact key `key`, or None."""
        for entry in self.entries.get(field_of(key), []):
            if entry.key == key:
                return entry
        return None

    def shown(self, key: str) -> Any:
        """Return the value the current record shows for `key` (None: not in the record)."""
        entry = self.find(key)
        return entry.value if entry is not None else None

    def keys(self) -> set[str]:
        """Return every fact key of the current record."""
        return {e.key for entries in self.entries.values() for e in entries}

    def to_dict(self) -> dict[str, Any]:
        """Return the SCHEMA.md record with its provenance, review flags and source."""
        return _as_dict(self)


def _index(entries: list[Entry], key: str) -> int | None:
    for i, entry in enumerate(entries):
        if entry.key == key:
            return i
    return None


def _evidence_of(c: Correction) -> dict[str, Any] | None:
    if c.evidence_start is None:
        return None
    return {"start": c.evidence_start, "end": c.evidence_end, "text": c.evidence_text}


def _put(
    ov: Overlay,
    c: Correction,
    fld: str,
    key: str,
    value: Any,
    at: int | None = None,
    carried: Entry | None = None,
) -> None:
    """Give fact `key` the value `value` from correction `c`, inserting it at `at` (or last).

    `carried` is the entry the value replaces (a change or merge): its corrections and evidence
    stay with the fact.
    """
    entries = ov.entries[fld]
    i = _index(entries, key)
    if i is not None:
        entry = entries.pop(i)
        at = i if at is None else min(at, len(entries))
    else:
        entry = Entry(fld, key, value, "machine", None)
        at = len(entries) if at is None else min(at, len(entries))
    if carried is not None and carried is not entry:
        entry.corrections = [*carried.corrections, *entry.corrections]
        entry.verified_by = [*carried.verified_by, *entry.verified_by]
        entry.evidence = entry.evidence or carried.evidence
    if fld in SCALAR_FIELDS and entries:  # a scalar field holds one value: the editor's replaces it
        entries.clear()
        at = 0
    entry.value = value
    entry.source = SOURCE_OF_ACTION[c.action]
    entry.corrections.append(c.id)
    entry.evidence = _evidence_of(c) or entry.evidence
    entries.insert(at, entry)


def _take(ov: Overlay, c: Correction, key: str) -> tuple[int, Entry] | None:
    """Remove fact `key` (noting a deletion) and return where it was and its entry, or None."""
    entries = ov.entries[field_of(key)]
    i = _index(entries, key)
    if i is None:
        return None
    entry = entries.pop(i)
    if c.action == "delete":
        ov.removed.append(
            {
                "field": entry.field,
                "key": entry.key,
                "value": entry.value,
                "source": entry.source,
                "corrections": [*entry.corrections, c.id],
            }
        )
    return i, entry


def _apply(ov: Overlay, c: Correction) -> None:
    """Apply one correction to the overlay (see the module docstring for the rules)."""
    if c.action == "verify":
        fields = [c.field] if c.field else list(FACT_KINDS)
        for fld in fields:
            for entry in ov.entries[fld]:
                entry.verified_by.append(c.id)
        return
    if c.action == "delete":
        for key in c.fact_keys:
            _take(ov, c, key)
        return
    assert c.field is not None  # every action but verify names its field (store.corrections)
    if c.action in ("accept", "add"):
        _put(ov, c, c.field, c.result_keys[0], c.new_value)
    elif c.action in ("change", "merge"):
        taken = [t for t in (_take(ov, c, key) for key in c.fact_keys) if t is not None]
        at = min(i for i, _ in taken) if taken else None
        _put(ov, c, c.field, c.result_keys[0], c.new_value, at=at, carried=taken[0][1] if taken else None)
    elif c.action == "split":
        took = _take(ov, c, c.fact_keys[0])
        for offset, (key, value) in enumerate(zip(c.result_keys, c.new_value or [], strict=True)):
            at = None if took is None else took[0] + offset
            _put(ov, c, c.field, key, value, at=at, carried=None if took is None else took[1])


def undone_ids(corrections: Iterable[Correction]) -> set[int]:
    """Return the ids of the corrections an undo in force cancels.

    Newest first: an undo that is itself undone cancels nothing, so an undo of an undo restores
    the first correction. An undo always names an older correction, so one pass suffices.
    """
    undone: set[int] = set()
    for c in sorted(corrections, key=lambda c: c.id, reverse=True):
        if c.action == "undo" and c.id not in undone and c.undoes_id is not None:
            undone.add(c.undoes_id)
    return undone


def _review(ov: Overlay) -> list[dict[str, Any]]:
    """Flag every fact whose machine value changed under a correction and differs from the record."""
    basis: dict[str, tuple[int, Any]] = {}  # key -> (newest correction touching it, machine value then)
    verified: dict[str, int] = {}
    for c in ov.active:
        for key, then in c.machine_values.items():
            basis[key] = (c.id, then)
        if c.action == "verify":
            for fld in [c.field] if c.field else FACT_KINDS:
                verified[fld] = c.id
    # a fact no correction touched, found in a field after an editor verified it complete: the
    # record shows it as the machine read it, and asks the editor to look
    found_later = {
        key: verified[fact.field]
        for key, fact in ov.machine.items()
        if key not in basis and fact.field in verified
    }
    for key, correction_id in found_later.items():
        basis[key] = (correction_id, None)
    flags = []
    for key, (correction_id, then) in basis.items():
        now = ov.machine[key].value if key in ov.machine else None
        shown = ov.shown(key)
        if now == then or (now == shown and key not in found_later):
            continue  # unchanged, or the machine now agrees with the record
        kind = "machine_added" if then is None else "machine_dropped" if now is None else "machine_changed"
        flags.append(
            {
                "flag": kind,
                "field": field_of(key),
                "key": key,
                "correction_id": correction_id,
                "then": then,
                "now": now,
                "shown": shown,
            }
        )
    return sorted(flags, key=lambda f: (FACT_KINDS.index(f["field"]), f["key"]))


def build_overlay(article: Article, record: ExtractedRecord, corrections: Sequence[Correction]) -> Overlay:
    """Apply the corrections of `article` in force to its machine `record`.

    Args:
        article: the article.
        record: its newest extracted record, facts loaded.
        corrections: every correction of the article, undos included, in any order.

    Returns:
        The overlay; `Overlay.to_dict()` is what `current_record` returns.
    """
    facts = machine_facts(record)
    entries: dict[str, list[Entry]] = {f: [] for f in FACT_KINDS}
    for fact in facts:
        entries[fact.field].append(Entry(fact.field, fact.key, fact.value, "machine", fact.evidence))
    undone = undone_ids(corrections)
    active = sorted((c for c in corrections if c.action != "undo" and c.id not in undone), key=lambda c: c.id)
    ov = Overlay(article, record, {f.key: f for f in facts}, entries, active)
    for c in active:
        _apply(ov, c)
    ov.review = _review(ov)
    return ov


def _ns(value: Any, fld: str) -> Any:
    return SimpleNamespace(unit=value) if fld == "member" else SimpleNamespace(**value)


def _as_dict(ov: Overlay) -> dict[str, Any]:
    record, article = ov.record, ov.article

    def scalar(fld: str) -> Any:
        entries = ov.entries[fld]
        return entries[0].value if entries else None

    data = schema_record(
        doc_id=record.doc_id,
        published=scalar("published"),
        province=scalar("province"),
        event_date=scalar("event_date"),
        event_kinds=[e.value for e in ov.entries["event_kind"]],
        blocs=[_ns(e.value, "bloc") for e in ov.entries["bloc"]],
        members=[_ns(e.value, "member") for e in ov.entries["member"]],
        roles=[_ns(e.value, "role") for e in ov.entries["role"]],
        awards=[_ns(e.value, "award") for e in ov.entries["award"]],
    )
    facts = []
    for fld in (*SCALAR_FIELDS, *LIST_FIELDS):
        for position, entry in enumerate(ov.entries[fld]):
            machine = ov.machine.get(entry.key)
            facts.append(
                {
                    "field": fld,
                    "position": position,
                    "key": entry.key,
                    "value": entry.value,
                    "source": entry.source,
                    "corrections": list(entry.corrections),
                    "verified_by": list(entry.verified_by),
                    "evidence": entry.evidence,
                    "machine": None
                    if machine is None
                    else {
                        "value": machine.value,
                        "fact_id": machine.fact_id,
                        "confidence": machine.confidence,
                        "rule": machine.rule,
                    },
                }
            )
    data.update(
        article_id=article.id,
        url=article.url,
        title=article.title,
        record_id=record.id,
        run_id=record.run_id,
        extractor_version=record.run.extractor_version,
        flags=list(record.flags),
        facts=facts,
        removed=list(ov.removed),
        review=list(ov.review),
        corrections=[c.id for c in ov.active],
        corrected_facts=sum(1 for f in facts if f["source"] != "machine") + len(ov.removed),
    )
    return data


def _newest_records(session: Session, article_ids: Sequence[int]) -> dict[int, ExtractedRecord]:
    newest = (
        select(ExtractedRecord.article_id, func.max(ExtractedRecord.run_id).label("run_id"))
        .where(ExtractedRecord.article_id.in_(article_ids))
        .group_by(ExtractedRecord.article_id)
        .subquery()
    )
    stmt = (
        select(ExtractedRecord)
        .join(
            newest,
            (ExtractedRecord.article_id == newest.c.article_id) & (ExtractedRecord.run_id == newest.c.run_id),
        )
        .options(
            selectinload(ExtractedRecord.run),
            selectinload(ExtractedRecord.scalars),
            selectinload(ExtractedRecord.blocs),
            selectinload(ExtractedRecord.members),
            selectinload(ExtractedRecord.roles),
            selectinload(ExtractedRecord.awards),
        )
        # the overlay reads these rows as they are now, not as an earlier query cached them
        .execution_options(populate_existing=True)
    )
    return {r.article_id: r for r in session.scalars(stmt)}


def _corrections(session: Session, article_ids: Sequence[int]) -> dict[int, list[Correction]]:
    out: dict[int, list[Correction]] = {a: [] for a in article_ids}
    stmt = select(Correction).where(Correction.article_id.in_(article_ids)).order_by(Correction.id)
    for c in session.scalars(stmt):
        out[c.article_id].append(c)
    return out


def load_overlay(session: Session, article: Article) -> Overlay:
    """Return the overlay of `article` (what `current_record` serialises).

    Raises:
        NoRecordError: the article was never extracted.
    """
    record = _newest_records(session, [article.id]).get(article.id)
    if record is None:
        raise NoRecordError(
            f"article {article.id} has no extracted record yet; extract it first (thidua reextract)"
        )
    return build_overlay(article, record, _corrections(session, [article.id])[article.id])


def current_record(session: Session, article_id: int) -> dict[str, Any]:
    """Return the current record of one article: newest machine facts overlaid with corrections.

    Args:
        session: an open session.
        article_id: the article's id.

    Returns:
        The SCHEMA.md record (doc_id, published, province, event_date, event_kinds, blocs,
        members, roles, awards) as corrected, plus ``article_id``, ``url``, ``title``,
        ``record_id``, ``run_id`` and ``extractor_version`` of the machine record under it,
        the machine's ``flags``, ``facts`` (every fact with its ``field``, ``position``,
        ``key``, ``value``, ``source`` — machine, accepted, corrected or added —,
        ``corrections``, ``verified_by``, ``evidence`` and the newest run's ``machine`` fact
        with that key), ``removed`` (facts corrections deleted), ``review`` (one flag per fact
        whose machine value changed under a correction: ``flag``, ``field``, ``key``,
        ``correction_id``, ``then``, ``now``, ``shown``), ``corrections`` (ids in force) and
        ``corrected_facts``.

    Raises:
        ArticleNotFoundError: no article has this id.
        NoRecordError: the article was never extracted.
    """
    article = session.get(Article, article_id)
    if article is None:
        raise ArticleNotFoundError(f"no article with id {article_id}")
    return load_overlay(session, article).to_dict()


def current_overlays(session: Session, article_ids: Sequence[int]) -> list[Overlay]:
    """Return the overlays of many articles at once, in the order given (see `current_records`)."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return []
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
    records = _newest_records(session, ids)
    corrections = _corrections(session, ids)
    return [
        build_overlay(articles[a], records[a], corrections[a]) for a in ids if a in records and a in articles
    ]


def current_records(session: Session, article_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Return the current records of many articles at once, in the order given.

    Articles without an extracted record are left out. Three queries in all, whatever the
    number of articles: what exports and `store.queries.find_records` use.
    """
    return [overlay.to_dict() for overlay in current_overlays(session, article_ids)]
