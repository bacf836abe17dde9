"""Is a fact's confidence worth trusting? Calibration and per-rule precision against gold (issue 7).

Every fact of `Record.facts()` carries a `confidence` and the `rule` that wrote it. Each fact is
judged right or wrong by the scorer's own matching (`extract.scoring.judge_predictions`: the rules
of SCHEMA.md, greedy one-to-one), so a fact is correct exactly when it is one of `score`'s true
positives. Facts the scorer does not count (a member whose key repeats an earlier member, a
repeated event kind, an empty value) are left out and only counted as `unscored`.

Two figures are what issue 7 asks of the confidences:

* precision of the facts with confidence ≥ 0.9 (target ≥ 0.98): what an editor may skip;
* the share of all wrong facts that the 20 % lowest-confidence facts hold (target ≥ 60 %):
  whether a review queue ordered by confidence starts where the errors are. The slice is the
  first ⌈0.2·n⌉ facts by confidence. Facts tied at the cut are taken in proportion (the expected
  share under any order of the ties), so the figure depends on the confidences alone; the slice
  as printed is sorted by (confidence, field, doc_id, index in `Record.facts()`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from extract.record import Record
from extract.scoring import judge_predictions

# Bucket edges: [0, 0.5), [0.5, 0.7), … , [0.95, 1.0]; the last bucket is closed.
BUCKET_EDGES: tuple[float, ...] = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)
HIGH_CONFIDENCE = 0.9
TARGET_HIGH_PRECISION = 0.98
LOW_FRACTION = 0.2
TARGET_LOW_WRONG_SHARE = 0.6

# Record.facts() kind → the SCHEMA.md field the scorer counts it under.
_FIELD_OF_KIND = {
    "published": "published",
    "province": "province",
    "event_date": "event_date",
    "event_kind": "event_kinds",
    "bloc": "blocs",
    "member": "members",
    "role": "roles",
    "award": "awards",
}


class UnknownFactKind(ValueError):
    """`Record.facts()` yielded a kind this module does not know how to score."""


@dataclass(frozen=True, slots=True)
class JudgedFact:
    doc_id: str
    index: int  # position in Record.facts(): the last tie-breaker of the low-confidence slice
    field: str  # SCHEMA.md field name ("members", "awards", …)
    rule: str
    confidence: float
    correct: bool | None  # None: the scorer does not count this fact


def judge_record(gold: Mapping[str, Any], record: Record) -> list[JudgedFact]:
    """Every fact of `record`, judged against `gold` by the scorer's matching."""
    pred = record.to_schema()
    verdicts = judge_predictions(dict(gold), pred)
    seen: dict[str, int] = defaultdict(int)  # facts of each field met so far = position in `pred`
    out = []
    for index, (kind, fact) in enumerate(record.facts()):
        field = _FIELD_OF_KIND.get(kind)
        if field is None:
            raise UnknownFactKind(f"{record.doc_id}: fact kind {kind!r} has no SCHEMA.md field")
        verdict: bool | None = None
        # to_schema() drops event kinds without a value, so such a fact has no place in `pred`.
        if not (kind == "event_kind" and not getattr(fact, "value", None)):
            position = seen[field]
            seen[field] += 1
            field_verdicts = verdicts[field]
            verdict = field_verdicts[position] if position < len(field_verdicts) else None
        out.append(JudgedFact(record.doc_id, index, field, fact.rule, float(fact.confidence), verdict))
    return out


def judge_records(golds: Mapping[str, Mapping[str, Any]], records: Mapping[str, Record]) -> list[JudgedFact]:
    """The judged facts of every gold article that has a record (an article without one has none)."""
    return [
        f for doc_id, gold in golds.items() if doc_id in records for f in judge_record(gold, records[doc_id])
    ]


def _precision(correct: int, count: int) -> float | None:
    return correct / count if count else None


@dataclass(frozen=True, slots=True)
class Bucket:
    low: float
    high: float
    closed: bool  # True for the last bucket, which includes `high`
    count: int
    correct: int

    @property
    def precision(self) -> float | None:
        return _precision(self.correct, self.count)

    @property
    def label(self) -> str:
        return f"[{self.low:.2f}, {self.high:.2f}{']' if self.closed else ')'}"


