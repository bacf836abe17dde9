"""Exports (issue 8, item 6) on both engines: every format round-trips the current records,
corrections and their count, query's filters, the CSV data package, the Parquet schema, the
SQLite snapshot with its Datasette metadata, Vietnamese text, and refusals that leave nothing.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections as corr
from store import repository
from store.current import current_records
from store.errors import ExportTargetError, ExportTargetExistsError, QueryError, UnknownFormatError
from store.exports import FORMATS, MANIFEST, export_records
from store.exports.parquet import METADATA_KEY, arrow_schema
from store.exports.sqlite import CANNED_QUERIES, DATABASE
from store.exports.tables import TABLE_BY_NAME, TABLES
from store.models import Article

BN = (
    "Ngày 28/12/2018, Khối thi đua số 6 tỉnh Bắc Ninh tổng kết năm 2018. Khối gồm Sở Y tế, "
    "Sở Tư pháp và Sở Lao động - Thương binh và Xã hội. Sở Y tế làm Khối trưởng năm 2019. "
    "Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp. Sở Nội vụ dự hội nghị."
)
HB = (
    "Cụm thi đua số 2 tỉnh Hòa Bình sơ kết 6 tháng năm 2020. Cụm gồm Huyện Lạc Sơn, Huyện Mai Châu. "
    "Huyện Lạc Sơn làm Cụm trưởng. UBND tỉnh tặng Bằng khen cho Huyện Mai Châu năm 2020."
)
NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
ED = "Nguyễn Thị Lan"
LĐTBXH = "Sở Lao động - Thương binh và Xã hội"
AWARD_KEY = "award:so tu phap|co_thi_dua|ubnd_tinh"


def store_run(session: Session, article: Article, record: Record, version: str) -> None:
    run = repository.start_run(session, extractor_version=version, config={"source": "test"})
    repository.save_record(session, run=run, article=article, record=record)
    repository.finish_run(session, run=run, status="finished", stats={})


@pytest.fixture
def store(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> dict[str, Article]:
    """Two extracted articles from two extractor versions, and one never extracted."""
    bn = make_article(BN, title="Khối thi đua số 6 tổng kết", published=date(2019, 1, 3))
    store_run(
        session,
        bn,
        build_record(
            BN,
            doc_id="bn6",
            province="Bắc Ninh",
            published="2019-01-03",
            event_date="2018-12-28",
            event_kinds=("tong_ket",),
            blocs=(("Khối thi đua số 6", "6", ["Khối 6"]),),
            members=("Sở Y tế", "Sở Tư pháp", LĐTBXH),
            roles=(("Sở Y tế", "khoi_truong", 2019),),
            awards=(("Sở Tư pháp", "co_thi_dua", "ubnd_tinh", 2018, "proposed"),),
        ),
        "0.3.1",
    )
    hb = make_article(HB, title="Cụm thi đua số 2 sơ kết", published=date(2020, 7, 2))
    store_run(
        session,
        hb,
        build_record(
            HB,
            doc_id="hb2",
            province="Hòa Bình",
            published="2020-07-02",
            event_kinds=("so_ket",),
            blocs=(("Cụm thi đua số 2", "2", []),),
            members=("Huyện Lạc Sơn", "Huyện Mai Châu"),
            roles=(("Huyện Lạc Sơn", "khoi_truong", None),),
            awards=(("Huyện Mai Châu", "bang_khen", "ubnd_tinh", 2020, "conferred"),),
        ),
        "0.4.0",
    )
    bare = make_article("Bài chưa trích xuất về Khối thi đua số 9.", title="Chưa trích xuất")
    return {"bn": bn, "hb": hb, "bare": bare}


def export(session: Session, tmp_path: Path, fmt: str, name: str = "out", **kw: Any) -> Path:
    target = tmp_path / name
    result = export_records(session, fmt=fmt, target=target, now=NOW, **kw)
    assert result.path == target and result.format == fmt
    return target


def manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return data


def read_tables(folder: Path, fmt: str) -> dict[str, list[dict[str, Any]]]:
    """Read every table of a tabular export back as dicts of strings, None for empty."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        if fmt == "csv":
            with (folder / f"{table.name}.csv").open(encoding="utf-8", newline="") as f:
                out[table.name] = [
                    {k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)
                ]
        elif fmt == "parquet":
            out[table.name] = pq.read_table(folder / f"{table.name}.parquet").to_pylist()
        else:
            db = sqlite3.connect(folder / DATABASE)
            db.row_factory = sqlite3.Row
            try:
                out[table.name] = [dict(r) for r in db.execute(f'SELECT * FROM "{table.name}"')]
            finally:
                db.close()
    return out


