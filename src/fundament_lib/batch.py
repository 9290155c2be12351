"""Batch runs: one briefing per kommune, in parallel, resumable and fault-isolated.

A run (:func:`run`):

1. loads, validates and summarises all selected kommuner once (:mod:`pipeline`);
2. writes each kommune's summary to ``OUT/.work/<kode>/summary.json`` and works
   out an input fingerprint (summary, notebook, framework file, library source);
3. skips kommuner whose fingerprint matches the one stored with their
   finished outputs, unless ``force``;
4. executes the notebook for the rest with Papermill — in warm kernels, one
   per worker process (or on a Dask cluster) — and exports HTML;
5. moves each kommune's files into ``OUT/<kode>/`` atomically, the
   fingerprint last, so an interrupted run leaves no half-written briefing
   and the next run redoes exactly what is missing;
6. writes ``OUT/index.html`` and returns one :class:`Outcome` per kommune.

A kommune whose notebook fails keeps its executed notebook with the error as
``OUT/<kode>/briefing.failed.ipynb``; the others go on.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

import nbformat

from . import atomic
from .errors import RenderError
from .paths import BRIEFING_NOTEBOOK, frameworks_dir, notebooks_dir, reports_dir
from .pipeline import Prepared, prepare

__all__ = ["Task", "Outcome", "RunReport", "run", "render_one", "fingerprint", "library_fingerprint",
           "check_notebook", "OUTPUT_FILES", "MARKER"]

MARKER = ".fundament-inputs"
OUTPUT_FILES = ("briefing.html", "summary.json", "briefing.ipynb")
Status = Literal["ok", "skipped", "failed"]


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to render one kommune (paths only, so it crosses processes)."""

    kommunekode: str
    kommune: str
    notebook: str
    summary: str
    out_dir: str
    work_dir: str
    fingerprint: str
    warm: bool = True


@dataclass
class Outcome:
    """How one kommune's briefing went."""

    kommunekode: str
    kommune: str
    status: Status
    seconds: float = 0.0
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class RunReport:
    """The result of :func:`run`."""

    outcomes: list[Outcome]
    out_dir: Path
    prepare_seconds: float
    total_seconds: float

    @property
    def failed(self) -> list[Outcome]:
        """Kommuner whose briefing failed."""
        return [o for o in self.outcomes if o.status == "failed"]


# ---- fingerprints -------------------------------------------------------------------------------
@cache
def library_fingerprint() -> str:
    """Hash of the installed library's source and templates: any code change re-renders."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".j2", ".css", ".json", ".yaml", ".csv"}:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint(summary: dict[str, Any], notebook: Path) -> str:
    """Fingerprint of one briefing's inputs: its summary (data slice, parameters and results,
    without the run's time stamp), the notebook, the framework file and the library."""
    stable = json.loads(json.dumps(summary))
    stable.get("provenance", {}).pop("run_started", None)
    h = hashlib.sha256()
    h.update(json.dumps(stable, sort_keys=True).encode())
    h.update(notebook.read_bytes())
    fw_file = frameworks_dir() / f"{summary['framework']}.yaml"
    h.update(fw_file.read_bytes() if fw_file.exists() else summary["framework"].encode())
    h.update(library_fingerprint().encode())
    return h.hexdigest()


def _is_current(out: Path, fp: str) -> bool:
    marker = out / MARKER
    if not marker.exists() or marker.read_text(encoding="utf-8").strip() != fp:
        return False
    return all((out / name).exists() for name in OUTPUT_FILES)


# ---- notebook checks ----------------------------------------------------------------------------
def check_notebook(path: Path) -> None:
    """Fail early, with a clear message, on a missing notebook or one without a ``parameters`` cell."""
    if not path.exists():
        raise RenderError(f"{path}: notebook not found")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several types for a broken file
        raise RenderError(f"{path}: not a readable notebook ({exc})") from None
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise RenderError(f"{path}: no cell is tagged 'parameters' — Papermill cannot set the kommune")


