"""The national tables kept on disk between runs, per data fingerprint.

:func:`fundament_lib.results.tables.national_tables` is the part of a run that does not depend on which
kommuner are asked for: every kommune's scores with bootstrap intervals, reliability, drivers …
It is computed once per *fingerprint* — the data files' hash, the kommuner scored with the
framework, the framework itself, the statistical settings and the library (its source and the
versions of the packages it rests on, :func:`fundament_lib.core.libhash.library_fingerprint`) — and
kept in a cache folder beside the data (``<data folder>/.fundament-cache/``), written atomically.
``fundament run`` (also for one kommune), :func:`fundament_lib.report.briefing.common.load` and
:func:`fundament_lib.explore.load` all read it, so only the first of them computes.

Privacy: the cache holds the *unsuppressed* tables of every kommune. It belongs with the data
holder's files, like the data beside it, and is never written into an output folder or a
kommune's bundle. It is a Python pickle: read only caches this library wrote in a folder you
control (as with the data itself).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from fundament_lib.core import atomic
from fundament_lib.core.libhash import library_fingerprint, package_versions
from fundament_lib.framework.model import Framework

from .tables import StatsSettings, Tables, national_tables

__all__ = ["CACHE_FOLDER", "cache_folder", "table_key", "entry_path", "cached_tables", "cached_national_tables",
           "read_entry", "write_entry", "say"]

CACHE_FOLDER = ".fundament-cache"
_PREFIX = "national-tables-"
# Packages the tables' numbers rest on beyond those of every fingerprint (pandas, numpy).
_STATS_PACKAGES = ("scipy", "statsmodels", "pyarrow")
T = TypeVar("T")


def cache_folder(data: Path) -> Path:
    """Where the cache of ``data`` (a Parquet file or a folder of them) lives: beside it."""
    folder = data if data.is_dir() else data.parent
    return folder / CACHE_FOLDER


def table_key(*, data_id: str, fw: Framework, settings: StatsSettings, codes: Iterable[str]) -> str:
    """The fingerprint of one framework's national tables (first 24 hex digits of a SHA-256).

    Parameters
    ----------
    data_id
        Hash of the data files (:func:`fundament_lib.results.fingerprints.data_hash`).
    fw
        The framework the tables are scored with (its whole content counts, not only its id).
    settings
        The statistical settings (bootstrap resamples, confidence, seed).
    codes
        The kommuner scored with this framework (the tables are computed over them only).
    """
    parts = {"data": data_id, "framework": fw.model_dump(mode="json"), "settings": settings.__dict__,
             "kommuner": sorted(str(c) for c in codes), "library": library_fingerprint(),
             "packages": package_versions(_STATS_PACKAGES)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _stem(data: Path, fw: Framework) -> str:
    return f"{_PREFIX}{data.name}-{fw.id}-"


def entry_path(data: Path, fw: Framework, key: str) -> Path:
    """The file holding the national tables of ``data`` scored with ``fw`` under ``key``."""
    return cache_folder(data) / f"{_stem(data, fw)}{key}.pickle"


def cached_tables(data: Path, fw: Framework, key: str) -> Tables | None:
    """The national tables kept for ``key``, or ``None`` where there are none (or none readable)."""
    return read_entry(entry_path(data, fw, key), Tables)


def read_entry(path: Path, kind: type[T]) -> T | None:
    """The object of type ``kind`` pickled at ``path``, or ``None`` where there is none, it cannot
    be read (cut short, from another Python) or it is of another type: a cache is never trusted."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            found = pickle.load(fh)
    except Exception:  # any unreadable cache is recomputed, never trusted
        return None
    return found if isinstance(found, kind) else None


def write_entry(path: Path, value: object, *, replaces: str) -> None:
    """Pickle ``value`` to ``path`` atomically, then remove the older entries of the cache folder
    whose names start with ``replaces`` (one entry per data and framework).

    Raises
    ------
    OSError
        Where the cache folder cannot be written; the caller says so and goes on.
    """
    atomic.write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    for old in path.parent.glob(f"{replaces}*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)


def say(message: str) -> None:
    # stderr: shown in a terminal and in JupyterLab, left out of an exported briefing (render.py).
    print(message, file=sys.stderr, flush=True)


def cached_national_tables(rows: Callable[[], pd.DataFrame], fw: Framework, settings: StatsSettings, *,
                           data: Path | None, key: str, say: Callable[[str], None] = say) -> Tables:
    """The national tables of the answers ``rows()`` gives: read from the cache beside ``data`` when
    computed before for ``key``, else computed (saying so) and written there atomically.

    Parameters
    ----------
    rows
        Gives the tidy answers of the kommuner scored with ``fw``; called only when the tables are
        computed (kept tables need no rows read).
    fw, settings
        As :func:`fundament_lib.results.tables.national_tables`.
    data
        The data file or folder ``tidy`` was read from (the cache is :func:`cache_folder`);
        ``None`` computes without a cache.
    key
        The tables' fingerprint (:func:`table_key`).
    say
        Where to tell what is computed (default: standard error).

    Notes
    -----
    A cache that cannot be read (cut short, from another Python) is computed again; one that
    cannot be written (a read-only data folder) is skipped with a message — the run goes on.
    Older entries for the same data are removed when a new one is written, so the folder holds one
    set of tables per data file (or folder) and framework.
    """
    if data is None:
        return national_tables(rows(), fw, settings)
    path = entry_path(data, fw, key)
    found = read_entry(path, Tables)
    if found is not None:
        return found
    if path.is_file():
        say(f"Cachen {path} kunne ikke læses; beregner igen.")
    folder = path.parent
    tidy = rows()
    n = tidy["kommunekode"].nunique()
    say(f"Beregner de nationale tabeller for {n} kommuner ({fw.id}: scorer med bootstrap-intervaller, "
        f"reliabilitet, drivere) — første gang for disse data; gemmes i {folder} til næste gang.")
    tables = national_tables(tidy, fw, settings)
    tables.drivers()  # the lazy parts every summary uses, so the cache holds them too
    tables.local_drivers()
    try:
        write_entry(path, tables, replaces=_stem(data, fw))
    except OSError as exc:
        say(f"Kunne ikke gemme de nationale tabeller i {folder} ({exc.strerror}); de beregnes igen næste gang.")
    return tables
