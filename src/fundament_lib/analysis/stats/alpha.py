"""Cronbach's alpha of a set of items, with Feldt's confidence interval.

Takes a respondents × items table of answers (NaN = missing or "Ved ikke")
and, by default, uses the respondents who answered every item (listwise
deletion, as ``psych::alpha(x, use="complete.obs")`` and
``pingouin.cronbach_alpha(x, nan_policy="listwise")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._common import DEFAULT_CONFIDENCE, StatsArgumentError, check_choice, check_confidence

__all__ = ["AlphaResult", "NanPolicy", "alpha_from_cov", "as_items", "cronbach_alpha"]

NanPolicy = Literal["listwise", "pairwise"]


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


def as_items(items: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    """The items as a float table of at least two numeric columns, or a :class:`StatsArgumentError`."""
    frame = items if isinstance(items, pd.DataFrame) else pd.DataFrame(np.asarray(items, dtype="float64"))
    if frame.shape[1] < 2:
        raise StatsArgumentError("items", "a respondents × items table with at least 2 items",
                                 f"{frame.shape[1]} column(s)")
    bad = [c for c in frame.columns if frame[c].dtype.kind not in "biuf"]
    if bad:
        raise StatsArgumentError("items", "numeric item columns (NaN for missing)", f"non-numeric {bad}")
    return frame.astype("float64")


def alpha_from_cov(cov: np.ndarray, n: int, confidence: float) -> tuple[float, float, float]:
    """Alpha and Feldt's interval from the items' covariance matrix and ``n`` respondents (NaN where undefined)."""
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
    frame = as_items(items)
    k = frame.shape[1]
    if nan_policy == "listwise":
        x = frame.dropna(axis=0, how="any").to_numpy()
        n = x.shape[0]
        cov = np.cov(x, rowvar=False) if n >= 2 else np.full((k, k), np.nan)
    else:
        kept = frame.dropna(axis=0, how="all")
        n = len(kept)
        cov = kept.cov().to_numpy() if n >= 2 else np.full((k, k), np.nan)
    alpha, low, high = alpha_from_cov(cov, n, confidence)
    return AlphaResult(alpha=alpha, ci_low=low, ci_high=high, n=int(n), k=int(k), confidence=confidence)

