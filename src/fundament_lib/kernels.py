"""Warm kernels: execute many parameterised notebooks with Papermill in one kernel.

Papermill starts a fresh kernel per notebook so that runs cannot affect each
other. On these machines that costs more than the briefing itself (kernel
start ≈ 0.45 s, imports ≈ 1.2 s, shutdown ≈ 0.7 s against ≈ 1.4 s of work;
see ``../shared/RUNTIME.md``). A :class:`WarmKernel` pays start-up and imports
once per worker and, between notebooks, restores what a fresh kernel would
have: an empty namespace, the execution counter at 1, all figures closed and
Matplotlib's settings as they were right after the imports. A test checks
that briefings from warm kernels equal those from fresh ones.

The kernel is driven through Papermill itself, by an engine registered as
``"fundament-warm"`` that hands Papermill's client the running kernel instead
of letting it start (and later shut down) its own.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from .errors import RenderError

__all__ = ["WarmKernel", "execute", "thread_kernel", "ENGINE_NAME", "KERNEL_NAME"]

ENGINE_NAME = "fundament-warm"
KERNEL_NAME = "python3"  # jupyter_client maps this name to the running environment's Python

# Run once when a kernel starts: the imports every briefing needs, then a snapshot of
# Matplotlib's settings to restore before each notebook.
PRELOAD = """
import fundament_lib.briefing, fundament_lib.kernel_state
fundament_lib.kernel_state.snapshot()
"""
# Run before each notebook (silently, outside the history): back to a fresh kernel's state.
RESET = """
__import__("fundament_lib.kernel_state").kernel_state.restore()
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
"""


class WarmKernel:
    """A kernel kept running across notebooks, reset between them.

    Parameters
    ----------
    startup_timeout
        Seconds to wait for the kernel to become ready.
    """

    def __init__(self, *, startup_timeout: float = 60) -> None:
        self.startup_timeout = startup_timeout
        self.km: KernelManager | None = None
        self.kc: Any = None
        self.notebooks_run = 0

    def start(self) -> None:
        """Start the kernel and run the imports once."""
        self.km = KernelManager(kernel_name=KERNEL_NAME)
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=self.startup_timeout)
        self._run(PRELOAD)

    def alive(self) -> bool:
        """Whether the kernel process is running."""
        return self.km is not None and self.km.is_alive()

    def ensure(self) -> None:
        """Start the kernel, or restart it if it died (e.g. a notebook crashed it)."""
        if not self.alive():
            self.shutdown()
            self.start()

    def reset(self) -> None:
        """Restore a fresh kernel's state before the next notebook."""
        self._run(RESET)

    def _run(self, code: str, timeout: float = 60) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RenderError(f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")

    def shutdown(self) -> None:
        """Stop the kernel at once (no graceful wait: nothing in it needs saving)."""
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self.km, self.kc = None, None


class _WarmEngine(NBClientEngine):
    """Papermill engine that executes in a running :class:`WarmKernel`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kernel: WarmKernel = kwargs.pop("warm_kernel")
        client = PapermillNotebookClient(
            nb_man, km=kernel.km, kernel_name=kernel_name, timeout=execution_timeout,
            startup_timeout=start_timeout, log_output=log_output, stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = kernel.kc
        return client.execute()


papermill_engines.register(ENGINE_NAME, _WarmEngine)


def execute(notebook: Path, output: Path, parameters: dict[str, Any], *, kernel: WarmKernel | None = None,
            timeout: float | None = 600) -> nbformat.NotebookNode:
    """Execute a notebook with Papermill, in a warm kernel when one is given.

    Without ``kernel`` this is plain Papermill with a fresh kernel — the
    reference the warm path is tested against.

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
                                      warm_kernel=kernel, **common)


_local = threading.local()


def thread_kernel() -> WarmKernel:
    """This thread's warm kernel (one per worker thread or process), started on first use."""
    kernel = getattr(_local, "kernel", None)
    if kernel is None:
        kernel = WarmKernel()
        _local.kernel = kernel
    return kernel
