"""Layering: the store and the crawler never depend on the evaluation code (issue 7).

Name keys live in `extract.namekeys`; `extract.scoring` is the SCHEMA.md scorer and may change with
the evaluation rules without touching stored key columns. Two checks: a static one over every
module's imports (also `from extract import scoring` and import_module strings), and a runtime one
that the store's and crawler's entry modules do not pull the scorer in transitively.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = "extract.scoring"
GUARDED = ("store", "crawler")


def forbidden_imports(source: str) -> list[int]:
    """Line numbers where `source` imports extract.scoring (in any spelling)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            hit = any(a.name == FORBIDDEN or a.name.startswith(FORBIDDEN + ".") for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            from_pkg = module == "extract" and any(a.name == "scoring" for a in node.names)
            hit = module == FORBIDDEN or from_pkg
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            hit = node.value == FORBIDDEN  # importlib.import_module("extract.scoring")
        else:
            continue
        if hit:
            lines.append(node.lineno)
    return lines


def _guarded_files() -> list[Path]:
    files = [p for pkg in GUARDED for p in sorted((ROOT / pkg).rglob("*.py"))]
    return [p for p in files if "mockportals/corpus" not in p.as_posix()]


@pytest.mark.parametrize(
    "source",
    [
        "import extract.scoring\n",
        "import extract.scoring as s\n",
        "from extract.scoring import province_key\n",
        "from extract import lexicon, scoring\n",
        "def f():\n    from extract.scoring import score\n",
        "import importlib\nimportlib.import_module('extract.scoring')\n",
    ],
)
def test_the_checker_catches_every_spelling(source: str) -> None:
    assert forbidden_imports(source)


def test_the_checker_allows_the_key_module() -> None:
    assert not forbidden_imports("from extract.namekeys import name_key\nfrom extract import namekeys\n")


def test_store_and_crawler_never_import_the_scorer() -> None:
    files = _guarded_files()
    assert len(files) > 10, "the guarded packages were not found"
    offenders = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in files
        for line in forbidden_imports(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"store/ and crawler/ must use extract.namekeys, not {FORBIDDEN}: {offenders}"


def test_store_and_crawler_do_not_load_the_scorer_transitively() -> None:
    # A fresh interpreter: this test process has long since imported extract.scoring itself.
    code = (
        "import sys\n"
        "import store.keys, store.repository, store.queries, store.db\n"
        "import crawler.pipelines, crawler.run, crawler.spiders.portal\n"
        f"print({FORBIDDEN!r} in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
