"""Corrections (issue 8, item 3) on both engines: each action, refusals that write nothing, undo,
corrections that survive re-extraction, review flags, and the append-only table.

The concurrent editor and crawler tests are in test_store_corrections_concurrency.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections as corr
from store import repository
from store.current import current_record, current_records
from store.errors import (
    ArticleNotFoundError,
    CorrectionError,
    CorrectionNotFoundError,
    DuplicateFactError,
    FactNotFoundError,
    ImmutableRowError,
    InvalidEditorError,
    InvalidValueError,
    NoRecordError,
    UndoConflictError,
    UnknownFieldError,
)
from store.facts import base_key, unique_key
from store.models import Article, Correction, Editor, ExtractedRecord

TEXT = (
    "Ngày 28/12/2018, Khối thi đua số 6 tỉnh Bắc Ninh tổng kết năm 2018. Khối gồm Sở Y tế, "
    "Sở Tư pháp và Sở Lao động - Thương binh và Xã hội. Sở Y tế làm Khối trưởng năm 2019. "
    "Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp. Sở Nội vụ dự hội nghị."
)
AWARD = ("Sở Tư pháp", "co_thi_dua", "ubnd_tinh", 2018, "proposed")
AWARD_KEY = "award:so tu phap|co_thi_dua|ubnd_tinh"
ROLE_KEY = "role:so y te|khoi_truong"
ED = "Nguyễn Thị Lan"


_builder: list[Callable[..., Record]] = []


@pytest.fixture(autouse=True)
def _record_builder(build_record: Callable[..., Record]) -> None:
    _builder[:] = [build_record]


def bn_record(**overrides: Any) -> Record:
    """The machine record of TEXT; keyword arguments replace conftest.make_record's."""
    make_record = _builder[0]
    fields: dict[str, Any] = {
        "doc_id": "bn6",
        "province": "Bắc Ninh",
        "published": "2019-01-03",
        "event_date": "2018-12-28",
        "event_kinds": ("tong_ket",),
        "blocs": (("Khối thi đua số 6", "6", []),),
        "members": ("Sở Y tế", "Sở Tư pháp", "Sở Lao động - Thương binh và Xã hội"),
        "roles": (("Sở Y tế", "khoi_truong", 2019),),
        "awards": (AWARD,),
    } | overrides
    return make_record(TEXT, **fields)


def store_run(session: Session, article: Article, record: Record, version: str = "0.1.0") -> ExtractedRecord:
    """Store `record` as a new finished run's extraction of `article` (a re-extraction)."""
    run = repository.start_run(session, extractor_version=version, config={"source": "test"})
    row = repository.save_record(session, run=run, article=article, record=record)
    repository.finish_run(session, run=run, status="finished", stats={})
    return row


@pytest.fixture
def article(session: Session, make_article: Callable[..., Article]) -> Article:
    """An article of TEXT with one run's record stored."""
    art = make_article(TEXT)
    store_run(session, art, bn_record())
    return art


def rows(session: Session) -> tuple[int, int]:
    """Count the correction and editor rows."""
    n_corr = session.scalar(select(func.count()).select_from(Correction)) or 0
    n_ed = session.scalar(select(func.count()).select_from(Editor)) or 0
    return n_corr, n_ed


def fact(record: dict[str, Any], key: str) -> dict[str, Any]:
    found = [f for f in record["facts"] if f["key"] == key]
    assert len(found) == 1, [f["key"] for f in record["facts"]]
    return found[0]


# --- fact keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("province", "Bắc Ninh", "province"),
        ("published", "2019-01-03", "published"),
        ("event_kind", "tong_ket", "event_kind:tong_ket"),
        ("member", "Sở Lao động - Thương binh và Xã hội", "member:so lao dong thuong binh xa hoi"),
        # a trailing name of the record's own province is dropped, as SCHEMA.md compares names
        ("member", "Sở Y tế tỉnh Bắc Ninh", "member:so y te"),
        ("member", "Sở Y tế tỉnh Bắc Giang", "member:so y te bac giang"),
        ("bloc", {"name": "Khối thi đua số 6", "number": "6", "aliases": []}, "bloc:number=6"),
        (
            "bloc",
            {"name": "Khối các trường đại học", "number": None, "aliases": []},
            "bloc:name=khoi cac truong dai hoc",
        ),
        ("role", {"unit": "Sở Y tế", "role": "khoi_pho", "year": 2019}, "role:so y te|khoi_pho"),
        (
            "award",
            {
                "recipient": "Sở Tư pháp",
                "award": "bang_khen",
                "issuer": None,
                "year": 2018,
                "status": "conferred",
            },
            "award:so tu phap|bang_khen|-",
        ),
    ],
)
def test_fact_keys_name_what_identifies_a_fact_not_its_row(field: str, value: Any, key: str) -> None:
    assert base_key(field, value, "Bắc Ninh") == key


