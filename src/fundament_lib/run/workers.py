"""Where a run's tasks execute: worker processes on this machine, or a Dask cluster.

:class:`Workers` is what the scheduler (:mod:`fundament_lib.run.schedule`) sees:
:class:`LocalWorkers` (spawned processes, each with one warm kernel, or one thread of this
process) and :class:`DaskWorkers` (a Dask distributed cluster, one warm kernel per worker
thread). Both hand out :class:`concurrent.futures.Future` objects. A local worker leaves Ctrl-C
to the run, kills its kernel on SIGTERM, and exits by itself should the run that started it be
killed outright.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from types import FrameType
from typing import Any, TypeVar

from fundament_lib.core.errors import RenderError

from .kernels import in_kernel_thread, kill_kernels, shutdown_kernels, worker_kernel

__all__ = ["Workers", "LocalWorkers", "DaskWorkers"]

T = TypeVar("T")


def _exit_with_parent(parent: int, interval: float = 1.0) -> None:
    """Watch, in a worker process, for the run that started it to die; then kill its kernels and exit.

    A run killed with SIGKILL cannot stop its workers: they would wait for tasks forever, their
    kernels and kernel folders with them. Once the parent is gone the worker is re-parented, so
    ``getppid`` changes.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        kill_kernels()
        os._exit(1)

    threading.Thread(target=watch, name="fundament-parent-watch", daemon=True).start()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    kill_kernels()
    os._exit(128 + signum)


def _warm_up(warm: bool) -> None:
    """Start this worker's kernel now, so the first briefing finds it ready."""
    if warm:
        with contextlib.suppress(Exception):  # a failure shows again, with its message, in the first task
            in_kernel_thread(lambda: worker_kernel().ensure())


def _init_process(warm: bool, parent: int | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    signal.signal(signal.SIGTERM, _on_sigterm)
    if parent is not None:
        _exit_with_parent(parent)
    _warm_up(warm)


def _noop() -> None:
    return None


class Workers(ABC):
    """Where a run's tasks execute: :meth:`start`, then :meth:`submit` up to :attr:`capacity`
    tasks at a time, :meth:`restart` after a worker died, :meth:`close` at the end."""

    _executor: Executor | None = None  # set by start(): where submit() sends tasks

    @property
    @abstractmethod
    def capacity(self) -> int:
        """How many tasks can run at once."""

    @abstractmethod
    def start(self) -> None:
        """Start the workers (and set the executor that takes the tasks)."""

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` on a worker (the workers are started first if need be)."""
        if self._executor is None:
            self.start()
        assert self._executor is not None
        return self._executor.submit(fn, *args)

    @abstractmethod
    def restart(self) -> None:
        """Make the workers usable again after one died."""

    @abstractmethod
    def close(self, *, abort: bool = False) -> None:
        """Stop the workers: after their current task, or at once (``abort``)."""


class LocalWorkers(Workers):
    """Worker processes on this machine, each with one warm kernel (one worker: a thread here).

    Parameters
    ----------
    workers
        Number of workers.
    warm
        Start each worker's kernel as soon as the worker starts.
    """

    def __init__(self, workers: int, *, warm: bool = True) -> None:
        self.workers = max(1, workers)
        self.warm = warm

    @property
    def capacity(self) -> int:
        """How many tasks can run at once."""
        return self.workers

    def start(self) -> None:
        """Start the workers (and their kernels) in the background; returns at once."""
        if self.workers == 1:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="fundament-worker",
                                                initializer=_warm_up, initargs=(self.warm,))
        else:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                                 initializer=_init_process, initargs=(self.warm, os.getpid()))
        for _ in range(self.workers):  # each submit spawns a worker while none is idle
            self._executor.submit(_noop)

    def restart(self) -> None:
        """Replace the workers after one died (the pool is then unusable)."""
        self.close(abort=True)
        self.start()

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers: after their current task, or at once (``abort``); kernels go with them."""
        pool, self._executor = self._executor, None
        if pool is None:
            return
        if isinstance(pool, ProcessPoolExecutor):
            if abort:
                _terminate(pool)
            pool.shutdown(wait=True, cancel_futures=True)
        else:
            if abort:
                kill_kernels()
            pool.shutdown(wait=not abort, cancel_futures=True)
            shutdown_kernels()


def _terminate(pool: ProcessPoolExecutor, grace: float = 5.0) -> None:
    """SIGTERM every worker (each kills its kernel), then SIGKILL what is left after ``grace``."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # no public way before 3.14
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1)


class DaskWorkers(Workers):
    """The workers of a Dask distributed cluster, one warm kernel per worker thread.

    The workers need the ``fundament`` package; they get the notebook and the
    kommune's summary with each task and send the results back, so they need
    no shared file system. Dask reschedules the task of a worker that dies.

    Parameters
    ----------
    scheduler
        The scheduler's address (``tcp://host:8786``) or a ``distributed`` cluster object.
    """

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.client: Any = None

    @property
    def capacity(self) -> int:
        """Threads in the cluster now (workers may join or leave during a run)."""
        if self.client is None:
            return 1
        return max(1, sum(self.client.nthreads().values()))

    def start(self) -> None:
        """Connect to the scheduler."""
        from distributed import Client

        try:
            self.client = Client(self.scheduler, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise RenderError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        self._executor = self.client.get_executor(pure=False)

    def restart(self) -> None:
        """Nothing to do: Dask replaces lost workers' tasks itself."""

    def close(self, *, abort: bool = False) -> None:
        """Cancel what is left (``abort``), stop the kernels on every worker and disconnect."""
        if self.client is None:
            return
        if self._executor is not None:
            with contextlib.suppress(Exception):
                self._executor.shutdown(wait=not abort)
        with contextlib.suppress(Exception):
            self.client.run(shutdown_kernels)
        with contextlib.suppress(Exception):
            self.client.close()
        self.client, self._executor = None, None
