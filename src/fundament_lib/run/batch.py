"""Batch runs: one briefing per kommune, in parallel, resumable and fault-isolated.

A run (:func:`run`):

1. checks the notebook, loads and validates the data and every kommune's
   parameters (:func:`plan`) — a bad input stops the run here, with nothing written;
2. works out each selected kommune's *input fingerprint* — its own rows of the
   tidy data, its parameters, the notebook, the framework, the library's source
   and the versions of the packages that shape the output — and skips the
   kommuner whose fingerprint matches the one stored with their finished
   outputs (unless ``force``);
3. starts the workers (their kernels warm up meanwhile) and computes the
   summaries of the kommuner left, once, for all of them, from the data the plan
   loaded (:func:`pipeline.summarise`);
   each summary goes to ``OUT/.work/<kode>/summary.json``, which the notebook reads;
4. executes the notebook for each with Papermill — in warm kernels, one per
   worker process (:class:`~fundament_lib.run.kernels.LocalWorkers`) or per thread
   of a Dask cluster (:class:`~fundament_lib.run.kernels.DaskWorkers`) — and exports HTML;
   the workers send the results back;
5. publishes each kommune's files into ``OUT/<kode>/`` from this process
   (:mod:`fundament_lib.run.publish`: nbconvert or Quarto HTML, optionally a PDF), each
   atomically and the fingerprint last, so an interrupted run leaves no
   half-written briefing and the next run redoes exactly what is missing;
6. when asked for (``overview``; the run must cover every kommune in the data),
   renders the national overview into ``OUT/landsoverblik/`` the same way (its
   fingerprint: every kommune's data and parameters, the overview notebook, the library);
7. writes each finished kommune's bundle — what may be handed to that kommune —
   into ``OUT/til-kommunerne/`` after the leak check (:mod:`fundament_lib.run.bundles`), as
   soon as its briefing is in place (an unchanged kommune's bundle is checked at the end);
   a bundle that would leak is not written and fails its kommune, with the reasons in
   ``OUT/<kode>/bundle.refused.txt``;
8. writes ``OUT/index.html`` (the data holder's page) and ``OUT/run.json`` and returns
   one :class:`Outcome` per kommune (and the overview's).

A kommune whose notebook fails keeps the executed notebook with the error as
``OUT/<kode>/briefing.failed.ipynb`` (traceback in ``briefing.failed.txt``); the
others go on. National comparisons in a briefing use every kommune's data, but
only a kommune's own data are in its fingerprint: after new data for other
kommuner, ``force`` re-renders the comparisons everywhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import nbformat

from fundament_lib.core import atomic, interrupts
from fundament_lib.core.errors import RenderError
from fundament_lib.core.libhash import library_fingerprint
from fundament_lib.core.paths import (
    BRIEFING_NOTEBOOK,
    OVERVIEW_NOTEBOOK,
    frameworks_dir,
    notebooks_dir,
    reports_dir,
)
from fundament_lib.core.safe_names import child

from .publish import (
    MARKER,
    Outputs,
    Publisher,
    Renderer,
    failed_files,
    output_files,
    stored_fingerprint,
)

if TYPE_CHECKING:
    import pandas as pd

    from fundament_lib.core.params import Params
    from fundament_lib.results.pipeline import Prepared

    from .kernels import Workers

__all__ = ["Task", "Result", "Outcome", "RunReport", "Plan", "run", "plan", "render_one", "fingerprint",
           "slice_hashes", "library_fingerprint", "check_notebook", "OUTPUT_FILES", "FAILED_FILES", "MARKER",
           "OVERVIEW"]

OUTPUT_FILES = output_files("briefing")
FAILED_FILES = failed_files("briefing")
OVERVIEW = "landsoverblik"  # the national overview's folder, beside the kommuner's
REFUSED = "bundle.refused.txt"  # why a kommune's bundle was not written (in its folder)
Status = Literal["ok", "skipped", "failed"]
Progress = Callable[[str, Any], None]
_RETRIES_AFTER_WORKER_DEATH = 1
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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


@dataclass
class Outcome:
    """How one kommune's briefing went (``seconds``: time on the worker)."""

    kommunekode: str
    kommune: str
    status: Status
    seconds: float = 0.0
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    bundle: str = ""  # the kommune's bundle: "written", "current" or "refused" (see fundament_lib.run.bundles)


