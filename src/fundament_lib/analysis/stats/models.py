"""National models of the staff − frontline gap, where a model is the honest tool.

A kommune's gap comes from :func:`group_gaps`. Across the country, two things
make a pooled difference of means misleading: leaders are clustered in
kommuner (they share a kommune's staffs), and the kommuner differ both in
level and in how many staff and frontline leaders answered. Both models
therefore compare staff and frontline leaders **within** kommuner (kommune
fixed effects) and use kommune-clustered sandwich standard errors.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from fundament_lib.analysis.scoring import answer_points, answer_scores, score_ids
from fundament_lib.framework.model import Framework

from ._common import DEFAULT_CONFIDENCE, check_columns, check_confidence, latest_wave

__all__ = ["national_gap_models", "ordinal_logit", "OrdinalFit", "cluster_ols_slope"]


class _WeightedOrderedModel(OrderedModel):
    """statsmodels' cumulative-logit model with frequency weights and an analytic score.

    The log-likelihood is ``Σ_r w_r · log P(Y = y_r | x_r)``: identical rows
    collapsed into one with weight ``w_r`` give exactly the likelihood of the
    full data. The score is analytic (OrderedModel's default is numerical,
    which is too slow with a hundred kommune effects); the Hessian is the
    central-difference Jacobian of that score.
    """

    def __init__(self, endog: Any, exog: Any, weights: np.ndarray, **kwds: Any) -> None:
        super().__init__(endog, exog, distr="logit", **kwds)
        self.freq = np.asarray(weights, dtype="float64")

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        return self.freq * super().loglikeobs(params)

    def _parts(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: ``∂ log p / ∂(x'β)`` and ``∂ log p / ∂ threshold parameters`` (logit link)."""
        params = np.asarray(params, dtype="float64")
        low, upp = self._bounds(params)
        c_low, c_upp = expit(low), expit(upp)                      # expit(±inf) = 1 or 0 exactly
        prob = np.maximum(c_upp - c_low, 1e-300)
        f_low, f_upp = c_low * (1 - c_low), c_upp * (1 - c_upp)   # logistic density, 0 at ±inf
        k = self.k_levels - 1
        step = np.concatenate(([1.0], np.exp(params[-k:][1:])))   # ∂t_j/∂a_m = step_m for m ≤ j
        d_thresh = np.zeros((k + 2, k))
        for j in range(1, k + 1):
            d_thresh[j, :j] = step[:j]
        y = np.asarray(self.endog)
        g_th = (f_upp[:, None] * d_thresh[y + 1] - f_low[:, None] * d_thresh[y]) / prob[:, None]
        return -(f_upp - f_low) / prob, g_th

    def score_obs(self, params: np.ndarray) -> np.ndarray:
        g_xb, g_th = self._parts(params)
        return self.freq[:, None] * np.column_stack([g_xb[:, None] * np.asarray(self.exog), g_th])

    def score(self, params: np.ndarray) -> np.ndarray:
        g_xb, g_th = self._parts(params)
        return np.concatenate([np.asarray(self.exog).T @ (self.freq * g_xb), self.freq @ g_th])

    def hessian(self, params: np.ndarray) -> np.ndarray:
        return np.asarray(approx_fprime(np.asarray(params, dtype="float64"), self.score, centered=True))


@dataclass(frozen=True)
class OrdinalFit:
    """A fitted :func:`ordinal_logit`.

    Attributes
    ----------
    params
        Coefficients (``exog`` order) followed by the threshold parameters
        (first threshold, then log increments, as statsmodels).
    cov
        Cluster-robust covariance of ``params``.
    names
        Parameter names.
    converged, n_obs, n_clusters
        Whether the fit converged; answers (sum of weights) and clusters.
    """

    params: np.ndarray
    cov: np.ndarray
    names: list[str]
    converged: bool
    n_obs: int
    n_clusters: int


