"""Batch runs: one briefing per kommune, in parallel, resumable and fault-isolated.

A run (:func:`run`):

1. checks the notebook, loads and validates the data and every kommune's
   parameters (:func:`~fundament_lib.run.planning.plan`) — a bad input stops the run here, with nothing written;
2. works out each selected kommune's *input fingerprint* — its own rows of the
   tidy data, its parameters, the notebook, the framework, the library's source
   and the versions of the packages that shape the output — and skips the
   kommuner whose fingerprint matches the one stored with their finished
   outputs (unless ``force``);
3. starts the workers (their kernels warm up meanwhile; when the run will surely render — ``force``,
   or no earlier run in the output folder — they start before step 1) and computes the
   summaries of the kommuner left, once, for all of them, from the data the plan
   loaded (:func:`pipeline.summarise`);
   each summary goes to ``OUT/.work/<kode>/summary.json``, which the notebook reads;
4. executes the notebook for each with Papermill — in warm kernels, one per
   worker process (:class:`~fundament_lib.run.workers.LocalWorkers`) or per thread
   of a Dask cluster (:class:`~fundament_lib.run.workers.DaskWorkers`) — and exports HTML;
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
   one :class:`~fundament_lib.run.outcome.Outcome` per kommune (and the overview's).

A kommune whose notebook fails keeps the executed notebook with the error as
``OUT/<kode>/briefing.failed.ipynb`` (traceback in ``briefing.failed.txt``); the
others go on. National comparisons in a briefing use every kommune's data, but
only a kommune's own data are in its fingerprint: after new data for other
kommuner, ``force`` re-renders the comparisons everywhere.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fundament_lib.core import atomic, interrupts

from .fingerprints import OVERVIEW
from .finish import briefing_title, publish_result, write_bundles
from .on_disk import clean_temp, write_run_index
from .outcome import Outcome, Progress, RunReport
from .planning import Plan, as_text, plan
from .publish import Outputs, Publisher, Renderer
from .schedule import execute_tasks
from .task import Task

if TYPE_CHECKING:
    from fundament_lib.results.pipeline import Prepared

    from .workers import Workers

__all__ = ["run"]


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
    pool = None if scheduler is not None else _early_workers(out, kommuner, force=force, workers=workers,
                                                                warm=warm, overview=overview)
    try:
        p = plan(data, kommuner=kommuner, params_root=params, notebook=notebook, out=out, force=force,
                 outputs=Outputs(renderer=renderer, pdf=pdf), overview=overview, overview_notebook=overview_notebook)
    except BaseException as exc:
        if pool is not None:  # a bad input: the kernels finish warming up and stop (see _render_stale)
            pool.close(abort=not isinstance(exc, Exception))
        raise
    notify("plan", len(p.codes))
    from .kernel_folders import clean_stale_folders

    clean_stale_folders()  # what a killed run left in the temporary folder
    outcomes: list[Outcome] = []
    for code in p.current:
        outcomes.append(Outcome(code, kommune_name(code), "skipped"))
        notify("skip", outcomes[-1])
    prepare_seconds = time.perf_counter() - t_start
    overview_outcome = None
    if p.stale or p.overview_stale:
        seconds, overview_outcome = _render_stale(p, outcomes, workers=workers, scheduler=scheduler, warm=warm,
                                                  notify=notify, pool=pool)
        prepare_seconds += seconds
    elif pool is not None:
        pool.close()
    outcomes.sort(key=lambda o: o.kommunekode)
    write_bundles(p, [o for o in outcomes if o.status == "skipped"])  # the rendered ones are bundled as they finish
    write_run_index(p, outcomes, run_date=started.isoformat(timespec="seconds"))
    atomic.write_json(p.out / "run.json", {
        "started": started.isoformat(timespec="seconds"), "seconds": round(time.perf_counter() - t_start, 1),
        "data": str(p.data), "notebook": str(p.notebook), "renderer": renderer, "pdf": pdf,
        "outcomes": [asdict(o) for o in outcomes],
        "overview": asdict(overview_outcome) if overview_outcome else None})
    work = p.out / ".work"
    if work.is_dir() and not any(work.iterdir()):
        work.rmdir()
    return RunReport(outcomes, p.out, prepare_seconds, time.perf_counter() - t_start, overview_outcome)


def _early_workers(out: Path | None, kommuner: list[str] | None, *, force: bool, workers: int | None, warm: bool,
                   overview: bool) -> Workers | None:
    """Local workers started before the plan when the run will render (``force``, or no earlier run in
    the output folder): their kernels warm up while this process loads and checks the data."""
    from fundament_lib.core.paths import reports_dir

    from .workers import LocalWorkers

    if not (force or not ((out or reports_dir()) / "run.json").is_file()):
        return None  # perhaps every kommune is unchanged: the plan decides first
    cores = os.cpu_count() or 1
    n_tasks = len(set(kommuner)) + overview if kommuner else cores
    pool = LocalWorkers(min(workers or cores, n_tasks), warm=warm)
    pool.start()
    return pool


def _render_stale(p: Plan, outcomes: list[Outcome], *, workers: int | None, scheduler: Any, warm: bool,
                  notify: Progress, pool: Workers | None = None) -> tuple[float, Outcome | None]:
    """Summarise and render ``p.stale`` into ``outcomes``, then the overview when it is stale.

    ``pool`` is the workers when they were started before the plan (:func:`_early_workers`).
    Returns the seconds spent summarising, and the overview's outcome (``None`` when not rendered).
    """
    from fundament_lib.results.pipeline import Loaded, summarise

    from .workers import DaskWorkers, LocalWorkers

    if pool is None:
        n_tasks = len(p.stale) + p.overview_stale
        pool = (DaskWorkers(scheduler) if scheduler is not None
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
        clean_temp(p.out)
        texts = {code: atomic.json_text(prepared.summaries[code]) for code in p.stale}
        nb_text = as_text(p.notebook_bytes)
        tasks = [_task(p, code, prepared.summaries[code]["kommune"], texts[code], warm, nb_text) for code in p.stale]
        summarise_seconds = time.perf_counter() - t0
        rendering = True
        with Publisher(p.outputs) as publisher:
            for result in execute_tasks(tasks, pool, notify):
                outcomes.append(publish_result(p, publisher, result, texts[result.kommunekode]))
                write_bundles(p, outcomes[-1:])
                notify("done", outcomes[-1])
            if p.overview_stale:
                overview_outcome = _render_overview(p, publisher, prepared, pool, warm)
    except BaseException as exc:
        # An error before any briefing started (bad data found while summarising) lets the kernels
        # finish warming up and stops them: aborting a kernel mid-start prints a CancelledError
        # traceback from the warm-up thread under the one-line error.
        pool.close(abort=rendering or not isinstance(exc, Exception))
        if any(o.status != "skipped" for o in outcomes):  # what was published stays findable
            write_run_index(p, outcomes)
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
    title = "Fundament for velfærden – landsoverblik" if overview else briefing_title(code)
    return Task(code, name, str(notebook), notebook_text, str(path), summary_text, warm, title=title,
                overview=overview)


def _render_overview(p: Plan, publisher: Publisher, prepared: Prepared, pool: Workers, warm: bool) -> Outcome:
    """Execute the national overview notebook on a worker and publish it into ``OUT/landsoverblik/``."""
    from fundament_lib.results.national import national_summary

    assert p.overview_fingerprint is not None
    summary = national_summary(prepared.summaries, extra=prepared.national_extra, data_id=prepared.data_id)
    text = atomic.json_text(summary)
    task = _task(p, OVERVIEW, "Landsoverblik", text, warm, as_text(p.overview_notebook_bytes), overview=True)
    result = next(execute_tasks([task], pool, lambda kind, obj: None))
    return publish_result(p, publisher, result, text, stem="overview", title=task.title)
