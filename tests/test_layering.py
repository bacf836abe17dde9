"""The import graph goes one way: no layer imports a layer above it (see thidua/__init__.py).

Every import is read from the source, lazy imports inside functions included, so a shortcut
taken "just inside this function" is caught as well.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("thidua", "extract", "store", "crawler")

# lower number = lower layer; a module may import only modules of its own layer or below
SETTINGS, EXTRACT, STORE, CRAWLER, EDGE = range(5)
LAYER_NAMES = {
    SETTINGS: "thidua.settings",
    EXTRACT: "extract",
    STORE: "store",
    CRAWLER: "crawler",
    EDGE: "CLI",
}


def layer(module: str) -> int:
    if module == "thidua.settings":
        return SETTINGS
    top = module.split(".", 1)[0]
    return {"extract": EXTRACT, "store": STORE, "crawler": CRAWLER, "thidua": EDGE}[top]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, module) for every import of a project module in the file `path`."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package=package)


def imports_in(source: str, *, package: str) -> Iterator[tuple[int, str]]:
    """Yield (line, module) for every import of a project module in `source`, lazy ones too."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                parts = package.split(".")
                prefix = ".".join(parts[: len(parts) - node.level + 1])
                names = [f"{prefix}.{node.module}" if node.module else prefix]
            else:
                names = [node.module or ""]
            # "from thidua import settings" imports thidua.settings, not the package
            names = [f"{n}.{a.name}" if n == "thidua" else n for n in names for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".", 1)[0] in PACKAGES:
                yield node.lineno, name


def sources() -> list[Path]:
    return sorted(
        p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "corpus" not in p.relative_to(ROOT).parts
    )


def test_sources_are_found() -> None:
    found = {module_name(p) for p in sources()}
    assert {"thidua.settings", "thidua.cli", "extract.record", "store.db", "crawler.pipelines"} <= found
    assert "store.migrations.env" in found


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = []
    for path in sources():
        source = module_name(path)
        for line, target in project_imports(path):
            if layer(target) > layer(source):
                upward.append(
                    f"{path.relative_to(ROOT)}:{line} {source} ({LAYER_NAMES[layer(source)]}) imports "
                    f"{target} ({LAYER_NAMES[layer(target)]})"
                )
    assert upward == []


def test_settings_and_the_package_file_import_nothing_of_the_project() -> None:
    for name in ("thidua/settings.py", "thidua/__init__.py"):
        assert list(project_imports(ROOT / name)) == [], name


def test_upward_imports_are_caught() -> None:
    # the checker itself: lazy and relative imports of the CLI inside a store module are found
    source = (
        "def f():\n    from thidua.cli import main\n    from thidua import settings\n    from . import db\n"
    )
    assert list(imports_in(source, package="store")) == [
        (2, "thidua.cli"),
        (3, "thidua.settings"),
        (4, "store"),
    ]
    assert layer("thidua.cli") > layer("store.probe") > layer("thidua.settings")


LOW_LAYER_IMPORTS = {
    # module imported first: modules it must not load (its own layer and below are fine)
    "thidua.settings": ("click", "thidua.cli", "store", "extract", "crawler"),
    "store.db": ("click", "thidua.cli", "crawler", "scrapy"),
}


def test_importing_a_low_layer_loads_nothing_above_it() -> None:
    # one fresh interpreter imports each module in turn and reports what got loaded
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(LOW_LAYER_IMPORTS)!r}:\n"
        "    importlib.import_module(name)\n"
        "    print(json.dumps([name, sorted(sys.modules)]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    for line in proc.stdout.splitlines():
        module, loaded = json.loads(line)
        forbidden = LOW_LAYER_IMPORTS[module]
        above = [m for m in loaded if m in forbidden or m.startswith(tuple(f"{f}." for f in forbidden))]
        assert above == [], f"importing {module} loaded {above}"