def ordinal_logit(endog: np.ndarray, exog: pd.DataFrame, clusters: np.ndarray,
                  weights: np.ndarray | None = None) -> OrdinalFit:
    """Cumulative-logit model with kommune-clustered sandwich covariance.

    ``logit P(Y ≤ c | x) = θ_c − x'β`` fitted by maximum likelihood with
    ``statsmodels.miscmodels.ordinal_model.OrderedModel(distr="logit")``
    (BFGS). The covariance is the CR1 cluster sandwich
    ``H⁻¹ (Σ_g s_g s_g') H⁻¹ · G/(G − 1) · (N − 1)/(N − K)`` with ``s_g``
    the score summed over cluster ``g`` and ``N`` the number of answers — as
    ``fit(cov_type="cluster")`` in statsmodels computes it on the uncollapsed
    data.

    Parameters
    ----------
    endog
        Ordered answers (integers), one per row.
    exog
        Covariates without a constant (the thresholds take its place).
    clusters
        Cluster label per row; all rows of a collapsed row must share one.
    weights
        Frequency weights (rows standing for identical answers); default 1.
    """
    w = np.ones(len(endog)) if weights is None else np.asarray(weights, dtype="float64")
    y = pd.Series(pd.Categorical(np.asarray(endog), ordered=True))
    model = _WeightedOrderedModel(y, exog.reset_index(drop=True), w)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = model.fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-7, skip_hessian=True)
    params = np.asarray(fit.params, dtype="float64")
    scores = model.score_obs(params)
    codes = pd.factorize(pd.Series(np.asarray(clusters, dtype=object)))[0]
    summed = np.zeros((codes.max() + 1, len(params)))
    np.add.at(summed, codes, scores)
    h_inv = np.linalg.inv(model.hessian(params))
    n_obs, n_groups, k = float(w.sum()), summed.shape[0], len(params)
    cov = h_inv @ (summed.T @ summed) @ h_inv.T
    cov *= n_groups / (n_groups - 1) * (n_obs - 1) / (n_obs - k)
    converged = bool(fit.mle_retvals.get("converged", False)) and not any(
        issubclass(c.category, ConvergenceWarning | HessianInversionWarning) for c in caught)
    names = [str(n) for n in getattr(fit.params, "index", [])]
    return OrdinalFit(params=params, cov=cov, names=names, converged=converged, n_obs=int(n_obs),
                      n_clusters=int(n_groups))


def _estimate(est: float, se: float, confidence: float) -> dict[str, object]:
    z = float(sps.norm.ppf((1 + confidence) / 2))
    ok = np.isfinite(se) and se > 0
    return {"estimate": est, "se": se if ok else np.nan,
            "ci_low": est - z * se if ok else np.nan, "ci_high": est + z * se if ok else np.nan,
            "p": float(2 * sps.norm.sf(abs(est / se))) if ok else np.nan}


def _dummies(codes: pd.Series, prefix: str) -> pd.DataFrame:
    return pd.get_dummies(codes.astype("object"), prefix=prefix, drop_first=True, dtype="float64")


