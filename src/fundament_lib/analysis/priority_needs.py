"""The five needs of the priority rule, each on 0–1, and their weighted mean (the index).

A need without a value (no benchmark with one kommune, no gap where a group is
hidden) is NaN and drops out of the mean with its weight; the index is
recomputed the same way in every bootstrap replicate of the scores and gaps
(:func:`replicate_index`). The rule itself is :mod:`.priority`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["COMPONENTS", "GAP_FULL", "components", "derived_need", "gap_need", "priority_index", "replicate_index"]

COMPONENTS = ("performance", "benchmark", "stated_importance", "derived_importance", "gap")
GAP_FULL = 25.0  # points of staff–frontline gap that count as the full need


def components(themes: pd.DataFrame) -> pd.DataFrame:
    """The five needs (0–1) per theme; NaN where the input is missing.

    ``themes`` has ``score``, ``percentile``, ``importance``, ``driver`` and ``gap`` columns,
    and optionally ``gap_significant`` (where it is false the gap counts as 0; without the
    column every gap counts as given) and ``gap_norm`` (the national norm the gap is measured
    from; 0 without it).
    """
    driver = themes["driver"].astype(float)
    return pd.DataFrame({
        "performance": (100 - themes["score"].astype(float)) / 100,
        "benchmark": (100 - themes["percentile"].astype(float)) / 100,
        "stated_importance": themes["importance"].astype(float) / 100,
        "derived_importance": derived_need(driver),
        "gap": gap_need(themes["gap"].astype(float).to_numpy() - _gap_norm(themes), _gap_counts(themes)),
    }, index=themes.index)


def derived_need(driver: pd.Series) -> pd.Series:
    """Derived importance on 0–1: each theme's link to the outcome relative to the kommune's
    strongest (a negative link counts as none)."""
    high = driver.max()
    if pd.isna(high) or high <= 0:
        return pd.Series(np.nan, index=driver.index)
    return driver.clip(lower=0) / high


def _gap_norm(themes: pd.DataFrame) -> np.ndarray:
    """The national staff–frontline norm per theme (0 where there is none)."""
    if "gap_norm" not in themes:
        return np.zeros(len(themes))
    return themes["gap_norm"].astype(float).fillna(0.0).clip(lower=0).to_numpy()


def gap_need(gap: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The gap component: 0 at no gap, 1 at :data:`GAP_FULL` points or more; 0 where the gap does
    not count (its interval includes 0); NaN where there is no gap (a group hidden)."""
    need = np.clip(gap, 0, GAP_FULL) / GAP_FULL
    return np.where(np.isnan(gap), np.nan, np.where(counts, need, 0.0))


def _gap_counts(themes: pd.DataFrame) -> np.ndarray:
    if "gap_significant" not in themes:
        return np.ones(len(themes), dtype=bool)
    return themes["gap_significant"].fillna(False).astype(bool).to_numpy()


def priority_index(comp: pd.DataFrame | np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the available components (a missing one's weight is left out).

    ``comp`` is themes × components (or replicates × themes × components).
    """
    values = np.asarray(comp, dtype=float)
    w = np.array([weights[c] for c in COMPONENTS], dtype=float)
    present = ~np.isnan(values)
    total = (np.where(present, values, 0) * w).sum(axis=-1)
    norm = (present * w).sum(axis=-1)
    return np.divide(total, norm, out=np.full(total.shape, np.nan), where=norm > 0)

def replicate_index(themes: pd.DataFrame, comp: pd.DataFrame, replicates: np.ndarray,
                    weights: Mapping[str, float], gap_replicates: np.ndarray | None = None) -> np.ndarray:
    """Priority index in every bootstrap replicate of the scores and gaps (replicates × themes)."""
    rep = np.repeat(comp.to_numpy()[None, :, :], replicates.shape[0], axis=0)
    rep[:, :, COMPONENTS.index("performance")] = (100 - replicates) / 100
    if gap_replicates is not None:
        counts = _gap_counts(themes) & ~np.isnan(comp["gap"].to_numpy())
        excess = gap_replicates - _gap_norm(themes)[None, :]
        rep[:, :, COMPONENTS.index("gap")] = np.where(counts[None, :], gap_need(excess, counts[None, :]),
                                                      rep[:, :, COMPONENTS.index("gap")])
    return priority_index(rep, weights)

