"""Score records against gold records by the rules of SCHEMA.md ("Names", "Scoring").

Micro precision/recall/F1 over facts, per field and overall; greedy one-to-one matching; unit
names compared by a key without case, diacritics, punctuation, "và"/"tỉnh" and a trailing name of
the article's own province; gold names may be lists of accepted spellings; a gold null in a
role's or award's year or issuer accepts any value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# The keys live in extract.namekeys (shared with the store); re-exported for existing callers.
from extract.namekeys import name_key as name_key
from extract.namekeys import name_keys as name_keys
from extract.namekeys import province_key as province_key

FIELDS = ("published", "province", "event_date", "event_kinds", "blocs", "members", "roles", "awards")


@dataclass
class Counts:
    tp: int = 0
    gold: int = 0
    pred: int = 0

    def add(self, other: tuple[int, int, int]) -> None:
        self.tp += other[0]
        self.gold += other[1]
        self.pred += other[2]

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.pred if self.pred else (1.0 if self.gold == 0 else 0.0)
        r = self.tp / self.gold if self.gold else (1.0 if self.pred == 0 else 0.0)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Score:
    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    per_doc: dict[str, dict[str, tuple[int, int, int]]] = field(default_factory=dict)

    @property
    def overall(self) -> Counts:
        total = Counts()
        for c in self.fields.values():
            total.add((c.tp, c.gold, c.pred))
        return total


def _pair_used(
    gold: list[Any], pred: list[Any], same: Callable[[Any, Any], bool]
) -> tuple[list[Any], set[int]]:
    """Greedy one-to-one matching: each gold fact, in order, takes the first unused prediction it
    accepts. Return the gold facts left unmatched and the indices of the predictions used."""
    used: set[int] = set()
    missed = []
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(g, p):
                used.add(i)
                break
        else:
            missed.append(g)
    return missed, used


def _pair(gold: list[Any], pred: list[Any], same: Callable[[Any, Any], bool]) -> tuple[list[Any], list[Any]]:
    """Greedy one-to-one matching; return the gold facts left unmatched and the predictions left over."""
    missed, used = _pair_used(gold, pred, same)
    return missed, [p for i, p in enumerate(pred) if i not in used]


def _match(gold: list[Any], pred: list[Any], same: Callable[[Any, Any], bool]) -> tuple[int, int, int]:
    missed, _ = _pair(gold, pred, same)
    return len(gold) - len(missed), len(gold), len(pred)


def _scalar(g: Any, p: Any, norm: Callable[[Any], Any] = lambda v: v) -> tuple[int, int, int]:
    gv = norm(g) if g not in (None, "") else None
    pv = norm(p) if p not in (None, "") else None
    return int(gv is not None and gv == pv), int(gv is not None), int(pv is not None)


def _opt(g: Any, p: Any) -> bool:
    return g is None or g == p


def _objs(rec: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [x for x in rec.get(name) or [] if isinstance(x, dict)]


def _obj_origins(rec: dict[str, Any], name: str) -> list[int]:
    return [i for i, x in enumerate(rec.get(name) or []) if isinstance(x, dict)]


class _Field(NamedTuple):
    gold: list[Any]
    pred: list[Any]
    same: Callable[[Any, Any], bool]
    # origin[i] is the index in the record's own list of pred[i]: the scorer drops non-objects,
    # repeated members and repeated event kinds, and sorts event kinds.
    origin: list[int]


def _fields(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, _Field]:
    """Per list field: the gold facts, the predicted facts, the rule that makes two the same and
    where each counted prediction sits in the record."""
    prov = gold.get("province")

    def bloc_same(g: dict[str, Any], p: dict[str, Any]) -> bool:
        gn, pn = g.get("number") or None, p.get("number") or None
        if gn and pn and str(gn).strip() == str(pn).strip():
            return True
        gk = name_keys(g.get("name"), prov) | {k for a in g.get("aliases") or [] for k in name_keys(a, prov)}
        pk = name_keys(p.get("name"), prov) | {k for a in p.get("aliases") or [] for k in name_keys(a, prov)}
        return bool(gk & pk)

    def role_same(g: dict[str, Any], p: dict[str, Any]) -> bool:
        return (
            name_key(p.get("unit"), prov) in name_keys(g.get("unit"), prov)
            and g.get("role") == p.get("role")
            and _opt(g.get("year"), p.get("year"))
        )

    def award_same(g: dict[str, Any], p: dict[str, Any]) -> bool:
        return (
            name_key(p.get("recipient"), prov) in name_keys(g.get("recipient"), prov)
            and g.get("award") == p.get("award")
            and g.get("status") == p.get("status")
            and _opt(g.get("issuer"), p.get("issuer"))
            and _opt(g.get("year"), p.get("year"))
        )

    def member_same(g: Any, p: Any) -> bool:
        return name_key(p, prov) in name_keys(g, prov)

    gold_members = [m for m in gold.get("members") or [] if name_keys(m, prov)]
    seen: set[str] = set()
    pred_members, member_origin = [], []
    for i, m in enumerate(pred.get("members") or []):  # one prediction per key, as the scorer counts them
        k = name_key(m, prov) if isinstance(m, str) else ""
        if k and k not in seen:
            seen.add(k)
            pred_members.append(m)
            member_origin.append(i)
    pred_kinds = pred.get("event_kinds") or []
    kinds = sorted(set(pred_kinds))
    return {
        "event_kinds": _Field(
            sorted(set(gold.get("event_kinds") or [])),
            kinds,
            lambda a, b: a == b,
            [pred_kinds.index(k) for k in kinds],
        ),
        "blocs": _Field(_objs(gold, "blocs"), _objs(pred, "blocs"), bloc_same, _obj_origins(pred, "blocs")),
        "members": _Field(gold_members, pred_members, member_same, member_origin),
        "roles": _Field(_objs(gold, "roles"), _objs(pred, "roles"), role_same, _obj_origins(pred, "roles")),
        "awards": _Field(
            _objs(gold, "awards"), _objs(pred, "awards"), award_same, _obj_origins(pred, "awards")
        ),
    }


def _scalars(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {
        "published": _scalar(gold.get("published"), pred.get("published")),
        "province": _scalar(gold.get("province"), pred.get("province"), province_key),
        "event_date": _scalar(gold.get("event_date"), pred.get("event_date")),
    }


def score_doc(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    """Count (true positives, gold facts, predicted facts) per field for one article."""
    counts = _scalars(gold, pred)
    for name, f in _fields(gold, pred).items():
        counts[name] = _match(f.gold, f.pred, f.same)
    return {f: counts[f] for f in FIELDS}


def diff_doc(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per field, the gold facts the prediction missed and the predicted facts no gold fact accepts."""
    out: dict[str, tuple[list[Any], list[Any]]] = {}
    for name, (tp, n_gold, n_pred) in _scalars(gold, pred).items():
        if tp != n_gold or tp != n_pred:
            out[name] = ([gold.get(name)] if n_gold > tp else [], [pred.get(name)] if n_pred > tp else [])
    for name, f in _fields(gold, pred).items():
        missed, extra = _pair(f.gold, f.pred, f.same)
        if missed or extra:
            out[name] = (missed, extra)
    return out