def cluster_ols_slope(y: np.ndarray, x: np.ndarray, clusters: np.ndarray, *, within: bool = True
                      ) -> tuple[float, float]:
    """Slope of ``x`` in ``y ~ x`` (+ cluster fixed effects) and its CR1 cluster-robust s.e.

    With ``within``, ``y`` and ``x`` are demeaned within clusters
    (Frisch–Waugh–Lovell: the slope and residuals of the regression with one
    dummy per cluster); the variance is
    ``Σ_g (Σ_{i∈g} x̃_i û_i)² / (Σ x̃_i²)² · G/(G − 1) · (N − 1)/(N − K)`` with
    ``K`` the parameters of the dummy regression (``G + 1``; ``2`` without
    fixed effects) — what ``statsmodels.OLS(y, [1, x, dummies]).fit(cov_type="cluster")``
    reports for the slope.
    """
    codes, uniques = pd.factorize(pd.Series(np.asarray(clusters, dtype=object)))
    g = len(uniques)
    y = np.asarray(y, dtype="float64")
    x = np.asarray(x, dtype="float64")
    if within:
        count = np.bincount(codes, minlength=g)
        yt = y - (np.bincount(codes, y, minlength=g) / count)[codes]
        xt = x - (np.bincount(codes, x, minlength=g) / count)[codes]
        k = g + 1
    else:
        yt, xt, k = y - y.mean(), x - x.mean(), 2
    sxx = float(xt @ xt)
    n = len(y)
    if sxx <= 0 or g < 2 or n <= k:
        return np.nan, np.nan
    slope = float(xt @ yt) / sxx
    score = np.bincount(codes, xt * (yt - slope * xt), minlength=g)
    var = float(score @ score) / sxx**2 * g / (g - 1) * (n - 1) / (n - k)
    return slope, float(np.sqrt(var))


def _ols_gap(data: pd.DataFrame, col: str, confidence: float, within: bool) -> dict[str, object]:
    part = data.loc[data["group"].isin(["stab", "borgernaer"]), ["kommunekode", "group", col]].dropna()
    row: dict[str, object] = {"n_obs": len(part), "n_respondents": len(part),
                              "n_kommuner": int(part["kommunekode"].nunique())}
    if part["group"].nunique() < 2 or part["kommunekode"].nunique() < 2:
        return row
    slope, se = cluster_ols_slope(part[col].to_numpy(), (part["group"] == "stab").to_numpy(dtype="float64"),
                                  part["kommunekode"].to_numpy(), within=within)
    row.update(_estimate(slope, se, confidence), converged=bool(np.isfinite(slope)))
    return row


def _ordinal_gap(answers: pd.DataFrame, confidence: float, within: bool) -> dict[str, object]:
    row: dict[str, object] = {"n_obs": len(answers), "n_respondents": int(answers["respondent_id"].nunique()),
                              "n_kommuner": int(answers["kommunekode"].nunique())}
    if answers["stab"].nunique() < 2 or answers["value"].nunique() < 3 or answers["kommunekode"].nunique() < 2:
        return row
    cells = (answers.groupby(["value", "stab", "item_id", "kommunekode"], observed=True).size()
             .rename("w").reset_index())
    exog = pd.concat([cells["stab"].astype("float64"), _dummies(cells["item_id"], "item")], axis=1)
    if within:
        exog = pd.concat([exog, _dummies(cells["kommunekode"], "k")], axis=1)
    try:
        fit = ordinal_logit(cells["value"].astype(int).to_numpy(), exog, cells["kommunekode"].to_numpy(),
                            weights=cells["w"].to_numpy())
    except (np.linalg.LinAlgError, ValueError):  # a singular design: the model cannot be fitted here
        return {**row, "converged": False}
    row.update(_estimate(float(fit.params[0]), float(np.sqrt(max(fit.cov[0, 0], 0.0))), confidence),
               converged=fit.converged)
    return row