@dataclass
class Result(Outcome):
    """An :class:`Outcome` with what the worker made: the HTML, the executed notebook, the traceback."""

    html: str | None = None
    notebook: bytes | None = None
    trace: str = ""

    def outcome(self) -> Outcome:
        """The outcome without the payload."""
        return Outcome(self.kommunekode, self.kommune, self.status, self.seconds, self.error, self.timings)


@dataclass
class RunReport:
    """The result of :func:`run`."""

    outcomes: list[Outcome]
    out_dir: Path
    prepare_seconds: float
    total_seconds: float
    overview: Outcome | None = None  # the national overview, when this run rendered it

    @property
    def failed(self) -> list[Outcome]:
        """Kommuner whose briefing failed."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def executed(self) -> list[Outcome]:
        """Kommuner whose notebook ran in this run (ok or failed)."""
        return [o for o in self.outcomes if o.status != "skipped"]

    @property
    def ok(self) -> bool:
        """True when no briefing and not the national overview failed."""
        return not self.failed and (self.overview is None or self.overview.status != "failed")


# ---- fingerprints -------------------------------------------------------------------------------
def slice_hashes(tidy: pd.DataFrame, codes: Iterable[str]) -> dict[str, str]:
    """Hash of each kommune's own rows of the tidy table (every wave; row order does not matter).

    Parameters
    ----------
    tidy
        The validated tidy answers.
    codes
        The kommuner to hash.

    Returns
    -------
    dict
        Kommune code → 16 hex digits.
    """
    import pandas as pd

    wanted = list(codes)
    rows = tidy[tidy["kommunekode"].astype(str).isin(wanted)]
    frame = pd.DataFrame({"code": rows["kommunekode"].astype(str).to_numpy(),
                          "row": pd.util.hash_pandas_object(rows, index=False).to_numpy()})
    header = ",".join(map(str, tidy.columns)).encode()
    out = {code: hashlib.sha256(header).hexdigest()[:16] for code in wanted}
    for code, group in frame.sort_values(["code", "row"]).groupby("code", sort=False):
        out[str(code)] = hashlib.sha256(header + group["row"].to_numpy().tobytes()).hexdigest()[:16]
    return out


def fingerprint(kommunekode: str, *, data_slice: str, params: Params, notebook: bytes,
                renderer: Renderer = "nbconvert") -> dict[str, Any]:
    """A kommune's input fingerprint: its parts and their combined hash (``"fingerprint"``).

    Parameters
    ----------
    kommunekode
        The kommune.
    data_slice
        Hash of the kommune's own rows (:func:`slice_hashes`).
    params
        The kommune's validated parameters.
    notebook
        The notebook's bytes.
    renderer
        What makes the HTML (``"nbconvert"`` or ``"quarto"``).
    """
    fw_file = frameworks_dir() / f"{params.framework}.yaml"
    fw_bytes = fw_file.read_bytes() if fw_file.exists() else params.framework.encode()
    parts = {
        "kommunekode": kommunekode,
        "data": data_slice,
        "params": _params_digest(params),
        "notebook": _digest(notebook),
        "framework": f"{params.framework}:{_digest(fw_bytes)}",
        "library": library_fingerprint()[:16],
        "renderer": renderer,
    }
    return {"fingerprint": _digest(json.dumps(parts, sort_keys=True).encode()), "parts": parts}


def overview_fingerprint(slices: dict[str, str], params: dict[str, Params], *, notebook: bytes,
                         renderer: Renderer = "nbconvert") -> dict[str, Any]:
    """The national overview's input fingerprint: every kommune's data and parameters, the
    overview notebook, the library and the renderer."""
    parts = {
        "kommunekode": OVERVIEW,
        "data": _digest(json.dumps(slices, sort_keys=True).encode()),
        "params": _digest(json.dumps({c: _params_digest(p) for c, p in params.items()}, sort_keys=True).encode()),
        "notebook": _digest(notebook),
        "library": library_fingerprint()[:16],
        "renderer": renderer,
    }
    return {"fingerprint": _digest(json.dumps(parts, sort_keys=True).encode()), "parts": parts}


def _params_digest(params: Params) -> str:
    return _digest(json.dumps(params.model_dump(mode="json"), sort_keys=True).encode())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# ---- checks and plan ------------------------------------------------------------------------------
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
        nb = nbformat.reads(_text(data), as_version=4)
    except Exception as exc:  # nbformat raises several types for a broken file
        raise RenderError(f"{path}: not a readable notebook ({type(exc).__name__})") from None
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise RenderError(f"{path}: no cell is tagged 'parameters' — Papermill cannot set the kommune")
    return nb, data


def _text(data: bytes) -> str:
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

    Parameters are those of :func:`run`. The national overview is planned only when asked for
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
    slices = slice_hashes(tidy, codes)  # every kommune's when the overview is planned (codes == present)
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


# ---- one kommune, on a worker ---------------------------------------------------------------------
def render_one(task: Task) -> Result:
    """Execute and export one kommune's briefing; never raises for a failing notebook.

    Runs on a worker (process, thread or Dask worker), in that worker's warm
    kernel unless ``task.warm`` is false (then in a fresh kernel of its own).
    """
    from .kernels import in_kernel_thread

    return in_kernel_thread(_render, task)


def _render(task: Task) -> Result:
    from papermill.exceptions import PapermillExecutionError

    from .kernels import WarmKernel, execute, worker_kernel

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
    trace = _ANSI.sub("", "".join(traceback.format_exception(exc)))
    return Result(task.kommunekode, task.kommune, "failed", seconds, _first_line(first), timings,
                  notebook=nb_bytes, trace=trace)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", text).splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"


# ---- many kommuner --------------------------------------------------------------------------------
_CHECK_INTERRUPTS_EVERY = 0.5  # seconds


def _execute(tasks: list[Task], workers: Workers, notify: Progress) -> Iterator[Result]:
    """Run tasks on the workers, as many at a time as they have room for; yield results as they come.

    A worker process that dies takes its pool down: the tasks that were running are
    tried once more on fresh workers, one at a time (so the one that kills its worker
    cannot take an innocent one down with it), then reported as failed. Workers that
    keep dying without finishing anything stop the run.
    """
    pending = deque(tasks)
    running: dict[Future[Result], Task] = {}
    deaths: Counter[str] = Counter()
    idle_breaks = 0
    while pending or running:
        broken = not _submit(pending, running, workers, deaths, notify)
        if not broken:  # with a timeout, to see a Ctrl-C that Python swallowed (interrupts.py)
            wait(running, timeout=_CHECK_INTERRUPTS_EVERY, return_when=FIRST_COMPLETED)
        interrupts.check()
        lost: list[Task] = []
        for fut in [f for f in running if f.done()]:
            task = running.pop(fut)
            try:
                result = fut.result()
            except BrokenProcessPool:
                lost.append(task)
            except Exception as exc:  # a task the executor could not run (e.g. Dask's KilledWorker)
                yield _crashed(task, f"{type(exc).__name__}: {exc}")
            else:
                idle_breaks = 0
                yield result
        if not (broken or lost):
            continue
        idle_breaks += 1
        if idle_breaks > 3:
            raise RenderError("the worker processes keep dying before they finish a briefing "
                              "(a script that calls batch.run needs `if __name__ == \"__main__\":`)")
        lost += running.values()
        running.clear()
        for task in reversed(lost):
            deaths[task.kommunekode] += 1
            if deaths[task.kommunekode] > _RETRIES_AFTER_WORKER_DEATH:
                yield _crashed(task, "the worker process died while rendering this kommune")
            else:
                pending.appendleft(task)
        workers.restart()


def _submit(pending: deque[Task], running: dict[Future[Result], Task], workers: Workers, deaths: Counter[str],
            notify: Progress) -> bool:
    """Hand tasks to free workers (one at a time while retrying after a worker died); return
    false when the pool turns out to be broken."""
    retrying = any(deaths[t.kommunekode] for t in (*pending, *running.values()))
    while pending and len(running) < (1 if retrying else workers.capacity):
        try:
            fut = workers.submit(render_one, pending[0])
        except BrokenProcessPool:
            return False
        task = pending.popleft()
        running[fut] = task
        notify("start", task)
    return True


def _crashed(task: Task, error: str) -> Result:
    return Result(task.kommunekode, task.kommune, "failed", 0.0, _first_line(error), trace=error)


# ---- publishing (in the parent process) ----------------------------------------------------------
def _finish(p: Plan, publisher: Publisher, result: Result, summary_text: str, *,
            stem: str = "briefing", title: str | None = None) -> Outcome:
    """Put one result in place in ``OUT/<code>/``; a failure to publish (Quarto, PDF) fails it."""
    code = result.kommunekode
    folder = p.out / code
    marker = p.overview_fingerprint if code == OVERVIEW else p.fingerprints[code]
    assert marker is not None  # the overview is rendered only when it was planned, fingerprint and all
    if result.status == "ok":
        try:
            publisher.finished(folder, result, summary_text=summary_text, marker=marker, stem=stem,
                               title=title or _title(code))
        except RenderError as exc:
            result.status, result.error, result.trace = "failed", _first_line(str(exc)), str(exc)
    if result.status == "ok":
        shutil.rmtree(p.out / ".work" / code, ignore_errors=True)
    else:
        publisher.failed(folder, result, stem=stem)
    return result.outcome()


def _title(code: str) -> str:
    from fundament_lib.core.kommuner import official_name

    return f"Fundament-briefing – {official_name(code)}"


def _on_disk(p: Plan, code: str) -> Outcome | None:
    """A kommune's state from its folder, for one not rendered in this run."""
    from fundament_lib.core.kommuner import kommune_name

    folder = p.out / code
    if stored_fingerprint(folder, OUTPUT_FILES) is not None:
        refused = folder / REFUSED
        if refused.is_file():
            why = _first_line(refused.read_text(encoding="utf-8"))
            return Outcome(code, kommune_name(code), "failed", error=f"bundle not written: {why}", bundle="refused")
        return Outcome(code, kommune_name(code), "skipped")
    failed = folder / FAILED_FILES[1]
    if failed.is_file():
        return Outcome(code, kommune_name(code), "failed", error=_first_line(failed.read_text(encoding="utf-8")))
    return None


