"""Export for further work: score tables, item distributions and (on request) the
respondent-level data, as Parquet, CSV and XLSX, with a data dictionary.

What is exported
----------------
* ``scores`` — pejlemærke and theme scores per kommune × group, ``items`` —
  answer distributions per item, ``subgroup_scores`` — frontline leaders'
  scores per fagområde. They are cut from the same per-kommune summaries the
  briefings are made from (:func:`fundament_lib.results.pipeline.prepare`, i.e.
  :func:`fundament_lib.results.summary.build_summaries`), so a suppressed cell is
  suppressed here too: it keeps its key and the reason, never a number.
  Where a kommune's respondent count of a group is hidden, every cell about
  that group is hidden here as in the briefing — also the ``alle`` row of an
  item only that group was asked (the frontline leaders' role, burden and
  outcome items), whose n + ``dont_know`` + ``missing`` would otherwise count
  the group (:mod:`fundament_lib.results.cells`).
* With ``include_respondents=True``: ``FORTROLIGT_svar_pr_respondent`` (the
  tidy answers, free text screened with :func:`fundament_lib.results.textscreen.screen`)
  and ``FORTROLIGT_scorer_pr_respondent``. These are respondent-level data for
  researchers with access to the raw data and must never be published; the
  file names and the data dictionary say so.

The files are written by :mod:`.spreadsheet` (formulas neutralised, see there),
the tables made by :mod:`.export_tables` and described by :mod:`.dictionary`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from fundament_lib.framework import load_framework

from .dictionary import data_dictionary
from .export_tables import respondent_tables, score_tables
from .spreadsheet import DANISH, CsvStyle, write_table, write_workbook

__all__ = ["FORMATS", "export", "DICTIONARY"]

FORMATS: tuple[str, ...] = ("parquet", "csv", "xlsx")
DICTIONARY = "dataordbog"
WORKBOOK = "fundament_export"


def export(data: Path | None = None, *, out: Path, formats: Sequence[str] = FORMATS, style: CsvStyle = DANISH,
           include_respondents: bool = False, kommuner: list[str] | None = None,
           params_root: Path | None = None) -> dict[str, list[Path]]:
    """Score the data as ``fundament run`` does and export the tables (see the module docstring).

    Parameters
    ----------
    data
        Processed Parquet file or folder (default: the demo data).
    out
        Output folder.
    formats
        Any of ``"parquet"``, ``"csv"``, ``"xlsx"``.
    style
        CSV separator and decimal mark (:data:`DANISH` by default).
    include_respondents
        Also export the confidential respondent-level tables.
    kommuner
        Kommuner to export (default: all in the data).
    params_root
        The ``params/`` folder (each kommune's threshold).

    Returns
    -------
    dict
        Table name (and ``dataordbog``) → the files written.
    """
    from .pipeline import prepare

    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats: expected some of {', '.join(FORMATS)}, got {list(formats)!r}")
    prepared = prepare(data, kommuner=kommuner, params_root=params_root)
    fw = load_framework(next(iter(prepared.summaries.values()))["framework"]) if prepared.summaries \
        else load_framework()
    public = score_tables(prepared.summaries, fw)
    private = respondent_tables(_only(prepared.tidy, kommuner), fw) if include_respondents else {}
    dictionary = data_dictionary({**public, **private}, fw)
    written: dict[str, list[Path]] = {}
    for name, frame in {**public, **private}.items():
        written[name] = write_table(frame, out, name, formats=formats, style=style)
    written[DICTIONARY] = write_table(dictionary, out, DICTIONARY, formats=["csv"], style=style)
    if "xlsx" in formats:
        written[WORKBOOK] = [write_workbook({**public, DICTIONARY: _rows_of(dictionary, public)},
                                            out / f"{WORKBOOK}.xlsx")]
        for name, frame in private.items():
            written[name].append(write_workbook({name: frame, DICTIONARY: _rows_of(dictionary, {name: frame})},
                                                out / f"{name}.xlsx"))
    return written


def _only(tidy: pd.DataFrame, kommuner: list[str] | None) -> pd.DataFrame:
    if not kommuner:
        return tidy
    return tidy[tidy["kommunekode"].astype(str).isin([str(k).zfill(3) for k in kommuner])]


def _rows_of(dictionary: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return dictionary[dictionary["table"].isin(list(tables))].reset_index(drop=True)
