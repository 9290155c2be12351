"""How much of the variation in leaders' scores lies between kommuner: ICC(1) from a mixed model."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from fundament_lib.analysis.scoring import score_ids
from fundament_lib.framework.model import Framework

from ._common import check_choice, check_columns, latest_wave

__all__ = ["IccResult", "icc1", "icc_table"]


@dataclass(frozen=True)
class IccResult:
    """ICC(1) of a random-intercept model.

    Attributes
    ----------
    icc
        ``τ² / (τ² + σ²)``.
    var_between, var_within
        ``τ²`` (between clusters) and ``σ²`` (residual, within clusters).
    n_clusters, n_obs
        Clusters and observations used.
    converged
        Whether the REML fit converged without warnings.
    """

    icc: float
    var_between: float
    var_within: float
    n_clusters: int
    n_obs: int
    converged: bool


def icc1(values: pd.Series | np.ndarray, clusters: pd.Series | np.ndarray) -> IccResult:
    """ICC(1) from the random-intercept model ``y_ij = μ + u_j + e_ij`` fitted by REML.

    .. math::

        \\mathrm{ICC}(1) = \\frac{\\tau^2}{\\tau^2 + \\sigma^2},\\qquad
        u_j \\sim N(0, \\tau^2),\\; e_{ij} \\sim N(0, \\sigma^2)

    fitted with ``statsmodels.regression.mixed_linear_model.MixedLM``
    (``reml=True``). With equal cluster sizes and ``τ² > 0`` the REML
    estimate equals the one-way ANOVA estimate
    ``(MSB − MSW) / (MSB + (k − 1) MSW)`` — ICC(1,1) of Shrout & Fleiss
    (1979), ``pingouin.intraclass_corr`` row ``ICC1`` and R
    ``psych::ICC``; with unequal sizes REML weighs the clusters properly.
    NaN values are dropped; fewer than 2 clusters or 3 observations, or a model that
    cannot be fitted (a singular design), give NaN with ``converged`` false.
    """
    y = pd.Series(np.asarray(values, dtype="float64"))
    g = pd.Series(np.asarray(clusters, dtype=object))
    keep = y.notna() & g.notna()
    y, g = y[keep].to_numpy(), g[keep].to_numpy()
    n_clusters = len(pd.unique(g))
    if n_clusters < 2 or len(y) < 3 or np.nanvar(y) == 0:
        return IccResult(np.nan, np.nan, np.nan, n_clusters, len(y), False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            fit = MixedLM(y, np.ones((len(y), 1)), groups=g).fit(reml=True)
        except (np.linalg.LinAlgError, ValueError):  # a singular design (e.g. two clusters): no estimate
            return IccResult(np.nan, np.nan, np.nan, n_clusters, len(y), False)
    between = float(np.asarray(fit.cov_re)[0, 0])
    within = float(fit.scale)
    if not (np.isfinite(between) and np.isfinite(within)) or between + within <= 0:
        return IccResult(np.nan, np.nan, np.nan, n_clusters, len(y), False)
    converged = bool(fit.converged) and not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return IccResult(between / (between + within), between, within, n_clusters, len(y), converged)


def icc_table(scores: pd.DataFrame, fw: Framework, *, group: str | None = None,
              wave: str | None = None) -> pd.DataFrame:
    """ICC(1) of kommune for every theme and pejlemærke (:func:`icc1`).

    Parameters
    ----------
    scores
        Output of :func:`fundament_lib.analysis.scoring.respondent_scores`.
    fw
        The framework.
    group
        ``"stab"`` or ``"borgernaer"`` for one group; ``None`` pools both
        (the ICC then includes differences in the kommuner's group mix).
    wave
        Wave to use; ``None`` takes each kommune's latest.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``level``, ``icc``, ``var_between``, ``var_within``,
        ``n_kommuner``, ``n_respondents``, ``converged``.
    """
    if group is not None:
        check_choice("group", group, ("stab", "borgernaer"))
    ids = score_ids(fw)
    check_columns(scores, ["kommunekode", "wave", "group", *[i for i, _ in ids]], parameter="scores")
    data = latest_wave(scores, wave)
    if group is not None:
        data = data[data["group"] == group]
    rows = []
    for id_, level in ids:
        r = icc1(data[id_], data["kommunekode"])
        rows.append({"id": id_, "level": level, "icc": r.icc, "var_between": r.var_between,
                     "var_within": r.var_within, "n_kommuner": r.n_clusters, "n_respondents": r.n_obs,
                     "converged": r.converged})
    return pd.DataFrame(rows)
