"""`thidua link-entities | units | blocs | bloc | events` and `thidua correct merge-entities |
split-entity | undo-entity` (the store functions are tested on both engines in
tests/store/test_store_entities.py and test_store_events.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from extract.record import BlocFact, MemberFact, Record, RoleFact, ScalarFact
from store import repository
from store.db import make_engine, session_factory
from store.entities import link_article
from store.keys import content_key
from thidua.cli import main

DEPT = "Ngày 5/12/2022 Khối thi đua số 2 tỉnh Nghệ An tổng kết: Sở Y tế, Sở GD&ĐT. Sở Y tế làm Khối trưởng."
PORTAL = "Khối thi đua số 2 (Sở Y tế, Sở Giáo dục và Đào tạo, Sở Tư pháp) tổng kết năm 2022."


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"THIDUA_DATABASE_URL": url, "THIDUA_EDITOR": "Lan"})


def _record(text: str, members: tuple[str, ...], leader: str | None) -> Record:
    return Record(
        doc_id="x",
        province=ScalarFact(None, 0.9, "test", field_name="province", value="Nghệ An"),
        event_date=ScalarFact(None, 0.9, "test", field_name="event_date", value="2022-12-05"),
        event_kinds=[ScalarFact(None, 0.9, "test", field_name="event_kind", value="tong_ket")],
        blocs=[BlocFact(None, 0.9, "test", name="Khối thi đua số 2", number="2", aliases=[])],
        members=[MemberFact(None, 0.8, "test", unit=u, surface=u) for u in members],
        roles=[RoleFact(None, 0.9, "test", unit=leader, role="khoi_truong", year=2022)] if leader else [],
    )


@pytest.fixture
def url(tmp_path: Path) -> str:
    """Two write-ups of one meeting, from a department's site and the provincial portal."""
    url = f"sqlite:///{tmp_path / 'thidua.sqlite'}"
    assert run(url, "init-db").exit_code == 0
    engine = make_engine(url)
    stories = [
        ("https://soyte.nghean.example.gov.vn/tin/1", DEPT, ("Sở Y tế", "Sở GD&ĐT"), "Sở Y tế"),
        (
            "https://nghean.example.gov.vn/tin/2",
            PORTAL,
            ("Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tư pháp"),
            None,
        ),
    ]
    try:
        with session_factory(engine)() as s, s.begin():
            run_row = repository.start_run(s, extractor_version="0.4.1", config={})
            for link, (page_url, text, members, leader) in enumerate(stories):
                when = datetime(2023, 1, 1, tzinfo=UTC)
                page, _ = repository.save_page(
                    s, portal=None, url=page_url, canonical_url=page_url, final_url=page_url, status=200,
                    headers={}, body=b"<html></html>", encoding="utf-8", fetched_at=when,
                )  # fmt: skip
                key = content_key(title=None, published=None, text=text)
                article, _ = repository.save_article(
                    s, page=page, url=page_url, canonical_url=page_url, title=text[:40], text=text,
                    published=date(2022, 12, 6), content_key=key, is_bloc_news=True, relevance_reason="test",
                )  # fmt: skip
                row = repository.save_record(
                    s, run=run_row, article=article, record=_record(text, members, leader)
                )
                if link:  # the first story is stored as before entities existed: link-entities adds it
                    link_article(s, article, row)
    finally:
        engine.dispose()
    return url


