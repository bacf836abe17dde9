""".ci/run: the dev-corpus quality gate fails loudly when the corpus is missing (issue 7).

The script is copied into a scratch checkout with stand-ins for `make` and `.venv/bin/thidua`, so
these tests check its control flow without installing or extracting anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from thidua.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _checkout(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "clone"
    (repo / ".ci").mkdir(parents=True)
    (repo / "bench").mkdir()
    (repo / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    (repo / "bench" / "quality_floor.json").write_text(json.dumps({"dev": 0.5}), encoding="utf-8")
    log = tmp_path / "calls.log"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    stand_ins = (
        (fake_bin / "make", "make"),
        (repo / ".venv" / "bin" / "thidua", "thidua"),
        (repo / ".ci" / "postgres", "postgres"),
        (repo / ".ci" / "redis", "redis"),
        (repo / ".ci" / "chromium", "chromium"),
    )
    for path, name in stand_ins:
        path.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n', encoding="utf-8")
        path.chmod(0o755)
    return repo, log


def _run(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "CI": "true"}
    return subprocess.run(
        ["bash", str(repo / ".ci" / "run")], env=env, capture_output=True, text=True, check=False
    )


def test_missing_dev_corpus_fails_before_anything_runs(tmp_path: Path) -> None:
    repo, log = _checkout(tmp_path)
    out = _run(repo, tmp_path)
    assert out.returncode == 1
    assert "dev corpus" in out.stderr and "missing" in out.stderr
    assert not log.exists()  # neither the tests nor the gate ran


def test_empty_gold_folder_fails(tmp_path: Path) -> None:
    repo, log = _checkout(tmp_path)
    (tmp_path / "shared" / "corpus" / "dev" / "gold").mkdir(parents=True)
    (tmp_path / "shared" / "corpus" / "dev" / "text").mkdir()
    assert _run(repo, tmp_path).returncode == 1
    assert not log.exists()


def test_present_corpus_runs_the_tests_then_the_gate(tmp_path: Path) -> None:
    repo, log = _checkout(tmp_path)
    dev = tmp_path / "shared" / "corpus" / "dev"
    (dev / "gold").mkdir(parents=True)
    (dev / "text").mkdir()
    (dev / "gold" / "x.json").write_text("{}", encoding="utf-8")
    # .ci/run finds the corpus at ../shared beside the clone
    out = _run(repo, tmp_path)
    assert out.returncode == 0, out.stderr
    assert log.read_text(encoding="utf-8").splitlines() == [
        "postgres ",
        "redis ",
        "chromium ",
        "make test",
        "thidua eval ../shared/corpus/dev --min-f1 0.5",
    ]


@pytest.mark.parametrize("fold", [None, "1"])
def test_eval_with_no_gold_records_fails_instead_of_scoring_one(tmp_path: Path, fold: str | None) -> None:
    (tmp_path / "gold").mkdir()
    (tmp_path / "text").mkdir()
    args = ["eval", str(tmp_path), "--min-f1", "0.9"] + (["--fold", fold] if fold else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "no gold records" in result.output
