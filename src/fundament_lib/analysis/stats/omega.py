"""McDonald's omega total of a set of items, from a one-factor model fitted as R ``factanal``.

Takes a respondents × items table like :func:`~.alpha.cronbach_alpha` (NaN =
missing or "Ved ikke"; listwise by default). Two items are not enough to
identify a factor model (omega is then the Spearman–Brown coefficient), three
are just enough (solved exactly), more are fitted by maximum likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from ._common import StatsArgumentError, check_choice
from .alpha import NanPolicy, as_items

__all__ = ["OmegaResult", "mcdonald_omega", "omega_from_corr", "one_factor_ml"]

_LOWER = 0.005  # lower bound of a uniqueness, as R's factanal


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


def omega_from_corr(corr: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, str]:
    """Omega, loadings, uniquenesses and how they were found, from the items' correlation matrix."""
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
    frame = as_items(items)
    kept = frame.dropna(how="any") if nan_policy == "listwise" else frame.dropna(how="all")
    n, k = kept.shape
    corr = np.full((k, k), np.nan)
    if n >= 3:
        sd = kept.std().to_numpy()
        if np.all(sd > 0):
            corr = np.corrcoef(kept.to_numpy(), rowvar=False) if nan_policy == "listwise" else kept.corr().to_numpy()
    omega, load, psi, method = omega_from_corr(corr)
    return OmegaResult(omega=float(omega), loadings=pd.Series(load, index=frame.columns, name="loading"),
                       uniquenesses=pd.Series(psi, index=frame.columns, name="uniqueness"),
                       n=int(n), k=int(k), method=method)