def test_a_repeated_key_gets_a_suffix_in_list_order() -> None:
    assert unique_key("award:a|b|c", []) == "award:a|b|c"
    assert unique_key("award:a|b|c", ["award:a|b|c"]) == "award:a|b|c~2"
    assert unique_key("award:a|b|c", ["award:a|b|c", "award:a|b|c~2"]) == "award:a|b|c~3"


# --- the current record without corrections ------------------------------------------------


def test_without_corrections_the_current_record_is_the_machine_record(
    session: Session, article: Article
) -> None:
    current = current_record(session, article.id)
    schema = bn_record().to_schema()
    assert {k: current[k] for k in schema} == schema
    assert current["review"] == [] and current["removed"] == [] and current["corrections"] == []
    assert {f["source"] for f in current["facts"]} == {"machine"}
    assert [f["key"] for f in current["facts"] if f["field"] == "member"] == [
        "member:so y te",
        "member:so tu phap",
        "member:so lao dong thuong binh xa hoi",
    ]
    member = fact(current, "member:so tu phap")
    assert member["position"] == 1
    assert member["evidence"] == {"start": TEXT.index("Sở Tư pháp"), "end": TEXT.index("Sở Tư pháp") + 10,
                                  "text": "Sở Tư pháp"}  # fmt: skip
    assert member["machine"]["rule"] == "test.member" and member["machine"]["confidence"] == 0.7
    assert current["extractor_version"] == "0.1.0"


def test_the_newest_run_is_the_machine_record(session: Session, article: Article) -> None:
    newer = store_run(session, article, bn_record(members=("Sở Y tế",)), version="0.2.0")
    current = current_record(session, article.id)
    assert current["record_id"] == newer.id and current["extractor_version"] == "0.2.0"
    assert current["members"] == ["Sở Y tế"]


def test_an_unknown_article_or_one_without_a_record(
    session: Session, make_article: Callable[..., Article]
) -> None:
    with pytest.raises(ArticleNotFoundError, match="no article with id 987654"):
        current_record(session, 987654)
    bare = make_article("Bài chưa trích xuất về Khối thi đua số 2.")
    with pytest.raises(NoRecordError, match=f"article {bare.id} has no extracted record yet"):
        current_record(session, bare.id)


# --- each action -------------------------------------------------------------------------


def test_accept_keeps_the_value_and_marks_it_accepted(session: Session, article: Article) -> None:
    c = corr.accept_fact(session, article_id=article.id, fact=ROLE_KEY, editor=ED, reason="đúng như bài")
    assert (c.action, c.field, c.fact_keys, c.result_keys) == ("accept", "role", [ROLE_KEY], [ROLE_KEY])
    assert c.editor.name == ED and c.reason == "đúng như bài"
    record = session.get(ExtractedRecord, c.record_id)
    assert record is not None and c.fact_id == record.roles[0].id  # the machine row it was made on
    assert c.machine_values == {ROLE_KEY: {"unit": "Sở Y tế", "role": "khoi_truong", "year": 2019}}
    current = current_record(session, article.id)
    role = fact(current, ROLE_KEY)
    assert role["source"] == "accepted" and role["corrections"] == [c.id]
    assert current["roles"] == [{"unit": "Sở Y tế", "role": "khoi_truong", "year": 2019}]
    assert current["corrections"] == [c.id] and current["corrected_facts"] == 1


def test_change_by_place_with_evidence(session: Session, article: Article) -> None:
    start = TEXT.index("Sở Lao động")
    end = start + len("Sở Lao động - Thương binh và Xã hội")
    c = corr.change_fact(
        session,
        article_id=article.id,
        fact="member#2",
        value="Sở Lao động, Thương binh và Xã hội",
        editor=ED,
        evidence=(start, end),
    )
    assert c.old_value == "Sở Lao động - Thương binh và Xã hội"
    assert c.new_value == "Sở Lao động, Thương binh và Xã hội"
    assert c.evidence_text == TEXT[start:end]  # taken from the stored text, never from the caller
    current = current_record(session, article.id)
    assert current["members"][2] == "Sở Lao động, Thương binh và Xã hội"
    member = fact(current, "member:so lao dong thuong binh xa hoi")
    assert member["source"] == "corrected" and member["evidence"]["text"] == TEXT[start:end]
    assert member["machine"]["value"] == "Sở Lao động - Thương binh và Xã hội"


