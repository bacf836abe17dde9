"""`thidua eval --calibration / --by-rule`: every fact judged by the scorer's own matching (issue 7).

The records and gold here are made up for the test; each fact's confidence is chosen so that every
bucket, the ≥ 0.9 precision and the lowest-20 % slice have a known answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from extract.calibration import (
    JudgedFact,
    by_rule,
    calibration,
    format_by_rule,
    format_calibration,
    judge_record,
    judge_records,
)
from extract.record import AwardFact, BlocFact, MemberFact, Record, RoleFact, ScalarFact
from extract.scoring import judge_predictions, score_doc

GOLD: dict[str, Any] = {
    "doc_id": "x1",
    "published": "2021-02-03",
    "province": "Lạng Sơn",
    "event_date": None,
    "event_kinds": ["tong_ket"],
    "blocs": [{"name": "Khối thi đua số 4", "number": "4", "aliases": []}],
    "members": ["Sở Xây dựng", ["Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Môi trường"]],
    "roles": [{"unit": "Sở Xây dựng", "role": "khoi_truong", "year": None}],
    "awards": [
        {
            "recipient": "Sở Xây dựng",
            "award": "co_thi_dua",
            "issuer": None,
            "year": 2020,
            "status": "proposed",
        }
    ],
}


def _scalar(name: str, value: str, conf: float, rule: str) -> ScalarFact:
    return ScalarFact(None, conf, rule, field_name=name, value=value)


def _record() -> Record:
    return Record(
        doc_id="x1",
        published=_scalar("published", "2021-02-03", 0.99, "metadata"),  # right
        province=_scalar("province", "Cao Bằng", 0.6, "url_host"),  # wrong
        event_date=_scalar("event_date", "2021-02-01", 0.75, "lead_date"),  # wrong: gold has no date
        event_kinds=[
            _scalar("event_kind", "tong_ket", 0.95, "kind_cue"),  # right
            _scalar("event_kind", "so_ket", 0.4, "kind_cue"),  # wrong
        ],
        blocs=[BlocFact(None, 0.92, "bloc_pattern", name="Khối số 4", number="4")],  # right by number
        members=[
            # right: a trailing name of the article's own province is not part of the key
            MemberFact(None, 0.9, "list:gazetteer", unit="Sở Xây dựng tỉnh Lạng Sơn"),
            # the same key again: the scorer counts one prediction per key, so this one is not judged
            MemberFact(None, 0.85, "list:gazetteer", unit="Sở Xây dựng"),
            MemberFact(None, 0.85, "attending", unit="Sở Công Thương"),  # wrong
            # right: the gold member's second accepted spelling
            MemberFact(None, 0.93, "list:gazetteer", unit="Sở Nông nghiệp và Môi trường"),
        ],
        roles=[RoleFact(None, 0.93, "role_pattern", unit="Sở Xây dựng", role="khoi_truong", year=2021)],
        awards=[  # wrong: gold says 2020
            AwardFact(None, 0.5, "award_pattern", recipient="Sở Xây dựng", award="co_thi_dua", year=2019)
        ],
    )


def test_each_fact_is_judged_in_record_order() -> None:
    judged = judge_record(GOLD, _record())
    assert [(f.field, f.correct) for f in judged] == [
        ("published", True),
        ("province", False),
        ("event_date", False),
        ("event_kinds", True),
        ("event_kinds", False),
        ("blocs", True),
        ("members", True),
        ("members", None),
        ("members", False),
        ("members", True),
        ("roles", True),
        ("awards", False),
    ]
    assert [f.index for f in judged] == list(range(12))


def test_verdicts_agree_with_the_scorer_field_by_field() -> None:
    pred = _record().to_schema()
    counts = score_doc(GOLD, pred)
    for field, verdicts in judge_predictions(GOLD, pred).items():
        tp, _, n_pred = counts[field]
        assert sum(v is True for v in verdicts) == tp, field
        assert sum(v is not None for v in verdicts) == n_pred, field


def test_greedy_matching_gives_a_gold_fact_to_one_prediction_only() -> None:
    gold = {**GOLD, "members": ["Sở Xây dựng"]}
    pred = {"members": ["Sở Xây dựng", "Sở Xây dựng tỉnh Lạng Sơn", "Sở Tài chính"]}
    # the second spelling shares the first one's key: not counted, as score_doc does not count it
    assert judge_predictions(gold, pred)["members"] == [True, None, False]
    gold_awards = [{**GOLD["awards"][0], "year": None}]
    pred_awards = [{**GOLD["awards"][0], "year": 2020}, {**GOLD["awards"][0], "year": 2021}]
    verdicts = judge_predictions({**GOLD, "awards": gold_awards}, {"awards": pred_awards})["awards"]
    assert verdicts == [True, False]


def test_calibration_buckets_and_target_figures() -> None:
    cal = calibration(judge_records({"x1": GOLD, "absent": GOLD}, {"x1": _record()}))
    assert [(b.label, b.count, b.correct) for b in cal.buckets] == [
        ("[0.00, 0.50)", 1, 0),  # so_ket 0.4
        ("[0.50, 0.70)", 2, 0),  # award 0.5, province 0.6
        ("[0.70, 0.80)", 1, 0),  # event_date 0.75
        ("[0.80, 0.90)", 1, 0),  # Sở Công Thương 0.85 (its 0.85 twin is not scored)
        ("[0.90, 0.95)", 4, 4),  # member 0.9, bloc 0.92, role 0.93, member 0.93
        ("[0.95, 1.00]", 2, 2),  # kind 0.95, published 0.99
    ]
    assert (cal.scored, cal.wrong, cal.unscored) == (11, 5, 1)
    assert (cal.high_count, cal.high_correct, cal.high_precision) == (6, 6, 1.0)
    # ⌈0.2 · 11⌉ = 3 lowest: 0.4 (kind), 0.5 (award), 0.6 (province), all wrong
    assert (cal.low_count, cal.low_wrong, cal.low_wrong_share) == (3, 3, 1.0)
    # the target figure: the slice holds 3 of the 5 wrong facts
    assert cal.wrong_in_low_share == pytest.approx(3 / 5)
    assert (cal.low_cut, cal.ties_at_cut, cal.ties_inside) == (0.6, 1, 1)
    text = format_calibration(cal)
    assert "precision of facts with confidence >= 0.9: 1.000 (6/6; target >= 0.98: meets)" in text
    assert "lowest-confidence facts: 60.0% (3.0 of 5; target >= 60%: meets)" in text


def _fact(field: str, doc_id: str, index: int, conf: float, correct: bool, rule: str = "r") -> JudgedFact:
    return JudgedFact(doc_id, index, field, rule, conf, correct)


def test_ties_at_the_cut_are_broken_by_field_then_doc_then_index() -> None:
    facts = [
        _fact("members", "a", 0, 0.7, True),
        _fact("blocs", "b", 5, 0.7, False),
        _fact("blocs", "b", 1, 0.7, True),
        *(_fact("roles", "c", i, 0.9, i % 2 == 0) for i in range(7)),
    ]
    cal = calibration(facts)
    # 10 facts → the 2 lowest; all three at 0.7 tie: blocs/b/1 (right) then blocs/b/5 (wrong) come first
    assert (cal.low_count, cal.low_wrong, cal.low_wrong_share) == (2, 1, 0.5)
    assert (cal.low_cut, cal.ties_at_cut, cal.ties_inside) == (0.7, 3, 2)
    # the target figure takes the tie in proportion: 2 of the 3 tied facts are inside, 1 of them wrong
    assert cal.wrong == 4 and cal.wrong_in_low_share == pytest.approx((1 * 2 / 3) / 4)
    # the ≥ 0.9 figure: 4 of the 7 roles are right
    assert cal.high_precision == pytest.approx(4 / 7)
    assert "target >= 0.98: below" in format_calibration(cal)
    # the order is total, so shuffling the input changes nothing
    assert calibration(list(reversed(facts))) == cal


def test_the_slice_holding_every_wrong_fact_meets_the_target_even_if_mostly_right() -> None:
    # 1 wrong fact in 10: the 2-fact slice is half wrong, but it holds every wrong fact there is
    facts = [_fact("members", "a", i, 0.5 + i / 100, i != 0) for i in range(10)]
    cal = calibration(facts)
    assert (cal.low_count, cal.low_wrong, cal.low_wrong_share) == (2, 1, 0.5)
    assert cal.wrong_in_low_share == 1.0
    assert "100.0% (1.0 of 1; target >= 60%: meets)" in format_calibration(cal)


def test_a_tie_spanning_the_cut_counts_in_proportion() -> None:
    # every fact at one confidence: the order says nothing, so the slice holds 20 % of the wrong facts
    facts = [_fact("members", "a", i, 0.8, i % 2 == 0) for i in range(10)]
    cal = calibration(facts)
    assert cal.wrong_in_low_share == pytest.approx(0.2)
    assert "below" in format_calibration(cal)


def test_calibration_of_nothing() -> None:
    cal = calibration([])
    assert cal.scored == cal.low_count == 0
    assert cal.high_precision is None and cal.low_wrong_share is None
    assert "no facts" in format_calibration(cal)


def test_by_rule_puts_weak_and_one_article_rules_first() -> None:
    facts = [
        *(_fact("members", f"d{i}", 0, 0.9, True, "list:gazetteer") for i in range(5)),
        _fact("members", "d0", 1, 0.8, True, "attending"),
        _fact("members", "d1", 1, 0.8, False, "attending"),
        _fact("awards", "d3", 0, 0.8, True, "award_pattern"),
        _fact("awards", "d3", 1, 0.8, True, "award_pattern"),
        _fact("awards", "d3", 2, 0.8, None, "award_pattern"),  # not scored: not counted
    ]
    rows = by_rule(facts)
    assert [(r.field, r.rule, r.predicted, r.correct, r.docs) for r in rows] == [
        ("members", "attending", 2, 1, 2),
        ("awards", "award_pattern", 2, 2, 1),  # perfect, but seen in one article only
        ("members", "list:gazetteer", 5, 5, 5),
    ]
    assert rows[0].precision == 0.5
    lines = format_by_rule(rows).splitlines()
    assert lines[2].endswith(" *") and not lines[3].endswith("*")


def test_by_rule_on_a_record_groups_rule_with_field() -> None:
    rows = {(r.field, r.rule): (r.predicted, r.correct) for r in by_rule(judge_record(GOLD, _record()))}
    assert rows[("members", "list:gazetteer")] == (2, 2)  # the unscored twin is left out
    assert rows[("members", "attending")] == (1, 0)
    assert rows[("event_kinds", "kind_cue")] == (2, 1)
