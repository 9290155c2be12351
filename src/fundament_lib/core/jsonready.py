"""Turn tables into JSON-ready records: NaN/NA become ``None``, numpy scalars plain Python,
floats rounded to 4 decimals (enough for scores on 0–100 and shares on 0–1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["records", "plain"]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts: NaN/NA become ``None``, numpy scalars plain Python.

    Built column by column (``Series.tolist`` gives Python scalars of a whole column at once):
    a summary cuts about a thousand small tables, and reading them cell by cell was most of its time.
    """
    if len(df.columns) == 0:
        return [{} for _ in range(len(df))]
    columns = [_column(df.iloc[:, i]) for i in range(len(df.columns))]
    names = list(df.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _column(s: pd.Series) -> list[Any]:
    """One column as JSON-ready Python values (floats rounded, missing values ``None``)."""
    if pd.api.types.is_float_dtype(s):
        s = s.round(4)
    values = s.tolist()
    if s.dtype == object:  # an object column may hold numpy scalars; tolist leaves them as they are
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
    missing = s.isna().to_numpy()
    if missing.any():
        values = [None if m else v for v, m in zip(values, missing, strict=True)]
    return values


def plain(v: object) -> object:
    """One value as JSON-ready Python (see the module docstring)."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating | float):
        return None if np.isnan(v) else round(float(v), 4)
    return v
