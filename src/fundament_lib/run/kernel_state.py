"""State a warm kernel restores between notebooks (see :mod:`fundament_lib.run.kernels`).

Runs inside the kernel. :func:`snapshot` is called once, right after the
imports every briefing needs; :func:`restore` before each notebook puts back
what a fresh kernel would have at that point:

- no open Matplotlib figures, and Matplotlib's settings (``rcParams``,
  including a seaborn theme) as they were after the imports;
- the warning filters, with the "shown once" registries emptied, so a
  warning a notebook raises is shown again in the next one;
- pandas' options and NumPy's print options;
- the working directory, ``sys.path`` and the environment variables.

The user namespace, the execution counter and the output history are reset
by the kernel driver itself (IPython's ``reset``). What is *not* undone:
import-time side effects of modules a notebook imports beyond those loaded
before the snapshot (they are imported once per kernel), and the global
random state (a fresh kernel's is unseeded too; the library seeds its own
generators). Kept apart from ``kernels`` so the kernel does not import
Papermill or jupyter_client.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings
from dataclasses import dataclass
from typing import Any, cast

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["snapshot", "restore", "Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """What :func:`restore` puts back."""

    rc: dict[str, Any]
    filters: list[Any]
    pandas_options: dict[str, Any]
    numpy_print: dict[str, Any]
    cwd: str
    path: list[str]
    environ: dict[str, str]


_saved: Snapshot | None = None


def _pandas_options() -> dict[str, Any]:
    registered = getattr(pd._config.config, "_registered_options", {})
    return {key: pd.get_option(key) for key in registered}


def snapshot() -> None:
    """Remember the state :func:`restore` goes back to (kept in the module).

    Also moves every object alive now (the imported libraries) out of the
    garbage collector's reach (:func:`gc.freeze`): the collections the
    namespace reset triggers then scan only what a notebook created, which
    takes milliseconds instead of a few hundred.
    """
    global _saved
    filters = list(warnings.filters)  # before catch_warnings below adds its own
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _saved = Snapshot(
            rc=dict(matplotlib.rcParams.items()),
            filters=filters,
            pandas_options=_pandas_options(),
            numpy_print=dict(np.get_printoptions()),
            cwd=os.getcwd(),
            path=list(sys.path),
            environ=dict(os.environ),
        )
    gc.collect()
    gc.freeze()


def restore() -> None:
    """Close every figure and put back the state remembered by :func:`snapshot`."""
    plt.close("all")
    if _saved is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(cast(Any, _saved.rc))
        for key, value in _saved.pandas_options.items():
            if pd.get_option(key) != value:
                pd.set_option(key, value)
    np.set_printoptions(**_saved.numpy_print)
    _restore_warnings(_saved.filters)
    if os.getcwd() != _saved.cwd:
        os.chdir(_saved.cwd)
    sys.path[:] = _saved.path
    _restore_environ(_saved.environ)


def _restore_warnings(filters: list[Any]) -> None:
    """Put the filters back and forget which warnings were already shown."""
    warnings.simplefilter("default", append=True)  # a change through the API makes every
    cast(list[Any], warnings.filters)[:] = filters  # "already shown" registry stale; then the saved ones


def _restore_environ(saved: dict[str, str]) -> None:
    for key in set(os.environ) - set(saved):
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
