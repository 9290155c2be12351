"""The cells of a source table as compact categorical columns: each distinct value cleaned and read once.

A survey column holds few distinct values (five answer codes, two groups, one
wave) in many rows. Every column of a :class:`~.readers.SourceTable` is
therefore a pandas ``Categorical`` whose categories are the *cleaned* texts
(:func:`clean_cell`: NFC, stripped, no-break spaces as spaces, numbers from a
workbook as a spreadsheet shows them) and whose blank cells are missing. Code
that reads a column works on its categories and spreads the result to the rows
by the categories' codes (:func:`per_category`, :func:`spread`), so a file of
300,000 respondents costs about as much Python work as one of 300.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.core.values import plain_text

__all__ = ["clean_cell", "as_cells", "distinct_cells", "cells_frame", "codes", "categories", "per_category", "spread", "map_cells",
           "cell_at", "is_cells", "object_column"]


def clean_cell(cell: object) -> str | None:
    """A cell as text, the way every reader gives it; ``None`` for a blank one.

    Whole floats lose their ``.0`` (a workbook stores ``4`` as ``4.0``), booleans
    are ``1``/``0``, dates ISO; text is NFC, stripped, no-break spaces as spaces.
    """
    if cell is None:
        return None
    if isinstance(cell, (bool, np.bool_)):
        return "1" if cell else "0"
    if isinstance(cell, (float, np.floating)):
        if cell != cell:  # NaN
            return None
        value = float(cell)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
    if isinstance(cell, (dt.datetime, dt.date, dt.time)):
        return cell.isoformat()
    if cell is pd.NA or cell is pd.NaT:
        return None
    text = plain_text(cell)
    return text or None


def is_cells(values: pd.Series) -> bool:
    """``True`` when a column is already categorical (as :func:`as_cells` makes it)."""
    return isinstance(values.dtype, pd.CategoricalDtype)


def as_cells(values: pd.Series) -> pd.Series:
    """A column as a categorical of cleaned texts (blank cells missing), index kept.

    Categories that clean to the same text (``" 3"`` and ``"3"``, ``4`` and
    ``4.0``) become one; categories that clean to nothing become missing.
    """
    if is_cells(values):
        raw_codes = np.asarray(values.cat.codes)
        uniques = np.asarray(values.cat.categories, dtype=object)
    else:
        raw_codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    cleaned = np.array([clean_cell(u) for u in uniques], dtype=object)
    if is_cells(values) and values.cat.categories.dtype == object and np.array_equal(cleaned, uniques):
        return values  # cleaned already (categories are distinct): no new codes for every row
    new_codes, new_uniques = pd.factorize(cleaned, use_na_sentinel=True)
    remap = np.append(new_codes, -1)  # a missing cell (code -1) stays missing
    cats = pd.Index(np.asarray(new_uniques, dtype=object), dtype=object)
    return pd.Series(pd.Categorical.from_codes(remap[raw_codes], categories=cats), index=values.index,
                     name=values.name, copy=False)


def cells_frame(data: pd.DataFrame, *, clean_categoricals: bool = False) -> pd.DataFrame:
    """Every column of ``data`` through :func:`as_cells` (column names and index kept).

    Categorical columns are taken as already cleaned — they come from
    :func:`as_cells` — unless ``clean_categoricals`` (data from outside the loader).
    """
    def one(col: pd.Series) -> pd.Series:
        return col if is_cells(col) and not clean_categoricals else as_cells(col)

    return pd.DataFrame({j: one(data.iloc[:, j]) for j in range(data.shape[1])}, index=data.index, copy=False
                        ).set_axis(data.columns, axis=1)


def distinct_cells(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of every cell, distinct values): a categorical column's own, any other column factorized.

    Missing cells have code -1.
    """
    if is_cells(values):
        return codes(values), categories(values)
    found, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    return found, np.asarray(uniques, dtype=object)


def codes(values: pd.Series) -> np.ndarray:
    """The category code of every cell (``-1`` where blank)."""
    return np.asarray(values.cat.codes)


def categories(values: pd.Series) -> np.ndarray:
    """The distinct cleaned texts of a column, as an object array."""
    return np.asarray(values.cat.categories, dtype=object)


def per_category(values: pd.Series, fn: Callable[[str], Any]) -> list[Any]:
    """``fn`` of every distinct text of a column, in category order."""
    return [fn(c) for c in categories(values)]


def spread(values: pd.Series, table: np.ndarray | list[Any], blank: Any, *, dtype: Any = object) -> np.ndarray:
    """Per-category results spread to the rows: ``table[code]``, ``blank`` where the cell is blank."""
    arr = np.empty(len(table) + 1, dtype=dtype)
    arr[:-1] = table
    arr[-1] = blank
    return arr[codes(values)]  # code -1 picks the blank entry at the end


def map_cells(values: pd.Series, fn: Callable[[str], Any], *, blank: Any = None) -> pd.Series:
    """``fn`` of every cell, computed once per distinct text; ``blank`` for blank cells (an object Series)."""
    if not is_cells(values):
        values = as_cells(values)
    return pd.Series(spread(values, per_category(values, fn), blank), index=values.index, dtype=object)


def object_column(values: pd.Series) -> pd.Series:
    """A categorical column of cells as an object column (``None`` where blank), index kept.

    Every cell refers to its category's one string, so the column costs a
    pointer per cell rather than a Python string per cell.
    """
    table = np.concatenate([categories(values), np.array([None], dtype=object)])
    return pd.Series(table[codes(values)], index=values.index, name=values.name, dtype=object)


def cell_at(data: pd.DataFrame, index: object, column: str) -> str | None:
    """One cell as the user wrote it (cleaned), ``None`` where blank — for problem reports."""
    value = data.at[index, column]
    return None if value is None or (isinstance(value, float) and value != value) else str(value)
