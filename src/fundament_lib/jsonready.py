"""Turn tables into JSON-ready records: NaN/NA become ``None``, numpy scalars plain Python,
floats rounded to 4 decimals (enough for scores on 0–100 and shares on 0–1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["records", "plain"]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts: NaN/NA become ``None``, numpy scalars plain Python."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(4)
    boxed = out.astype(object).where(out.notna(), None)
    return boxed.to_dict(orient="records")  # pandas boxes numpy scalars as Python ones


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