@dataclass(frozen=True, slots=True)
class Calibration:
    buckets: list[Bucket]
    scored: int
    wrong: int
    unscored: int
    high_count: int
    high_correct: int
    low_count: int  # ⌈LOW_FRACTION · scored⌉
    low_wrong: int
    low_cut: float | None  # the confidence of the last fact inside the low slice
    ties_at_cut: int  # scored facts with exactly that confidence, inside the slice or not
    ties_inside: int  # of which inside the slice
    wrong_below_cut: int = 0  # wrong facts with a confidence below the cut
    wrong_at_cut: int = 0  # wrong facts with exactly the cut's confidence

    @property
    def high_precision(self) -> float | None:
        return _precision(self.high_correct, self.high_count)

    @property
    def low_wrong_share(self) -> float | None:
        """Share of wrong facts among the lowest-confidence slice (its error rate)."""
        return _precision(self.low_wrong, self.low_count)

    @property
    def expected_low_wrong(self) -> float:
        """Wrong facts inside the slice, ties at the cut taken in proportion."""
        frac = self.ties_inside / self.ties_at_cut if self.ties_at_cut else 0.0
        return self.wrong_below_cut + self.wrong_at_cut * frac

    @property
    def wrong_in_low_share(self) -> float | None:
        """Share of all wrong facts inside the lowest-confidence slice (the issue's target figure)."""
        return self.expected_low_wrong / self.wrong if self.wrong else None

    def to_json(self) -> dict[str, Any]:
        return {
            "buckets": [
                {
                    "bucket": b.label,
                    "low": b.low,
                    "high": b.high,
                    "count": b.count,
                    "correct": b.correct,
                    "precision": b.precision,
                }
                for b in self.buckets
            ],
            "scored": self.scored,
            "wrong": self.wrong,
            "unscored": self.unscored,
            "high_confidence": {
                "threshold": HIGH_CONFIDENCE,
                "count": self.high_count,
                "correct": self.high_correct,
                "precision": self.high_precision,
                "target": TARGET_HIGH_PRECISION,
            },
            "low_confidence": {
                "fraction": LOW_FRACTION,
                "count": self.low_count,
                "wrong": self.low_wrong,
                "error_rate": self.low_wrong_share,
                "share_of_all_wrong": self.wrong_in_low_share,
                "target": TARGET_LOW_WRONG_SHARE,
                "cut_confidence": self.low_cut,
                "ties_at_cut": self.ties_at_cut,
                "ties_inside": self.ties_inside,
                "order": "confidence, field, doc_id, index in Record.facts()",
            },
        }


def _bucket_index(confidence: float) -> int:
    last = len(BUCKET_EDGES) - 2
    for i in range(last):
        if confidence < BUCKET_EDGES[i + 1]:
            return i
    return last  # [0.95, 1.0] and anything above 1.0, which would be a bug of its own


def calibration(facts: list[JudgedFact]) -> Calibration:
    """Bucket counts, precision at ≥ HIGH_CONFIDENCE and the wrong share of the lowest slice."""
    scored = [f for f in facts if f.correct is not None]
    counts = [[0, 0] for _ in BUCKET_EDGES[:-1]]
    for f in scored:
        row = counts[_bucket_index(f.confidence)]
        row[0] += 1
        row[1] += bool(f.correct)
    last = len(BUCKET_EDGES) - 2
    buckets = [
        Bucket(BUCKET_EDGES[i], BUCKET_EDGES[i + 1], i == last, n, ok) for i, (n, ok) in enumerate(counts)
    ]
    high = [f for f in scored if f.confidence >= HIGH_CONFIDENCE]
    ordered = sorted(scored, key=lambda f: (f.confidence, f.field, f.doc_id, f.index))
    low = ordered[: math.ceil(LOW_FRACTION * len(ordered))]
    cut = low[-1].confidence if low else None
    return Calibration(
        buckets=buckets,
        scored=len(scored),
        wrong=sum(not f.correct for f in scored),
        unscored=len(facts) - len(scored),
        high_count=len(high),
        high_correct=sum(bool(f.correct) for f in high),
        low_count=len(low),
        low_wrong=sum(not f.correct for f in low),
        low_cut=cut,
        ties_at_cut=sum(f.confidence == cut for f in scored) if low else 0,
        ties_inside=sum(f.confidence == cut for f in low) if low else 0,
        wrong_below_cut=sum(not f.correct for f in scored if cut is not None and f.confidence < cut),
        wrong_at_cut=sum(not f.correct for f in scored if f.confidence == cut),
    )


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "no facts"
    return "meets" if value >= target else "below"


