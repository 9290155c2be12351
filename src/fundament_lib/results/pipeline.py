"""Load, validate and summarise: the work done once per run, for every kommune.

``fundament run`` calls :func:`load` when it plans the run and :func:`summarise`
for the kommuner it renders (:func:`prepare` does both); a notebook opened on its
own in JupyterLab calls :func:`summarise_one`, which takes the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from fundament_lib.core.kommuner import check_codes
from fundament_lib.core.params import Params, load_params
from fundament_lib.core.paths import demo_data_path, params_dir
from fundament_lib.framework import load_framework
from fundament_lib.ingest.tidy_files import read_tidy

from .datacheck import Checked, LazyTidy, check_key, checked_of, keep_check, kept_check
from .fingerprints import data_hash

__all__ = ["Prepared", "Loaded", "prepare", "load", "summarise", "summarise_one", "data_files", "national_from_data"]


@dataclass
class Prepared:
    """Everything a run needs after the work done once: data, parameters, summaries."""

    rows: LazyTidy  # the tidy table, read when first asked for (:attr:`tidy`)
    params: dict[str, Params]  # every kommune in the data
    summaries: dict[str, dict[str, Any]]  # the selected kommuner
    data_id: str
    national_extra: dict[str, Any] = field(default_factory=dict)  # national analyses for the overview

    @property
    def tidy(self) -> pd.DataFrame:
        """The tidy table (read now if it has not been)."""
        return self.rows.frame()


def data_files(data: Path) -> list[Path]:
    """The Parquet files a data path stands for (a file, or every ``*.parquet`` in a folder)."""
    return sorted(data.glob("*.parquet")) if data.is_dir() else [data]


class Loaded:
    """The validated inputs of a run, before anything is summarised (:func:`load`).

    ``tidy`` is the table itself or, for data already checked (:mod:`.datacheck`), one read when
    first asked for; ``demo`` and ``data_id`` are known without reading it.
    """

    def __init__(self, data: Path, tidy: pd.DataFrame | LazyTidy, params: dict[str, Params], codes: list[str], *,
                 data_id: str | None = None) -> None:
        self.data = data  # the Parquet file or folder read
        self.rows = tidy if isinstance(tidy, LazyTidy) else LazyTidy.ready(tidy)
        self.params = params  # every kommune in the data, in code order
        self.codes = codes  # the selected kommuner
        self.data_id = data_id  # the data files' hash, where known

    @property
    def tidy(self) -> pd.DataFrame:
        """The tidy table (read now if it has not been)."""
        return self.rows.frame()


def load(data: Path | None = None, *, kommuner: list[str] | None = None,
         params_root: Path | None = None, cache: bool = True) -> Loaded:
    """Load and validate the data, the kommune codes, every kommune's parameters and their frameworks.

    Parameters
    ----------
    data
        Processed Parquet file or folder (default: the demo data).
    kommuner
        Kommune codes to select (default: every kommune in the data).
    params_root
        The ``params/`` folder (default: the project's).
    cache
        Data that passed before, unchanged (the same bytes, the same library), is not read again
        until its rows are asked for: what it covers is kept beside the data (:mod:`.datacheck`).

    Raises
    ------
    DataFileError, DataValidationError, UnknownKommuneError, ParamsError, FrameworkError
        Before anything is written.
    """
    data = data or demo_data_path()
    folder = params_root or params_dir()
    rows, checked, data_id = _checked(data, cache=cache)
    present = list(checked.kommuner)
    codes = check_codes(kommuner, set(present)) if kommuner else present
    params = {code: load_params(folder, code, demo=code in rows.demo) for code in present}
    for p in {p.framework for p in params.values()}:
        load_framework(p)  # a bad framework id fails here, before any work
    return Loaded(data, rows, params, codes, data_id=data_id)


def _checked(data: Path, *, cache: bool) -> tuple[LazyTidy, Checked, str | None]:
    """The data's rows (not read where a check of the same bytes is kept), what they cover, and their hash."""
    files = data_files(data) if data.exists() else []
    if not cache or not files:  # read_tidy says what is wrong with a missing path or an empty folder
        tidy = read_tidy(data)
        return LazyTidy.ready(tidy), checked_of(tidy), None
    data_id = data_hash(files)
    key = check_key(data_id)
    kept = kept_check(data, key)
    if kept is not None:
        return LazyTidy.of(data, kept), kept, data_id
    tidy = read_tidy(data)  # a file that fails here is never kept as checked
    checked = checked_of(tidy)
    keep_check(data, key, checked)
    return LazyTidy.ready(tidy), checked, data_id


def summarise(loaded: Loaded, *, kommuner: list[str] | None = None, run_started: datetime | None = None,
              national_models: bool = False, cache: bool = True) -> Prepared:
    """Summarise the selected kommuner of data already loaded (:func:`load`).

    Parameters
    ----------
    loaded
        The validated inputs.
    kommuner
        Kommune codes to summarise, each in the data (default: ``loaded.codes``).
    run_started
        When the run started (stamped into the summaries; default: now).
    national_models
        Also the national models the overview shows (ICC, gap models: fitted once per fingerprint, then
        read back, :mod:`fundament_lib.results.summarycache`).
    cache
        Keep the national tables beside the data and reuse them while the data, framework,
        settings and library are unchanged (:mod:`fundament_lib.results.tablecache`).

    Raises
    ------
    UnknownKommuneError
        For a code in ``kommuner`` that is not in the data.
    """
    # Imported here, not above: planning a run (:func:`load`) needs no statistics.
    from .summary import build_summaries

    codes = check_codes(kommuner, set(loaded.params)) if kommuner else loaded.codes
    data_id = loaded.data_id or data_hash(data_files(loaded.data))
    built = build_summaries(loaded.rows, loaded.params, data_id=data_id, selected=codes, run_started=run_started,
                            national_models=national_models, cache=loaded.data if cache else None)
    main = pd.Series([p.framework for p in loaded.params.values()]).mode().iloc[0]
    return Prepared(loaded.rows, loaded.params, built.kommuner, data_id, built.national.get(main, {}))


def prepare(data: Path | None = None, *, kommuner: list[str] | None = None, params_root: Path | None = None,
            run_started: datetime | None = None, national_models: bool = False, cache: bool = True) -> Prepared:
    """Load and validate the data and the parameters, then summarise every selected kommune.

    Parameters
    ----------
    data
        Processed Parquet file or folder (default: the demo data).
    kommuner
        Kommune codes to include (default: every kommune in the data).
    params_root
        The ``params/`` folder (default: the project's).
    national_models
        Also the national models the overview shows (ICC, gap models: fitted once per fingerprint, then
        read back, :mod:`fundament_lib.results.summarycache`).
    cache
        Reuse (or write) the national tables kept beside the data (:mod:`fundament_lib.results.tablecache`).

    Raises
    ------
    DataFileError, DataValidationError, UnknownKommuneError, ParamsError, FrameworkError
        Before anything is written.
    """
    return summarise(load(data, kommuner=kommuner, params_root=params_root, cache=cache), run_started=run_started,
                     national_models=national_models, cache=cache)


def summarise_one(kommunekode: str, data: Path | None = None) -> dict[str, Any]:
    """One kommune's summary computed from the data (for interactive use): only that kommune is
    summarised, against the national tables kept beside the data (computed the first time)."""
    prepared = prepare(data, kommuner=[kommunekode])
    return next(iter(prepared.summaries.values()))


def national_from_data(data: Path | None = None) -> dict[str, Any]:
    """The national overview's summary computed from the data (for interactive use)."""
    from .national import national_summary

    prepared = prepare(data, national_models=True)
    return national_summary(prepared.summaries, extra=prepared.national_extra, data_id=prepared.data_id)
