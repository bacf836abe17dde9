"""The extraction pipeline's structure: one ordered list of named steps over one Article, no state
shared between articles, and the bloc's kind passed explicitly (issue 7, item 6).

Sentences are written for this project.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from extract import pipeline
from extract.api import extract_article
from extract.article import Article, LayerNotReadyError
from extract.guests import BlocKind, is_guest

EXTRACT_DIR = Path(pipeline.__file__).parent

MINISTRIES = (
    "Khối thi đua các Bộ, ngành Kinh tế tổng hợp tổng kết công tác thi đua năm 2024\n"
    "Ngày 10/1/2025, Khối thi đua các Bộ, ngành Kinh tế tổng hợp tổ chức hội nghị tổng kết công tác "
    "thi đua năm 2024. Khối gồm: Bộ Tài chính, Bộ Công Thương, Bộ Xây dựng và Bộ Nội vụ.\n"
    "Bộ Tài chính là Khối trưởng năm 2024.\n"
)
PROVINCIAL = (
    "Khối thi đua số 4 tổng kết công tác thi đua năm 2024\n"
    "Ngày 12/1/2025, Khối thi đua số 4 tổ chức hội nghị tổng kết công tác thi đua năm 2024. Khối gồm: "
    "Sở Tư pháp, Sở Nội vụ và Thanh tra tỉnh.\n"
    "Bộ Tài chính tặng Bằng khen cho Sở Tư pháp. Sở Nội vụ là Khối trưởng năm 2024.\n"
)


def test_steps_are_named_functions_listed_in_order_in_the_docstring() -> None:
    names = [step.__name__ for step in pipeline.STEPS]
    assert len(set(names)) == len(names)
    doc = pipeline.__doc__ or ""
    listed = re.findall(r"^\s*\d+\.\s+(\w+)", doc, re.MULTILINE)
    assert listed == names, "the module docstring must list STEPS in their order"
    for step in pipeline.STEPS:
        params = list(inspect.signature(step).parameters)
        assert params == ["article"], step.__name__
        assert step.__doc__, f"{step.__name__} says what it does"


def test_extract_record_runs_exactly_the_steps() -> None:
    article = Article(PROVINCIAL, "p")
    ran: list[str] = []

    def traced(step: pipeline.Step) -> pipeline.Step:
        def run_one(a: Article) -> None:
            ran.append(step.__name__)
            step(a)

        return run_one

    pipeline.run(article, tuple(traced(s) for s in pipeline.STEPS))
    assert ran == [s.__name__ for s in pipeline.STEPS]
    assert article.record.to_schema() == extract_article(doc_id="p", text=PROVINCIAL).to_schema()


def test_a_layer_read_before_its_step_says_which_step_is_missing() -> None:
    article = Article("Khối thi đua số 1", "x")
    with pytest.raises(LayerNotReadyError, match="normalize_text"):
        pipeline.classify_lines(article)
    pipeline.normalize_text(article)
    with pytest.raises(LayerNotReadyError, match="read_meeting"):
        pipeline.read_roles(article)


def test_the_bloc_kind_decides_who_is_a_guest() -> None:
    plain, of_ministries = BlocKind(), BlocKind(ministries_are_members=True)
    assert is_guest("Bộ Tư pháp", plain) and not is_guest("Bộ Tư pháp", of_ministries)
    cluster = BlocKind(provinces_are_members=True)
    assert is_guest("Ủy ban nhân dân tỉnh Gia Lai", plain)
    assert not is_guest("Ủy ban nhân dân tỉnh Gia Lai", cluster)
    assert not is_guest("Sở Tư pháp", plain)


def test_the_bloc_kind_is_read_per_article_and_kept_on_it() -> None:
    article = pipeline.run(Article(MINISTRIES, "m"))
    assert article.bloc.ministries_are_members
    assert "Bộ Tài chính" in [m.unit for m in article.record.members]
    provincial = pipeline.run(Article(PROVINCIAL, "p"))
    assert provincial.bloc == BlocKind()
    assert "Bộ Tài chính" not in [m.unit for m in provincial.record.members]  # the giver is a guest here


def test_one_article_never_changes_the_next_ones_record() -> None:
    alone = extract_article(doc_id="p", text=PROVINCIAL).to_full()
    extract_article(doc_id="m", text=MINISTRIES)
    assert extract_article(doc_id="p", text=PROVINCIAL).to_full() == alone


def test_no_module_of_extract_keeps_per_article_state() -> None:
    """No ContextVar, no `global` statement: per-article state lives on the Article."""
    for path in sorted(EXTRACT_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.Global), f"{path.name}:{node.lineno} uses `global`"
            if isinstance(node, ast.ImportFrom):
                assert node.module != "contextvars", f"{path.name} imports contextvars"


def _extract_imports(path: Path) -> set[str]:
    """The extract modules `path` imports, lazy imports inside functions included."""
    deps: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "extract":
            deps |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("extract."):
            deps.add((node.module or "").split(".")[1])
        elif isinstance(node, ast.Import):
            deps |= {a.name.split(".")[1] for a in node.names if a.name.startswith("extract.")}
    return deps - {path.stem}


def test_extract_modules_import_one_way() -> None:
    """No module of extract/ imports one that imports it back, directly or through others."""
    graph = {p.stem: _extract_imports(p) for p in sorted(EXTRACT_DIR.glob("*.py"))}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            cycle = " → ".join((*path[path.index(module) :], module))
            raise AssertionError(f"import cycle: {cycle}")
        if module in done:
            return
        for dep in sorted(graph.get(module, ())):
            visit(dep, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
