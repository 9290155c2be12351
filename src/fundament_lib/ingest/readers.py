"""Read what survey tools write: text files in any of the usual encodings and
separators, and Excel workbooks — into plain grids of strings.

Every failure to read becomes a :class:`~fundament_lib.errors.DataFileError`
naming the file and saying what to do; nothing is decoded silently into
mojibake. The messages are documented in ``docs/ingest.md``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataFileError

__all__ = [
    "Sheet",
    "SourceTable",
    "read_bytes",
    "decode_text",
    "sniff_separator",
    "read_text_grid",
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

EMPTY_FILE = "the file is empty: no header row and no answers"
NO_ROWS = "the file has a header row but no answers (no data rows below it)"
MERGED_HEADER = (
    "row {row} is not a single header row: {n} of {m} column names are empty although their "
    "columns hold answers ({cols}) — a title row or merged header cells above the column names? "
    "Delete the rows above the column names so that the first row holds one name per column"
)
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"
# Mojibake of UTF-8 read as Windows-1252: "Ã¸" for "ø", "Ã¦" for "æ", "â€“" for "–".
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       "\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
                       "|\u00e2\u20ac[\u0080-\u00bf\u0153\u0161\u017e\u201c\u201d\u2122\u02dc\u2018\u2019]")
# Characters a Danish survey export plausibly holds beyond ASCII.
_PLAUSIBLE = set("\u00a0§°½¼¾«»£€–—‘’“”„…•´·×÷ª¹²³µ©®™") | {chr(c) for c in range(0xC0, 0x100)}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        Cells as strings (``None`` where blank); columns are the header names,
        made unique.
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

    def row_of(self, index: object, column: str | None = None) -> int:
        """The file row of a data row (or of one cell)."""
        if self.cell_rows is not None and column is not None:
            found = self.cell_rows.get((index, column))
            if found is not None:
                return found
        return int(self.rows.at[index])


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a :class:`DataFileError` saying why not."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataFileError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc.strerror})") from None


def is_workbook(data: bytes) -> bool:
    """``True`` when the bytes are an .xlsx workbook (a zip archive)."""
    return data.startswith(_ZIP)


def _check_mojibake(text: str, file: str) -> None:
    m = _MOJIBAKE.search(text)
    if m:
        row = text.count("\n", 0, m.start()) + 1
        raise DataFileError(
            f"{file}: wrong encoding — row {row} holds {m.group()!r}, which is how UTF-8 text looks "
            "after it was read as Windows-1252 and saved again (mojibake, e.g. 'Ã¸' for 'ø'). "
            "Export the file again from the survey tool (UTF-8 or Windows-1252) instead of re-saving it"
        )


def _implausible(text: str) -> str | None:
    if _CONTROL.search(text):
        return "control characters"
    odd = sorted({c for c in text if ord(c) > 127 and c not in _PLAUSIBLE})
    return "".join(odd[:8]) if odd else None


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Decode a text export; return (text, encoding).

    Tries, in order: a byte-order mark (UTF-8, UTF-16), UTF-16 without one,
    UTF-8, Windows-1252; charset-normalizer is asked only when Windows-1252
    gives characters a Danish export would not hold.

    Raises
    ------
    DataFileError
        For an empty file, a binary file, mojibake (UTF-8 read as
        Windows-1252 and saved again), or an encoding that cannot be told.
    """
    if not data.strip(b"\x00 \t\r\n\xef\xbb\xbf\xff\xfe"):
        raise DataFileError(f"{file}: {EMPTY_FILE}")
    if data.startswith(_OLE2):
        raise DataFileError(f"{file}: an old Excel 97–2003 (.xls) workbook — open it in Excel and "
                            "save it as .xlsx (Excel-projektmappe)")
    text, encoding = _decode(data, file)
    _check_mojibake(text, file)
    if not text.strip():
        raise DataFileError(f"{file}: {EMPTY_FILE}")
    return text.lstrip("\ufeff"), encoding


def _decode(data: bytes, file: str) -> tuple[str, str]:
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, enc in boms:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise DataFileError(f"{file}: wrong encoding — the file starts with a {enc} "
                                    f"byte-order mark but byte {exc.start} is not {enc}") from None
    head = data[:4096]
    if b"\x00" in head:
        zeros_odd = head[1::2].count(0) / max(1, len(head[1::2]))
        zeros_even = head[0::2].count(0) / max(1, len(head[0::2]))
        enc = "utf-16-le" if zeros_odd > 0.3 else "utf-16-be" if zeros_even > 0.3 else ""
        if enc:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass
        raise DataFileError(f"{file}: not a text file (it holds binary data) — export the survey "
                            "as CSV or Excel (.xlsx)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        odd = _implausible(text)
    except UnicodeDecodeError:
        text, odd = "", "bytes undefined in Windows-1252"
    if odd is None:
        return text, "cp1252"
    return _ask_charset_normalizer(data, file, odd)


def _ask_charset_normalizer(data: bytes, file: str, odd: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        guess = str(best)
        if _implausible(guess) is None and not _MOJIBAKE.search(guess):
            return guess, str(best.encoding)
    raise DataFileError(
        f"{file}: wrong encoding — the file is neither UTF-8 nor Windows-1252 (read as Windows-1252 "
        f"it holds {odd!r}). Export it again from the survey tool as UTF-8 (CSV UTF-8) or as .xlsx"
    )


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


def _clean(cell: object) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        if cell != cell:  # NaN
            return None
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else format(cell, ".15g")
    if isinstance(cell, (dt.datetime, dt.date, dt.time)):
        return cell.isoformat()
    s = str(cell).replace("\u00a0", " ").strip()
    return s or None


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
            cells = [_clean(c) for c in record]
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
    if raw.startswith(_OLE2):
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
            cells = [_clean(c) for c in values]
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
    grid = [cells + [None] * (width - len(cells)) for _, cells in body]
    used = [any(r[j] is not None for r in grid) for j in range(width)]
    empty_named = [j for j in range(width) if not names[j] and used[j]]
    if empty_named:
        letters = ", ".join(_column_letter(j) for j in empty_named[:5])
        raise DataFileError(f"{file}: " + MERGED_HEADER.format(
            row=header_row, n=len(empty_named), m=width, cols=f"column {letters}"))
    keep = [j for j in range(width) if names[j]]
    data = pd.DataFrame([[r[j] for j in keep] for r in grid], columns=_unique([names[j] for j in keep]),
                        dtype=object)
    rows = pd.Series([n for n, _ in body], index=data.index, dtype="int64")
    return SourceTable(data=data, rows=rows, file=file, info={**sheet.info, "header_row": header_row})


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
        See :func:`decode_text`, :func:`read_workbook` and :func:`table_from_sheet`.
    """
    name = file or str(path)
    raw = read_bytes(path)
    if is_workbook(raw) or path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = read_workbook(path, file=name)
        sheet = next((s for s in sheets.values() if s.rows), None)
        if sheet is None:
            raise DataFileError(f"{name}: {EMPTY_FILE}")
        table = table_from_sheet(sheet, file=name)
        table.info.update({"sheet": sheet.name, "sheets": list(sheets)})
        return table
    return table_from_sheet(read_text_grid(path, file=name, data=raw), file=name)


def blank_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``True`` where a cell is missing or whitespace only (vectorised)."""
    out = {}
    for col in df.columns:
        s = df[col]
        out[col] = (s.isna() | s.astype("string").str.strip().eq("")).fillna(True).to_numpy(dtype=bool)
    return pd.DataFrame(out, index=df.index)