def record_ids(folder: Path, fmt: str) -> list[int]:
    if fmt == "jsonl":
        lines = (folder / "records.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["article_id"] for line in lines]
    return sorted(int(r["article_id"]) for r in read_tables(folder, fmt)["records"])


# --- every format ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_round_trips_the_current_records_and_their_counts(
    session: Session, store: dict[str, Article], tmp_path: Path, fmt: str
) -> None:
    folder = export(session, tmp_path, fmt)
    extracted = sorted([store["bn"].id, store["hb"].id])  # the bare article has no record
    assert record_ids(folder, fmt) == extracted
    m = manifest(folder)
    assert m["kind"] == "thidua-export" and m["format"] == fmt
    assert m["exported_at"] == "2026-12-05T09:30:00Z"
    assert m["extractor_versions"] == ["0.3.1", "0.4.0"]
    assert m["counts"] == {
        "records": 2,
        "blocs": 2,
        "members": 5,
        "roles": 2,
        "awards": 2,
        "review_flags": 0,
    }
    assert m["corrected_facts"] == 0 and m["filters"] == {}
    assert set(m["files"]) == {p.name for p in folder.iterdir()}
    if fmt != "jsonl":
        tables = read_tables(folder, fmt)
        assert {name: len(rows) for name, rows in tables.items()} == m["counts"]
        for table in TABLES:  # every row has exactly its table's columns, in order
            assert all(list(row) == table.names for row in tables[table.name])
    else:
        lines = (folder / "records.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == json.loads(
            json.dumps(current_records(session, extracted), default=str)
        )
    # nothing else was left in the folder: no staging folder stays behind
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sqlite"])
def test_tabular_values_and_types(
    session: Session, store: dict[str, Article], tmp_path: Path, fmt: str
) -> None:
    tables = read_tables(export(session, tmp_path, fmt), fmt)
    bn = next(r for r in tables["records"] if int(r["article_id"]) == store["bn"].id)
    published = {"csv": "2019-01-03", "sqlite": "2019-01-03", "parquet": date(2019, 1, 3)}[fmt]
    assert bn["published"] == published and bn["province"] == "Bắc Ninh"
    assert str(bn["year"]) == "2018"  # the event's year before the publication's
    assert bn["bloc_names"] == "Khối thi đua số 6" and bn["bloc_numbers"] == "6"
    assert bn["extractor_version"] == "0.3.1" and bn["review_state"] == "machine"
    award = next(a for a in tables["awards"] if int(a["article_id"]) == store["bn"].id)
    assert award["recipient"] == "Sở Tư pháp" and award["award"] == "co_thi_dua"
    assert str(award["award_year"]) == "2018" and award["source"] == "machine"
    assert float(award["confidence"]) == 0.6 and award["rule"] == "test.award"
    assert award["evidence_text"] == "Sở Tư pháp" and int(award["evidence_start"]) == BN.index("Sở Tư pháp")
    blocs = [b for b in tables["blocs"] if int(b["article_id"]) == store["bn"].id]
    assert [(b["name"], b["aliases"], b["fact_key"]) for b in blocs] == [
        ("Khối thi đua số 6", "Khối 6", "bloc:number=6")
    ]
    if fmt == "parquet":  # typed columns, not text
        assert isinstance(award["award_year"], int) and isinstance(award["confidence"], float)


