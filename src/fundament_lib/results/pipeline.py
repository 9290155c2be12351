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
from fundament_lib.ingest.tidy_files import demo_codes, read_tidy

from .fingerprints import data_hash
from .summary import build_summaries

__all__ = ["Prepared", "Loaded", "prepare", "load", "summarise", "summarise_one", "data_files", "national_from_data"]


@dataclass
class Prepared:
    """Everything a run needs after the work done once: data, parameters, summaries."""

    tidy: pd.DataFrame
    params: dict[str, Params]  # every kommune in the data
    summaries: dict[str, dict[str, Any]]  # the selected kommuner
    data_id: str
    national_extra: dict[str, Any] = field(default_factory=dict)  # national analyses for the overview


def data_files(data: Path) -> list[Path]:
    """The Parquet files a data path stands for (a file, or every ``*.parquet`` in a folder)."""
    return sorted(data.glob("*.parquet")) if data.is_dir() else [data]


@dataclass
class Loaded:
    """The validated inputs of a run, before anything is summarised (:func:`load`)."""

    data: Path  # the Parquet file or folder read
    tidy: pd.DataFrame
    params: dict[str, Params]  # every kommune in the data, in code order
    codes: list[str]  # the selected kommuner


def load(data: Path | None = None, *, kommuner: list[str] | None = None,
         params_root: Path | None = None) -> Loaded:
    """Load and validate the data, the kommune codes, every kommune's parameters and their frameworks.

    Parameters
    ----------
    data
        Processed Parquet file or folder (default: the demo data).
    kommuner
        Kommune codes to select (default: every kommune in the data).
    params_root
        The ``params/`` folder (default: the project's).

    Raises
    ------
    DataFileError, DataValidationError, UnknownKommuneError, ParamsError, FrameworkError
        Before anything is written.
    """
    data = data or demo_data_path()
    folder = params_root or params_dir()
    tidy = read_tidy(data)
    present = sorted({str(k) for k in tidy["kommunekode"].unique()})  # distinct first: no str per row
    codes = check_codes(kommuner, set(present)) if kommuner else present
    demo = demo_codes(tidy)
    params = {code: load_params(folder, code, demo=code in demo) for code in present}
    for p in {p.framework for p in params.values()}:
        load_framework(p)  # a bad framework id fails here, before any work
    return Loaded(data, tidy, params, codes)


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
    codes = check_codes(kommuner, set(loaded.params)) if kommuner else loaded.codes
    data_id = data_hash(data_files(loaded.data))
    built = build_summaries(loaded.tidy, loaded.params, data_id=data_id, selected=codes, run_started=run_started,
                            national_models=national_models, cache=loaded.data if cache else None)
    main = pd.Series([p.framework for p in loaded.params.values()]).mode().iloc[0]
    return Prepared(loaded.tidy, loaded.params, built.kommuner, data_id, built.national.get(main, {}))


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
    return summarise(load(data, kommuner=kommuner, params_root=params_root), run_started=run_started,
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
