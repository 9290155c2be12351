"""Warm kernels: started once per worker, reset between notebooks, stopped with their worker.

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
of letting it start (and later shut down) its own
(:mod:`fundament_lib.run.papermill_engine`).

Kernels talk to their worker over IPC sockets in a private temporary folder
(no TCP ports, no "running over TCP without encryption" warning), write their
own log there, and are shut down when their worker ends: at the end of a run,
on SIGTERM, and — should the worker be killed outright — by the kernel's own
check that its parent is gone (within a second).

The workers that hold the kernels are in :mod:`fundament_lib.run.workers`; the
folders of kernels a killed run left behind are removed by
:mod:`fundament_lib.run.kernel_folders`.
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from fundament_lib.core.errors import RenderError

from .kernel_folders import DIR_PREFIX, clean_stale_folders_once

__all__ = ["WarmKernel", "worker_kernel", "shutdown_kernels", "kill_kernels", "in_kernel_thread", "KERNEL_NAME",
           "KERNEL_ARGS"]

T = TypeVar("T")

KERNEL_NAME = "python3"  # jupyter_client maps this name to the running environment's Python
# No IPython history: nothing in a batch kernel needs it, and it spares a SQLite writer per kernel.
KERNEL_ARGS = ["--HistoryManager.enabled=False"]

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
        clean_stale_folders_once()
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

