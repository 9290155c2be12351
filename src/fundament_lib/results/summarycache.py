"""The kommune summaries kept on disk between runs, beside the national tables they were cut from.

A kommune's summary (:func:`fundament_lib.results.kommune_summary.kommune_summary`) follows from
the national tables (:mod:`.tablecache`, whose fingerprint covers the data, the framework, the
statistical settings and the library) and from the parameters of every kommune scored with the
framework: each kommune's privacy threshold suppresses its own cells in the national comparison,
and its name-sharing choice decides whether others may see it named. So the summaries are kept per
*that* fingerprint plus every kommune's parameters, in one file per data file (or folder) and
framework, and a later run — ``fundament run``, ``briefing.load()`` in JupyterLab — reads them back
instead of cutting them again. Only the run's time stamp differs: :func:`stamped` puts the new
one in. The national models the overview shows (ICC per theme, the staff–frontline gap models) rest
on the same inputs and are kept with them, fitted once.

Privacy: the summaries are already suppressed, as in ``summary.json``; the file sits with the
national tables in the data holder's cache folder and is never part of an output or a bundle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fundament_lib.core.params import Params
from fundament_lib.framework.model import Framework

from .tablecache import cache_folder, read_entry, say, write_entry

__all__ = ["KeptSummaries", "summary_key", "kept_summaries", "keep_summaries", "stamped"]

_PREFIX = "kommune-summaries-"


@dataclass
class KeptSummaries:
    """What is kept under one key: the kommuner summarised so far, and the national analyses with
    the models the overview shows (ICC, gap models), once fitted."""

    kommuner: dict[str, dict[str, Any]] = field(default_factory=dict)
    national_models: dict[str, Any] | None = None


def summary_key(table_key: str, params: Mapping[str, Params], *, demo: Iterable[str] = ()) -> str:
    """The fingerprint of the summaries cut from the tables of ``table_key`` (24 hex digits).

    Parameters
    ----------
    table_key
        The national tables' fingerprint (:func:`fundament_lib.results.tablecache.table_key`).
    params
        The parameters of every kommune scored with the framework, not only the selected ones.
    demo
        The kommuner whose rows are demo data (their briefings say so).
    """
    parts = {"tables": table_key, "params": {c: p.model_dump(mode="json") for c, p in sorted(params.items())},
             "demo": sorted(str(c) for c in demo)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _stem(data: Path, fw: Framework) -> str:
    return f"{_PREFIX}{data.name}-{fw.id}-"


def _path(data: Path, fw: Framework, key: str) -> Path:
    return cache_folder(data) / f"{_stem(data, fw)}{key}.pickle"


def kept_summaries(data: Path, fw: Framework, key: str) -> KeptSummaries:
    """What is kept for ``key`` beside ``data`` (nothing where there is no entry, or none readable)."""
    return read_entry(_path(data, fw, key), KeptSummaries) or KeptSummaries()


def keep_summaries(data: Path, fw: Framework, key: str, kept: KeptSummaries) -> None:
    """Keep ``kept`` (all summarised so far under ``key``) beside ``data``, atomically, replacing
    older entries; a folder that cannot be written is said and skipped."""
    try:
        write_entry(_path(data, fw, key), kept, replaces=_stem(data, fw))
    except OSError as exc:
        say(f"Kunne ikke gemme kommunernes resuméer i {cache_folder(data)} ({exc.strerror}); "
            "de beregnes igen næste gang.")


def stamped(summary: dict[str, Any], started: str) -> dict[str, Any]:
    """``summary`` with this run's time stamp in its provenance (the one thing a kept summary
    does not share with a freshly cut one)."""
    return {**summary, "provenance": {**summary["provenance"], "run_started": started}}