def test_link_units_blocs_and_events(url: str) -> None:
    linked = run(url, "link-entities")
    assert (
        linked.exit_code == 0 and linked.stdout == "2 articles, 4 links added\n"
    )  # the bloc, two members and the leader of the first story, linked.output
    units = run(url, "units", "Sở GD&ĐT", "--province", "Nghệ An", "--json")
    assert units.exit_code == 0, units.output
    (school,) = [json.loads(line) for line in units.stdout.splitlines()]
    assert school["name"] == "Sở Giáo dục và Đào tạo"
    assert set(school["aliases"]) == {"Sở GD&ĐT", "Sở Giáo dục và Đào tạo"}
    blocs = run(url, "blocs", "--province", "Nghệ An", "--year", "2022")
    assert blocs.exit_code == 0, blocs.output
    assert blocs.stdout.splitlines()[:3] == [
        "Khối thi đua số 2 [Nghệ An] 2022 (id 1)",
        "  members: Sở Giáo dục và Đào tạo; Sở Tư pháp; Sở Y tế",
        "  khoi_truong 2022: Sở Y tế",
    ]
    history = [
        json.loads(line)
        for line in run(url, "bloc", "2", "--province", "Nghệ An", "--json").stdout.splitlines()
    ]
    assert [y["year"] for y in history[0]["years"]] == [2022]
    events = run(url, "events", "--province", "Nghệ An", "--review")
    assert events.exit_code == 0, events.output
    lines = events.stdout.splitlines()
    assert lines[0] == "2022-12-05  Khối thi đua số 2  tong_ket  (2 mentions)"
    assert "  article 1  soyte.nghean.example.gov.vn  " in events.stdout
    assert "  REVIEW member_missing: Sở Tư pháp: in [2], not in [1]" in lines


def test_merge_split_and_undo_entities(url: str) -> None:
    assert run(url, "link-entities").exit_code == 0
    ids = {
        e["name"]: e["id"]
        for e in map(json.loads, run(url, "units", "Sở Y tế", "--json").stdout.splitlines())
    }
    health = ids["Sở Y tế"]
    justice = json.loads(run(url, "units", "Sở Tư pháp", "--json").stdout)["id"]
    # a preview says what would change and writes nothing
    preview = run(url, "correct", "merge-entities", str(health), str(justice), "--preview")
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.splitlines()[0].startswith(f"after: Sở Y tế (id {health}) = {health}, {justice}: ")
    assert (
        f"moves: facts of Sở Tư pháp (id {justice}) from Sở Tư pháp (id {justice}) to Sở Y tế"
        in preview.stdout
    )
    assert preview.stderr == "nothing written (preview)\n"
    refused = run(url, "correct", "split-entity", str(justice), "--preview")
    assert refused.exit_code == 1 and refused.stderr.startswith("Error: NotMergedError: ")
    merged = run(url, "correct", "merge-entities", str(health), str(justice), "--reason", "thử")
    assert merged.exit_code == 0 and merged.stdout == f"entity correction 1: merge {health}, {justice}\n"
    shown = json.loads(run(url, "units", "Sở Tư pháp", "--json").stdout.splitlines()[0])
    assert shown["merged_into"] == health
    split = run(url, "correct", "split-entity", str(justice))
    assert split.exit_code == 0 and split.stdout == f"entity correction 2: split {justice}\n"
    undone = run(url, "correct", "undo-entity", "2")
    assert undone.exit_code == 0 and undone.stdout == f"entity correction 3: undo {justice} (undoes 2)\n"
    # refusals: one line, exit status 1, nothing written
    for args, message in [
        (("merge-entities", str(health), str(health)), "names each entity once"),
        (("merge-entities", str(health), "999"), "no entity with id 999"),
        (("split-entity", "999"), "no entity with id 999"),
        (("undo-entity", "99"), "no entity correction with id 99"),
    ]:
        result = run(url, "correct", *args)
        assert result.exit_code == 1 and result.stderr.startswith("Error: ") and message in result.stderr, (
            args
        )
        assert len(result.stderr.strip().splitlines()) == 1
    assert run(url, "correct", "undo-entity", "4").exit_code == 1  # still three corrections, no fourth


def test_read_commands_refuse_bad_input_in_one_line(url: str) -> None:
    for args in (
        ("units", "Sở Y tế", "--province", "Atlantis"),
        ("blocs", "--year", "0"),
        ("events", "--province", "x"),
    ):
        result = run(url, *args)
        assert result.exit_code == 1 and result.stderr.startswith("Error: "), (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