def _write_index(p: Plan, outcomes: list[Outcome], *, run_date: str | None = None) -> None:
    """``index.html`` over every kommune in the data with outputs in the folder, this run's or earlier."""
    from .index import write_index

    this_run = {o.kommunekode: o for o in outcomes}
    listed = [this_run.get(code) or _on_disk(p, code) for code in sorted(p.params)]
    write_index(p.out, [o for o in listed if o is not None], run_date=run_date)


def _bundle(p: Plan, outcomes: list[Outcome]) -> None:
    """Write (or keep) the bundle of every kommune whose briefing is complete; remove a failed one's.

    A bundle the leak check refuses fails its kommune: the first reason is the outcome's error,
    all of them are in ``OUT/<kode>/bundle.refused.txt``.
    """
    from fundament_lib.core.sharing import nameable

    from .bundles import BUNDLES, remove_bundle, write_bundle

    share = {code: params.share_names for code, params in p.params.items()}
    for o in outcomes:
        refused = p.out / o.kommunekode / REFUSED
        if o.status == "failed":
            remove_bundle(p.out / BUNDLES, o.kommunekode)
            continue
        b = write_bundle(p.out / o.kommunekode, p.out / BUNDLES, o.kommunekode,
                         inputs=p.fingerprints[o.kommunekode]["fingerprint"], allowed=nameable(o.kommunekode, share),
                         min_n=p.params[o.kommunekode].min_n, pdf=p.outputs.pdf)
        o.bundle = b.status
        if b.status == "refused":
            o.status, o.error = "failed", b.reason()
            atomic.write_text(refused, "".join(f"{leak}\n" for leak in b.leaks))
        else:
            refused.unlink(missing_ok=True)