# --- corrections -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_correction_shows_in_the_export_and_in_the_corrected_count(
    session: Session, store: dict[str, Article], tmp_path: Path, fmt: str
) -> None:
    bn = store["bn"].id
    changed = corr.change_fact(session, article_id=bn, fact=AWARD_KEY, value={"year": 2017}, editor=ED)
    corr.add_fact(session, article_id=bn, field="member", value="Sở Nội vụ", editor=ED)
    corr.delete_fact(session, article_id=bn, fact="member:so y te", editor=ED)
    folder = export(session, tmp_path, fmt)
    m = manifest(folder)
    assert m["corrected_facts"] == 3 and m["corrected_records"] == 1
    assert m["counts"]["members"] == 5  # one added, one deleted
    if fmt == "jsonl":
        records = [json.loads(x) for x in (folder / "records.jsonl").read_text(encoding="utf-8").splitlines()]
        rec = next(r for r in records if r["article_id"] == bn)
        assert rec["awards"][0]["year"] == 2017 and rec["corrected_facts"] == 3
        assert rec["members"] == ["Sở Tư pháp", LĐTBXH, "Sở Nội vụ"]
        return
    tables = read_tables(folder, fmt)
    award = next(a for a in tables["awards"] if int(a["article_id"]) == bn)
    assert str(award["award_year"]) == "2017" and award["source"] == "corrected"
    assert award["confidence"] is None  # the machine's confidence was in 2018, not in the editor's 2017
    assert award["correction_ids"] == str(changed.id)
    members = [(r["unit"], r["source"]) for r in tables["members"] if int(r["article_id"]) == bn]
    assert members == [("Sở Tư pháp", "machine"), (LĐTBXH, "machine"), ("Sở Nội vụ", "added")]
    record = next(r for r in tables["records"] if int(r["article_id"]) == bn)
    assert str(record["corrected_facts"]) == "3" and record["review_state"] == "corrected"
    assert str(record["corrections"]) == "3"


def test_a_review_flag_is_exported(
    session: Session, store: dict[str, Article], tmp_path: Path, build_record: Callable[..., Record]
) -> None:
    bn = store["bn"]
    corr.change_fact(session, article_id=bn.id, fact=AWARD_KEY, value={"year": 2017}, editor=ED)
    # a later run reads the award's year as 2016: the editor's 2017 stays, flagged for review
    store_run(
        session,
        bn,
        build_record(
            BN,
            doc_id="bn6",
            province="Bắc Ninh",
            members=("Sở Y tế", "Sở Tư pháp"),
            awards=(("Sở Tư pháp", "co_thi_dua", "ubnd_tinh", 2016, "proposed"),),
        ),
        "0.4.1",
    )
    tables = read_tables(export(session, tmp_path, "sqlite"), "sqlite")
    (flag,) = tables["review_flags"]
    assert (flag["article_id"], flag["fact_key"], flag["flag"]) == (bn.id, AWARD_KEY, "machine_changed")
    assert json.loads(flag["machine_now"])["year"] == 2016 and json.loads(flag["shown"])["year"] == 2017
    record = next(r for r in tables["records"] if r["article_id"] == bn.id)
    assert record["review_state"] == "review" and record["extractor_version"] == "0.4.1"


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_query_filters_narrow_the_export(
    session: Session, store: dict[str, Article], tmp_path: Path, fmt: str
) -> None:
    folder = export(session, tmp_path, fmt, filters={"province": "Hoa Binh", "year": None})
    assert record_ids(folder, fmt) == [store["hb"].id]
    m = manifest(folder)
    assert m["filters"] == {"province": "Hoa Binh"} and m["counts"]["members"] == 2
    assert m["extractor_versions"] == ["0.4.0"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"year": 2018}, ["bn"]),
        ({"year": 2020}, ["hb"]),
        ({"bloc": "6"}, ["bn"]),
        ({"unit": "Mai Châu"}, ["hb"]),
        ({"award": "bang_khen"}, ["hb"]),
        ({"award": "huan_chuong"}, []),
        ({"province": "Bắc Ninh", "award": "bang_khen"}, []),
    ],
)
def test_each_filter_works_as_in_query(
    session: Session, store: dict[str, Article], tmp_path: Path, filters: dict[str, Any], expected: list[str]
) -> None:
    folder = export(session, tmp_path, "jsonl", filters=filters)
    assert record_ids(folder, "jsonl") == sorted(store[k].id for k in expected)


def test_filters_apply_to_the_corrected_values(
    session: Session, store: dict[str, Article], tmp_path: Path
) -> None:
    bn = store["bn"].id
    corr.add_fact(session, article_id=bn, field="member", value="Sở Nội vụ", editor=ED)
    corr.delete_fact(session, article_id=bn, fact="member:so y te", editor=ED)
    corr.delete_fact(session, article_id=bn, fact="role:so y te|khoi_truong", editor=ED)
    assert record_ids(export(session, tmp_path, "csv", "a", filters={"unit": "Sở Nội vụ"}), "csv") == [bn]
    assert record_ids(export(session, tmp_path, "csv", "b", filters={"unit": "Sở Y tế"}), "csv") == []