def test_change_of_an_object_names_only_what_changes_and_keeps_place_and_evidence(
    session: Session, article: Article
) -> None:
    c = corr.change_fact(
        session, article_id=article.id, fact=AWARD_KEY, value={"status": "conferred"}, editor=ED
    )
    assert c.new_value == {
        "recipient": "Sở Tư pháp",
        "award": "co_thi_dua",
        "issuer": "ubnd_tinh",
        "year": 2018,
        "status": "conferred",
    }
    current = current_record(session, article.id)
    assert current["awards"] == [c.new_value]
    award = fact(current, AWARD_KEY)
    assert award["position"] == 0 and award["evidence"]["text"] == "Sở Tư pháp"


def test_change_that_renames_a_unit_moves_the_fact_to_its_new_key(session: Session, article: Article) -> None:
    corr.change_fact(session, article_id=article.id, fact="member:so y te", value="Sở Nội vụ", editor=ED)
    current = current_record(session, article.id)
    assert current["members"] == ["Sở Nội vụ", "Sở Tư pháp", "Sở Lao động - Thương binh và Xã hội"]
    assert fact(current, "member:so noi vu")["position"] == 0


@pytest.mark.parametrize(
    ("field", "value", "expect_in"),
    [
        ("member", "Sở Nội vụ", "members"),
        ("role", {"unit": "Sở Tư pháp", "role": "khoi_pho"}, "roles"),
        ("award", {"recipient": "Sở Y tế", "award": "bang_khen", "status": "conferred"}, "awards"),
        ("bloc", {"name": "Cụm thi đua số 2"}, "blocs"),
        ("event_kind", "giao_uoc", "event_kinds"),
    ],
)
def test_add_a_fact_the_machine_missed(
    session: Session, article: Article, field: str, value: Any, expect_in: str
) -> None:
    c = corr.add_fact(session, article_id=article.id, field=field, value=value, editor=ED)
    assert c.fact_keys == [] and len(c.result_keys) == 1 and c.machine_values == {c.result_keys[0]: None}
    current = current_record(session, article.id)
    assert current[expect_in][-1] == c.new_value
    added = fact(current, c.result_keys[0])
    assert added["source"] == "added" and added["machine"] is None and added["evidence"] is None


def test_add_fills_in_a_missing_scalar_in_canonical_form(
    session: Session, make_article: Callable[..., Article]
) -> None:
    art = make_article(TEXT)
    store_run(session, art, bn_record(province=None))
    corr.add_fact(session, article_id=art.id, field="province", value="  tỉnh Bắc Ninh ", editor=ED)
    assert current_record(session, art.id)["province"] == "Bắc Ninh"


def test_delete_removes_the_fact_from_the_current_record_only(session: Session, article: Article) -> None:
    c = corr.delete_fact(session, article_id=article.id, fact="member#1", editor=ED, reason="khách mời")
    current = current_record(session, article.id)
    assert current["members"] == ["Sở Y tế", "Sở Lao động - Thương binh và Xã hội"]
    assert current["removed"] == [
        {
            "field": "member",
            "key": "member:so tu phap",
            "value": "Sở Tư pháp",
            "source": "machine",
            "corrections": [c.id],
        }
    ]
    machine = session.get(ExtractedRecord, c.record_id)
    assert machine is not None and [m.unit for m in machine.members][1] == "Sở Tư pháp"  # the run is kept


def test_verify_a_field_and_the_whole_record(session: Session, article: Article) -> None:
    one = corr.verify(session, article_id=article.id, field="member", editor=ED)
    assert one.old_value == ["Sở Y tế", "Sở Tư pháp", "Sở Lao động - Thương binh và Xã hội"]
    assert set(one.machine_values) == {
        "member:so y te",
        "member:so tu phap",
        "member:so lao dong thuong binh xa hoi",
    }
    whole = corr.verify(session, article_id=article.id, editor="Trần Văn Minh")
    assert whole.field is None and len(whole.machine_values) == 10
    current = current_record(session, article.id)
    assert fact(current, "member:so y te")["verified_by"] == [one.id, whole.id]
    assert fact(current, AWARD_KEY)["verified_by"] == [whole.id]
    assert {f["source"] for f in current["facts"]} == {"machine"}  # verifying changes no value


