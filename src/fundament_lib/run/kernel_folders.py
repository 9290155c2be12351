"""Kernel folders left by a killed run: find them and remove them, leaving live runs' alone.

Each warm kernel (:mod:`fundament_lib.run.kernels`) talks to its worker over IPC sockets in a
private temporary folder named after the process that made it. A run killed outright cannot
remove its folders; the next run (and each process's first kernel) removes those whose process
is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

__all__ = ["clean_stale_folders", "clean_stale_folders_once", "DIR_PREFIX"]

DIR_PREFIX = "fundament-kernel-"


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
def clean_stale_folders_once() -> None:
    """:func:`clean_stale_folders` at a process's first kernel start (later starts need not scan again)."""
    clean_stale_folders()