def format_calibration(cal: Calibration) -> str:
    """The bucket table and the two target figures, as `thidua eval --calibration` prints them."""
    lines = [
        f"calibration: {cal.scored} scored facts, {cal.wrong} wrong, {cal.unscored} not scored",
        f"{'confidence':<14} {'count':>6} {'correct':>8} {'P':>6}",
    ]
    for b in cal.buckets:
        lines.append(f"{b.label:<14} {b.count:6d} {b.correct:8d} {_fmt(b.precision):>6}")
    lines.append(
        f"precision of facts with confidence >= {HIGH_CONFIDENCE}: {_fmt(cal.high_precision)}"
        f" ({cal.high_correct}/{cal.high_count}; target >= {TARGET_HIGH_PRECISION}:"
        f" {_verdict(cal.high_precision, TARGET_HIGH_PRECISION)})"
    )
    lines.append(
        f"wrong facts held by the {LOW_FRACTION:.0%} lowest-confidence facts:"
        f" {_fmt(cal.wrong_in_low_share, '.1%')}"
        f" ({cal.expected_low_wrong:.1f} of {cal.wrong}; target >= {TARGET_LOW_WRONG_SHARE:.0%}:"
        f" {_verdict(cal.wrong_in_low_share, TARGET_LOW_WRONG_SHARE)})"
    )
    lines.append(f"  the slice holds {cal.low_count} facts, {_fmt(cal.low_wrong_share, '.1%')} of them wrong")
    lines.append(
        f"  cut at confidence {_fmt(cal.low_cut, '.2f')}: {cal.ties_inside} of the {cal.ties_at_cut} facts"
        " at that confidence are inside (ties ordered by field, doc_id, fact index)"
    )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class RuleRow:
    field: str
    rule: str
    predicted: int
    correct: int
    docs: int  # articles in which the rule wrote at least one scored fact

    @property
    def precision(self) -> float:
        return self.correct / self.predicted  # rows exist only for rules with scored facts

    @property
    def wrong(self) -> int:
        return self.predicted - self.correct

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "rule": self.rule,
            "predicted": self.predicted,
            "correct": self.correct,
            "precision": self.precision,
            "docs": self.docs,
        }


def by_rule(facts: list[JudgedFact]) -> list[RuleRow]:
    """Per (field, rule): scored facts, correct ones and the articles it fired in.

    Weakest first: lowest precision, then fewest articles (a rule seen in one article is a rule
    fitted to that article until other text shows otherwise), then most facts, then names.
    """
    groups: dict[tuple[str, str], list[JudgedFact]] = defaultdict(list)
    for f in facts:
        if f.correct is not None:
            groups[(f.field, f.rule)].append(f)
    rows = [
        RuleRow(field, rule, len(fs), sum(bool(f.correct) for f in fs), len({f.doc_id for f in fs}))
        for (field, rule), fs in groups.items()
    ]
    return sorted(rows, key=lambda r: (r.precision, r.docs, -r.predicted, r.field, r.rule))


def format_by_rule(rows: list[RuleRow]) -> str:
    """The per-rule table, weakest rules first; `*` marks a rule that fired in a single article."""
    width = max([len(r.rule) for r in rows] + [4])
    lines = [f"{'field':<12} {'rule':<{width}} {'pred':>5} {'ok':>5} {'P':>6} {'docs':>5}"]
    for r in rows:
        mark = " *" if r.docs == 1 else ""
        counts = f"{r.predicted:5d} {r.correct:5d} {r.precision:6.3f} {r.docs:5d}"
        lines.append(f"{r.field:<12} {r.rule:<{width}} {counts}{mark}")
    lines.append("* fired in one article only")
    return "\n".join(lines)