# ---- one kommune ----------------------------------------------------------------------------------
def render_one(task: Task) -> Outcome:
    """Execute and export one kommune's briefing; never raises for a failing notebook.

    Runs in a worker (process, thread or Dask worker): uses that worker's warm
    kernel unless ``task.warm`` is false.
    """
    from papermill.exceptions import PapermillExecutionError

    from .kernels import execute, thread_kernel
    from .render import export_html

    start = time.perf_counter()
    work, out = Path(task.work_dir), Path(task.out_dir)
    executed = work / "briefing.ipynb"
    timings: dict[str, float] = {}
    try:
        kernel = thread_kernel() if task.warm else None
        t0 = time.perf_counter()
        nb = execute(Path(task.notebook), executed,
                     {"kommunekode": task.kommunekode, "summary_path": task.summary}, kernel=kernel)
        timings["execute"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = export_html(nb, title=f"Fundament-briefing – {task.kommune} Kommune")
        timings["export"] = time.perf_counter() - t0
    except Exception as exc:  # a failing cell, a crashed kernel or a broken export: report, go on
        _keep_failed(executed, out, exc)
        first = (f"{exc.ename}: {exc.evalue}" if isinstance(exc, PapermillExecutionError)
                 else f"{type(exc).__name__}: {exc}")
        return Outcome(task.kommunekode, task.kommune, "failed", time.perf_counter() - start,
                       first.strip().splitlines()[0] if first.strip() else type(exc).__name__, timings)
    _publish(out, html, executed, Path(task.summary), task.fingerprint)
    return Outcome(task.kommunekode, task.kommune, "ok", time.perf_counter() - start, "", timings)


def _keep_failed(executed: Path, out: Path, exc: BaseException) -> None:
    """Keep what helps debugging: the executed notebook with the error, and the traceback."""
    (out / MARKER).unlink(missing_ok=True)
    if executed.exists():
        atomic.write_bytes(out / "briefing.failed.ipynb", executed.read_bytes())
    atomic.write_text(out / "briefing.failed.txt", "".join(traceback.format_exception(exc)))


def _publish(out: Path, html: str, executed: Path, summary: Path, fp: str) -> None:
    """Move the finished files into place; the fingerprint goes last."""
    (out / MARKER).unlink(missing_ok=True)
    atomic.write_text(out / "briefing.html", html)
    atomic.write_bytes(out / "briefing.ipynb", executed.read_bytes())
    atomic.write_bytes(out / "summary.json", summary.read_bytes())
    for stale in ("briefing.failed.ipynb", "briefing.failed.txt"):
        (out / stale).unlink(missing_ok=True)
    atomic.write_text(out / MARKER, fp + "\n")


# ---- executing many -------------------------------------------------------------------------------
def _worker_exit() -> None:
    from .kernels import thread_kernel

    thread_kernel().shutdown()


def _pool_worker_init() -> None:
    import atexit
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    atexit.register(_worker_exit)


def _run_local(tasks: list[Task], workers: int, on_start: Callable[[Task], None]) -> Iterator[Outcome]:
    """Execute tasks in a pool of worker processes, each with its own warm kernel."""
    if workers <= 1:
        try:
            for task in tasks:
                on_start(task)
                yield render_one(task)
        finally:
            _worker_exit()
        return
    pending = list(tasks)
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=get_context("spawn"),
                                   initializer=_pool_worker_init)
        running: dict[Future[Outcome], Task] = {}
        try:
            while pending or running:
                while pending and len(running) < workers:
                    task = pending.pop(0)
                    on_start(task)
                    running[pool.submit(render_one, task)] = task
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = running.pop(fut)
                    yield _result(fut, task)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): report its kommuner, go on with a new pool.
            for fut, task in running.items():
                yield _result(fut, task)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _result(fut: Future[Outcome], task: Task) -> Outcome:
    try:
        return fut.result()
    except BrokenProcessPool:
        return Outcome(task.kommunekode, task.kommune, "failed", 0.0, "worker process died")
    except Exception as exc:
        return Outcome(task.kommunekode, task.kommune, "failed", 0.0, f"{type(exc).__name__}: {exc}")


