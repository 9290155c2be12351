"""Notebooks are committed without outputs and with a cell tagged `parameters`."""

import nbformat
import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_clean_with_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_briefing_notebook_is_thin():
    """Logic lives in the library: every code cell is a call or two, no loops or defs."""
    nb = nbformat.read(REPO / "notebooks" / "kommune_briefing.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            src = cell.source
            assert "def " not in src and "for " not in src and "class " not in src
            assert len(src.splitlines()) <= 4
