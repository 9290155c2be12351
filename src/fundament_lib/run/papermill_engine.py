"""Executing a notebook with Papermill in a running warm kernel.

Papermill starts (and later shuts down) a kernel of its own for each notebook. The engine
registered here as ``"fundament-warm"`` hands Papermill's client a running
:class:`~fundament_lib.run.kernels.WarmKernel` instead; :func:`execute` resets that kernel to a
fresh kernel's state first. Without a kernel, :func:`execute` is plain Papermill — the reference
the warm path is tested against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import papermill
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from .kernels import KERNEL_NAME, WarmKernel

__all__ = ["execute", "ENGINE_NAME"]

ENGINE_NAME = "fundament-warm"


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
