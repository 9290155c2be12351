"""One task on a worker: execute one kommune's notebook and export its HTML.

A :class:`Task` carries everything the worker needs — paths and the files' text too, so a
worker that cannot see this machine's files still can. :func:`render_one` runs it in the
worker's warm kernel (:mod:`fundament_lib.run.kernels`) and returns a
:class:`~fundament_lib.run.outcome.Result`; a failing notebook is reported, never raised, so the
other kommuner go on.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from .outcome import ANSI, Result, first_line

__all__ = ["Task", "render_one"]


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to render one kommune.

    Paths, and the files' text too, so that a worker that cannot see this
    machine's files (a Dask worker elsewhere) still can.
    """

    kommunekode: str
    kommune: str
    notebook: str
    notebook_text: str
    summary_path: str
    summary_text: str
    warm: bool = True
    title: str = ""  # the HTML page's <title>
    overview: bool = False  # the national overview: its notebook takes no kommune code


def render_one(task: Task) -> Result:
    """Execute and export one kommune's briefing; never raises for a failing notebook.

    Runs on a worker (process, thread or Dask worker), in that worker's warm
    kernel unless ``task.warm`` is false (then in a fresh kernel of its own).
    """
    from .kernels import in_kernel_thread

    return in_kernel_thread(_render, task)


def _render(task: Task) -> Result:
    from papermill.exceptions import PapermillExecutionError

    from .kernels import WarmKernel, worker_kernel
    from .papermill_engine import execute

    start = time.perf_counter()
    timings: dict[str, float] = {}
    scratch = Path(tempfile.mkdtemp(prefix="fundament-run-"))
    kernel = worker_kernel() if task.warm else WarmKernel(preload=False)
    executed, keep = scratch / "briefing.ipynb", dict[str, Any]()
    try:
        notebook = _visible(task.notebook, task.notebook_text, scratch / "template.ipynb")
        summary = _visible(task.summary_path, task.summary_text, scratch / "summary.json")
        if kernel.ensure():
            timings.update(kernel.timings)
        t0 = time.perf_counter()
        parameters = {"summary_path": str(summary)}
        if not task.overview:
            parameters["kommunekode"] = task.kommunekode
        nb = execute(notebook, executed, parameters, kernel=kernel, keep=keep)
        timings["execute"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = _export(nb, task.title)
        timings["export"] = time.perf_counter() - t0
        return Result(task.kommunekode, task.kommune, "ok", time.perf_counter() - start, "", timings,
                      html=html, notebook=executed.read_bytes())
    except Exception as exc:  # a failing cell, a dead kernel or a broken export: report, go on
        if task.warm and not isinstance(exc, PapermillExecutionError):
            kernel.shutdown()  # state unknown (a cell still running, a dead kernel): start afresh
        return _failed(task, exc, executed, keep, time.perf_counter() - start, timings)
    finally:
        if not task.warm:
            kernel.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)


def _visible(path: str, text: str, fallback: Path) -> Path:
    """``path`` when this worker sees it with the expected content, else a copy at ``fallback``."""
    try:
        if Path(path).read_text(encoding="utf-8") == text:
            return Path(path)
    except OSError:
        pass
    fallback.write_text(text, encoding="utf-8")
    return fallback


def _export(nb: nbformat.NotebookNode, title: str) -> str:
    """The page's HTML; the same inputs give the same bytes."""
    from .render import export_html

    for cell in nb.cells:  # Papermill gives the cell it inserts a random id, which the HTML shows
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    return export_html(nb, title=title)


def _failed(task: Task, exc: BaseException, executed: Path, keep: dict[str, Any], seconds: float,
            timings: dict[str, float]) -> Result:
    """A failed result carrying what helps debugging: the executed notebook and the traceback."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        first = f"{exc.ename}: {exc.evalue}"
    else:
        first = f"{type(exc).__name__}: {exc}"
    if executed.is_file():
        nb_bytes: bytes | None = executed.read_bytes()
    elif "nb" in keep:
        nb_bytes = nbformat.writes(keep["nb"]).encode("utf-8")
    else:
        nb_bytes = None
    trace = ANSI.sub("", "".join(traceback.format_exception(exc)))
    return Result(task.kommunekode, task.kommune, "failed", seconds, first_line(first), timings,
                  notebook=nb_bytes, trace=trace)
