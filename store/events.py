"""Events, not reports: write-ups of one meeting on several sites become one event.

A department's site, the provincial portal and a newspaper often each report the same meeting
of a bloc. Those records are *mentions* of one *event*: the same bloc entity (merges applied,
`store.entities`), the same meeting date and a common event kind (a record without kinds only
joins others without kinds). Records are current records (`store.current`), so editors'
corrections count. Decisions:

- **Computed, not stored.** Events are grouped when asked, from the links and merges in force:
  merging two blocs merges their events at once, and nothing can go stale. An event's id is
  ``<bloc entity id>:<date>:<kinds>`` of its first mention.
- **Facts merged with provenance.** The event's members, leaders and awards are the union of its
  mentions', each unit as an entity, each with ``said_by``: which article (id, URL, title,
  site) gave it, as written there, with the evidence text.
- **Disagreement is flagged, never settled.** Where mentions that report a list (members, roles,
  awards) differ, the event carries a review flag naming who said what: ``member_missing`` (a
  unit some mentions list and others leave out), ``role_holder_differs`` (one role, year, two
  units), ``award_differs`` (one award to one recipient with another status, year or issuer)
  and ``award_missing``. A mention that reports no list at all (a short news item) is silent,
  not in disagreement.
- Records without a linked bloc or a meeting date cannot be matched and are not events.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from store.blocs import linked_current
from store.entities import LinkedFact, LinkedRecord, check_province, names_of

REVIEW_FLAGS = ("member_missing", "role_holder_differs", "award_differs", "award_missing")


class _Union:
    """Union-find over record indices: records sharing a (bloc, date, kind) are one event."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _mention(r: LinkedRecord) -> dict[str, Any]:
    rec = r.record
    return {
        "article_id": r.article_id,
        "url": rec["url"],
        "site": urlsplit(rec["url"]).hostname,
        "title": rec["title"],
        "published": rec["published"],
        "event_kinds": list(rec["event_kinds"]),
    }


def _said(r: LinkedRecord, f: LinkedFact) -> dict[str, Any]:
    return {
        "article_id": r.article_id,
        "url": r.record["url"],
        "value": f.value,
        "evidence": f.evidence["text"] if f.evidence else None,
    }


def _ident(f: LinkedFact, *parts: Any) -> tuple[Any, ...]:
    """The identity of a unit across mentions: its entity, else (unlinked) its fact key."""
    return (f.entity_id if f.entity_id is not None else f.key.split(":", 1)[1], *parts)


def _merge(records: list[LinkedRecord], names: dict[int, str]) -> dict[str, Any]:
    """The merged facts of one event's mentions and the flags where they disagree."""

    def unit(f: LinkedFact, written: str) -> dict[str, Any]:
        return {"id": f.entity_id, "name": names.get(f.entity_id, written) if f.entity_id else written}

    members: dict[Any, dict[str, Any]] = {}
    roles: dict[Any, dict[str, Any]] = {}
    awards: dict[Any, dict[str, Any]] = {}
    for r in records:
        for f in r.facts["member"]:
            members.setdefault(_ident(f), {"unit": unit(f, f.value), "said_by": []})["said_by"].append(
                _said(r, f)
            )
        for f in r.facts["role"]:
            v = f.value
            entry = roles.setdefault(
                _ident(f, v["role"], v["year"]),
                {"role": v["role"], "year": v["year"], "unit": unit(f, v["unit"]), "said_by": []},
            )
            entry["said_by"].append(_said(r, f))
        for f in r.facts["award"]:
            v = f.value
            entry = awards.setdefault(
                _ident(f, v["award"]),
                {"recipient": unit(f, v["recipient"]), "award": v["award"], "said_by": []},
            )
            entry["said_by"].append(_said(r, f))
    review = _disagreements(records, members, roles, awards)
    return {
        "members": list(members.values()),
        "leaders": list(roles.values()),
        "awards": list(awards.values()),
        "review": review,
    }


