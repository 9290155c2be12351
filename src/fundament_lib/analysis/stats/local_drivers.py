"""Derived importance from each kommune's own answers, leaning on the national pattern where they are few.

For every kommune and theme, the correlation ``r`` between the frontline leaders' theme score and
the outcome ("tid og rum til at lede det faglige") is put on Fisher's z scale,
``z = atanh(r)`` with sampling variance ``v = 1 / (n − 3)``. The kommuner's z are combined in a
random-effects model (DerSimonian & Laird 1986): ``μ`` is the national correlation and ``τ²``
how much kommuner truly differ. Each kommune's estimate is then shrunk toward ``μ``
(empirical Bayes):

    z̃ = w·z + (1 − w)·μ,   w = τ² / (τ² + v)

so a kommune with many respondents keeps its own pattern (``w`` near 1) and one with few
borrows the national one (``w`` near 0). ``w`` is reported as ``own_weight``; the briefing
says "på landsplan" where it is below one half.

Why this and not a multilevel model with random slopes (statsmodels MixedLM): with ten
correlated themes and 10–60 frontline leaders per kommune, a random-slopes model of all ten
themes does not converge reliably and takes minutes for 98 kommuner; the per-theme
correlation is what importance–performance maps ("prioriteringskort") show, its sampling
variance is known in closed form, and the shrinkage is the textbook one
(``statsmodels.stats.meta_analysis.combine_effects(method_re="dl")`` gives the same ``μ`` and ``τ²``;
the tests check that).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["shrunk_correlations", "dersimonian_laird", "MIN_PAIRS"]

MIN_PAIRS = 8  # fewer complete pairs than this: the kommune's own correlation is not used (w = 0)


def dersimonian_laird(z: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """Random-effects mean ``μ`` and between-unit variance ``τ²`` (DerSimonian–Laird moments).

    ``Q = Σ wᵢ (zᵢ − z̄_w)²`` with ``wᵢ = 1/vᵢ``; ``τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw))``;
    ``μ = Σ zᵢ/(vᵢ + τ²) / Σ 1/(vᵢ + τ²)``.
    """
    w = 1.0 / v
    fixed = float(np.sum(w * z) / np.sum(w))
    q = float(np.sum(w * (z - fixed) ** 2))
    denom = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (len(z) - 1)) / denom) if denom > 0 else 0.0
    w_re = 1.0 / (v + tau2)
    return float(np.sum(w_re * z) / np.sum(w_re)), tau2


def _correlations(scores: pd.DataFrame, outcome: pd.Series, themes: Sequence[str], by: str) -> pd.DataFrame:
    """Per unit × theme: the Pearson correlation of theme score and outcome, and its complete pairs."""
    y = outcome.reindex(scores.index).astype(float)
    rows = []
    for unit, part in scores.groupby(by, observed=True):
        yy = y.loc[part.index]
        for t in themes:
            ok = part[t].notna() & yy.notna()
            n = int(ok.sum())
            x, o = part.loc[ok, t].to_numpy(float), yy[ok].to_numpy(float)
            r = float(np.corrcoef(x, o)[0, 1]) if n >= 3 and x.std() > 0 and o.std() > 0 else np.nan
            rows.append({by: str(unit), "id": t, "n": n, "r_own": r})
    return pd.DataFrame(rows, columns=[by, "id", "n", "r_own"])


def shrunk_correlations(scores: pd.DataFrame, outcome: pd.Series, themes: Sequence[str], *,
                        by: str = "kommunekode", min_pairs: int = MIN_PAIRS) -> pd.DataFrame:
    """Each unit's correlation of every theme with the outcome, shrunk toward the national one.

    Parameters
    ----------
    scores
        Respondent theme scores of the respondents who answer the outcome (one row each, a ``by``
        column and one column per theme).
    outcome
        The outcome answer per respondent (same index as ``scores``).
    themes
        The theme columns.
    by
        The unit column (a kommune).
    min_pairs
        Units with fewer complete pairs keep no weight of their own.

    Returns
    -------
    pandas.DataFrame
        One row per unit × theme: ``n`` (complete pairs), ``r_own`` (the unit's own correlation,
        NaN below ``min_pairs``), ``r_national`` (``tanh μ``), ``tau2``, ``own_weight`` (``w``)
        and ``r`` (the shrunk correlation, ``tanh z̃``).
    """
    corr = _correlations(scores, outcome, themes, by)
    usable = (corr["n"] >= min_pairs) & corr["r_own"].notna() & (corr["r_own"].abs() < 1)
    corr.loc[~usable, "r_own"] = np.nan
    out = []
    for _theme, part in corr.groupby("id", sort=False):
        ok = part["r_own"].notna().to_numpy()
        z = np.arctanh(part["r_own"].to_numpy(float))
        v = 1.0 / (part["n"].to_numpy(float) - 3)
        if ok.sum() >= 2:
            mu, tau2 = dersimonian_laird(z[ok], v[ok])
        elif ok.sum() == 1:
            mu, tau2 = float(z[ok][0]), 0.0
        else:
            mu, tau2 = np.nan, 0.0
        if ok.sum() == 1:  # one kommune alone: its own pattern is all there is
            w = ok.astype(float)
        else:
            w = np.where(ok, tau2 / (tau2 + np.where(ok, v, 1.0)), 0.0) if tau2 > 0 else np.zeros(len(part))
        shrunk = np.where(ok, w * np.nan_to_num(z) + (1 - w) * mu, mu)
        out.append(part.assign(r_national=np.tanh(mu), tau2=tau2, own_weight=w, r=np.tanh(shrunk)))
    columns = [by, "id", "n", "r_own", "r_national", "tau2", "own_weight", "r"]
    return pd.concat(out, ignore_index=True)[columns] if out else pd.DataFrame(columns=columns)