def test_a_bad_filter_is_refused_before_anything_is_written(
    session: Session, store: dict[str, Article], tmp_path: Path
) -> None:
    for filters in ({"year": 0}, {"bloc": "%"}, {"unit": "x" * 120_000}, {"award": "cup"}):
        with pytest.raises(QueryError):
            export(session, tmp_path, "sqlite", filters=filters)
    assert list(tmp_path.iterdir()) == []


# --- the CSV data package, the Parquet schema, the SQLite snapshot ----------------------------


def test_the_datapackage_describes_every_csv_column(
    session: Session, store: dict[str, Article], tmp_path: Path
) -> None:
    folder = export(session, tmp_path, "csv")
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package" and package["thidua"] == {
        k: v for k, v in manifest(folder).items() if k != "files"
    }
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {t.name for t in TABLES}
    checks: dict[str, Callable[[str], object]] = {
        "integer": int,
        "number": float,
        "date": date.fromisoformat,
        "string": str,
    }
    for name, resource in resources.items():
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            body = list(reader)
        fields = resource["schema"]["fields"]
        assert header == [fld["name"] for fld in fields], name
        assert set(resource["schema"]["primaryKey"]) <= set(header)
        for row in body:  # every non-empty cell parses as its declared type; required cells are set
            for fld, cell in zip(fields, row, strict=True):
                if cell == "":
                    assert not fld.get("constraints", {}).get("required"), (name, fld["name"])
                else:
                    checks[fld["type"]](cell)
        if name != "records":
            (fk,) = resource["schema"]["foreignKeys"]
            assert fk["reference"] == {"resource": "records", "fields": ["article_id"]}
    assert {fld["type"] for r in resources.values() for fld in r["schema"]["fields"]} == {
        "string",
        "integer",
        "number",
        "date",
    }


def test_parquet_files_have_the_declared_schema_and_carry_the_manifest(
    session: Session, store: dict[str, Article], tmp_path: Path
) -> None:
    folder = export(session, tmp_path, "parquet")
    for table in TABLES:
        schema = pq.read_schema(folder / f"{table.name}.parquet")
        expected = arrow_schema(table)
        assert schema.names == expected.names
        assert [f.type for f in schema] == [f.type for f in expected], table.name
        assert [f.nullable for f in schema] == [not c.required for c in table.columns]
        key_values = pq.read_metadata(folder / f"{table.name}.parquet").metadata  # the file's own
        assert json.loads(key_values[METADATA_KEY.encode()]) == {
            k: v for k, v in manifest(folder).items() if k != "files"
        }
    assert str(pq.read_schema(folder / "records.parquet").field("published").type) == "date32[day]"


def test_the_sqlite_snapshot_is_ready_for_datasette(
    session: Session, store: dict[str, Article], tmp_path: Path
) -> None:
    corr.change_fact(session, article_id=store["bn"].id, fact=AWARD_KEY, value={"year": 2017}, editor=ED)
    folder = export(session, tmp_path, "sqlite")
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    config = json.loads((folder / "datasette.yaml").read_text(encoding="utf-8"))
    assert metadata["license"].startswith("GPL-3.0-or-later") and metadata["source"]
    assert "1 corrected facts" in metadata["description"] and "0.3.1, 0.4.0" in metadata["description"]
    db = sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {t: {r[1] for r in db.execute(f'PRAGMA table_info("{t}")')} for t in tables}
        indexed = {
            (t, r[2]) for t in tables for ix in db.execute(f'PRAGMA index_list("{t}")')
            for r in db.execute(f'PRAGMA index_info("{ix[1]}")')
        }  # fmt: skip
        (database,) = metadata["databases"].values()
        assert set(database["tables"]) <= tables
        for name, spec in database["tables"].items():
            assert set(spec.get("columns", {})) <= columns[name]
            for facet in spec.get("facets", []):
                assert facet in columns[name] and (name, facet) in indexed, (name, facet)
        assert config["databases"]["thidua"]["queries"] == database["queries"] == CANNED_QUERIES
        for spec in config["databases"]["thidua"]["tables"].values():
            assert set(spec) <= {"facets", "sort_desc"}
        results = {
            n: db.execute(q["sql"], {"unit": "Sở Tư pháp"}).fetchall() for n, q in CANNED_QUERIES.items()
        }
        assert ("Bắc Ninh", 2017, "co_thi_dua", "proposed", 1) in results["awards_by_province_and_year"]
        assert [r[:5] for r in results["bloc_leaders_by_year"]] == [
            ("Bắc Ninh", "Khối thi đua số 6", 2019, "khoi_truong", "Sở Y tế"),
            ("Hòa Bình", "Cụm thi đua số 2", None, "khoi_truong", "Huyện Lạc Sơn"),
        ]
        assert [r[1:4] for r in results["unit_timeline"]] == [
            ("award", "Sở Tư pháp", "co_thi_dua (proposed)")
        ]
        assert [r[0] for r in results["corrected_records"]] == [store["bn"].id]
        stored = dict(db.execute("SELECT key, value FROM export_metadata").fetchall())
        assert json.loads(stored["corrected_facts"]) == 1
        assert json.loads(stored["extractor_versions"]) == ["0.3.1", "0.4.0"]
        assert json.loads(stored["exported_at"]) == "2026-12-05T09:30:00Z"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()


