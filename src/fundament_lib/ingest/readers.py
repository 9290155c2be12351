"""Read what survey tools write: text files in any of the usual encodings and
separators, and Excel workbooks — into plain grids of strings.

Every failure to read becomes a :class:`~fundament_lib.core.errors.DataFileError`
naming the file and saying what to do; nothing is decoded silently into
mojibake. The messages are documented in ``docs/ingest.md``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BufferedReader
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from fundament_lib.core.errors import DataFileError

from .cells import cells_frame, clean_cell, codes, distinct_cells, is_cells, object_column
from .encoding import EMPTY_FILE, OLE2, ZIP, decode_text, scan_file
from .fastcsv import read_csv_columns
from .text import is_blank

_T = TypeVar("_T")

__all__ = [
    "file_sha256",
    "Sheet",
    "SourceTable",
    "read_bytes",
    "decode_text",
    "sniff_separator",
    "read_text_grid",
    "read_text_table",
    "read_workbook",
    "sheet_names",
    "is_workbook",
    "table_from_sheet",
    "read_table",
    "blank_frame",
    "EMPTY_FILE",
    "NO_ROWS",
    "MERGED_HEADER",
]

NO_ROWS = "the file has a header row but no answers (no data rows below it)"
MERGED_HEADER = (
    "row {row} is not a single header row: {n} of {m} column names are empty although their "
    "columns hold answers ({cols}) — a title row or merged header cells above the column names? "
    "Delete the rows above the column names so that the first row holds one name per column"
)


@dataclass
class Sheet:
    """A grid of cells as read: ``rows`` holds (file row number, cells) for non-blank rows."""

    name: str
    rows: list[tuple[int, list[str | None]]]
    merged_header: list[str] = field(default_factory=list)
    merged_hidden: int = 0  # header cells under a merge, without their own name
    info: dict[str, str] = field(default_factory=dict)


@dataclass
class SourceTable:
    """One row per respondent (or per answer, long format) with the file's column names.

    Attributes
    ----------
    data
        Cells as cleaned strings (:func:`~.cells.clean_cell`; ``None`` where
        blank); columns are the header names, made unique. A text file read by
        pyarrow keeps its columns categorical (the same texts, missing where
        blank); :meth:`objects` gives them as strings and ``None``.
    rows
        The file row number of each data row (aligned with ``data.index``).
    file
        Name of the source used in every problem.
    info
        How it was read (encoding, separator, sheets).
    cell_rows
        Optional (index, column) → file row, where a cell's row differs from
        its respondent's (the long format).
    """

    data: pd.DataFrame
    rows: pd.Series
    file: str
    info: dict[str, object] = field(default_factory=dict)
    cell_rows: dict[tuple[object, str], int] | None = None

    def objects(self) -> pd.DataFrame:
        """``data`` with every column as objects: the cleaned strings, ``None`` where blank."""
        return pd.DataFrame({k: object_column(self.data.iloc[:, k]) if is_cells(self.data.iloc[:, k])
                             else self.data.iloc[:, k] for k in range(self.data.shape[1])},
                            index=self.data.index).set_axis(self.data.columns, axis=1)

    def row_of(self, index: object, column: str | None = None) -> int:
        """The file row of a data row (or of one cell)."""
        if self.cell_rows is not None and column is not None:
            found = self.cell_rows.get((index, column))
            if found is not None:
                return found
        return int(self.rows.at[index])


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes (the first ``limit`` only, if given), or a :class:`DataFileError` saying why not."""
    return _reading(path, lambda fh: fh.read() if limit is None else fh.read(limit))


def file_sha256(path: Path) -> tuple[str, int]:
    """(SHA-256 as hex, size in bytes) of a file, read in blocks (a national file is never held whole)."""
    return _reading(path, lambda fh: (hashlib.file_digest(fh, "sha256").hexdigest(), fh.tell()))


def _reading(path: Path, read: Callable[[BufferedReader], _T]) -> _T:
    """``read`` of the open file, or a :class:`DataFileError` saying why it cannot be read."""
    try:
        with path.open("rb") as fh:
            return read(fh)
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataFileError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc.strerror})") from None


def is_workbook(data: bytes) -> bool:
    """``True`` when the bytes are an .xlsx workbook (a zip archive)."""
    return data.startswith(ZIP)


