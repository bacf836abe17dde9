"""`thidua extract-text` beside hostile files (issue 7, item 8): every good record is kept.

Each case puts one bad thing next to a good article; the good article's record must come out whole,
the bad one must be named on stderr with its reason, and the exit status must say something failed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thidua.cli import main

GOOD = (
    "Khối thi đua số 2 ký kết giao ước thi đua năm 2020\n\nSáng 5/3, Khối thi đua số 2 tổ chức ký kết "
    "giao ước thi đua năm 2020 gồm: Sở Y tế, Sở Tư pháp và Sở Nội vụ.\n"
)
MEMBERS = {"Sở Y tế", "Sở Tư pháp", "Sở Nội vụ"}


def _good(folder: Path, stem: str = "good") -> None:
    (folder / f"{stem}.txt").write_text(GOOD, encoding="utf-8")
    (folder / f"{stem}.meta.json").write_text(json.dumps({"published": "2020-03-06"}), encoding="utf-8")


def _run(folder: Path, *env: tuple[str, str]) -> tuple[Result, dict[str, dict[str, object]]]:
    out = folder.parent / "out.jsonl"
    result = CliRunner().invoke(main, ["extract-text", str(folder), "-o", str(out)], env=dict(env))
    recs = {r["doc_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    return result, recs


def _assert_good_kept(recs: dict[str, dict[str, object]], stem: str = "good") -> None:
    assert recs[stem]["event_date"] == "2020-03-05"
    assert recs[stem]["published"] == "2020-03-06"
    assert set(recs[stem]["members"]) == MEMBERS  # type: ignore[arg-type]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "text"
    d.mkdir()
    _good(d)
    return d


def test_a_fifo_named_txt_is_skipped_not_waited_on(folder: Path) -> None:
    os.mkfifo(folder / "pipe.txt")  # open() would block for ever: nobody writes to it
    result, recs = _run(folder)
    assert result.exit_code == 1
    assert "pipe.txt: NotRegularFileError: a FIFO" in result.stderr
    _assert_good_kept(recs)
    assert recs["pipe"]["members"] == []


def test_a_symlink_to_dev_zero_is_skipped_not_read(folder: Path) -> None:
    (folder / "zero.txt").symlink_to("/dev/zero")
    result, recs = _run(folder)
    assert result.exit_code == 1
    assert "zero.txt: NotRegularFileError: a character device" in result.stderr
    _assert_good_kept(recs)


def test_a_symlink_to_a_regular_file_is_read(folder: Path) -> None:
    (folder / "alias.txt").symlink_to(folder / "good.txt")
    result, recs = _run(folder)
    assert result.exit_code == 0, result.stderr
    assert set(recs["alias"]["members"]) == MEMBERS  # type: ignore[arg-type]


def test_a_directory_named_txt_is_skipped(folder: Path) -> None:
    (folder / "folder.txt").mkdir()
    result, recs = _run(folder)
    assert result.exit_code == 1
    assert "folder.txt: NotRegularFileError: a directory" in result.stderr
    _assert_good_kept(recs)


def test_a_file_name_that_is_not_utf8_is_read_and_shown_safely(folder: Path) -> None:
    name = os.fsencode(folder) + b"/b\xe1o-c\xe1o.txt"  # Latin-1 bytes: not UTF-8
    with open(name, "wb") as fh:
        fh.write(GOOD.encode("utf-8"))
    os.mkfifo(os.fsencode(folder) + b"/h\xf4ng.txt")  # and one that fails, so its name is printed
    result, recs = _run(folder)
    assert result.exit_code == 1
    assert "h\\xf4ng.txt: NotRegularFileError" in result.stderr
    _assert_good_kept(recs)
    assert set(recs["b\ufffdo-c\ufffdo"]["members"]) == MEMBERS  # type: ignore[arg-type]
    assert "h\ufffdng" in recs


def test_a_file_above_the_cap_is_refused_before_reading(folder: Path) -> None:
    (folder / "huge.txt").write_bytes(b"Khoi thi dua " * 200)  # 2,600 bytes
    result, recs = _run(folder, ("THIDUA_MAX_ARTICLE_BYTES", "2000"))
    assert result.exit_code == 1
    assert (
        "huge.txt: ArticleTooLargeError: file is 2,600 bytes, above the cap of 2,000 bytes" in result.stderr
    )
    _assert_good_kept(recs)


def test_a_binary_file_is_refused_as_not_text(folder: Path) -> None:
    (folder / "blob.txt").write_bytes(bytes(range(32)) * 8)
    result, recs = _run(folder)
    assert result.exit_code == 1
    assert "blob.txt: NotTextError" in result.stderr
    _assert_good_kept(recs)


@pytest.mark.parametrize(
    "meta",
    [b"{not json", b"[1, 2]", b"\xff\xfe{}", b'"just a string"'],
    ids=["malformed", "a list", "not utf-8", "a string"],
)
def test_bad_metadata_is_a_warning_and_the_text_is_still_extracted(folder: Path, meta: bytes) -> None:
    (folder / "other.txt").write_text(GOOD, encoding="utf-8")
    (folder / "other.meta.json").write_bytes(meta)
    result, recs = _run(folder)
    assert result.exit_code == 1
    assert "warning: " in result.stderr and "other.meta.json: metadata ignored" in result.stderr
    _assert_good_kept(recs)
    assert set(recs["other"]["members"]) == MEMBERS  # type: ignore[arg-type]
    assert recs["other"]["published"] is None  # the metadata is gone, the record is not


def test_metadata_that_is_a_fifo_is_ignored_without_waiting(folder: Path) -> None:
    (folder / "other.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(folder / "other.meta.json")
    result, recs = _run(folder)
    assert "other.meta.json: metadata ignored: NotRegularFileError" in result.stderr
    assert set(recs["other"]["members"]) == MEMBERS  # type: ignore[arg-type]


def test_a_clean_folder_exits_zero_and_prints_only_the_summary(folder: Path) -> None:
    result, recs = _run(folder)
    assert result.exit_code == 0
    assert result.stderr.strip().splitlines() == [
        f"1 records written to {folder.parent / 'out.jsonl'} (0 failed, 0 warnings)"
    ]
    _assert_good_kept(recs)
