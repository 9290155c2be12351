"""Scheduling a run's tasks on the workers, and surviving a worker that dies.

:func:`execute_tasks` hands tasks to the workers (:mod:`fundament_lib.run.workers`) as they
have room and yields each :class:`~fundament_lib.run.outcome.Result` as it comes. It checks for
Ctrl-C every half second (:mod:`fundament_lib.core.interrupts`), and retries the tasks of a
worker process that died once, one at a time, so one kommune that kills its worker cannot take
an innocent one down with it.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from fundament_lib.core import interrupts
from fundament_lib.core.errors import RenderError

from .outcome import Progress, Result, first_line
from .task import Task, render_one

if TYPE_CHECKING:
    from .workers import Workers

__all__ = ["execute_tasks"]

_RETRIES_AFTER_WORKER_DEATH = 1
_CHECK_INTERRUPTS_EVERY = 0.5  # seconds


def execute_tasks(tasks: list[Task], workers: Workers, notify: Progress) -> Iterator[Result]:
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
    return Result(task.kommunekode, task.kommune, "failed", 0.0, first_line(error), trace=error)

