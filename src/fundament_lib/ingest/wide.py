"""Wide exports: one row per respondent, one column per item (CSV or XLSX).

Columns are named by the codebook — the item id (``P1.1.1``) or the item's
wording (see :mod:`.matching`) — plus ``respondent_id``, ``kommunekode``,
``group``, ``wave`` and the background columns, each optional when the
options supply it.

:func:`wide_to_tidy` and :func:`read_wide` are the library's entry points for
a wide table that the project itself wrote (the demo): ids are kept as they
are and a missing wave is ``"1"``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fundament_lib.framework.model import Framework

from .assemble import IngestOptions, IngestResult, assemble
from .codebook import Codebook, load_codebook
from .plan import plan_columns
from .readers import SourceTable, read_table
from .sink import TidySink

__all__ = ["IngestResult", "read_wide", "wide_to_tidy", "load_wide", "ID_COLUMNS"]

ID_COLUMNS: tuple[str, ...] = ("respondent_id", "kommunekode", "group", "wave")


def load_wide(path: Path, codebook: Codebook, options: IngestOptions, *,
              table: SourceTable | None = None, sink: TidySink | None = None) -> IngestResult:
    """Load a wide CSV or XLSX file.

    Parameters
    ----------
    path
        The file.
    codebook
        Names the columns and gives every item's scale.
    options
        Kommune, group and wave for a file without such columns; strict or lenient.
    table
        The file already read (format detection reads it), else ``None``.
    sink
        Where the tidy table goes (:mod:`.sink`); default: ``data`` of the result.

    Raises
    ------
    DataFileError, DataValidationError
        See :mod:`fundament_lib.ingest` and ``docs/ingest.md``.
    """
    table = table or read_table(path)
    plan = plan_columns(table.data.columns, codebook)
    return assemble(table, plan, codebook, options, sink=sink)


def read_wide(path: Path, framework: Framework, *, strict: bool = True) -> IngestResult:
    """Read a wide CSV (``;`` or ``,``) or XLSX whose columns carry codebook ids.

    Parameters
    ----------
    path
        The file.
    framework
        The framework whose codebook names the columns.
    strict
        Refuse the file on any bad cell (default) or drop bad cells and report them.

    Raises
    ------
    DataFileError
        The file is missing, empty or unreadable.
    DataValidationError
        Bad cells (strict mode) or rows that cannot be kept in any mode.
    """
    options = IngestOptions(strict=strict, default_wave="1", id_prefix=False)
    return load_wide(path, load_codebook(framework), options)


def wide_to_tidy(wide: pd.DataFrame, framework: Framework, *, file: str, strict: bool = True,
                 first_row: int = 2) -> IngestResult:
    """Turn a wide table with codebook-named columns into the validated tidy table.

    Parameters
    ----------
    wide
        One row per respondent. Must hold ``kommunekode`` and ``group``;
        ``respondent_id`` and ``wave`` are optional (made up, and ``"1"``,
        when absent; the provenance says so).
    framework
        Supplies the codebook: item ids, scales and audiences.
    file
        Name used in problem reports.
    strict
        Raise on any bad cell, or drop bad cells and list them in ``dropped``.
    first_row
        File row number of the first data row (header row + 1).

    Raises
    ------
    DataValidationError
        Listing every problem at once.
    """
    data = wide.reset_index(drop=True)
    data.columns = [str(c) for c in data.columns]
    rows = pd.Series(range(first_row, first_row + len(data)), index=data.index, dtype="int64")
    table = SourceTable(data=data.astype(object), rows=rows, file=file)
    codebook = load_codebook(framework)
    options = IngestOptions(strict=strict, default_wave="1", id_prefix=False)
    return assemble(table, plan_columns(data.columns, codebook), codebook, options)
