"""Warm kernels, and the workers that hold them.

Papermill starts a fresh kernel per notebook so that runs cannot affect each
other. On these machines that costs more than the briefing itself (kernel
start ≈ 0.45 s, imports ≈ 1.2–1.7 s, shutdown ≈ 0.7 s; see
``../shared/RUNTIME.md``). A :class:`WarmKernel` pays start-up and imports
once per worker and, between notebooks, restores what a fresh kernel would
have (:mod:`fundament_lib.run.kernel_state`): an empty namespace, the execution
counter at 1, no figures, the settings as they were right after the imports.
Tests check that briefings from warm kernels equal those from fresh ones.

The kernel is driven through Papermill itself, by an engine registered as
``"fundament-warm"`` that hands Papermill's client the running kernel instead
of letting it start (and later shut down) its own.

Kernels talk to their worker over IPC sockets in a private temporary folder
(no TCP ports, no "running over TCP without encryption" warning), write their
own log there, and are shut down when their worker ends: at the end of a run,
on SIGTERM, and — should the worker be killed outright — by the kernel's own
check that its parent is gone (within a second).

Workers (:class:`Workers`): :class:`LocalWorkers` (spawned processes, each with
one warm kernel, or one thread of this process) and :class:`DaskWorkers` (a Dask
distributed cluster, one warm kernel per worker thread). Both hand out
:class:`concurrent.futures.Future` objects.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from fundament_lib.core.errors import RenderError

__all__ = ["WarmKernel", "execute", "worker_kernel", "shutdown_kernels", "kill_kernels", "in_kernel_thread",
           "Workers", "LocalWorkers", "DaskWorkers", "ENGINE_NAME", "KERNEL_NAME", "KERNEL_ARGS", "DIR_PREFIX",
           "clean_stale_folders"]

T = TypeVar("T")

ENGINE_NAME = "fundament-warm"
KERNEL_NAME = "python3"  # jupyter_client maps this name to the running environment's Python
# No IPython history: nothing in a batch kernel needs it, and it spares a SQLite writer per kernel.
KERNEL_ARGS = ["--HistoryManager.enabled=False"]
DIR_PREFIX = "fundament-kernel-"

# Run once when a kernel starts: the imports every briefing needs, then a snapshot of the state
# to restore before each notebook.
PRELOAD = """
import fundament_lib.report.briefing, fundament_lib.run.kernel_state
fundament_lib.run.kernel_state.snapshot()
"""
# Run before each notebook after the first (silently, outside the history): a fresh kernel's state.
RESET = """
__import__("fundament_lib.run.kernel_state").run.kernel_state.restore()
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
"""


class WarmKernel:
    """A kernel kept running across notebooks, reset between them.

    Parameters
    ----------
    preload
        Run the briefing's imports at start and reset the state between
        notebooks (false: a plain fresh kernel, as Papermill would start).
    startup_timeout
        Seconds to wait for the kernel to become ready.

    Attributes
    ----------
    timings
        Seconds spent on the last start: ``kernel_start`` and ``imports``.
    notebooks_run
        Notebooks executed since the kernel last started.
    """

    def __init__(self, *, preload: bool = True, startup_timeout: float = 60) -> None:
        self.preload = preload
        self.startup_timeout = startup_timeout
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None
        self.folder: Path | None = None
        self.notebooks_run = 0
        self.timings: dict[str, float] = {}

    # ---- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the kernel (IPC transport, private folder) and run the imports once."""
        _clean_stale_folders_once()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{DIR_PREFIX}{os.getpid()}-"))
        t0 = time.perf_counter()
        # Asynchronous manager and client, as nbclient expects: with a blocking client its wait for
        # output would block the event loop, and a dead kernel or a timeout would go unnoticed.
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(self.folder / "ipc"),
                                     connection_file=str(self.folder / "kernel.json"))
        _REGISTRY.add(self)
        with (self.folder / "kernel.log").open("wb") as log:  # the kernel's own stdout/stderr
            run_sync(self.km.start_kernel)(extra_arguments=KERNEL_ARGS, stdout=log, stderr=log)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        except RuntimeError as exc:
            log_tail = self._log_tail()
            self.shutdown()
            raise RenderError(f"the kernel did not start ({exc}); its log ends: {log_tail}") from None
        self.timings = {"kernel_start": time.perf_counter() - t0}
        self.notebooks_run = 0
        if self.preload:
            t0 = time.perf_counter()
            self._run(PRELOAD)
            self.timings["imports"] = time.perf_counter() - t0

    def alive(self) -> bool:
        """Whether the kernel process is running."""
        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def ensure(self) -> bool:
        """Start the kernel, or restart it if it died; return whether it was started."""
        if self.alive():
            return False
        self.shutdown()
        self.start()
        return True

    def reset(self) -> None:
        """Restore a fresh kernel's state before the next notebook (no-op before the first)."""
        if self.preload and self.notebooks_run:
            self._run(RESET)

    @property
    def pid(self) -> int | None:
        """Process id of the kernel (``None`` when it is not running)."""
        provisioner = self.km.provisioner if self.km is not None else None
        pid = getattr(provisioner, "pid", None)
        return int(pid) if pid else None

    def shutdown(self) -> None:
        """Stop the kernel at once (nothing in it needs saving) and remove its folder."""
        _REGISTRY.discard(self)
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
        self.km, self.kc = None, None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def kill(self) -> None:
        """Kill the kernel's process group now; safe in a signal handler (no messaging)."""
        pid = self.pid
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    # ---- helpers ------------------------------------------------------------------------------
    def _run(self, code: str, timeout: float = 120) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        while True:
            reply = run_sync(self.kc.get_shell_msg)(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RenderError(f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")

    def _log_tail(self, lines: int = 3) -> str:
        try:
            text = (self.folder / "kernel.log").read_text(errors="replace") if self.folder else ""
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:]) or "(empty log)"