def _clean_temp(out: Path) -> None:
    """Remove temporary files an interrupted run may have left."""
    for tmp in out.glob("*/.*.tmp"):
        tmp.unlink(missing_ok=True)
    for tmp in out.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


# ---- the run --------------------------------------------------------------------------------------
@interrupts.noticing
def run(data: Path | None = None, *, kommuner: list[str] | None = None, out: Path | None = None,
        workers: int | None = None, force: bool = False, scheduler: Any = None,
        notebook: Path | None = None, warm: bool = True, params: Path | None = None,
        pdf: bool = False, renderer: Renderer = "nbconvert", overview: bool = False,
        overview_notebook: Path | None = None, progress: Progress | None = None) -> RunReport:
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
        Parallel workers on this machine (default: the machine's cores).
    force
        Re-render even when inputs are unchanged.
    scheduler
        Address of a Dask distributed scheduler (or a cluster object) to run on instead.
    notebook
        The briefing notebook (default ``notebooks/kommune_briefing.ipynb``).
    warm
        Reuse kernels between kommuner (default); false starts a fresh kernel each time.
    params
        The ``params/`` folder (default: the project's).
    pdf
        Also write ``briefing.pdf`` (A4) for each kommune.
    renderer
        ``"nbconvert"`` (default) or ``"quarto"`` (the ``quarto`` CLI on ``PATH``).
    overview
        Also render the national overview (for the data holder: it names every kommune) into
        ``OUT/landsoverblik/``; the run must cover every kommune in the data.
    overview_notebook
        The national overview notebook (default ``notebooks/national_overview.ipynb``).
    progress
        Called with ``("plan", number_of_kommuner)``, ``("skip", outcome)`` for each
        unchanged kommune, then ``("start", task)`` and ``("done", outcome)``.

    Returns
    -------
    RunReport
        One outcome per selected kommune, in code order, and the overview's.

    Notes
    -----
    Local workers are started with ``spawn``: a script that calls this function must
    guard its top level with ``if __name__ == "__main__":``.

    Raises
    ------
    FundamentError
        For bad input found before anything runs (data, parameters, kommune codes,
        notebook, a missing Quarto or Chromium, an unreachable scheduler).
    """
    from fundament_lib.core.kommuner import kommune_name

    t_start, started = time.perf_counter(), datetime.now(UTC)
    notify = progress or (lambda kind, obj: None)
    p = plan(data, kommuner=kommuner, params_root=params, notebook=notebook, out=out, force=force,
             outputs=Outputs(renderer=renderer, pdf=pdf), overview=overview, overview_notebook=overview_notebook)
    notify("plan", len(p.codes))
    from .kernels import clean_stale_folders

    clean_stale_folders()  # what a killed run left in the temporary folder
    outcomes: list[Outcome] = []
    for code in p.current:
        outcomes.append(Outcome(code, kommune_name(code), "skipped"))
        notify("skip", outcomes[-1])
    prepare_seconds = time.perf_counter() - t_start
    overview_outcome = None
    if p.stale or p.overview_stale:
        seconds, overview_outcome = _render_stale(p, outcomes, workers=workers, scheduler=scheduler, warm=warm,
                                                  notify=notify)
        prepare_seconds += seconds
    outcomes.sort(key=lambda o: o.kommunekode)
    _bundle(p, [o for o in outcomes if o.status == "skipped"])  # the rendered ones are bundled as they finish
    _write_index(p, outcomes, run_date=started.isoformat(timespec="seconds"))
    atomic.write_json(p.out / "run.json", {
        "started": started.isoformat(timespec="seconds"), "seconds": round(time.perf_counter() - t_start, 1),
        "data": str(p.data), "notebook": str(p.notebook), "renderer": renderer, "pdf": pdf,
        "outcomes": [asdict(o) for o in outcomes],
        "overview": asdict(overview_outcome) if overview_outcome else None})
    work = p.out / ".work"
    if work.is_dir() and not any(work.iterdir()):
        work.rmdir()
    return RunReport(outcomes, p.out, prepare_seconds, time.perf_counter() - t_start, overview_outcome)


def _render_stale(p: Plan, outcomes: list[Outcome], *, workers: int | None, scheduler: Any, warm: bool,
                  notify: Progress) -> tuple[float, Outcome | None]:
    """Summarise and render ``p.stale`` into ``outcomes``, then the overview when it is stale.

    Returns the seconds spent summarising, and the overview's outcome (``None`` when not rendered).
    """
    from fundament_lib.results.pipeline import Loaded, summarise

    from .kernels import DaskWorkers, LocalWorkers

    n_tasks = len(p.stale) + p.overview_stale
    pool: Workers = (
        DaskWorkers(scheduler) if scheduler is not None
        else LocalWorkers(min(workers or os.cpu_count() or 1, n_tasks), warm=warm))
    pool.start()  # the workers' kernels start while the summaries are computed
    overview_outcome = None
    rendering = False
    try:
        t0 = time.perf_counter()
        # The overview needs every kommune's summary; the briefings only the stale ones'.
        prepared = summarise(Loaded(p.data, p.tidy, p.params, p.codes),
                             kommuner=list(p.params) if p.overview_stale else p.stale,
                             run_started=datetime.now(UTC), national_models=p.overview_stale)
        p.out.mkdir(parents=True, exist_ok=True)
        _clean_temp(p.out)
        texts = {code: atomic.json_text(prepared.summaries[code]) for code in p.stale}
        nb_text = _text(p.notebook_bytes)
        tasks = [_task(p, code, prepared.summaries[code]["kommune"], texts[code], warm, nb_text) for code in p.stale]
        summarise_seconds = time.perf_counter() - t0
        rendering = True
        with Publisher(p.outputs) as publisher:
            for result in _execute(tasks, pool, notify):
                outcomes.append(_finish(p, publisher, result, texts[result.kommunekode]))
                _bundle(p, outcomes[-1:])
                notify("done", outcomes[-1])
            if p.overview_stale:
                overview_outcome = _render_overview(p, publisher, prepared, pool, warm)
    except BaseException as exc:
        # An error before any briefing started (bad data found while summarising) lets the kernels
        # finish warming up and stops them: aborting a kernel mid-start prints a CancelledError
        # traceback from the warm-up thread under the one-line error.
        pool.close(abort=rendering or not isinstance(exc, Exception))
        if any(o.status != "skipped" for o in outcomes):  # what was published stays findable
            _write_index(p, outcomes)
        raise
    pool.close()
    return summarise_seconds, overview_outcome


def _task(p: Plan, code: str, name: str, summary_text: str, warm: bool, notebook_text: str, *,
          overview: bool = False) -> Task:
    """A task for ``code``; its summary is written to ``OUT/.work/<code>/summary.json`` for the notebook."""
    path = p.out / ".work" / code / "summary.json"
    atomic.write_text(path, summary_text)
    notebook = p.overview_notebook if overview else p.notebook
    assert notebook is not None
    title = "Fundament for velfærden – landsoverblik" if overview else _title(code)
    return Task(code, name, str(notebook), notebook_text, str(path), summary_text, warm, title=title,
                overview=overview)


def _render_overview(p: Plan, publisher: Publisher, prepared: Prepared, pool: Workers, warm: bool) -> Outcome:
    """Execute the national overview notebook on a worker and publish it into ``OUT/landsoverblik/``."""
    from fundament_lib.results.national import national_summary

    assert p.overview_fingerprint is not None
    summary = national_summary(prepared.summaries, extra=prepared.national_extra, data_id=prepared.data_id)
    text = atomic.json_text(summary)
    task = _task(p, OVERVIEW, "Landsoverblik", text, warm, _text(p.overview_notebook_bytes), overview=True)
    result = next(_execute([task], pool, lambda kind, obj: None))
    return _finish(p, publisher, result, text, stem="overview", title=task.title)
