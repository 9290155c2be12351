"""Writing tables for spreadsheets: CSV and XLSX that open safely in Excel.

Spreadsheet safety
------------------
Text that starts with ``=``, ``+``, ``-`` or ``@`` (also after leading
whitespace), or with a tab or carriage return, is prefixed with a single quote
in CSV and XLSX (OWASP, "CSV Injection"), so a spreadsheet never runs it as a
formula. CSV is UTF-8 with a byte-order mark (Excel then reads æøå) and, by
default, ``;``-separated with a decimal comma as Danish Excel expects.
Every file is written atomically.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fundament_lib.core.atomic import write_bytes, write_parquet

__all__ = ["CsvStyle", "DANISH", "INTERNATIONAL", "neutralise", "neutralise_frame", "write_table", "write_workbook"]

_FORMULA = re.compile(r"^(?:[\t\r]|\s*[=+\-@])")


@dataclass(frozen=True)
class CsvStyle:
    """How CSV files are written: field separator and decimal mark (always UTF-8 with BOM)."""

    sep: str = ";"
    decimal: str = ","

    def __post_init__(self) -> None:
        if self.sep == self.decimal:
            raise ValueError(f"decimal: must differ from the separator {self.sep!r}, got {self.decimal!r}")
        if self.sep not in (";", ",", "\t", "|"):
            raise ValueError(f"sep: expected one of ';', ',', tab, '|', got {self.sep!r}")
        if self.decimal not in (",", "."):
            raise ValueError(f"decimal: expected ',' or '.', got {self.decimal!r}")


DANISH = CsvStyle(";", ",")
INTERNATIONAL = CsvStyle(",", ".")


def neutralise(value: object) -> object:
    """Prefix a single quote to text a spreadsheet would read as a formula; other values unchanged.

    Examples
    --------
    >>> neutralise("=SUM(A1:A9)")
    "'=SUM(A1:A9)"
    >>> neutralise("  @cmd")
    "'  @cmd"
    >>> neutralise("Helt enig"), neutralise(-3)
    ('Helt enig', -3)
    """
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell passed through :func:`neutralise` (numbers untouched)."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(neutralise, na_action="ignore")
    return out

def _csv_bytes(frame: pd.DataFrame, style: CsvStyle) -> bytes:
    text = neutralise_frame(frame).to_csv(sep=style.sep, decimal=style.decimal, index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def write_table(frame: pd.DataFrame, folder: Path, name: str, *, formats: Iterable[str] = ("parquet", "csv"),
                style: CsvStyle = DANISH) -> list[Path]:
    """Write one table as ``<name>.parquet`` and/or ``<name>.csv`` atomically; returns the paths."""
    written = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        if fmt == "parquet":
            write_parquet(frame, path)
        elif fmt == "csv":
            write_bytes(path, _csv_bytes(frame, style))
        else:
            continue
        written.append(path)
    return written


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write sheets (name → table) to one XLSX file atomically, text neutralised, header frozen.

    Rows are streamed (openpyxl's write-only mode), so a respondent-level table
    of half a million rows fits in modest memory.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.freeze_panes = "A2"
        for j, col in enumerate(frame.columns, start=1):
            width = min(60, max(8, len(str(col)) + 2, *(len(str(v)) for v in frame[col].head(50))))
            sheet.column_dimensions[get_column_letter(j)].width = width
        sheet.append([str(c) for c in frame.columns])
        for row in neutralise_frame(frame).astype(object).itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    write_bytes(path, buf.getvalue())
    return path


def _cell(value: object) -> object:
    """A value openpyxl can store: missing → empty cell, numpy scalars → Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value
