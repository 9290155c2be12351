"""Throw arbitrary cells and shapes at the loader: it loads, or raises the project's own error — never a raw
pandas, openpyxl or csv traceback."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from fundament_lib.core.errors import FundamentError
from fundament_lib.framework import load_framework
from fundament_lib.ingest import TIDY_COLUMNS, ingest
from fundament_lib.ingest.answers import parse_answers

FW = load_framework("fundament2024")
CB = FW.codebook()
HEADERS = st.one_of(
    st.sampled_from([*CB["item_id"].head(12), *CB["text"].head(8), "ID", "Id", "Starttidspunkt", "Start time",
                     "Fuldførelsestidspunkt", "Completion time", "Mail", "Navn", "Email", "kommunekode", "group",
                     "wave", "respondent_id", "item_id", "value", "status", "text", "fagomraade", "stato_2",
                     "", " ", "P1.1.1", "rådgive på problemer"]),
    st.text(max_size=15),
)
CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "Ved ikke", "Ikke relevant", "Helt enig", "Meget enig", "I høj grad", "3", "4,5",
                     "1.234,5", "-1", "1e309", "nan", "NaN", "NA", "anonymous", ";", '"', "\n", "Ã¸", "ø", "🙂",
                     "=SUM(A1)", "0", "100", "101", "707", "Norddjurs", "stab", "borgernaer", "2025", "P1.1.1",
                     "Administration;It;", "skole", "\x00", "\ufeff"]),
    st.text(max_size=12),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def grids(draw: st.DrawFn) -> list[list[object]]:
    width = draw(st.integers(1, 7))
    header = [draw(HEADERS) for _ in range(width)]
    rows = [[draw(CELLS) for _ in range(draw(st.integers(max(0, width - 2), width + 1)))]
            for _ in range(draw(st.integers(0, 6)))]
    return [header, *rows] if draw(st.booleans()) or not rows else rows


def _csv(grid: list[list[object]], sep: str, encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep).writerows([["" if c is None else c for c in r] for r in grid])
    return buf.getvalue().encode(encoding, errors="replace")


def _cell(c: object) -> object:
    if isinstance(c, float) and not np.isfinite(c):
        return str(c)
    return ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes | None:
    wb = Workbook()
    first = True
    for name, grid in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = name
        first = False
        for row in grid:
            try:
                ws.append([_cell(c) for c in row])
            except Exception:  # e.g. a formula openpyxl cannot store: such a workbook cannot exist
                return None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _load_or_refuse(data: bytes, suffix: str, **kwargs: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{suffix}"
        path.write_bytes(data)
        try:
            result = ingest(path, **kwargs)  # type: ignore[arg-type]
        except FundamentError as exc:
            event(f"refused: {type(exc).__name__}")
            return
        event("loaded")
        assert list(result.data.columns) == list(TIDY_COLUMNS)
        assert result.data["status"].isin(["svar", "ved_ikke", "ubesvaret"]).all()
        assert result.data.loc[result.data["status"] != "svar", "value"].isna().all()


OPTIONS = st.fixed_dictionaries({}, optional={
    "kommune": st.sampled_from(["707", "101"]), "group": st.sampled_from(["stab", "borgernaer"]),
    "wave": st.sampled_from(["2025", "x"]), "strict": st.booleans(),
    "format": st.sampled_from(["auto", "long", "wide", "forms", "surveyxact"]),
})


@SETTINGS
@given(grid=grids(), sep=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]), options=OPTIONS)
def test_any_csv_loads_or_raises_a_fundament_error(grid, sep, encoding, options):
    _load_or_refuse(_csv(grid, sep, encoding), ".csv", **options)


@SETTINGS
@given(grid=grids(), options=OPTIONS)
def test_any_workbook_loads_or_raises_a_fundament_error(grid, options):
    data = _xlsx({"Sheet1": grid})
    if data is not None:
        _load_or_refuse(data, ".xlsx", **options)


@SETTINGS
@given(dataset=grids(), structure=grids(), labels=grids(), options=OPTIONS)
def test_any_surveyxact_like_workbook_loads_or_raises_a_fundament_error(dataset, structure, labels, options):
    data = _xlsx({"Dataset": dataset, "Structure": [["questionName", "variableName", "questionType", "subType",
                                                      "questionText", "choiceValue", "choiceText"], *structure],
                  "Labels": labels})
    if data is not None:
        _load_or_refuse(data, ".xlsx", **options)


@SETTINGS
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_any_bytes_load_or_raise_a_fundament_error(raw, suffix):
    _load_or_refuse(raw, suffix, kommune="707", group="stab", wave="2025")


FIX = Path(__file__).parent / "fixtures" / "ingest"
WIDE = pd.read_csv(FIX / "wide_707_cp1252.csv", sep=";", dtype=str, encoding="cp1252", keep_default_na=False,
                   nrows=8)
FORMS = pd.read_excel(FIX / "forms_707_borgernaer_da.xlsx", dtype=object, nrows=6)


@st.composite
def mutated(draw: st.DrawFn, base: pd.DataFrame) -> list[list[object]]:
    """A real export with some cells, headers, columns and rows spoilt."""
    frame = base.astype(object).where(base.notna(), None)
    header = list(frame.columns)
    rows = frame.values.tolist()
    for _ in range(draw(st.integers(0, 12))):
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
        rows[r][c] = draw(CELLS)
    for _ in range(draw(st.integers(0, 3))):
        header[draw(st.integers(0, len(header) - 1))] = draw(HEADERS)
    drop = set(draw(st.lists(st.integers(0, len(header) - 1), max_size=4)))
    keep = [j for j in range(len(header)) if j not in drop] or [0]
    rows = [[row[j] for j in keep] for row in rows]
    if draw(st.booleans()):
        rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
    return [[header[j] for j in keep], *rows]


@SETTINGS
@given(grid=st.one_of(mutated(WIDE), mutated(FORMS)), as_csv=st.booleans(), options=OPTIONS)
def test_a_spoilt_real_export_loads_or_raises_a_fundament_error(grid, as_csv, options):
    if as_csv:
        _load_or_refuse(_csv(grid, ";", "utf-8"), ".csv", **options)
    else:
        data = _xlsx({"Sheet1": grid})
        if data is not None:
            _load_or_refuse(data, ".xlsx", **options)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(CELLS, max_size=20), scale=st.sampled_from(["enighed", "grad", "valgt", "procent", "tekst"]))
def test_parse_answers_never_raises_and_keeps_ved_ikke_out_of_the_numbers(cells, scale):
    parsed = parse_answers(pd.Series(cells, dtype=object), FW.scales[scale])
    assert parsed.status.isin(["svar", "ved_ikke", "ubesvaret"]).all()
    assert parsed.value[parsed.status != "svar"].isna().all()
    assert not (parsed.bad & (parsed.status != "ubesvaret")).any()
    if FW.scales[scale].kind in ("likert", "choice"):
        assert parsed.value.dropna().isin(list(FW.scales[scale].labels)).all()