def test_merge_two_spellings_of_one_unit(session: Session, make_article: Callable[..., Article]) -> None:
    art = make_article(TEXT)
    store_run(session, art, bn_record(members=("Sở Y tế", "Sở Tư pháp", "Sở Tư Pháp tỉnh Bắc Giang")))
    c = corr.merge_facts(
        session, article_id=art.id, facts=["member#1", "member#2"], value="Sở Tư pháp", editor=ED
    )
    assert c.fact_keys == ["member:so tu phap", "member:so tu phap bac giang"]
    current = current_record(session, art.id)
    assert current["members"] == ["Sở Y tế", "Sở Tư pháp"]
    assert fact(current, "member:so tu phap")["source"] == "corrected"


def test_split_one_unit_into_two_and_one_award_into_two_years(session: Session, article: Article) -> None:
    corr.split_fact(
        session,
        article_id=article.id,
        fact="member:so lao dong thuong binh xa hoi",
        values=["Sở Lao động", "Sở Xã hội"],
        editor=ED,
    )
    c = corr.split_fact(
        session, article_id=article.id, fact=AWARD_KEY, values=[{}, {"year": 2017}], editor=ED
    )
    assert c.result_keys == [AWARD_KEY, AWARD_KEY + "~2"]  # one recipient, award and issuer: a suffix
    current = current_record(session, article.id)
    assert current["members"] == ["Sở Y tế", "Sở Tư pháp", "Sở Lao động", "Sở Xã hội"]
    assert [a["year"] for a in current["awards"]] == [2018, 2017]


# --- undo ---------------------------------------------------------------------------------


def test_undo_is_a_new_correction_and_an_undo_of_an_undo_restores(session: Session, article: Article) -> None:
    change = corr.change_fact(session, article_id=article.id, fact="province", value="Bắc Giang", editor=ED)
    assert current_record(session, article.id)["province"] == "Bắc Giang"
    first = corr.undo(session, correction_id=change.id, editor="Trần Văn Minh", reason="nhầm tỉnh")
    assert (first.action, first.undoes_id, first.field) == ("undo", change.id, "province")
    current = current_record(session, article.id)
    assert current["province"] == "Bắc Ninh" and current["corrections"] == []
    assert fact(current, "province")["source"] == "machine"
    with pytest.raises(UndoConflictError, match=f"correction {change.id} is already undone"):
        corr.undo(session, correction_id=change.id, editor=ED)
    corr.undo(session, correction_id=first.id, editor=ED)
    assert current_record(session, article.id)["province"] == "Bắc Giang"
    assert rows(session)[0] == 3  # nothing was deleted
    history = corr.corrections_of(session, article_id=article.id)
    assert [(h["action"], h["in_force"]) for h in history] == [
        ("change", True),
        ("undo", False),
        ("undo", True),
    ]


def test_undo_refuses_while_a_later_correction_builds_on_it(session: Session, article: Article) -> None:
    added = corr.add_fact(session, article_id=article.id, field="member", value="Sở Nội vụ", editor=ED)
    later = corr.change_fact(
        session, article_id=article.id, fact="member:so noi vu", value="Sở Nội vụ tỉnh Bắc Ninh", editor=ED
    )
    before = rows(session)
    with pytest.raises(UndoConflictError, match=f"undo {later.id} first"):
        corr.undo(session, correction_id=added.id, editor=ED)
    assert rows(session) == before
    corr.undo(session, correction_id=later.id, editor=ED)
    corr.undo(session, correction_id=added.id, editor=ED)
    assert "Sở Nội vụ" not in current_record(session, article.id)["members"]


# --- refusals write nothing ----------------------------------------------------------------

Call = Callable[[Session, int], object]

