"""Planning a run: check every input and decide what to render, before anything is written.

:func:`plan` reads and checks the notebook, loads and validates the data and every kommune's
parameters, works out each selected kommune's input fingerprint
(:mod:`fundament_lib.run.fingerprints`) and lists the kommuner whose stored outputs are out of
date — and, when asked for, whether the national overview is. A bad input stops the run here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from fundament_lib.core.errors import RenderError
from fundament_lib.core.paths import (
    BRIEFING_NOTEBOOK,
    OVERVIEW_NOTEBOOK,
    notebooks_dir,
    reports_dir,
)
from fundament_lib.core.safe_names import child

from .fingerprints import OVERVIEW, fingerprint, kommune_hashes, overview_fingerprint
from .publish import Outputs, stored_fingerprint

if TYPE_CHECKING:
    import pandas as pd

    from fundament_lib.core.params import Params

__all__ = ["Plan", "plan", "check_notebook", "as_text"]


def check_notebook(path: Path) -> nbformat.NotebookNode:
    """Read the briefing notebook; fail early, with a clear message, on a missing or unreadable
    notebook or one without a cell tagged ``parameters``.

    Raises
    ------
    RenderError
        Naming the notebook and what is wrong.
    """
    return _read_notebook(path)[0]


def _read_notebook(path: Path) -> tuple[nbformat.NotebookNode, bytes]:
    """The notebook, checked as :func:`check_notebook` does, and its bytes: read once for the
    check, the fingerprint and the tasks."""
    if not path.is_file():
        raise RenderError(f"{path}: notebook not found")
    try:
        data = path.read_bytes()
        nb = nbformat.reads(as_text(data), as_version=4)
    except Exception as exc:  # nbformat raises several types for a broken file
        raise RenderError(f"{path}: not a readable notebook ({type(exc).__name__})") from None
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise RenderError(f"{path}: no cell is tagged 'parameters' — Papermill cannot set the kommune")
    return nb, data


def as_text(data: bytes) -> str:
    """UTF-8 bytes as text, newlines translated as reading the file in text mode would."""
    with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8") as text:
        return text.read()


@dataclass
class Plan:
    """What a run will do, decided before anything is written."""

    data: Path
    notebook: Path
    out: Path
    tidy: pd.DataFrame
    params: dict[str, Params]  # every kommune in the data
    codes: list[str]  # the selected kommuner
    fingerprints: dict[str, dict[str, Any]]
    stale: list[str]  # the selected kommuner to render
    notebook_bytes: bytes  # read once: checked, fingerprinted and sent with each task
    outputs: Outputs = field(default_factory=Outputs)
    overview_notebook: Path | None = None  # set when the run covers every kommune in the data
    overview_notebook_bytes: bytes = b""
    overview_fingerprint: dict[str, Any] | None = None
    overview_stale: bool = False

    @property
    def current(self) -> list[str]:
        """Selected kommuner whose outputs are up to date."""
        return [c for c in self.codes if c not in self.stale]


def plan(data: Path | None = None, *, kommuner: list[str] | None = None, params_root: Path | None = None,
         notebook: Path | None = None, out: Path | None = None, force: bool = False,
         outputs: Outputs | None = None, overview: bool = False, overview_notebook: Path | None = None) -> Plan:
    """Check every input and decide which kommuner to render (nothing is written).

    Parameters are those of :func:`fundament_lib.run.batch.run`. The national overview is planned only when asked for
    (``overview``), from ``overview_notebook`` (default: the project's
    ``notebooks/national_overview.ipynb``).

    Raises
    ------
    RenderError, DataFileError, DataValidationError, UnknownKommuneError, ParamsError, FrameworkError
        For bad input, and for an overview asked of a run that does not cover every kommune in
        the data (or a dataset of one kommune).
    """
    from fundament_lib.core.paths import demo_data_path
    from fundament_lib.results.pipeline import load

    outputs = outputs or Outputs()
    outputs.check()
    notebook = (notebook or notebooks_dir() / BRIEFING_NOTEBOOK).resolve()
    _, nb_bytes = _read_notebook(notebook)
    data = (data or demo_data_path()).resolve()
    out = (out or reports_dir()).resolve()
    loaded = load(data, kommuner=kommuner, params_root=params_root)
    tidy, params, present = loaded.tidy, loaded.params, list(loaded.params)
    codes = list(dict.fromkeys(loaded.codes))
    for code in codes:  # each names a folder of ``out``: a plain name that stays inside it
        child(out, code, what="kommune code")
    slices = kommune_hashes(tidy, codes)  # every kommune's when the overview is planned (codes == present)
    fps = {c: fingerprint(c, data_slice=slices[c], params=params[c], notebook=nb_bytes, renderer=outputs.renderer)
           for c in codes}
    files = outputs.files("briefing")
    stale = [c for c in codes if force or stored_fingerprint(out / c, files) != fps[c]["fingerprint"]]
    p = Plan(data, notebook, out, tidy, params, codes, fps, stale, nb_bytes, outputs)
    if overview:
        if set(codes) != set(present) or len(present) < 2:
            raise RenderError("the national overview (--overview) needs a run over every kommune in the data, and "
                              f"at least two of them; this run covers {len(codes)} of {len(present)}")
        nb_path = (overview_notebook or notebooks_dir() / OVERVIEW_NOTEBOOK).resolve()
        _, p.overview_notebook_bytes = _read_notebook(nb_path)
        p.overview_notebook = nb_path
        p.overview_fingerprint = overview_fingerprint(slices, params, notebook=p.overview_notebook_bytes,
                                                      renderer=outputs.renderer)
        p.overview_stale = force or (stored_fingerprint(out / OVERVIEW, outputs.files("overview"))
                                     != p.overview_fingerprint["fingerprint"])
    return p

