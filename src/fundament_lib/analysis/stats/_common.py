"""Shared pieces of the statistics package: argument checks, seeded streams, small kernels.

Everything here is private to :mod:`fundament_lib.analysis.stats`; the public names are
re-exported from the package where they are part of the API
(:class:`StatsArgumentError`, :data:`DEFAULT_SEED`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from fundament_lib.core.errors import FundamentError

__all__ = [
    "StatsArgumentError",
    "DEFAULT_SEED",
    "DEFAULT_N_BOOT",
    "DEFAULT_CONFIDENCE",
    "GROUPS",
    "MIN_MODEL_KOMMUNER",
    "check_confidence",
    "check_n_boot",
    "check_min_n",
    "check_columns",
    "check_choice",
    "cell_rng",
    "nan_quantiles",
    "welch",
    "hedges_g",
    "pct",
    "latest_wave",
]

DEFAULT_SEED = 20251           # the seed of params/defaults.yaml
DEFAULT_N_BOOT = 2000
DEFAULT_CONFIDENCE = 0.95
GROUPS = ("alle", "stab", "borgernaer")
MIN_MODEL_KOMMUNER = 5  # national models (ICC, clustered gap models) are fitted on at least this many kommuner


class StatsArgumentError(FundamentError, ValueError):
    """A statistics function got an argument it cannot use.

    The message names the parameter, what is allowed and what was received.
    """

    def __init__(self, parameter: str, allowed: str, received: object) -> None:
        self.parameter = parameter
        self.allowed = allowed
        self.received = received
        super().__init__(f"{parameter}: expected {allowed}, got {received!r}")


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` as a float in (0, 1) or raise :class:`StatsArgumentError`."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise StatsArgumentError("confidence", "a number strictly between 0 and 1, e.g. 0.95", confidence)
    return float(confidence)


def check_n_boot(n_boot: int) -> int:
    """Return ``n_boot`` as an int ≥ 2 or raise :class:`StatsArgumentError`."""
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 2:
        raise StatsArgumentError("n_boot", "an integer of at least 2 (2000 is the default)", n_boot)
    return int(n_boot)


def check_min_n(min_n: int) -> int:
    """Return ``min_n`` as an int ≥ 2 or raise :class:`StatsArgumentError`."""
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 2:
        raise StatsArgumentError("min_n", "an integer of at least 2", min_n)
    return int(min_n)


def check_columns(frame: pd.DataFrame, columns: Iterable[str], *, parameter: str = "data") -> None:
    """Raise :class:`StatsArgumentError` naming every column ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StatsArgumentError(parameter, f"a table with the columns {missing}",
                                 f"columns {list(frame.columns)[:12]}")