REFUSALS: list[tuple[str, Call, type[CorrectionError] | type[Exception], str]] = [
    (
        "missing fact",
        lambda s, a: corr.delete_fact(s, article_id=a, fact="member:so giao duc", editor=ED),
        FactNotFoundError,
        "holds no fact 'member:so giao duc'; its member facts: member:so y te",
    ),
    (
        "place out of range",
        lambda s, a: corr.change_fact(s, article_id=a, fact="role#3", value={"year": 2018}, editor=ED),
        FactNotFoundError,
        "has role#0 to role#0, not role#3",
    ),
    (
        "unknown field in a fact",
        lambda s, a: corr.accept_fact(s, article_id=a, fact="leader:so y te", editor=ED),
        UnknownFieldError,
        "field 'leader': SCHEMA.md has no such field",
    ),
    (
        "unknown field to add",
        lambda s, a: corr.add_fact(s, article_id=a, field="leaders", value="Sở Y tế", editor=ED),
        UnknownFieldError,
        "use one of published, province",
    ),
    (
        "unknown field to verify",
        lambda s, a: corr.verify(s, article_id=a, field="members", editor=ED),
        UnknownFieldError,
        "field 'members'",
    ),
    (
        "award code",
        lambda s, a: corr.change_fact(
            s, article_id=a, fact=AWARD_KEY, value={"award": "huy_chuong"}, editor=ED
        ),
        InvalidValueError,
        "award award 'huy_chuong' is not one of co_thi_dua",
    ),
    (
        "year typo",
        lambda s, a: corr.change_fact(s, article_id=a, fact=ROLE_KEY, value={"year": 20019}, editor=ED),
        InvalidValueError,
        "role year 20019 is not a year from 1900 to 2100",
    ),
    (
        "year as text",
        lambda s, a: corr.change_fact(s, article_id=a, fact=ROLE_KEY, value={"year": "2019"}, editor=ED),
        InvalidValueError,
        "role year '2019' is not a year",
    ),
    (
        "unknown key",
        lambda s, a: corr.change_fact(s, article_id=a, fact=AWARD_KEY, value={"yaer": 2017}, editor=ED),
        InvalidValueError,
        "unknown key(s) 'yaer' for a award; use recipient, award, issuer, year, status",
    ),
    (
        "missing key on add",
        lambda s, a: corr.add_fact(s, article_id=a, field="award", value={"recipient": "Sở Y tế"}, editor=ED),
        InvalidValueError,
        "a new award needs award, status",
    ),
    (
        "not an object",
        lambda s, a: corr.add_fact(s, article_id=a, field="role", value="Sở Y tế", editor=ED),
        InvalidValueError,
        "a role value is an object with unit, role, year, not str",
    ),
    (
        "date",
        lambda s, a: corr.change_fact(s, article_id=a, fact="event_date", value="2018-13-28", editor=ED),
        InvalidValueError,
        "event_date '2018-13-28' is not a YYYY-MM-DD date",
    ),
    (
        "province",
        lambda s, a: corr.change_fact(s, article_id=a, fact="province", value="Atlantis", editor=ED),
        InvalidValueError,
        "province 'Atlantis' is not a province",
    ),
    (
        "event kind",
        lambda s, a: corr.add_fact(s, article_id=a, field="event_kind", value="hop_mat", editor=ED),
        InvalidValueError,
        "event_kind value 'hop_mat' is not one of tong_ket",
    ),
    (
        "empty unit",
        lambda s, a: corr.add_fact(s, article_id=a, field="member", value="   ", editor=ED),
        InvalidValueError,
        "member value refused: unit is empty",
    ),
    (
        "NUL in a unit",
        lambda s, a: corr.add_fact(s, article_id=a, field="member", value="Sở Y\x00 tế", editor=ED),
        InvalidValueError,
        "unit holds a NUL character",
    ),
    (
        "unit not text",
        lambda s, a: corr.add_fact(s, article_id=a, field="member", value=6, editor=ED),
        InvalidValueError,
        "member unit must be text, not int",
    ),
    (
        "empty editor",
        lambda s, a: corr.accept_fact(s, article_id=a, fact="province", editor="  "),
        InvalidEditorError,
        "the editor's name is empty",
    ),
    (
        "editor too long",
        lambda s, a: corr.accept_fact(s, article_id=a, fact="province", editor="x" * 129),
        InvalidEditorError,
        "129 characters long; give at most 128",
    ),
    (
        "editor with surrogates",
        lambda s, a: corr.accept_fact(s, article_id=a, fact="province", editor="Lan\udcc6"),
        InvalidEditorError,
        "not UTF-8 text",
    ),
    (
        "evidence outside the text",
        lambda s, a: corr.accept_fact(s, article_id=a, fact="province", editor=ED, evidence=(10, 10_000)),
        InvalidValueError,
        "evidence 10:10000 is not a span of article",
    ),
    (
        "evidence reversed",
        lambda s, a: corr.accept_fact(s, article_id=a, fact="province", editor=ED, evidence=(20, 10)),
        InvalidValueError,
        "is not a span",
    ),
    (
        "reason with NUL",
        lambda s, a: corr.accept_fact(s, article_id=a, fact="province", editor=ED, reason="a\x00b"),
        InvalidValueError,
        "the reason holds control characters",
    ),
    (
        "add what is there",
        lambda s, a: corr.add_fact(s, article_id=a, field="member", value="Sở Y tế", editor=ED),
        DuplicateFactError,
        "already holds this member as 'member:so y te'",
    ),
    (
        "add a second province",
        lambda s, a: corr.add_fact(s, article_id=a, field="province", value="Bắc Giang", editor=ED),
        DuplicateFactError,
        "already has a province ('Bắc Ninh'); change it",
    ),
    (
        "change into another fact",
        lambda s, a: corr.change_fact(s, article_id=a, fact="member#0", value="Sở Tư pháp", editor=ED),
        DuplicateFactError,
        "already holds this member as 'member:so tu phap'",
    ),
    (
        "change to the same value",
        lambda s, a: corr.change_fact(s, article_id=a, fact="province", value="Bắc Ninh", editor=ED),
        InvalidValueError,
        "province already is 'Bắc Ninh'; to confirm it, accept it",
    ),
    (
        "merge one fact",
        lambda s, a: corr.merge_facts(s, article_id=a, facts=["member#0"], editor=ED),
        FactNotFoundError,
        "a merge names two facts or more",
    ),
    (
        "merge across fields",
        lambda s, a: corr.merge_facts(s, article_id=a, facts=["member#0", ROLE_KEY], editor=ED),
        UnknownFieldError,
        "a merge joins facts of one field",
    ),
    (
        "split into one",
        lambda s, a: corr.split_fact(s, article_id=a, fact="member#0", values=["Sở Y tế"], editor=ED),
        InvalidValueError,
        "a split gives two values or more",
    ),
    (
        "split an event kind",
        lambda s, a: corr.split_fact(
            s, article_id=a, fact="event_kind#0", values=["so_ket", "giao_uoc"], editor=ED
        ),
        UnknownFieldError,
        "use one of bloc, member, role, award",
    ),
    (
        "split into the same twice",
        lambda s, a: corr.split_fact(s, article_id=a, fact="member#0", values=["Sở A", "Sở A"], editor=ED),
        InvalidValueError,
        "the same member is given twice",
    ),
    (
        "missing article",
        lambda s, a: corr.accept_fact(s, article_id=a + 10_000, fact="province", editor=ED),
        ArticleNotFoundError,
        "no article with id",
    ),
    (
        "undo a missing correction",
        lambda s, a: corr.undo(s, correction_id=987_654, editor=ED),
        CorrectionNotFoundError,
        "no correction with id 987654",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_refused_correction_is_named_and_writes_nothing(
    session: Session, article: Article, call: Call, error: type[Exception], message: str
) -> None:
    corr.accept_fact(session, article_id=article.id, fact="province", editor="Trần Văn Minh")
    before = rows(session)
    record_before = current_record(session, article.id)
    with pytest.raises(error) as caught:
        call(session, article.id)
    assert message in str(caught.value)
    assert rows(session) == before
    assert current_record(session, article.id) == record_before
    # the session is still usable
    corr.accept_fact(session, article_id=article.id, fact="event_date", editor=ED)


def test_no_correction_of_an_article_never_extracted(
    session: Session, make_article: Callable[..., Article]
) -> None:
    bare = make_article("Bài chưa trích xuất về Khối thi đua số 2.")
    with pytest.raises(NoRecordError):
        corr.add_fact(session, article_id=bare.id, field="member", value="Sở Y tế", editor=ED)
    assert rows(session) == (0, 0)


def test_one_editor_row_per_name(session: Session, article: Article) -> None:
    corr.accept_fact(session, article_id=article.id, fact="province", editor=" Nguyễn Thị Lan ")
    corr.accept_fact(session, article_id=article.id, fact="event_date", editor=ED)
    assert rows(session) == (2, 1)


# --- corrections survive re-extraction ------------------------------------------------------


def test_corrections_survive_a_re_extraction_with_the_same_machine_values(
    session: Session, article: Article
) -> None:
    corr.change_fact(session, article_id=article.id, fact=AWARD_KEY, value={"status": "conferred"}, editor=ED)
    corr.delete_fact(session, article_id=article.id, fact="member:so lao dong thuong binh xa hoi", editor=ED)
    corr.add_fact(session, article_id=article.id, field="member", value="Sở Nội vụ", editor=ED)
    corr.accept_fact(session, article_id=article.id, fact=ROLE_KEY, editor=ED)
    before = current_record(session, article.id)

    # a new extractor version: new run, new rows, members in another order and spelled with the
    # province, which the fact key ignores
    store_run(
        session,
        article,
        bn_record(members=("Sở Lao động - Thương binh và Xã hội", "Sở Tư pháp", "Sở Y tế")),
        version="0.2.0",
    )
    after = current_record(session, article.id)
    assert after["run_id"] != before["run_id"]
    assert after["review"] == []
    assert after["awards"] == before["awards"]
    assert sorted(after["members"]) == sorted(before["members"])
    assert "Sở Lao động - Thương binh và Xã hội" not in after["members"]
    assert fact(after, ROLE_KEY)["source"] == "accepted"
    assert after["corrections"] == before["corrections"]


def test_a_changed_machine_value_under_a_correction_is_flagged_not_dropped(
    session: Session, article: Article
) -> None:
    changed = corr.change_fact(
        session, article_id=article.id, fact=AWARD_KEY, value={"year": 2017}, editor=ED
    )
    accepted = corr.accept_fact(session, article_id=article.id, fact=ROLE_KEY, editor=ED)
    deleted = corr.delete_fact(session, article_id=article.id, fact="member:so tu phap", editor=ED)
    store_run(
        session,
        article,
        bn_record(
            members=("Sở Y tế tỉnh Bắc Ninh", "Sở Lao động - Thương binh và Xã hội"),  # Sở Tư pháp gone
            roles=(("Sở Y tế", "khoi_truong", 2018),),  # year read differently
            awards=(("Sở Tư pháp", "co_thi_dua", "ubnd_tinh", 2019, "proposed"),),  # and again
        ),
        version="0.2.0",
    )
    current = current_record(session, article.id)
    # the editors' values stay ...
    assert current["roles"] == [{"unit": "Sở Y tế", "role": "khoi_truong", "year": 2019}]
    assert current["awards"][0]["year"] == 2017
    # ... the machine's new ones are shown beside them, and the record asks for review
    by_key = {f["key"]: f for f in current["review"]}
    assert set(by_key) == {AWARD_KEY, ROLE_KEY}
    assert by_key[ROLE_KEY] == {
        "flag": "machine_changed",
        "field": "role",
        "key": ROLE_KEY,
        "correction_id": accepted.id,
        "then": {"unit": "Sở Y tế", "role": "khoi_truong", "year": 2019},
        "now": {"unit": "Sở Y tế", "role": "khoi_truong", "year": 2018},
        "shown": {"unit": "Sở Y tế", "role": "khoi_truong", "year": 2019},
    }
    assert by_key[AWARD_KEY]["correction_id"] == changed.id
    assert (by_key[AWARD_KEY]["then"]["year"], by_key[AWARD_KEY]["now"]["year"]) == (2018, 2019)
    assert fact(current, AWARD_KEY)["machine"]["value"]["year"] == 2019
    # the machine agreeing with a deletion is nothing to review; a new spelling is the new value
    assert deleted.id in current["corrections"]
    assert current["members"] == ["Sở Y tế tỉnh Bắc Ninh", "Sở Lao động - Thương binh và Xã hội"]


def test_a_corrected_fact_the_machine_drops_stays_and_is_flagged(session: Session, article: Article) -> None:
    c = corr.change_fact(session, article_id=article.id, fact=AWARD_KEY, value={"year": 2017}, editor=ED)
    store_run(session, article, bn_record(awards=()), version="0.2.0")
    current = current_record(session, article.id)
    assert current["awards"] == [c.new_value]
    assert [(f["flag"], f["key"], f["now"]) for f in current["review"]] == [
        ("machine_dropped", AWARD_KEY, None)
    ]


def test_the_machine_finding_what_an_editor_added_needs_no_review(session: Session, article: Article) -> None:
    corr.add_fact(session, article_id=article.id, field="member", value="Sở Nội vụ", editor=ED)
    store_run(session, article, bn_record(members=("Sở Y tế", "Sở Tư pháp", "Sở Nội vụ")), version="0.2.0")
    current = current_record(session, article.id)
    assert current["review"] == []
    assert current["members"].count("Sở Nội vụ") == 1
    added = fact(current, "member:so noi vu")
    assert added["source"] == "added" and added["machine"]["value"] == "Sở Nội vụ"


def test_the_machine_disagreeing_with_an_added_value_is_flagged(session: Session, article: Article) -> None:
    corr.add_fact(
        session,
        article_id=article.id,
        field="award",
        value={"recipient": "Sở Y tế", "award": "bang_khen", "status": "conferred", "year": 2018},
        editor=ED,
    )
    store_run(
        session,
        article,
        bn_record(awards=(AWARD, ("Sở Y tế", "bang_khen", None, 2018, "proposed"))),
        version="0.2.0",
    )
    flags = current_record(session, article.id)["review"]
    assert [(f["flag"], f["then"], f["now"]["status"], f["shown"]["status"]) for f in flags] == [
        ("machine_added", None, "proposed", "conferred")
    ]


def test_a_new_fact_in_a_verified_field_is_flagged_until_seen(session: Session, article: Article) -> None:
    check = corr.verify(session, article_id=article.id, field="member", editor=ED)
    store_run(
        session, article, bn_record(members=("Sở Y tế", "Sở Tư pháp", "Sở Lao động - Thương binh và Xã hội",
                                             "Sở Nội vụ")), version="0.2.0"
    )  # fmt: skip
    current = current_record(session, article.id)
    assert [(f["flag"], f["key"], f["correction_id"]) for f in current["review"]] == [
        ("machine_added", "member:so noi vu", check.id)
    ]
    assert "Sở Nội vụ" in current["members"]  # shown, and flagged: the editor decides
    # an editor who deals with the flagged fact clears it
    corr.delete_fact(session, article_id=article.id, fact="member:so noi vu", editor=ED, reason="khách mời")
    assert current_record(session, article.id)["review"] == []


def test_a_new_correction_on_the_new_machine_value_clears_the_flag(
    session: Session, article: Article
) -> None:
    corr.accept_fact(session, article_id=article.id, fact=ROLE_KEY, editor=ED)
    store_run(session, article, bn_record(roles=(("Sở Y tế", "khoi_truong", 2018),)), version="0.2.0")
    assert len(current_record(session, article.id)["review"]) == 1
    corr.change_fact(session, article_id=article.id, fact=ROLE_KEY, value={"year": 2018}, editor=ED)
    current = current_record(session, article.id)
    assert current["review"] == [] and current["roles"][0]["year"] == 2018


def test_undo_after_a_re_extraction_brings_back_the_newest_machine_value(
    session: Session, article: Article
) -> None:
    c = corr.change_fact(session, article_id=article.id, fact="province", value="Bắc Giang", editor=ED)
    store_run(session, article, bn_record(province="Hà Bắc"), version="0.2.0")
    assert current_record(session, article.id)["review"][0]["now"] == "Hà Bắc"
    corr.undo(session, correction_id=c.id, editor=ED)
    current = current_record(session, article.id)
    assert current["province"] == "Hà Bắc" and current["review"] == []


def test_current_records_equals_one_by_one(
    session: Session, article: Article, make_article: Callable[..., Article]
) -> None:
    other = make_article("Bản tin khác. " + TEXT)  # not a duplicate: another content key
    store_run(session, other, bn_record(doc_id="other"))
    corr.delete_fact(session, article_id=article.id, fact="member#0", editor=ED)
    both = current_records(session, [other.id, article.id, other.id])
    assert both == [current_record(session, other.id), current_record(session, article.id)]


# --- append-only ------------------------------------------------------------------------------


def test_the_orm_refuses_to_update_or_delete_a_correction(session: Session, article: Article) -> None:
    c = corr.accept_fact(session, article_id=article.id, fact="province", editor=ED)
    with pytest.raises(ImmutableRowError, match="append-only"), session.begin_nested():
        c.reason = "sửa lại"
    session.expire(c)
    with pytest.raises(ImmutableRowError, match="never deleted"), session.begin_nested():
        session.delete(c)
    assert rows(session)[0] == 1


@pytest.mark.parametrize("statement", ["UPDATE correction SET reason = 'x'", "DELETE FROM correction"])
def test_the_database_refuses_to_update_or_delete_a_correction(
    session: Session, article: Article, statement: str
) -> None:
    corr.accept_fact(session, article_id=article.id, fact="province", editor=ED)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text(statement))
    assert rows(session)[0] == 1
