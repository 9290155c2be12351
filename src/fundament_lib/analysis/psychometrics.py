"""Does the data support the framework? Item–rest correlations, reliability per theme, the
factor check (:mod:`fundament_lib.analysis.factor_check`) and the variance between kommuner.

:func:`analyse` runs every check the data allow and says, in Danish, why it left any out; the
report-ready section in Danish is :func:`fundament_lib.report.psychometrics.section`. Statistics
only: no HTML and no figures here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fundament_lib.framework.model import Framework

from .factor_check import (
    DEFAULT_SEED,
    DEFAULT_THRESHOLD,
    MIN_RESPONDENTS,
    FactorCheck,
    asked_themes,
    factor_check,
    items_matrix,
)
from .scoring import respondent_scores
from .stats import MIN_MODEL_KOMMUNER

__all__ = ["Psychometrics", "item_rest", "reliability", "kommune_variance", "analyse"]


def item_rest(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Correlation of each item with the rest of its theme (corrected item–total correlation).

    The rest score is the mean of the respondent's other answered items in the
    theme; ``r`` is Pearson's correlation over respondents with both, ``n``
    their number. Below 0.30 is the usual sign that an item measures something
    else (Nunnally & Bernstein 1994).

    Returns
    -------
    pandas.DataFrame
        ``item_id``, ``theme``, ``n``, ``r``.
    """
    matrix = items_matrix(tidy, fw)
    rows = []
    for theme, ids in asked_themes(matrix, fw).items():
        for item in ids:
            rest = matrix[[i for i in ids if i != item]].mean(axis=1)
            both = matrix[item].notna() & rest.notna()
            r = float(np.corrcoef(matrix.loc[both, item], rest[both])[0, 1]) if both.sum() > 2 else np.nan
            rows.append({"item_id": item, "theme": theme, "n": int(both.sum()), "r": r})
    return pd.DataFrame(rows)


def reliability(tidy: pd.DataFrame, fw: Framework, *, confidence: float = 0.95) -> pd.DataFrame | None:
    """Cronbach's alpha (Feldt's interval) and McDonald's omega per theme, pooled over all
    respondents (``fundament_lib.analysis.stats.reliability_table``); ``None`` when the statistics
    package is not available."""
    try:
        from .stats import reliability_table
    except ImportError:
        return None
    table_ = reliability_table(tidy, fw, by=None, confidence=confidence)
    return table_.drop(columns=["scope"], errors="ignore").reset_index(drop=True)


def kommune_variance(scores: pd.DataFrame, fw: Framework) -> pd.DataFrame | None:
    """Share of the variance of each theme score that lies between kommuner (ICC, from
    ``fundament_lib.analysis.stats.icc_table``); ``None`` when that function is not available."""
    try:
        from .stats import icc_table
    except ImportError:
        return None
    return pd.DataFrame(icc_table(scores, fw))


@dataclass
class Psychometrics:
    """Everything :func:`fundament_lib.report.psychometrics.section` reports: built by :func:`analyse`.

    ``factors`` and ``icc`` are ``None`` where the data do not allow them; ``skipped`` then
    holds the Danish line saying why (keys ``factors``, ``icc``, ``reliability``).
    """

    item_rest: pd.DataFrame
    reliability: pd.DataFrame | None
    factors: FactorCheck | None
    icc: pd.DataFrame | None
    n: int
    n_kommuner: int
    fw: Framework
    skipped: dict[str, str] = field(default_factory=dict)


def analyse(tidy: pd.DataFrame, fw: Framework, *, n_factors: int | None = None, rotation: str = "oblimin",
            threshold: float = DEFAULT_THRESHOLD, seed: int = DEFAULT_SEED) -> Psychometrics:
    """Run every check of this module on ``tidy`` (see each function) that the data allow: the
    factor analysis needs :data:`MIN_RESPONDENTS` respondents, the variance between kommuner
    :data:`~fundament_lib.analysis.stats.MIN_MODEL_KOMMUNER` kommuner, alpha and omega 30 complete
    answers; what is left out is said in ``skipped``."""
    scores = respondent_scores(tidy, fw)
    skipped: dict[str, str] = {}
    n_kommuner = int(scores["kommunekode"].nunique())
    factors = None
    try:
        factors = factor_check(tidy, fw, n_factors=n_factors, rotation=rotation, threshold=threshold, seed=seed)
    except ValueError as exc:
        skipped["factors"] = _factor_reason(str(exc), len(items_matrix(tidy, fw).dropna(how="all")))
    icc = None
    if n_kommuner >= MIN_MODEL_KOMMUNER:
        icc = kommune_variance(scores, fw)
    else:
        skipped["icc"] = (f"Variansen mellem kommuner (ICC) beregnes kun med mindst {MIN_MODEL_KOMMUNER} kommuner; "
                          f"data rummer {'kun én' if n_kommuner == 1 else n_kommuner}.")
    rel = reliability(tidy, fw)
    if rel is not None and rel["alpha"].isna().all():
        skipped["reliability"] = ("Alfa og omega beregnes kun, når mindst 30 har besvaret alle temaets udsagn; "
                                  "det er ikke tilfældet for noget tema her.")
    return Psychometrics(item_rest=item_rest(tidy, fw), reliability=rel, factors=factors, icc=icc,
                         n=len(scores), n_kommuner=n_kommuner, fw=fw, skipped=skipped)


def _factor_reason(error: str, n: int) -> str:
    """The Danish line for a factor analysis the data do not allow."""
    if "needs at least" in error:
        return (f"Faktoranalysen er ikke lavet: den kræver mindst {MIN_RESPONDENTS} respondenter, og data har "
                f"{n}.")
    if "identify at most" in error:
        return "Faktoranalysen er ikke lavet: der er for få udsagn til at skelne temaerne fra hinanden."
    return "Faktoranalysen er ikke lavet: for få har besvaret de samme udsagn til at beregne sammenhængene."
