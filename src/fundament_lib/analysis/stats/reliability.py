"""Reliability of the theme scales: Cronbach's alpha with Feldt's interval, McDonald's omega.

Both take a respondents × items table of answers (NaN = missing or "Ved
ikke") and, by default, use the respondents who answered every item
(listwise deletion, as ``psych::alpha(x, use="complete.obs")`` and
``pingouin.cronbach_alpha(x, nan_policy="listwise")``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from fundament_lib.analysis.scoring import respondents, scored_items
from fundament_lib.framework.model import Framework

from ._common import (
    DEFAULT_CONFIDENCE,
    StatsArgumentError,
    check_choice,
    check_columns,
    check_confidence,
    check_min_n,
)

__all__ = ["AlphaResult", "OmegaResult", "cronbach_alpha", "mcdonald_omega", "one_factor_ml",
           "reliability_table"]

NanPolicy = Literal["listwise", "pairwise"]
_LOWER = 0.005  # lower bound of a uniqueness, as R's factanal


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with its confidence interval.

    Attributes
    ----------
    alpha, ci_low, ci_high
        The coefficient and Feldt's interval (NaN when not defined).
    n
        Respondents used (listwise: those with every item answered).
    k
        Items.
    confidence
        Interval level.
    """

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    confidence: float


@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega total from a one-factor model.

    Attributes
    ----------
    omega
        ``(Σλ)² / ((Σλ)² + Σψ)`` (NaN when not defined).
    loadings, uniquenesses
        Standardised loadings ``λ`` and uniquenesses ``ψ`` per item.
    n, k
        Respondents used and items.
    method
        How the factor model was fitted.
    """

    omega: float
    loadings: pd.Series
    uniquenesses: pd.Series
    n: int
    k: int
    method: str


def _as_items(items: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    frame = items if isinstance(items, pd.DataFrame) else pd.DataFrame(np.asarray(items, dtype="float64"))
    if frame.shape[1] < 2:
        raise StatsArgumentError("items", "a respondents × items table with at least 2 items",
                                 f"{frame.shape[1]} column(s)")
    bad = [c for c in frame.columns if frame[c].dtype.kind not in "biuf"]
    if bad:
        raise StatsArgumentError("items", "numeric item columns (NaN for missing)", f"non-numeric {bad}")
    return frame.astype("float64")


def _alpha_from_cov(cov: np.ndarray, n: int, confidence: float) -> tuple[float, float, float]:
    k = cov.shape[0]
    total = float(cov.sum())
    if n < 2 or not np.isfinite(total) or total <= 0:
        return np.nan, np.nan, np.nan
    alpha = k / (k - 1) * (1 - float(np.trace(cov)) / total)
    tail = (1 - confidence) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * float(sps.f.isf(tail, df1, df2))
    high = 1 - (1 - alpha) * float(sps.f.isf(1 - tail, df1, df2))
    return alpha, low, high


def cronbach_alpha(items: pd.DataFrame | np.ndarray, *, confidence: float = DEFAULT_CONFIDENCE,
                   nan_policy: NanPolicy = "listwise") -> AlphaResult:
    """Cronbach's alpha of a set of items, with Feldt's confidence interval.

    .. math::

        \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\sum_i s_i^2}{s_X^2}\\Bigr)

    with ``k`` items, item variances ``s_i²`` and the variance ``s_X²`` of the
    sum score (the sum of the covariance matrix). Feldt, Woodruff & Salih
    (1987)::

        ci_low  = 1 − (1 − α) · F⁻¹(1 − (1−γ)/2; n − 1, (n − 1)(k − 1))
        ci_high = 1 − (1 − α) · F⁻¹((1−γ)/2;     n − 1, (n − 1)(k − 1))

    Matches ``pingouin.cronbach_alpha`` (which rounds the interval to three
    decimals) and R ``psych::alpha``.

    Parameters
    ----------
    items
        Respondents × items, NaN = missing.
    confidence
        Interval level.
    nan_policy
        ``"listwise"`` (default) uses respondents with every item answered;
        ``"pairwise"`` uses the pairwise-complete covariance matrix with
        ``n`` = respondents with at least one answer (pingouin's default,
        except that pingouin also counts rows with no answer at all).

    Returns
    -------
    AlphaResult
        NaN coefficients when fewer than 2 respondents remain or the sum score
        does not vary.

    Examples
    --------
    >>> import pingouin as pg
    >>> data = pg.read_dataset("cronbach_wide_missing")
    >>> r = cronbach_alpha(data)
    >>> round(r.alpha, 4), round(r.ci_low, 3), round(r.ci_high, 3), r.n
    (0.8017, 0.533, 0.947, 9)
    """
    confidence = check_confidence(confidence)
    check_choice("nan_policy", nan_policy, ("listwise", "pairwise"))
    frame = _as_items(items)
    k = frame.shape[1]
    if nan_policy == "listwise":
        x = frame.dropna(axis=0, how="any").to_numpy()
        n = x.shape[0]
        cov = np.cov(x, rowvar=False) if n >= 2 else np.full((k, k), np.nan)
    else:
        kept = frame.dropna(axis=0, how="all")
        n = len(kept)
        cov = kept.cov().to_numpy() if n >= 2 else np.full((k, k), np.nan)
    alpha, low, high = _alpha_from_cov(cov, n, confidence)
    return AlphaResult(alpha=alpha, ci_low=low, ci_high=high, n=int(n), k=int(k), confidence=confidence)


def _fa_objective(psi: np.ndarray, corr: np.ndarray) -> tuple[float, np.ndarray]:
    """R factanal's concentrated ML objective for one factor and its gradient in ``psi``."""
    scale = 1 / np.sqrt(psi)
    star = corr * scale[:, None] * scale[None, :]
    values, vectors = np.linalg.eigh(star)             # ascending
    rest = values[:-1]
    value = -(np.sum(np.log(rest) - rest) - 1 + corr.shape[0])
    load = vectors[:, -1] * np.sqrt(max(values[-1] - 1, 0.0)) * np.sqrt(psi)
    grad = (load**2 + psi - np.diag(corr)) / psi**2
    return float(value), grad


