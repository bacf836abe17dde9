"""The normalised layout every tabular export shares (CSV, Parquet, SQLite).

One row per article in `records`, one row per fact in `blocs`, `members`, `roles` and `awards`,
one row per review flag in `review_flags`; every child row names its article (`article_id`, a
foreign key to `records`) and its place in the record (`position`). The layout is written once,
here, as `TABLES`: the CSV `datapackage.json`, the Parquet schemas, the SQLite DDL and the
Datasette metadata are all derived from it, so the four cannot drift apart.

Rows are built from current records (`store.current.current_records`), never from the machine's
fact tables, so every value is the corrected one and says where it came from (`source`:
machine, accepted, corrected or added).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

# Frictionless Table Schema types (https://specs.frictionlessdata.io/table-schema/#types)
ColumnType = Literal["string", "integer", "number", "date", "boolean"]

# joins the values of a list in one CSV cell; names hold commas and dashes, never a semicolon
LIST_SEPARATOR: Final = "; "


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # the columns a researcher filters by: Datasette facets and SQLite indexes
    facets: tuple[str, ...] = ()
    foreign_key: bool = True  # article_id references records.article_id

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


_ARTICLE = Column("article_id", "integer", "The article (records.article_id).", required=True)
_POSITION = Column("position", "integer", "Place of the fact in the record's list, from 0.", required=True)
_KEY = Column("fact_key", "string", "Fact key: names the fact across re-extractions.", required=True)
_PROVENANCE = (
    Column(
        "source",
        "string",
        "machine (as extracted), accepted, corrected or added (by an editor).",
        required=True,
    ),
    Column(
        "confidence",
        "number",
        "The extractor's confidence in the value; empty where an editor changed or added it.",
    ),
    Column("rule", "string", "The extraction rule that found the fact; empty for added facts."),
    Column("evidence_start", "integer", "Start offset of the evidence in the stored article text."),
    Column("evidence_end", "integer", "End offset of the evidence in the stored article text."),
    Column("evidence_text", "string", "The evidence: the article's words for this fact."),
    Column("correction_ids", "string", "Ids of the corrections that made the value, '; '-separated."),
)

RECORDS = Table(
    "records",
    "One current record per article: the newest extraction with editors' corrections applied.",
    (
        _ARTICLE,
        Column("doc_id", "string", "The record's document id.", required=True),
        Column("url", "string", "The article's URL.", required=True),
        Column("title", "string", "The article's title."),
        Column("province", "string", "The bloc's province."),
        Column("published", "date", "Publication date."),
        Column("event_date", "date", "Date of the meeting the article reports."),
        Column("year", "integer", "Year of the event date, else of the publication date."),
        Column("event_kinds", "string", "Kinds of event (tong_ket, so_ket, …), '; '-separated."),
        Column("bloc_names", "string", "Names of the blocs, '; '-separated."),
        Column("bloc_numbers", "string", "Numbers of the blocs that have one, '; '-separated."),
        Column("member_count", "integer", "Members in the record.", required=True),
        Column("role_count", "integer", "Leadership roles in the record.", required=True),
        Column("award_count", "integer", "Awards in the record.", required=True),
        Column("extractor_version", "string", "Version of the extractor of the machine record."),
        Column("run_id", "integer", "The extraction run of the machine record.", required=True),
        Column("record_id", "integer", "The machine record under the corrections.", required=True),
        Column(
            "corrected_facts",
            "integer",
            "Facts accepted, changed, added or deleted by editors.",
            required=True,
        ),
        Column("corrections", "integer", "Corrections in force on the record.", required=True),
        Column(
            "review_state",
            "string",
            "review (the machine changed under a correction), corrected, or machine.",
            required=True,
        ),
        Column("review_flags", "integer", "Facts flagged for review.", required=True),
        Column("machine_flags", "string", "The extractor's warnings, '; '-separated."),
    ),
    primary_key=("article_id",),
    facets=("province", "year", "review_state", "extractor_version", "event_kinds"),
    foreign_key=False,
)

BLOCS = Table(
    "blocs",
    "Blocs (khối, cụm thi đua) a record names.",
    (
        _ARTICLE,
        _POSITION,
        _KEY,
        Column("name", "string", "The bloc's name.", required=True),
        Column("number", "string", "The bloc's number (digits or Roman figures)."),
        Column("aliases", "string", "Other names of the bloc, '; '-separated."),
        *_PROVENANCE,
    ),
    primary_key=("article_id", "position"),
    facets=("number", "source"),
)

MEMBERS = Table(
    "members",
    "Member units of the bloc.",
    (
        _ARTICLE,
        _POSITION,
        _KEY,
        Column("unit", "string", "The unit's name.", required=True),
        *_PROVENANCE,
    ),
    primary_key=("article_id", "position"),
    facets=("unit", "source"),
)

ROLES = Table(
    "roles",
    "Leadership roles: the bloc's leader (khoi_truong) and deputy (khoi_pho).",
    (
        _ARTICLE,
        _POSITION,
        _KEY,
        Column("unit", "string", "The unit holding the role.", required=True),
        Column("role", "string", "khoi_truong or khoi_pho.", required=True),
        Column("role_year", "integer", "The year the role is held."),
        *_PROVENANCE,
    ),
    primary_key=("article_id", "position"),
    facets=("role", "role_year", "source"),
)

AWARDS = Table(
    "awards",
    "Awards proposed or conferred on units.",
    (
        _ARTICLE,
        _POSITION,
        _KEY,
        Column("recipient", "string", "The unit awarded.", required=True),
        Column("award", "string", "co_thi_dua, bang_khen, co_luan_luu, huan_chuong, …", required=True),
        Column("issuer", "string", "Who gives it: chinh_phu, thu_tuong, ubnd_tinh, bo_nganh, khoi, other."),
        Column("award_year", "integer", "The year the award is for."),
        Column("status", "string", "proposed or conferred.", required=True),
        *_PROVENANCE,
    ),
    primary_key=("article_id", "position"),
    facets=("award", "issuer", "status", "award_year", "source"),
)

REVIEW_FLAGS = Table(
    "review_flags",
    "Facts whose machine value changed under an editor's correction: an editor should look.",
    (
        _ARTICLE,
        _POSITION,
        _KEY,
        Column("field", "string", "The record's field.", required=True),
        Column("flag", "string", "machine_changed, machine_dropped or machine_added.", required=True),
        Column("correction_id", "integer", "The correction the machine disagrees with.", required=True),
        Column("machine_then", "string", "JSON: the machine's value when the correction was made."),
        Column("machine_now", "string", "JSON: the newest run's value."),
        Column("shown", "string", "JSON: the value the current record shows."),
    ),
    primary_key=("article_id", "position"),
    facets=("flag", "field"),
)

TABLES: Final = (RECORDS, BLOCS, MEMBERS, ROLES, AWARDS, REVIEW_FLAGS)
TABLE_BY_NAME: Final = {t.name: t for t in TABLES}
# the record field each fact table holds
FACT_TABLES: Final = {"bloc": BLOCS, "member": MEMBERS, "role": ROLES, "award": AWARDS}


@dataclass(slots=True)
class Rows:
    """The rows of a batch of records, table by table, each row a dict in its table's column order."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t.name: [] for t in TABLES})

    def __iter__(self) -> Iterator[tuple[Table, list[dict[str, Any]]]]:
        for table in TABLES:
            yield table, self.tables[table.name]