# --- Vietnamese text -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_vietnamese_text_survives_as_nfc_utf8(
    session: Session, store: dict[str, Article], tmp_path: Path, fmt: str
) -> None:
    folder = export(session, tmp_path, fmt)
    assert unicodedata.is_normalized("NFC", LĐTBXH)
    if fmt == "jsonl":
        raw = (folder / "records.jsonl").read_bytes()
        assert LĐTBXH.encode("utf-8") in raw and b"\\u" not in raw  # letters, not escapes
        return
    units = [r["unit"] for r in read_tables(folder, fmt)["members"]]
    assert LĐTBXH in units and "Huyện Mai Châu" in units
    assert all(unicodedata.is_normalized("NFC", u) for u in units)
    if fmt == "csv":
        raw = (folder / "members.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and LĐTBXH.encode("utf-8") in raw


# --- targets ---------------------------------------------------------------------------------


def test_an_existing_target_needs_force(session: Session, store: dict[str, Article], tmp_path: Path) -> None:
    folder = export(session, tmp_path, "csv")
    first = manifest(folder)
    with pytest.raises(ExportTargetExistsError, match="already exists; choose another -o or give --force"):
        export(session, tmp_path, "jsonl")
    assert manifest(folder) == first
    export(session, tmp_path, "jsonl", force=True)  # an earlier export is replaced whole
    assert manifest(folder)["format"] == "jsonl" and not (folder / "records.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_force_replaces_only_an_export_or_an_empty_folder(
    session: Session, store: dict[str, Article], tmp_path: Path
) -> None:
    precious = tmp_path / "out"
    precious.mkdir()
    (precious / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(ExportTargetError, match="is not an earlier thidua export"):
        export(session, tmp_path, "csv", force=True)
    assert (precious / "thesis.docx").read_bytes() == b"years of work"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ExportTargetError, match="is not an earlier thidua export"):
        export(session, tmp_path, "csv", "file", force=True)
    (tmp_path / "empty").mkdir()
    export(session, tmp_path, "csv", "empty", force=True)
    assert manifest(tmp_path / "empty")["format"] == "csv"


def test_a_missing_folder_and_an_unknown_format_are_refused(
    session: Session, store: dict[str, Article], tmp_path: Path
) -> None:
    with pytest.raises(ExportTargetError, match="does not exist; create it first"):
        export(session, tmp_path, "csv", "no/such/folder")
    with pytest.raises(UnknownFormatError, match="unknown export format 'xlsx'; use one of jsonl, csv"):
        export(session, tmp_path, "xlsx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failure_midway_leaves_nothing_behind(
    session: Session, store: dict[str, Article], tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.exports as exports

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "current_records", broken)
    with pytest.raises(ExportTargetError, match="No space left on device"):
        export(session, tmp_path, fmt)
    assert list(tmp_path.iterdir()) == []


def test_the_tables_declare_their_keys() -> None:
    for table in TABLES:
        assert set(table.primary_key) <= set(table.names) and set(table.facets) <= set(table.names)
        assert len(set(table.names)) == len(table.names)
        assert all(c.required for c in table.columns if c.name in table.primary_key)
    assert TABLE_BY_NAME["records"].primary_key == ("article_id",)
