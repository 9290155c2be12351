"""The house's plan holds: stages import one way, no cycles, no module over 400 lines.

`lint-imports` (import-linter, configured in ``pyproject.toml``) checks the layers and cycles in
the README's test command; these tests also show that the contracts catch what they are for — a
deliberately wrong import in a copy of the package breaks them.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import fundament_lib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(fundament_lib.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 400


def _lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with the project's contracts on the package found under ``package_parent``."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=package_parent, env=env, capture_output=True, text=True, timeout=120)


def _copy_package(tmp_path: Path) -> Path:
    dest = tmp_path / "fundament_lib"
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__", "data", "templates"))
    return dest


def test_contracts_hold_on_the_package():
    result = _lint_imports(PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "wrong_import", "broken"), [
    # core at the bottom reaching up to run: the layers contract and (a cycle) the acyclic one.
    ("core/fmt.py", "from fundament_lib.run import batch", "fundament_lib.core is not allowed to import fundament_lib.run"),
    # the analysis importing the report that draws it.
    ("analysis/scoring.py", "from fundament_lib.report import html",
     "fundament_lib.analysis is not allowed to import fundament_lib.report"),
    # two modules of one stage importing each other.
    ("core/errors.py", "from fundament_lib.core import kommuner", "No cycles are allowed in fundament_lib.core"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, wrong_import, broken):
    copy = _copy_package(tmp_path)
    target = copy / module
    source = target.read_text()
    target.write_text(source + f"\n{wrong_import}  # deliberately wrong\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    report = " ".join(result.stdout.split())
    assert broken in report
    if "not allowed" in broken:  # the line number shows the copy was read, not the installed package
        assert f"(l.{len(source.splitlines()) + 2})" in report


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_over_400_lines():
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    assert len(sizes) > 50
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_every_module_and_package_says_what_it_is_for():
    missing = [str(p.relative_to(PACKAGE)) for p in _modules()
               if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert missing == []


def _readme_map() -> dict[str, set[str]]:
    """The README's "stage by stage" table: subpackage → every name in backticks in its row."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### The library, stage by stage", 1)[1].split("\n\n", 3)[2]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = line.split("|")
        rows[cells[1].strip(" `/")] = set(re.findall(r"`([a-z_]+)/?`", cells[3]))
    return rows


def test_the_readme_maps_every_module_in_data_flow_order():
    rows = _readme_map()
    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    assert list(rows) == list(reversed(layers))  # the table runs down the stages, core first
    for package, named in rows.items():
        modules = {p.stem if p.name != "__init__.py" else p.parent.name
                   for p in (PACKAGE / package).rglob("*.py") if p.parent != PACKAGE / package / "__pycache__"}
        modules -= {package, "_common"}
        assert modules <= named, f"{package}/: the README does not name {sorted(modules - named)}"