def _run_dask(tasks: list[Task], scheduler: str, on_start: Callable[[Task], None]) -> Iterator[Outcome]:
    """Execute tasks on a Dask distributed cluster (the workers need the same files and library)."""
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        futures = {}
        for task in tasks:
            on_start(task)
            futures[client.submit(render_one, task, pure=False, key=f"fundament-{task.kommunekode}")] = task
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:
                yield Outcome(task.kommunekode, task.kommune, "failed", 0.0, f"{type(exc).__name__}: {exc}")


# ---- the run --------------------------------------------------------------------------------------
def _clean_temp(out: Path) -> None:
    """Remove temporary files an interrupted run may have left."""
    for tmp in out.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def run(data: Path | None = None, *, kommuner: list[str] | None = None, out: Path | None = None,
        workers: int | None = None, force: bool = False, scheduler: str | None = None,
        notebook: Path | None = None, warm: bool = True, params: Path | None = None,
        progress: Callable[[str, Any], None] | None = None,
        prepared: Prepared | None = None) -> RunReport:
    """Render briefings for the selected kommuner (see the module docstring).

    Parameters
    ----------
    data
        Processed data (default: the demo data).
    kommuner
        Codes to render (default: every kommune in the data).
    out
        Output folder (default ``reports/``).
    workers
        Parallel workers (default: the machine's cores).
    force
        Re-render even when inputs are unchanged.
    scheduler
        Address of a Dask distributed scheduler to run on instead of local workers.
    notebook
        The briefing notebook (default ``notebooks/kommune_briefing.ipynb``).
    warm
        Reuse kernels between kommuner (default); false starts a fresh kernel each time.
    params
        The ``params/`` folder (default: the project's).
    progress
        Called with ``("plan", number_of_kommuner)``, then ``("start", task)``,
        ``("done", outcome)`` and ``("skip", outcome)``.

    Raises
    ------
    FundamentError
        For bad input found before anything runs (data, parameters, kommune codes, notebook).
    """
    t_start = time.perf_counter()
    notebook = (notebook or notebooks_dir() / BRIEFING_NOTEBOOK).resolve()
    check_notebook(notebook)
    out = (out or reports_dir()).resolve()
    started = datetime.now(UTC)
    prepared = prepared or prepare(data, kommuner=kommuner, params_root=params, run_started=started)
    prepare_seconds = time.perf_counter() - t_start
    notify = progress or (lambda kind, obj: None)
    out.mkdir(parents=True, exist_ok=True)
    _clean_temp(out)
    tasks, outcomes = [], []
    notify("plan", len(prepared.summaries))
    for code, summary in prepared.summaries.items():
        work = out / ".work" / code
        fp = fingerprint(summary, notebook)
        if not force and _is_current(out / code, fp):
            skipped = Outcome(code, summary["kommune"], "skipped")
            outcomes.append(skipped)
            notify("skip", skipped)
            continue
        atomic.write_json(work / "summary.json", summary)
        tasks.append(Task(code, summary["kommune"], str(notebook), str(work / "summary.json"),
                          str(out / code), str(work), fp, warm))
    workers = workers or os.cpu_count() or 1
    on_start = lambda task: notify("start", task)  # noqa: E731
    results = _run_dask(tasks, scheduler, on_start) if scheduler else _run_local(tasks, workers, on_start)
    for outcome in results:
        outcomes.append(outcome)
        notify("done", outcome)
    outcomes.sort(key=lambda o: o.kommunekode)
    from .index import write_index

    write_index(out, outcomes)
    atomic.write_json(out / "run.json", {"started": started.isoformat(timespec="seconds"),
                                         "outcomes": [asdict(o) for o in outcomes]})
    if not any(o.status == "failed" for o in outcomes):
        shutil.rmtree(out / ".work", ignore_errors=True)
    return RunReport(outcomes, out, prepare_seconds, time.perf_counter() - t_start)
