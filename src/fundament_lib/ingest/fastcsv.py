"""Delimited text read by pyarrow's multi-threaded CSV reader, straight into compact categorical columns.

A national export (300,000 respondents × 80 columns) read by Python's ``csv``
module becomes 24 million Python strings; read here it becomes one small
integer per cell and each distinct text once. pyarrow reads the file in
blocks, every column dictionary-encoded, and each block's dictionary is merged
into the column's own as it comes, so the whole file is never held as text.

The result equals what :func:`~.readers.read_text_grid` gives (rows numbered
as a spreadsheet shows them, blank rows left out, cells cleaned by
:func:`~.cells.clean_cell`) — ``tests/test_ingest_fastcsv.py`` checks this on
arbitrary files. Where pyarrow cannot promise that — a header that is not on
the first line, rows of another width than the header, text that
charset-normalizer had to decode — :func:`read_csv_columns` returns ``None``
and the caller reads the file with Python's ``csv`` module instead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .cells import as_cells, clean_cell
from .encoding import TextScan

__all__ = ["CsvColumns", "read_csv_columns"]

_BLOCK = 1 << 20
_TEXT = pa.dictionary(pa.int32(), pa.string())


@dataclass
class CsvColumns:
    """A delimited file as header names and one categorical column per field (all rows, blank ones included)."""

    names: list[str]
    columns: list[pd.Series]
    first_row: int = 2  # the file row of the first data row (the header is row 1)
    info: dict[str, str] = field(default_factory=dict)


class _Column:
    """One column's distinct texts, merged block by block, and the code of every cell."""

    def __init__(self) -> None:
        self.lookup: dict[str, int] = {}
        self.values: list[str] = []
        self.parts: list[np.ndarray] = []

    def add(self, array: pa.DictionaryArray) -> None:
        local = array.dictionary.to_pylist()
        remap = np.empty(len(local), dtype=np.int32)
        for k, text in enumerate(local):
            code = self.lookup.get(text)
            if code is None:
                code = self.lookup[text] = len(self.values)
                self.values.append(text)
            remap[k] = code
        self.parts.append(_narrow(remap[array.indices.to_numpy(zero_copy_only=False)], len(self.values)))

    def finish(self) -> pd.Series:
        dtype = _narrow(np.zeros(0, dtype=np.int32), len(self.values)).dtype
        codes = np.concatenate([p.astype(dtype, copy=False) for p in self.parts]) if self.parts else \
            np.zeros(0, dtype=dtype)
        self.parts, self.lookup = [], {}
        cats = pd.Index(np.asarray(self.values, dtype=object), dtype=object)
        return as_cells(pd.Series(pd.Categorical.from_codes(codes, categories=cats)))


def _narrow(codes: np.ndarray, n: int) -> np.ndarray:
    """Codes in the smallest integer type that holds ``n`` distinct values."""
    dtype = np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32
    return codes.astype(dtype, copy=False)


def _header(scan: TextScan, sep: str) -> list[str] | None:
    """The first line's names, when the first line is a complete, non-blank header of one line."""
    reader = csv.reader(io.StringIO(scan.head, newline=""), delimiter=sep)
    try:
        first = next(reader)
        if reader.line_num != 1:
            return None  # a name with a line break: pyarrow counts lines, not records, when skipping
        if len(scan.head) >= (1 << 16) - 1 and next(reader, None) is None:
            return None  # the header may go on beyond the part decoded
    except (StopIteration, csv.Error):
        return None
    cleaned = [clean_cell(c) for c in first]
    if not any(cleaned):
        return None  # blank lines above the header: the slow path numbers them
    return [c or "" for c in cleaned]


def _pyarrow_encoding(encoding: str) -> str:
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding  # the BOM sits on the skipped header line


def _read(path: Path, names: list[str], sep: str, scan: TextScan) -> tuple[list[_Column], list[int]] | None:
    """Every column's codes; the widths of rows that had another width than ``names`` (then ``None``)."""
    widths: list[int] = []

    def odd_row(row: pacsv.InvalidRow) -> str:
        widths.append(row.actual_columns)
        return "skip"

    keys = [f"c{j}" for j in range(len(names))]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=keys, skip_rows=1, block_size=_BLOCK,
                                       encoding=_pyarrow_encoding(scan.encoding)),
        parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True, escape_char=False,
                                         newlines_in_values=scan.has_quote, ignore_empty_lines=False,
                                         invalid_row_handler=odd_row),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(keys, _TEXT), strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    columns = [_Column() for _ in keys]
    for batch in reader:
        for j, column in enumerate(columns):
            column.add(batch.column(j))
    del reader
    pa.default_memory_pool().release_unused()  # the blocks read: else the allocator keeps them for itself
    return columns, widths


def read_csv_columns(path: Path, scan: TextScan, sep: str) -> CsvColumns | None:
    """Read a delimited file with pyarrow, or ``None`` when only the ``csv`` module reads it exactly.

    Parameters
    ----------
    path
        The file.
    scan
        Its encoding (:func:`~.encoding.scan_file`).
    sep
        The field separator.
    """
    if scan.text is not None:
        return None
    names = _header(scan, sep)
    if names is None:
        return None
    try:
        found = _read(path, names, sep, scan)
        if found is not None and found[1]:  # rows wider than the header, all alike: read again that wide
            wider = set(found[1])
            if len(wider) != 1 or min(wider) < len(names):
                return None
            names = names + [""] * (wider.pop() - len(names))
            found = _read(path, names, sep, scan)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if found is None or found[1]:
        return None
    return CsvColumns(names=names, columns=[c.finish() for c in found[0]])
