"""Atomic writes: write to a temporary file beside the target, then rename.

A crash or Ctrl-C leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["write_bytes", "write_text", "write_json", "json_text", "write_file", "write_parquet", "replace_file"]

_UMASK = os.umask(0)
os.umask(_UMASK)
_MODE = 0o666 & ~_UMASK  # what open() would give a new file; mkstemp gives 0600


def _temp_beside(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _MODE)
    return fd, tmp


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (parents are created)."""
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_bytes(path, text.encode("utf-8"))


def json_text(obj: Any) -> str:
    """``obj`` as the JSON text :func:`write_json` writes (indented, keys in insertion order, no NaN)."""
    return json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_json(path: Path, obj: Any) -> None:
    """Write JSON (UTF-8, indented, keys in insertion order) atomically."""
    write_text(path, json_text(obj))


def write_file(path: Path, write: Callable[[str], None]) -> None:
    """Write ``path`` atomically by ``write(tmp)``, which writes a whole file at the path it is given.

    For writers that stream to a file (Parquet): the bytes are never held in memory.
    A failed write leaves nothing behind, not even the folders it created for the file.
    """
    created = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    fd, tmp = _temp_beside(path)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        for folder in created:  # deepest first; one that another writer filled meanwhile stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame as Parquet atomically."""
    write_file(path, lambda tmp: df.to_parquet(tmp, index=False))


def replace_file(src: Path, dst: Path) -> None:
    """Move a finished file into place atomically (same file system)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)
