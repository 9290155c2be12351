"""What a data file passed, kept beside the national tables: a warm run need not read every row.

:func:`fundament_lib.ingest.tidy_files.read_tidy` reads and validates the whole dataset (17.5
million rows and seconds of work for 98 kommuner × 3,000 respondents). Once it has passed, what a
run asks of it before anything is summarised — which kommuner it covers and which of them are demo
data — is kept in the cache folder (:mod:`.tablecache`) under a fingerprint of the files' bytes
(:func:`fundament_lib.results.fingerprints.data_hash`) and the library: a changed file (or a new
library, whose checks may differ) has another fingerprint, so it is read and validated again, and a
file that fails validation never gets an entry. With the national tables and the summaries kept
too, a warm run reads the rows only when something asks for them (:class:`LazyTidy`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fundament_lib.core.libhash import library_fingerprint, package_versions
from fundament_lib.ingest.tidy_files import read_tidy

from .tablecache import cache_folder, read_entry, write_entry

__all__ = ["Checked", "check_key", "checked_of", "kept_check", "keep_check", "LazyTidy"]

_PREFIX = "data-checked-"
# The packages reading and validating rest on beyond those of every fingerprint (pandas, numpy).
_READ_PACKAGES = ("pyarrow", "pandera")


@dataclass(frozen=True)
class Checked:
    """What a dataset that passed :func:`read_tidy` covers."""

    kommuner: tuple[str, ...]  # every kommune code in the data, sorted
    demo: tuple[str, ...]  # the kommuner whose rows are demo data, sorted


def check_key(data_id: str) -> str:
    """The fingerprint of a check of the data files hashed as ``data_id`` (24 hex digits): their bytes,
    the library's source and the versions of the packages that read and validate them."""
    parts = {"data": data_id, "library": library_fingerprint(), "packages": package_versions(_READ_PACKAGES)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def _path(data: Path, key: str) -> Path:
    return cache_folder(data) / f"{_PREFIX}{data.name}-{key}.pickle"


def kept_check(data: Path, key: str) -> Checked | None:
    """The check kept for ``data`` under ``key``, or ``None`` (none kept, or unreadable: never trusted)."""
    return read_entry(_path(data, key), Checked)


def checked_of(tidy: pd.DataFrame) -> Checked:
    """What ``tidy`` (as :func:`read_tidy` returns it, so valid) covers."""
    return Checked(tuple(sorted({str(k) for k in tidy["kommunekode"].unique()})),  # distinct first: no str per row
                   tuple(sorted(str(c) for c in tidy.attrs.get("demo_kommuner", []))))


def keep_check(data: Path, key: str, checked: Checked) -> None:
    """Keep ``checked`` for ``data`` under ``key`` (replacing older ones) where the cache folder can be
    written; where it cannot (a read-only data folder), the next run reads the rows again."""
    with contextlib.suppress(OSError):  # the national tables' cache says so when it cannot write either
        write_entry(_path(data, key), checked, replaces=f"{_PREFIX}{data.name}-")


class LazyTidy:
    """The tidy table of a dataset, read (and validated) the first time it is asked for.

    Picklable like the table itself (no closure): it holds the data's path or the table read.

    Parameters
    ----------
    data
        The data file or folder read with :func:`read_tidy` when the table is first asked for.
    demo
        The kommuner whose rows are demo data (known without reading them: :class:`Checked`).
    """

    def __init__(self, data: Path | None, *, demo: frozenset[str]) -> None:
        self._data = data
        self._frame: pd.DataFrame | None = None
        self.demo = demo

    @classmethod
    def of(cls, data: Path, checked: Checked) -> LazyTidy:
        """The table of the data file or folder ``data``, which passed as ``checked``; read when first asked for."""
        return cls(data, demo=frozenset(checked.demo))

    @classmethod
    def ready(cls, frame: pd.DataFrame) -> LazyTidy:
        """A table already read (its demo kommuner in ``attrs``, as :func:`read_tidy` gives them)."""
        lazy = cls(None, demo=frozenset(str(c) for c in frame.attrs.get("demo_kommuner", [])))
        lazy._frame = frame
        return lazy

    @property
    def is_read(self) -> bool:
        """Whether the table has been read."""
        return self._frame is not None

    def frame(self) -> pd.DataFrame:
        """The table, read now if it has not been."""
        if self._frame is None:
            assert self._data is not None
            self._frame = read_tidy(self._data)
        return self._frame