class _Registry:
    """Every kernel started in this process, so that all can be stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kernels: set[WarmKernel] = set()

    def add(self, kernel: WarmKernel) -> None:
        with self._lock:
            self._kernels.add(kernel)

    def discard(self, kernel: WarmKernel) -> None:
        with self._lock:
            self._kernels.discard(kernel)

    def all(self) -> list[WarmKernel]:
        with self._lock:
            return list(self._kernels)


_REGISTRY = _Registry()
_local = threading.local()


def worker_kernel() -> WarmKernel:
    """This thread's warm kernel (one per worker thread or process); not started yet on first use."""
    kernel = getattr(_local, "kernel", None)
    if kernel is None:
        kernel = WarmKernel()
        _local.kernel = kernel
    return kernel


def shutdown_kernels() -> int:
    """Shut down every kernel this process started; return how many were running."""
    kernels = _REGISTRY.all()
    for kernel in kernels:
        kernel.shutdown()
    return len(kernels)


def kill_kernels() -> None:
    """Kill every kernel this process started, without messaging (for signal handlers)."""
    for kernel in _REGISTRY.all():
        kernel.kill()


atexit.register(shutdown_kernels)


def clean_stale_folders(tmp: Path | None = None) -> list[Path]:
    """Remove kernel folders whose owning process is dead (left by a killed run); return them.

    A folder is named ``fundament-kernel-<pid>-…`` after the process that made it. Only folders
    of this user whose process no longer exists are removed: a live run's — this user's or
    another's — are left alone, and so is anything not named that way.

    Parameters
    ----------
    tmp
        The temporary folder to look in (default: :func:`tempfile.gettempdir`).
    """
    removed = []
    uid = os.getuid()
    for folder in Path(tmp or tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        try:
            pid = int(folder.name[len(DIR_PREFIX):].split("-")[0])
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != uid:
                continue
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except (ValueError, OSError):  # not our naming, or a process we may not signal: it lives
            continue
    return removed


@cache
def _clean_stale_folders_once() -> None:
    """:func:`clean_stale_folders` at a process's first kernel start (later starts need not scan again)."""
    clean_stale_folders()


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


# ---- executing one notebook -----------------------------------------------------------------------
class _WarmEngine(NBClientEngine):
    """Papermill engine that executes in a running :class:`WarmKernel`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kernel: WarmKernel = kwargs.pop("warm_kernel")
        keep: dict[str, Any] | None = kwargs.pop("keep", None)
        if keep is not None:
            keep["nb"] = nb_man.nb  # the partly executed notebook, should the kernel die
        client = PapermillNotebookClient(
            nb_man, km=kernel.km, kernel_name=kernel_name, timeout=execution_timeout,
            startup_timeout=start_timeout, log_output=log_output, stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = kernel.kc
        return client.execute()


papermill_engines.register(ENGINE_NAME, _WarmEngine)


def execute(notebook: Path, output: Path, parameters: dict[str, Any], *, kernel: WarmKernel | None = None,
            timeout: float | None = 600, keep: dict[str, Any] | None = None) -> nbformat.NotebookNode:
    """Execute a notebook with Papermill, in ``kernel`` when one is given.

    Without ``kernel`` this is plain Papermill with a fresh kernel — the
    reference the warm path is tested against.

    Parameters
    ----------
    notebook, output
        The template and where the executed notebook is written.
    parameters
        Values for the notebook's ``parameters`` cell.
    kernel
        A warm kernel (started if needed, reset before the notebook).
    timeout
        Seconds a cell may run.
    keep
        Receives the notebook being executed under ``"nb"`` (for a kernel that dies mid-run).

    Raises
    ------
    papermill.PapermillExecutionError
        When a cell fails; the executed notebook with the error is at ``output``.
    """
    common: dict[str, Any] = dict(parameters=parameters, kernel_name=KERNEL_NAME, progress_bar=False,
                                  request_save_on_cell_execute=False, execution_timeout=timeout)
    if kernel is None:
        return papermill.execute_notebook(str(notebook), str(output), **common)
    kernel.ensure()
    kernel.reset()
    kernel.notebooks_run += 1
    return papermill.execute_notebook(str(notebook), str(output), engine_name=ENGINE_NAME,
                                      warm_kernel=kernel, keep=keep, **common)


_kernel_threads: dict[int, ThreadPoolExecutor] = {}
_kernel_threads_lock = threading.Lock()


def in_kernel_thread(fn: Callable[..., T], *args: Any) -> T:
    """Call ``fn(*args)`` in the kernel thread of the calling thread (one each, started on first use).

    Every kernel lives in a thread of ours, with a name no other thread has: nbclient installs
    SIGINT/SIGTERM handlers when it runs in a main thread (and leaves the defaults behind), and
    ``jupyter_core`` keys its event loops by thread name, which the threads of two Dask workers
    in one process share.
    """
    key = threading.get_ident()
    with _kernel_threads_lock:
        pool = _kernel_threads.get(key)
        if pool is None:
            pool = ThreadPoolExecutor(1, thread_name_prefix=f"fundament-kernel-{os.getpid()}-{key}")
            _kernel_threads[key] = pool
    return pool.submit(fn, *args).result()


# ---- workers --------------------------------------------------------------------------------------
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