def sniff_separator(text: str) -> str:
    """The field separator of a delimited text: ``;``, tab or ``,`` (the one that splits most consistently)."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_score = ",", (-1.0, 0)
    for sep in (";", "\t", ","):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if r][:50]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (consistent if width > 1 else 0.0, width)
        if score > best_score:
            best, best_score = sep, score
    return best


def read_text_grid(path: Path, *, file: str | None = None, data: bytes | None = None) -> Sheet:
    """Read a delimited text export into a :class:`Sheet`.

    Returns
    -------
    Sheet
        Named after the file; ``rows`` numbered as a spreadsheet shows them
        (one record per row, the header is row 1); ``info`` holds the
        encoding and separator found.
    """
    name = file or str(path)
    raw = read_bytes(path) if data is None else data
    if is_workbook(raw):
        raise DataFileError(f"{name}: an Excel workbook (.xlsx) with a text file's name — rename it to .xlsx")
    text, encoding = decode_text(raw, name)
    sep = sniff_separator(text)
    rows: list[tuple[int, list[str | None]]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sep), 1):
            cells = [clean_cell(c) for c in record]
            if any(c is not None for c in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        raise DataFileError(f"{name}: cannot be read as {_SEP_NAMES[sep]}-separated text ({exc})") from None
    return Sheet(name=Path(name).name, rows=rows,
                 info={"encoding": encoding, "separator": _SEP_NAMES[sep]})


_SEP_NAMES = {";": "semicolon", "\t": "tab", ",": "comma"}


def sheet_names(path: Path, *, file: str | None = None) -> list[str]:
    """The sheet names of an .xlsx workbook, without reading its cells.

    Raises
    ------
    DataFileError
        When the file is not a readable .xlsx workbook.
    """
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise DataFileError(f"{file or path}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    names = list(wb.sheetnames)
    wb.close()
    return names


def read_workbook(path: Path, *, file: str | None = None) -> dict[str, Sheet]:
    """Every sheet of an .xlsx workbook, values only (formulas as their last computed value).

    Raises
    ------
    DataFileError
        When the file is not a readable .xlsx workbook.
    """
    name = file or str(path)
    raw = read_bytes(path)
    if not raw.strip():
        raise DataFileError(f"{name}: {EMPTY_FILE}")
    if raw.startswith(OLE2):
        decode_text(raw, name)  # raises the .xls message
    if not is_workbook(raw):
        raise DataFileError(f"{name}: not an Excel workbook (.xlsx) — is it a CSV file with an .xlsx name?")
    import openpyxl

    try:
        with warnings.catch_warnings():
            # e.g. "Workbook contains no default style" (SurveyXact's workbooks): nothing the user can act on
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError,
            AttributeError) as exc:
        raise DataFileError(f"{name}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # openpyxl raises its own types for broken parts of a workbook
        raise DataFileError(f"{name}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    sheets: dict[str, Sheet] = {}
    for ws in wb.worksheets:
        rows: list[tuple[int, list[str | None]]] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), 1):
            cells = [clean_cell(c) for c in values]
            if any(c is not None for c in cells):
                rows.append((number, cells))
        first = rows[0][0] if rows else 1
        ranges = [r for r in ws.merged_cells.ranges if r.min_row <= first <= r.max_row]
        sheets[ws.title] = Sheet(name=ws.title, rows=rows, merged_header=[str(r) for r in ranges],
                                 merged_hidden=sum(r.max_col - r.min_col for r in ranges))
    wb.close()
    return sheets


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def table_from_sheet(sheet: Sheet, *, file: str) -> SourceTable:
    """Turn a sheet whose first non-blank row is the header into a :class:`SourceTable`.

    Columns without a name and without any answer (trailing separators, the
    SurveyXact export's empty last column) are dropped.

    Raises
    ------
    DataFileError
        For an empty sheet, a header without data rows, a header with merged
        or missing names over columns that hold answers, or rows with more
        cells than the header.
    """
    if not sheet.rows:
        raise DataFileError(f"{file}: {EMPTY_FILE}")
    header_row, header = sheet.rows[0]
    body = sheet.rows[1:]
    if sheet.merged_header:
        raise DataFileError(f"{file}: " + MERGED_HEADER.format(
            row=header_row, n=sheet.merged_hidden or len(sheet.merged_header), m=len(header),
            cols="merged cells " + ", ".join(sheet.merged_header[:3])))
    if not body:
        raise DataFileError(f"{file}: {NO_ROWS}")
    width = max(len(header), *(len(cells) for _, cells in body))
    names = [c or "" for c in header] + [""] * (width - len(header))
    columns = [pd.Series([cells[j] if j < len(cells) else None for _, cells in body], dtype=object)
               for j in range(width)]
    rows = np.array([n for n, _ in body], dtype=np.int64)
    return _named_table(names, columns, rows, file=file, info={**sheet.info, "header_row": header_row})


def _named_table(names: list[str], columns: list[pd.Series], rows: np.ndarray, *, file: str,
                 info: dict[str, object], categorical: bool = False) -> SourceTable:
    """Columns under their header names; refuses answers under no name, drops nameless empty columns.

    ``categorical``: keep the columns as :mod:`.cells` makes them (a small code
    per cell) rather than as object columns of strings and ``None``.
    """
    frame = cells_frame(pd.DataFrame(dict(enumerate(columns)), copy=False))
    used = [bool((codes(frame[j]) >= 0).any()) for j in range(len(names))]
    empty_named = [j for j in range(len(names)) if not names[j] and used[j]]
    if empty_named:
        letters = ", ".join(_column_letter(j) for j in empty_named[:5])
        raise DataFileError(f"{file}: " + MERGED_HEADER.format(
            row=info.get("header_row", 1), n=len(empty_named), m=len(names), cols=f"column {letters}"))
    keep = [j for j in range(len(names)) if names[j]]
    # Object columns whose cells share one string per distinct text: 8 bytes a cell, not one object each;
    # categorical ones (a national CSV): 1-4 bytes a cell.
    as_column = (lambda col: col) if categorical else object_column
    data = pd.DataFrame({k: as_column(frame[j]) for k, j in enumerate(keep)}, index=frame.index, copy=False)
    data.columns = _unique([names[j] for j in keep])
    return SourceTable(data=data, rows=pd.Series(rows, index=data.index, dtype="int64"), file=file, info=info)


def read_text_table(path: Path, *, file: str | None = None) -> SourceTable:
    """A delimited text export as a :class:`SourceTable`: read by pyarrow where it can, else by ``csv``.

    Both ways give the same table (see :mod:`.fastcsv`); the file is never held
    in memory as text on the fast way.

    Raises
    ------
    DataFileError
        See :func:`~.encoding.decode_text` and :func:`table_from_sheet`.
    """
    name = file or str(path)
    if is_workbook(read_bytes(path, 8)):
        raise DataFileError(f"{name}: an Excel workbook (.xlsx) with a text file's name — rename it to .xlsx")
    scan = scan_file(path, name)
    sep = sniff_separator(scan.head)
    info: dict[str, object] = {"encoding": scan.encoding, "separator": _SEP_NAMES[sep]}
    found = read_csv_columns(path, scan, sep)
    if found is None:
        return table_from_sheet(read_text_grid(path, file=name), file=name)
    # copy=False, and no row filter where every row has a cell: each copy of a national table is 25 MB more
    frame = cells_frame(pd.DataFrame(dict(enumerate(found.columns)), copy=False))
    filled = np.zeros(len(frame), dtype=bool)
    for j in range(frame.shape[1]):
        filled |= codes(frame[j]) >= 0
    if not filled.any():
        raise DataFileError(f"{name}: {NO_ROWS}")
    rows = np.flatnonzero(filled) + found.first_row
    body = frame if filled.all() else frame[filled].reset_index(drop=True)
    return _named_table(found.names, [body[j] for j in range(body.shape[1])], rows, file=name,
                        info={**info, "header_row": 1}, categorical=True)


def _column_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def read_table(path: Path, *, file: str | None = None) -> SourceTable:
    """A CSV/text file or the first non-empty sheet of an .xlsx workbook, as a :class:`SourceTable`.

    Raises
    ------
    DataFileError
        See :func:`~.encoding.decode_text`, :func:`read_workbook` and :func:`table_from_sheet`.
    """
    name = file or str(path)
    if is_workbook(read_bytes(path, 8)) or path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = read_workbook(path, file=name)
        sheet = next((s for s in sheets.values() if s.rows), None)
        if sheet is None:
            raise DataFileError(f"{name}: {EMPTY_FILE}")
        table = table_from_sheet(sheet, file=name)
        table.info.update({"sheet": sheet.name, "sheets": list(sheets)})
        return table
    return read_text_table(path, file=name)


def blank_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``True`` where a cell is missing or whitespace only (decided once per distinct cell of a column)."""
    out = {}
    for col in df.columns:
        found, uniques = distinct_cells(df[col])
        out[col] = np.append([is_blank(u) for u in uniques], True).astype(bool)[found]
    return pd.DataFrame(out, index=df.index)
