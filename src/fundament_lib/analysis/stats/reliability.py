"""Reliability of the theme scales: alpha (with Feldt's interval) and omega of every theme,
pooled and per kommune (or any other unit).

The coefficients are :mod:`.alpha` and :mod:`.omega`; this module builds each
theme's respondents × items table from the tidy answers (reversed items
recoded, each answer on the scale it was given on) and applies them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from fundament_lib.analysis.scoring import respondents, scored_items
from fundament_lib.framework.model import Framework

from ._common import DEFAULT_CONFIDENCE, check_columns, check_confidence, check_min_n
from .alpha import alpha_from_cov
from .omega import omega_from_corr

__all__ = ["reliability_table"]


def _theme_matrix(data: pd.DataFrame, fw: Framework, by: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items (reversed items recoded) and the ``by`` columns, one row per respondent.

    From the tidy table the items are on 0–100, each answer on the scale it was given on
    (:func:`fundament_lib.analysis.scoring.scored_items`): for answers on one scale that is a linear
    rescaling of all items alike, which leaves alpha and omega as they are, and it puts the
    items of a theme asked on scales of different lengths on one footing.
    """
    item_ids = [i for ids in fw.theme_items().values() for i in ids]
    if "item_id" in data.columns:
        matrix = scored_items(data, fw, item_ids)[0]
        keys = respondents(data).reindex(matrix.index)
        check_columns(keys, by, parameter="data")
        return matrix, keys[by].reset_index(drop=True).set_axis(matrix.index)
    check_columns(data, item_ids, parameter="data")
    matrix = data[item_ids].astype("float64")
    check_columns(data, by, parameter="data")
    scale = fw.scales[fw.theme_scale]
    rev = [c for c in item_ids if c in fw.reversed_items()]
    matrix = matrix.copy()
    matrix[rev] = scale.low + scale.high - matrix[rev]
    return matrix, data[by].reset_index(drop=True).set_axis(matrix.index)


def reliability_table(data: pd.DataFrame, fw: Framework, *, by: str | Sequence[str] | None = "kommunekode",
                      min_n: int = 30, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Alpha (with Feldt's interval) and omega of every theme, pooled and per unit.

    Parameters
    ----------
    data
        The tidy answer table (``item_id``, ``value`` …), or a respondents ×
        items table with the ``by`` columns. Reversed items are recoded.
    fw
        The framework (themes and their items).
    by
        Column(s) of the units (default each kommune); ``None`` for the pooled
        rows only.
    min_n
        Fewer complete respondents than this: the row is kept with ``n`` but
        without coefficients.
    confidence
        Interval level of alpha.

    Returns
    -------
    pandas.DataFrame
        ``scope`` (``"pooled"`` or ``"unit"``), the ``by`` columns (missing in
        the pooled rows), ``id``, ``level``, ``k``, ``n`` (respondents with
        every item of the theme answered), ``alpha``, ``ci_low``, ``ci_high``,
        ``omega``.
    """
    min_n = check_min_n(min_n)
    confidence = check_confidence(confidence)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    matrix, keys = _theme_matrix(data, fw, by_cols)
    rows: list[dict[str, object]] = []
    for theme, ids in fw.theme_items().items():
        block = matrix[ids].to_numpy()
        if np.isnan(block).all():
            continue  # a theme nobody answered (not asked): no row
        parts: list[tuple[dict[str, object], np.ndarray]] = [({"scope": "pooled"}, block)]
        if by_cols:
            for key, pos in keys.groupby(by_cols, observed=True, sort=True).indices.items():
                key = key if isinstance(key, tuple) else (key,)
                parts.append(({"scope": "unit", **dict(zip(by_cols, key, strict=True))}, block[pos]))
        for label, x in parts:
            x = x[:, ~np.isnan(x).all(axis=0)]  # the statements this unit was asked
            x = x[~np.isnan(x).any(axis=1)]
            if label["scope"] == "unit" and x.shape[1] == 0:
                continue
            rows.append({**label, "id": theme, "level": "theme", "k": x.shape[1], "n": len(x),
                         **_coefficients(x, min_n, confidence)})
    return pd.DataFrame(rows, columns=["scope", *by_cols, "id", "level", "k", "n", "alpha", "ci_low", "ci_high",
                                       "omega"])


def _coefficients(x: np.ndarray, min_n: int, confidence: float) -> dict[str, float]:
    nan = {"alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan, "omega": np.nan}
    n = x.shape[0]
    if n < min_n or x.shape[1] < 2:
        return nan
    cov = np.cov(x, rowvar=False)
    alpha, low, high = alpha_from_cov(cov, n, confidence)
    sd = np.sqrt(np.diag(cov))
    omega = np.nan
    if np.all(sd > 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            omega = omega_from_corr(cov / np.outer(sd, sd))[0]
    return {"alpha": alpha, "ci_low": low, "ci_high": high, "omega": omega}