def _ordered_answers(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """The substantive answers to theme statements as categories ``1..K`` of their own scale, reversed
    items turned round: ``respondent_id``, ``item_id``, ``value``, ``points`` (K)."""
    rows = tidy[(tidy["status"].astype(str) == "svar")]
    points = answer_points(rows, fw)
    score = answer_scores(rows, fw)
    out = pd.DataFrame({"respondent_id": rows["respondent_id"].astype(str).to_numpy(),
                        "item_id": rows["item_id"].astype(str).to_numpy(),
                        "value": np.rint(score.to_numpy() / 100 * (points.to_numpy() - 1)) + 1,
                        "points": points.to_numpy()})
    return out.dropna(subset=["value"])


def national_gap_models(scores: pd.DataFrame, fw: Framework, *, tidy: pd.DataFrame | None = None,
                        wave: str | None = None, confidence: float = DEFAULT_CONFIDENCE,
                        within_kommune: bool = True) -> pd.DataFrame:
    """National staff − frontline gap per theme (and pejlemærke), from two clustered models.

    On each kommune's latest wave (or ``wave``):

    ``ols``
        ``score_ik = α_k + β · stab_ik + ε_ik`` by OLS with kommune fixed
        effects ``α_k`` and kommune-clustered (CR1) standard errors
        (:func:`cluster_ols_slope`; equal to
        ``statsmodels.OLS(y, [1, stab, kommune dummies]).fit(cov_type="cluster")``).
        ``β`` is the within-kommune gap in points (0–100), averaged over
        kommuner with precision weights.
    ``ordinal``
        (themes only; needs ``tidy``) the cumulative-logit model of the item
        answers ``logit P(Y ≤ c) = θ_c − (β · stab + γ_item + α_k)`` with item
        and kommune effects (:func:`ordinal_logit`, statsmodels
        ``OrderedModel``), kommune-clustered sandwich errors. ``β`` is the
        log odds of a more positive answer for staff than for frontline
        leaders in the same kommune; reversed items are recoded. A
        respondent's answers to a theme's items are correlated; clustering by
        kommune covers that, since respondents are nested in kommuner.

    Intervals and ``p`` use the normal reference.

    Parameters
    ----------
    scores
        Output of :func:`fundament_lib.analysis.scoring.respondent_scores`.
    fw
        The framework.
    tidy
        The tidy answer table, for the ordinal model; without it only OLS rows.
    wave
        Wave to use; ``None`` takes each kommune's latest.
    confidence
        Interval level.
    within_kommune
        ``False`` drops the kommune effects (the pooled national contrast,
        which mixes the gap with differences between kommuner).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``level``, ``model``, ``scale`` (``"points"`` or
        ``"log-odds"``), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p``,
        ``n_obs``, ``n_respondents``, ``n_kommuner``, ``converged``.
    """
    confidence = check_confidence(confidence)
    ids = score_ids(fw)
    check_columns(scores, ["kommunekode", "wave", "group", *[i for i, _ in ids]], parameter="scores")
    data = latest_wave(scores, wave)
    rows: list[dict[str, object]] = []
    for id_, level in ids:
        rows.append({"id": id_, "level": level, "model": "ols", "scale": "points",
                     **_ols_gap(data, id_, confidence, within_kommune)})
    if tidy is not None:
        check_columns(tidy, ["respondent_id", "item_id", "value"], parameter="tidy")
        keep = data[data["group"].isin(["stab", "borgernaer"])]
        items = fw.theme_items()
        answers = _ordered_answers(tidy[tidy["respondent_id"].isin(keep.index)], fw)
        for theme, item_ids in items.items():
            long = answers[answers["item_id"].isin(item_ids)]
            if long.empty:
                continue  # a theme nobody was asked
            # One scale per model: the answers on the theme's most common scale (thresholds are shared).
            long = long[long["points"] == long["points"].mode().iloc[0]][["respondent_id", "item_id", "value"]]
            who = keep.loc[long["respondent_id"]]
            long["kommunekode"] = who["kommunekode"].to_numpy()
            long["stab"] = (who["group"] == "stab").to_numpy()
            rows.append({"id": theme, "level": "theme", "model": "ordinal", "scale": "log-odds",
                         **_ordinal_gap(long, confidence, within_kommune)})
    out = pd.DataFrame(rows)
    for col in ("estimate", "se", "ci_low", "ci_high", "p"):
        if col not in out:
            out[col] = np.nan
    out["converged"] = out["converged"].astype("boolean").fillna(False).astype(bool) if "converged" in out else False
    return out[["id", "level", "model", "scale", "estimate", "se", "ci_low", "ci_high", "p", "n_obs",
                "n_respondents", "n_kommuner", "converged"]]