def _disagreements(
    records: list[LinkedRecord],
    members: dict[Any, dict[str, Any]],
    roles: dict[Any, dict[str, Any]],
    awards: dict[Any, dict[str, Any]],
) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    if len(records) < 2:
        return flags

    def listing(fld: str) -> list[int]:
        return [r.article_id for r in records if r.facts[fld]]

    with_members = listing("member")
    if len(with_members) > 1:
        for m in members.values():
            said = sorted({s["article_id"] for s in m["said_by"]})
            missing = [a for a in with_members if a not in said]
            if missing:
                flags.append(
                    {"flag": "member_missing", "unit": m["unit"], "said_by": said, "not_by": missing}
                )
    holders: dict[tuple[str, Any], dict[int, Any]] = defaultdict(dict)
    for role in roles.values():
        for s in role["said_by"]:
            holders[role["role"], role["year"]][s["article_id"]] = role["unit"]["name"]
    for (role_kind, year), by_article in holders.items():
        if len(set(by_article.values())) > 1:
            flags.append(
                {"flag": "role_holder_differs", "role": role_kind, "year": year, "values": by_article}
            )
    with_awards = listing("award")
    for award in awards.values():
        values = {
            s["article_id"]: {k: s["value"][k] for k in ("status", "year", "issuer")}
            for s in award["said_by"]
        }
        if len({tuple(v.values()) for v in values.values()}) > 1:
            flags.append(
                {
                    "flag": "award_differs",
                    "recipient": award["recipient"],
                    "award": award["award"],
                    "values": values,
                }
            )
        missing = [a for a in with_awards if a not in values]
        if len(with_awards) > 1 and missing:
            flags.append(
                {
                    "flag": "award_missing",
                    "recipient": award["recipient"],
                    "award": award["award"],
                    "said_by": sorted(values),
                    "not_by": missing,
                }
            )
    return flags


def _keys(r: LinkedRecord) -> list[tuple[int, str, str | None]]:
    """The (bloc, date, kind) keys a record can share with another mention of its event."""
    when = r.record["event_date"]
    if not when:
        return []
    kinds = list(r.record["event_kinds"]) or [None]
    return [(b, when, k) for b in dict.fromkeys(r.bloc_ids()) for k in kinds]


def find_events(
    session: Session, *, province: str | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """Return the events of a province (old or new name) and year, each with its mentions.

    Args:
        session: an open session.
        province, year: as `store.blocs.blocs_by_year` (a 2025 province takes in the old ones).

    Returns:
        One dict per event, by date: ``id``, ``bloc`` (entity id, name), ``date``, ``kinds``,
        ``province``, ``mentions`` (article id, url, site, title, published, event kinds),
        ``members``, ``leaders`` and ``awards`` merged with ``said_by`` provenance, and
        ``review`` (the disagreements between mentions; empty when they agree).

    Raises:
        QueryError: an unknown province or a year that cannot be used.
    """
    check_province(province)
    records = [r for r in linked_current(session, province=province, year=year) if _keys(r)]
    union = _Union(len(records))
    first: dict[tuple[int, str, str | None], int] = {}
    for i, r in enumerate(records):
        for key in _keys(r):
            if key in first:
                union.union(first[key], i)
            else:
                first[key] = i
    events: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        events[union.find(i)].append(i)
    names = names_of(session, {f.entity_id for r in records for facts in r.facts.values() for f in facts})
    out = []
    for root, members in events.items():
        mentions = [records[i] for i in members]
        head = records[root]
        bloc = head.bloc_ids()[0]
        kinds = sorted({k for m in mentions for k in m.record["event_kinds"]})
        out.append(
            {
                "id": f"{bloc}:{head.record['event_date']}:{'+'.join(kinds) or '-'}",
                "bloc": {"id": bloc, "name": names.get(bloc)},
                "date": head.record["event_date"],
                "kinds": kinds,
                "province": head.record["province"],
                "mentions": [_mention(m) for m in mentions],
            }
            | _merge(mentions, names)
        )
    # ISO dates sort as text; a date the machine could not read stays a string and sorts too
    return sorted(out, key=lambda e: (str(e["date"]), e["bloc"]["name"] or "", e["id"]))