def judge_predictions(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, list[bool | None]]:
    """Per field, one verdict for each element of the record's own list (one for a scalar field).

    True: the scorer matches it to a gold fact (a true positive); False: it counts as a wrong
    prediction; None: the scorer does not count it (an empty value, a non-object, a member whose
    key repeats an earlier one, a repeated event kind). The matching is `score_doc`'s, so per field
    the Trues are its true positives and the non-Nones its predicted facts.
    """
    out: dict[str, list[bool | None]] = {}
    for name, (tp, _, n_pred) in _scalars(gold, pred).items():
        out[name] = [bool(tp) if n_pred else None]
    for name, f in _fields(gold, pred).items():
        verdicts: list[bool | None] = [None] * len(pred.get(name) or [])
        _, used = _pair_used(f.gold, f.pred, f.same)
        for i, origin in enumerate(f.origin):
            verdicts[origin] = i in used
        out[name] = verdicts
    return out


def score(golds: dict[str, dict[str, Any]], preds: dict[str, dict[str, Any]]) -> Score:
    """Score every gold article; one without a prediction scores as an empty record."""
    result = Score()
    for doc_id, gold in golds.items():
        counts = score_doc(gold, preds.get(doc_id, {}))
        result.per_doc[doc_id] = counts
        for f, c in counts.items():
            result.fields[f].add(c)
    return result


def format_table(result: Score, *, docs: int, missing: Iterable[str] = ()) -> str:
    """Render the per-field table the way ../shared/eval/score.py prints it."""
    lines = [
        f"docs {docs}, without a record {len(list(missing))}",
        f"{'field':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'gold':>5} {'pred':>5}",
    ]
    rows = [*result.fields.items(), ("overall", result.overall)]
    for name, c in rows:
        p, r, f = c.prf()
        lines.append(f"{name:<12} {p:6.3f} {r:6.3f} {f:6.3f} {c.tp:5d} {c.gold:5d} {c.pred:5d}")
    lines.append(f"overall F1 {result.overall.prf()[2]:.4f}")
    return "\n".join(lines)
