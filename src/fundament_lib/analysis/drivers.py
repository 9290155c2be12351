"""Key-driver analysis: which themes drive the frontline leaders' room to lead.

Two ways to split a regression's R² among correlated predictors, as survey
platforms do for key-driver analysis:

* **Johnson's relative weights** (Johnson 2000, *Multivariate Behavioral
  Research* 35:1–19): regress the outcome on the orthogonal counterpart of the
  predictors and map back; the weights add up to R².
* **Shapley decomposition of R²** (LMG; Lindeman, Merenda & Gold 1980;
  R ``relaimpo::calc.relimp(type = "lmg")``): each predictor's average gain in
  R² over all orders of entry; exact over all 2^p subsets.

Both work on standardised complete cases.
"""

from __future__ import annotations

from itertools import combinations
from math import comb
from typing import Literal

import numpy as np
import pandas as pd

from fundament_lib.framework.model import Framework

__all__ = ["relative_weights", "shapley_r2", "driver_table", "DriverError", "MIN_CASES_PER_THEME",
           "MIN_CASES"]

MIN_CASES = 30  # complete cases below which a driver table is not made …
MIN_CASES_PER_THEME = 5  # … nor below five per theme in the model (a common rule for regressions)


class DriverError(ValueError):
    """No driver table can be made from these data; ``reason`` says why as a code
    (``not_asked``: no theme or outcome answers, ``few_respondents``: too few complete cases)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _complete(X: pd.DataFrame, y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.concat([X, y.rename("__y")], axis=1).dropna()
    if len(frame) < X.shape[1] + 2:
        raise ValueError(f"need at least {X.shape[1] + 2} complete cases, got {len(frame)}")
    return frame[X.columns].to_numpy(float), frame["__y"].to_numpy(float)


def relative_weights(X: pd.DataFrame, y: pd.Series) -> pd.Series:
    """Johnson's relative weights of the columns of ``X`` for ``y`` (complete cases).

    With ``R`` the predictors' correlation matrix, ``R = QΛQ'``, and ``Λ_half = QΛ^½Q'``
    (the correlations of the predictors with their orthogonal counterparts),
    ``β = Λ_half⁻¹ r_xy`` and ``ε_j = Σ_k Λ_half[j,k]² β_k²``. ``Σ ε = R²``.

    Returns
    -------
    pandas.Series
        Raw weights indexed by column; they add up to the model's R².
    """
    x, yy = _complete(X, y)
    r = np.corrcoef(np.column_stack([x, yy]), rowvar=False)
    rxx, rxy = r[:-1, :-1], r[:-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    lam = evecs @ np.diag(np.sqrt(np.clip(evals, 0, None))) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    eps = (lam**2) @ (beta**2)
    return pd.Series(eps, index=X.columns, name="relative_weight")


def _r2(x: np.ndarray, y: np.ndarray, cols: tuple[int, ...]) -> float:
    if not cols:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x[:, cols]])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))


def shapley_r2(X: pd.DataFrame, y: pd.Series) -> pd.Series:
    """Shapley (LMG) decomposition of R² over the columns of ``X`` (complete cases).

    ``φ_j = Σ_{S ⊆ P∖{j}} |S|!(p−|S|−1)!/p! · (R²(S ∪ {j}) − R²(S))``, exact over
    all subsets (fine for the ten themes: 1,024 regressions).
    """
    x, yy = _complete(X, y)
    p = x.shape[1]
    r2 = {s: _r2(x, yy, s) for k in range(p + 1) for s in combinations(range(p), k)}
    phi = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for k in range(p):
            w = 1.0 / (p * comb(p - 1, k))
            for s in combinations(others, k):
                phi[j] += w * (r2[tuple(sorted((*s, j)))] - r2[s])
    return pd.Series(phi, index=X.columns, name="shapley_r2")


def driver_table(scores: pd.DataFrame, outcome: pd.Series, fw: Framework, *,
                 method: Literal["johnson", "shapley"] = "johnson") -> pd.DataFrame:
    """Derived importance of each theme for the outcome item.

    Parameters
    ----------
    scores
        Respondent theme scores (:func:`fundament_lib.analysis.scoring.respondent_scores`),
        restricted to the respondents who answer the outcome (frontline leaders).
    outcome
        The outcome answer per respondent (same index), on its own scale.
    fw
        The framework (for the theme ids).
    method
        ``"johnson"`` (relative weights) or ``"shapley"`` (LMG).

    Returns
    -------
    pandas.DataFrame
        One row per theme with answers (themes nobody was asked are left out):
        ``weight`` (share of R² it carries), ``share`` (weight / R², sums to 1),
        ``rank`` (1 = strongest driver); ``attrs['r2']`` and ``attrs['n']`` hold the
        model's R² and complete cases.

    Raises
    ------
    DriverError
        Without theme scores or outcome answers, or with fewer complete cases than
        :data:`MIN_CASES` or :data:`MIN_CASES_PER_THEME` per theme.
    """
    themes = [t.id for t in fw.themes() if t.id in scores and scores[t.id].notna().any()]
    y = outcome.reindex(scores.index)
    if not themes or y.notna().sum() == 0:
        raise DriverError("not_asked", "driver_table: no theme scores or no outcome answers")
    X = scores[themes]
    complete = int(pd.concat([X, y], axis=1).dropna().shape[0])
    need = max(MIN_CASES, MIN_CASES_PER_THEME * len(themes))
    if complete < need:
        raise DriverError("few_respondents", f"driver_table: need at least {need} complete cases, got {complete}")
    weights = relative_weights(X, y) if method == "johnson" else shapley_r2(X, y)
    total = float(weights.sum())
    out = pd.DataFrame({"id": themes, "weight": weights.to_numpy()})
    out["share"] = out["weight"] / total if total > 0 else np.nan
    out["rank"] = out["weight"].rank(ascending=False, method="min").astype(int)
    out.attrs.update(r2=total, n=int(pd.concat([X, y], axis=1).dropna().shape[0]), method=method)
    return out
