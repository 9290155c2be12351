"""State a warm kernel restores between notebooks (see :mod:`fundament_lib.kernels`).

Runs inside the kernel. Kept apart from ``kernels`` so the kernel does not import
Papermill or jupyter_client.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import matplotlib
import matplotlib.pyplot as plt

__all__ = ["snapshot", "restore"]

_rc: dict[str, Any] | None = None


def snapshot() -> None:
    """Remember Matplotlib's settings as they are right after the imports."""
    global _rc
    _rc = dict(matplotlib.rcParams.items())


def restore() -> None:
    """Close every figure and put Matplotlib's settings back as they were at :func:`snapshot`."""
    plt.close("all")
    if _rc is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(cast(Any, _rc))
