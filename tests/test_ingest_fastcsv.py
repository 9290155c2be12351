"""The pyarrow reader of delimited exports gives the same table as Python's ``csv`` module, or steps aside.

:func:`~fundament_lib.ingest.readers.read_text_table` reads a text export with
pyarrow (:mod:`fundament_lib.ingest.fastcsv`) where it can promise the table
:func:`~fundament_lib.ingest.readers.read_text_grid` gives — same header names,
cells, file row numbers and errors — and otherwise falls back to it. Checked on
arbitrary grids: quoted separators and line breaks, blank rows, ragged rows,
Danish letters, a byte-order mark, Windows-1252.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fundament_lib.core.errors import DataFileError
from fundament_lib.ingest import fastcsv
from fundament_lib.ingest.encoding import scan_file
from fundament_lib.ingest.readers import read_text_grid, read_text_table, table_from_sheet

CELL = st.text(alphabet=st.sampled_from(list('ab7 ;,"\næøå\u00a0.0\t')), max_size=6)
ROW = st.lists(CELL, min_size=1, max_size=5)


def _write(path: Path, rows: list[list[str]], sep: str, encoding: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _slow(path: Path) -> pd.DataFrame | str:
    try:
        table = table_from_sheet(read_text_grid(path), file=str(path))
    except DataFileError as exc:
        return str(exc)
    return table.data.assign(_row=table.rows.to_numpy())


def _fast(path: Path) -> pd.DataFrame | str:
    try:
        table = read_text_table(path)
    except DataFileError as exc:
        return str(exc)
    return table.objects().assign(_row=table.rows.to_numpy())  # the same texts; categorical as read


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(["id", "P1.1.1", "wave", "Fravær", "", "a b"]), min_size=1, max_size=5),
       body=st.lists(ROW, min_size=0, max_size=8), sep=st.sampled_from([";", ","]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_pyarrow_and_csv_read_the_same_table(tmp_path, header, body, sep, encoding):
    path = tmp_path / "x.csv"
    _write(path, [header, *body], sep, encoding)
    slow, fast = _slow(path), _fast(path)
    try:
        taken = fastcsv.read_csv_columns(path, scan_file(path, str(path)), sep) is not None
    except DataFileError:
        taken = False
    event("pyarrow" if taken else "csv module")
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
        return
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow.reset_index(drop=True), check_dtype=False)


def test_a_plain_export_is_read_by_pyarrow(tmp_path):
    path = tmp_path / "x.csv"
    _write(path, [["id", "P1.1.1"], ["1", "4"], ["", ""], ["2", " 5 "]], ";", "utf-8")
    scan = scan_file(path, str(path))
    found = fastcsv.read_csv_columns(path, scan, ";")
    assert found is not None  # the fast way was taken, not the fallback
    table = read_text_table(path)
    assert table.objects().to_dict("list") == {"id": ["1", "2"], "P1.1.1": ["4", "5"]}
    assert all(isinstance(table.data[c].dtype, pd.CategoricalDtype) for c in table.data)  # compact
    assert table.rows.tolist() == [2, 4]  # the blank row 3 is left out, rows numbered as in a spreadsheet


@pytest.mark.parametrize("head", ['"id\nx";P1.1.1\n1;2\n', "\n\nid;P1.1.1\n1;2\n"])
def test_a_header_pyarrow_cannot_read_exactly_falls_back(tmp_path, head):
    path = tmp_path / "x.csv"
    path.write_text(head, encoding="utf-8")
    assert fastcsv.read_csv_columns(path, scan_file(path, str(path)), ";") is None
    pd.testing.assert_frame_equal(_fast(path), _slow(path))