def check_choice(parameter: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`StatsArgumentError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise StatsArgumentError(parameter, f"one of {list(allowed)}", value)


def cell_rng(seed: int, key: Iterable[object]) -> np.random.Generator:
    """A random stream for one cell, fixed by ``seed`` and the cell's key alone.

    The stream does not depend on which other cells are in the data, so a
    kommune's intervals are the same whether it is scored alone or with all
    98 kommuner.
    """
    text = "\x1f".join("" if k is None else str(k) for k in key)
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(text.encode("utf-8"))])


def nan_quantiles(values: np.ndarray, probs: Sequence[float | np.ndarray], *, axis: int) -> np.ndarray:
    """Quantiles along ``axis`` ignoring NaN, vectorised over the other axes.

    Same definition as :func:`numpy.nanquantile` with ``method="linear"``
    (Hyndman & Fan type 7); a slice with no finite value gives NaN, without a
    warning. Each probability may be an array with the shape of the other
    axes (one level per slice). The result has the quantiles on a new first axis.
    """
    a = np.moveaxis(np.asarray(values, dtype="float64"), axis, -1)
    ordered = np.sort(a, axis=-1)                                  # NaN sort last
    count = (~np.isnan(a)).sum(axis=-1)
    out = np.full((len(probs), *a.shape[:-1]), np.nan)
    has = count > 0
    for j, q in enumerate(probs):
        level = np.asarray(q, dtype="float64")
        valid = has & ~np.isnan(level)                             # a NaN level gives NaN
        pos = np.clip(np.nan_to_num(level), 0, 1) * (np.maximum(count, 1) - 1)
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        frac = pos - lo
        v_lo = np.take_along_axis(ordered, lo[..., None], axis=-1)[..., 0]
        v_hi = np.take_along_axis(ordered, hi[..., None], axis=-1)[..., 0]
        out[j] = np.where(valid, v_lo + frac * (v_hi - v_lo), np.nan)
    return out


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    ok = np.isfinite(num) & np.isfinite(den) & (den != 0)
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, np.nan), where=ok)


def welch(mean1: np.ndarray, sd1: np.ndarray, n1: np.ndarray, mean2: np.ndarray, sd2: np.ndarray,
          n2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Welch's unequal-variance t-test from summary statistics, vectorised.

    ``t = (m1 − m2) / sqrt(s1²/n1 + s2²/n2)`` with Welch–Satterthwaite
    degrees of freedom; two-sided ``p``. Matches
    ``scipy.stats.ttest_ind(x1, x2, equal_var=False)``. NaN where either group
    has fewer than 2 observations or both variances are 0.

    Returns
    -------
    t, df, p
    """
    n1 = np.asarray(n1, dtype="float64")
    n2 = np.asarray(n2, dtype="float64")
    ok = (n1 >= 2) & (n2 >= 2)
    v1 = np.where(ok, np.asarray(sd1, dtype="float64") ** 2 / np.where(ok, n1, 1), np.nan)
    v2 = np.where(ok, np.asarray(sd2, dtype="float64") ** 2 / np.where(ok, n2, 1), np.nan)
    se2 = v1 + v2
    t = _div(np.asarray(mean1, dtype="float64") - np.asarray(mean2, dtype="float64"), np.sqrt(se2))
    df = _div(se2**2, v1**2 / np.where(ok, n1 - 1, 1) + v2**2 / np.where(ok, n2 - 1, 1))
    p = np.where(np.isfinite(t) & np.isfinite(df), 2 * sps.t.sf(np.abs(np.nan_to_num(t)), np.nan_to_num(df, nan=1)),
                 np.nan)
    return t, df, p


def hedges_g(mean1: np.ndarray, sd1: np.ndarray, n1: np.ndarray, mean2: np.ndarray, sd2: np.ndarray,
             n2: np.ndarray) -> np.ndarray:
    """Hedges' g of two independent groups from summary statistics, vectorised.

    ``d = (m1 − m2) / s_p`` with the pooled s.d.
    ``s_p = sqrt(((n1 − 1) s1² + (n2 − 1) s2²) / (n1 + n2 − 2))`` and
    ``g = d · (1 − 3 / (4 (n1 + n2) − 9))``, as
    ``pingouin.compute_effsize(x1, x2, eftype="hedges")``. NaN where a group
    has fewer than 2 observations or the pooled s.d. is 0.
    """
    n1 = np.asarray(n1, dtype="float64")
    n2 = np.asarray(n2, dtype="float64")
    ok = (n1 >= 2) & (n2 >= 2)
    dof = np.where(ok, n1 + n2 - 2, np.nan)
    pooled = np.sqrt(((n1 - 1) * np.asarray(sd1, dtype="float64") ** 2
                      + (n2 - 1) * np.asarray(sd2, dtype="float64") ** 2) / dof)
    d = _div(np.asarray(mean1, dtype="float64") - np.asarray(mean2, dtype="float64"), pooled)
    return d * (1 - 3 / (4 * (n1 + n2) - 9))


def pct(confidence: float) -> str:
    """``0.95`` → ``"95 %"`` (Danish spacing, as in the briefings)."""
    return f"{confidence * 100:g} %"


def latest_wave(frame: pd.DataFrame, wave: str | None = None) -> pd.DataFrame:
    """Rows of ``wave``, or of each kommune's latest wave (waves sort as text) when ``None``."""
    check_columns(frame, ["kommunekode", "wave"], parameter="data")
    if wave is not None:
        return frame[frame["wave"] == wave]
    latest = frame.groupby("kommunekode", observed=True)["wave"].transform("max")
    return frame[frame["wave"] == latest]