def one_factor_ml(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Maximum-likelihood one-factor model of a correlation matrix, as R ``factanal``.

    Minimises the concentrated discrepancy
    ``F(ψ) = −Σ_{j≥2} (log θ_j − θ_j) − 1 + p`` over the uniquenesses
    ``ψ ∈ [0.005, 1]`` (``θ_j`` the eigenvalues of ``Ψ^{-1/2} R Ψ^{-1/2}``
    below the largest) with L-BFGS-B from ``ψ₀ = (1 − 0.5/p) / diag(R⁻¹)``;
    the loadings are ``λ = Ψ^{1/2} v₁ √(θ₁ − 1)`` — the algorithm of
    ``stats:::factanal.fit.mle`` in R. The same likelihood is maximised by
    ``statsmodels.multivariate.factor.Factor(corr=R, n_factor=1, method="ml")``.

    Parameters
    ----------
    corr
        A ``p × p`` correlation matrix, ``p ≥ 3``.

    Returns
    -------
    loadings, uniquenesses, converged
        Loadings signed so that their sum is positive.
    """
    corr = np.asarray(corr, dtype="float64")
    p = corr.shape[0]
    if p < 3:
        raise StatsArgumentError("corr", "a correlation matrix of at least 3 items", f"{p} item(s)")
    try:
        start = (1 - 0.5 / p) / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        start = np.full(p, 0.5)
    start = np.clip(start, _LOWER, 1.0)
    parscale = 0.01                                     # as factanal: optimise ψ / 0.01

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = _fa_objective(z * parscale, corr)
        return value, grad * parscale

    res = optimize.minimize(fun, start / parscale, jac=True, method="L-BFGS-B",
                            bounds=[(_LOWER / parscale, 1 / parscale)] * p,
                            options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 1000})
    psi = res.x * parscale
    scale = 1 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(corr * scale[:, None] * scale[None, :])
    load = vectors[:, -1] * np.sqrt(max(values[-1] - 1, 0.0)) * np.sqrt(psi)
    if load.sum() < 0:
        load = -load
    return load, psi, bool(res.success)


def _three_item_loadings(corr: np.ndarray) -> np.ndarray | None:
    """The one-factor model of three items is just-identified: where its solution is proper
    (all correlations positive, every ``λ² < 1``), ML reproduces the correlations exactly with
    ``λ_i² = r_ij r_ik / r_jk`` — no iteration needed. ``None`` sends the caller to ML."""
    r12, r13, r23 = corr[0, 1], corr[0, 2], corr[1, 2]
    if min(r12, r13, r23) <= 0:
        return None
    squared = np.array([r12 * r13 / r23, r12 * r23 / r13, r13 * r23 / r12])
    if np.any(squared >= 1 - _LOWER):
        return None
    return np.sqrt(squared)


def _omega_from_corr(corr: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, str]:
    k = corr.shape[0]
    nan = np.full(k, np.nan)
    if not np.isfinite(corr).all():
        return np.nan, nan, nan, "not defined"
    if k == 2:
        r = float(corr[0, 1])
        if r <= 0:
            return np.nan, nan, nan, "two items, r ≤ 0"
        load = np.full(2, np.sqrt(r))
        return 2 * r / (1 + r), load, 1 - load**2, "two items: equal loadings λ² = r (Spearman–Brown)"
    exact = _three_item_loadings(corr) if k == 3 else None
    if exact is not None:
        total = exact.sum() ** 2
        psi = 1 - exact**2
        return total / (total + psi.sum()), exact, psi, "one-factor model of three items (exact fit)"
    load, psi, converged = one_factor_ml(corr)
    total = load.sum() ** 2
    method = "ML one-factor model of the correlation matrix (R factanal)"
    return total / (total + psi.sum()), load, psi, method + ("" if converged else ", not converged")


def mcdonald_omega(items: pd.DataFrame | np.ndarray, *, nan_policy: NanPolicy = "listwise") -> OmegaResult:
    """McDonald's omega total of a set of items from a one-factor model.

    .. math::

        \\omega = \\frac{(\\sum_i \\lambda_i)^2}{(\\sum_i \\lambda_i)^2 + \\sum_i \\psi_i}

    with standardised loadings ``λ`` and uniquenesses ``ψ`` of a maximum-
    likelihood one-factor model fitted to the item **correlation** matrix
    (:func:`one_factor_ml`, R ``factanal``'s algorithm), so omega refers to
    the sum of standardised items, as ``psych::omega``. (psych divides by the
    observed variance ``1'R1`` instead of the model's; at a well-fitting
    one-factor model the two agree.) With three items the model is
    just-identified; with two it is not, and the loadings are set equal
    (``λ² = r``), which makes omega the Spearman–Brown coefficient
    ``2r / (1 + r)``.

    Parameters
    ----------
    items
        Respondents × items, NaN = missing.
    nan_policy
        ``"listwise"`` (default): respondents with every item answered;
        ``"pairwise"``: pairwise-complete correlations, ``n`` = respondents
        with at least one answer.

    Returns
    -------
    OmegaResult
        NaN when fewer than 3 respondents remain or an item does not vary.
    """
    check_choice("nan_policy", nan_policy, ("listwise", "pairwise"))
    frame = _as_items(items)
    kept = frame.dropna(how="any") if nan_policy == "listwise" else frame.dropna(how="all")
    n, k = kept.shape
    corr = np.full((k, k), np.nan)
    if n >= 3:
        sd = kept.std().to_numpy()
        if np.all(sd > 0):
            corr = np.corrcoef(kept.to_numpy(), rowvar=False) if nan_policy == "listwise" else kept.corr().to_numpy()
    omega, load, psi, method = _omega_from_corr(corr)
    return OmegaResult(omega=float(omega), loadings=pd.Series(load, index=frame.columns, name="loading"),
                       uniquenesses=pd.Series(psi, index=frame.columns, name="uniqueness"),
                       n=int(n), k=int(k), method=method)


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
    alpha, low, high = _alpha_from_cov(cov, n, confidence)
    sd = np.sqrt(np.diag(cov))
    omega = np.nan
    if np.all(sd > 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            omega = _omega_from_corr(cov / np.outer(sd, sd))[0]
    return {"alpha": alpha, "ci_low": low, "ci_high": high, "omega": omega}