def _joined(values: list[Any]) -> str | None:
    kept = [str(v) for v in values if v not in (None, "")]
    return LIST_SEPARATOR.join(kept) if kept else None


def _date(value: Any) -> date | None:
    """Return an ISO date string as a date; None for what is not one (a partial date is kept out)."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _provenance(fact: dict[str, Any]) -> dict[str, Any]:
    machine = fact.get("machine") or {}
    evidence = fact.get("evidence") or {}
    # a machine confidence speaks for the machine's value: an editor's value has none
    confident = fact["source"] in ("machine", "accepted")
    return {
        "source": fact["source"],
        "confidence": machine.get("confidence") if confident else None,
        "rule": machine.get("rule"),
        "evidence_start": evidence.get("start"),
        "evidence_end": evidence.get("end"),
        "evidence_text": evidence.get("text"),
        "correction_ids": _joined(fact.get("corrections") or []),
    }


def _values(fld: str, value: Any) -> dict[str, Any]:
    if fld == "bloc":
        return {
            "name": value["name"],
            "number": value.get("number"),
            "aliases": _joined(value.get("aliases") or []),
        }
    if fld == "member":
        return {"unit": value}
    if fld == "role":
        return {"unit": value["unit"], "role": value["role"], "role_year": value.get("year")}
    return {
        "recipient": value["recipient"],
        "award": value["award"],
        "issuer": value.get("issuer"),
        "award_year": value.get("year"),
        "status": value["status"],
    }


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def review_state(record: dict[str, Any]) -> str:
    """Return "review", "corrected" or "machine" for a current record."""
    if record["review"]:
        return "review"
    return "corrected" if record["corrected_facts"] else "machine"


def record_row(record: dict[str, Any]) -> dict[str, Any]:
    """Return the `records` row of one current record."""
    published, event_date = _date(record["published"]), _date(record["event_date"])
    when = event_date or published
    return {
        "article_id": record["article_id"],
        "doc_id": record["doc_id"],
        "url": record["url"],
        "title": record["title"],
        "province": record["province"],
        "published": published,
        "event_date": event_date,
        "year": when.year if when else None,
        "event_kinds": _joined(record["event_kinds"]),
        "bloc_names": _joined([b["name"] for b in record["blocs"]]),
        "bloc_numbers": _joined([b["number"] for b in record["blocs"]]),
        "member_count": len(record["members"]),
        "role_count": len(record["roles"]),
        "award_count": len(record["awards"]),
        "extractor_version": record["extractor_version"],
        "run_id": record["run_id"],
        "record_id": record["record_id"],
        "corrected_facts": record["corrected_facts"],
        "corrections": len(record["corrections"]),
        "review_state": review_state(record),
        "review_flags": len(record["review"]),
        "machine_flags": _joined(record["flags"]),
    }


def add_record(rows: Rows, record: dict[str, Any]) -> None:
    """Append the rows of one current record (`store.current.current_record`) to `rows`."""
    article_id = record["article_id"]
    rows.tables["records"].append(record_row(record))
    for fact in record["facts"]:
        table = FACT_TABLES.get(fact["field"])
        if table is None:  # published, province, event_date, event kinds: columns of `records`
            continue
        rows.tables[table.name].append(
            {
                "article_id": article_id,
                "position": fact["position"],
                "fact_key": fact["key"],
                **_values(fact["field"], fact["value"]),
                **_provenance(fact),
            }
        )
    for position, flag in enumerate(record["review"]):
        rows.tables["review_flags"].append(
            {
                "article_id": article_id,
                "position": position,
                "fact_key": flag["key"],
                "field": flag["field"],
                "flag": flag["flag"],
                "correction_id": flag["correction_id"],
                "machine_then": _json(flag["then"]),
                "machine_now": _json(flag["now"]),
                "shown": _json(flag["shown"]),
            }
        )
