"""Where a kommune stands among the others: ranks, percentiles and how sure the rank is.

Ranks are computed in every bootstrap replicate of :func:`score_intervals`
(kommuner are resampled independently, so replicate ``b`` of every kommune
together is one bootstrap world), which gives an interval for the rank
(Goldstein & Spiegelhalter 1996, "League tables and their limitations").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from fundament_lib.core.kommuner import kommuner

from ._common import (
    StatsArgumentError,
    check_choice,
    check_columns,
    check_confidence,
    nan_quantiles,
)
from .bootstrap import ScoreIntervals

__all__ = ["benchmark", "rank_scores"]

SUBSETS = ("region", "kommunegruppe")


def rank_scores(values: np.ndarray, *, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank, count and percentile along ``axis`` (1 = highest; NaN values take no part).

    ``rank = 1 + #{others strictly higher}`` (ties share the best rank, as
    ``scipy.stats.rankdata(-x, method="min")``);
    ``percentile = 100 · #{others strictly lower} / (n − 1)``, so the highest
    scorer has 100 and the lowest 0 (NaN when ``n < 2``).

    Returns
    -------
    rank, n, percentile
        ``rank`` and ``percentile`` have the shape of ``values``; ``n`` lacks ``axis``.
    """
    x = np.asarray(values, dtype="float64")
    rank = sps.rankdata(-x, axis=axis, method="min", nan_policy="omit")
    lower_or_tied = sps.rankdata(x, axis=axis, method="max", nan_policy="omit")   # #{≤ x}
    ties = lower_or_tied - sps.rankdata(x, axis=axis, method="min", nan_policy="omit")
    n = (~np.isnan(x)).sum(axis=axis)
    below = lower_or_tied - 1 - ties                                             # #{< x}
    denom = np.expand_dims(n - 1, axis).astype("float64")
    pct = np.divide(100 * below, denom, out=np.full(x.shape, np.nan), where=(denom > 0) & ~np.isnan(x))
    return np.where(np.isnan(x), np.nan, rank), n, pct


def _ranks(score: np.ndarray, reps: np.ndarray, confidence: float) -> dict[str, np.ndarray]:
    """Point rank, n, percentile and rank interval; ``score`` (K, J), ``reps`` (K, B, J)."""
    rank, n, pct = rank_scores(score, axis=0)
    reps = np.where(np.isnan(score)[:, None, :], np.nan, reps)        # only kommuner with a score
    rep_rank = sps.rankdata(-reps, axis=0, method="min", nan_policy="omit")
    tail = (1 - confidence) / 2
    low, high = nan_quantiles(rep_rank, [tail, 1 - tail], axis=1)
    return {"rank": rank, "n": np.broadcast_to(n, rank.shape), "percentile": pct,
            "ci_low": np.floor(low), "ci_high": np.ceil(high)}


def _columns(by: tuple[str, ...]) -> list[str]:
    """The columns of :func:`benchmark`'s result."""
    head = [c for c in ["kommunekode", "wave"] if c in by]
    cols = [*head, "id", "level", "group", "n", "score", "ci_low", "ci_high", "rank", "n_kommuner", "percentile",
            "rank_ci_low", "rank_ci_high"]
    for subset in SUBSETS:
        cols += [subset, f"rank_{subset}", f"n_{subset}", f"percentile_{subset}", f"rank_{subset}_ci_low",
                 f"rank_{subset}_ci_high"]
    return cols


def benchmark(intervals: ScoreIntervals, *, ref: pd.DataFrame | None = None, group: str = "alle",
              wave: str | None = None, confidence: float | None = None,
              units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank and percentile of every kommune on every score id, nationally and within its peers.

    For kommune ``k`` and id ``j`` among the ``n`` kommuner with a score:
    ``rank = 1 + #{kommuner scoring higher}`` (1 = highest) and
    ``percentile = 100 · #{kommuner scoring lower} / (n − 1)``. The rank is
    recomputed in each of the ``B`` bootstrap replicates (vectorised,
    ``scipy.stats.rankdata`` over the kommune axis); ``rank_ci_low`` and
    ``rank_ci_high`` are the replicate ranks' ``(1 − γ)/2`` and
    ``(1 + γ)/2`` quantiles, rounded outward to whole ranks. The same is
    done within the kommune's ``region`` and ``kommunegruppe``.

    Parameters
    ----------
    intervals
        Output of :func:`score_intervals` with ``kommunekode`` (and ``wave``)
        in ``by``.
    ref
        The kommune reference table (default
        :func:`fundament_lib.core.kommuner.kommuner`): ``kommunekode``, ``region``,
        ``kommunegruppe``.
    group
        Which group's score to rank (``alle``, ``stab`` or ``borgernaer``).
    wave
        Wave to compare; ``None`` takes each kommune's latest wave.
    confidence
        Level of the rank interval (default: that of ``intervals``).
    units
        Only these units (rows of the ``intervals.by`` columns) take part, e.g. the
        kommuner whose ``alle`` pools both groups; default every unit.

    Returns
    -------
    pandas.DataFrame
        ``kommunekode``, ``wave``, ``id``, ``level``, ``group``, ``n``,
        ``score``, ``ci_low``, ``ci_high``, ``rank``, ``n_kommuner``,
        ``percentile``, ``rank_ci_low``, ``rank_ci_high``, and for
        ``region`` and ``kommunegruppe``: the name, ``rank_<s>``, ``n_<s>``,
        ``percentile_<s>``, ``rank_<s>_ci_low``, ``rank_<s>_ci_high``. Empty when no
        kommune has the group (with ``wave=None``).
    """
    check_choice("group", group, ("alle", "stab", "borgernaer"))
    confidence = check_confidence(intervals.confidence if confidence is None else confidence)
    if "kommunekode" not in intervals.by or not set(intervals.by) <= {"kommunekode", "wave"}:
        raise StatsArgumentError("intervals", "intervals by ('kommunekode',) or ('kommunekode', 'wave')",
                                 intervals.by)
    ref = kommuner() if ref is None else ref
    check_columns(ref, ["kommunekode", *SUBSETS], parameter="ref")
    table = intervals.table[intervals.table["group"] == group]
    if units is not None:
        keys = list(intervals.by)
        table = table.merge(units[keys].astype(object).drop_duplicates(), on=keys, how="inner")
    if "wave" in intervals.by:
        if wave is None:
            latest = table.groupby("kommunekode", observed=True)["wave"].transform("max")
            table = table[table["wave"] == latest]
        else:
            table = table[table["wave"] == wave]
    if table.empty and wave is not None:
        raise StatsArgumentError("wave", "a wave present in the data", wave)
    if table.empty:  # nobody in the group anywhere (e.g. a staff-only survey): no positions
        return pd.DataFrame(columns=_columns(intervals.by))
    ids = list(intervals.ids)
    wide = table.pivot(index="kommunekode", columns="id", values="score").reindex(columns=ids)
    codes = wide.index
    cell_cols = [c for c in intervals.by if c != "kommunekode"]
    cells = table.drop_duplicates("kommunekode").set_index("kommunekode").loc[codes, cell_cols].reset_index()
    reps = intervals.take(cells.assign(group=group), ids)              # (K, B, J)
    score = wide.to_numpy(dtype="float64")

    def long(values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64").ravel()

    base = _ranks(score, reps, confidence)
    out = pd.DataFrame({"kommunekode": np.repeat(codes.to_numpy(dtype=object), len(ids)),
                        "id": np.tile(np.asarray(ids, dtype=object), len(codes)),
                        "rank": long(base["rank"]), "n_kommuner": long(base["n"]),
                        "percentile": long(base["percentile"]),
                        "rank_ci_low": long(base["ci_low"]), "rank_ci_high": long(base["ci_high"])})
    facts = ref.set_index("kommunekode").reindex(codes)
    for subset in SUBSETS:
        labels = facts[subset]
        block = {k: np.full(score.shape, np.nan) for k in ("rank", "n", "percentile", "ci_low", "ci_high")}
        for _label, rows in pd.Series(np.arange(len(codes)), index=labels.to_numpy()).groupby(level=0):
            pos = rows.to_numpy()
            part = _ranks(score[pos], reps[pos], confidence)
            for k in block:
                block[k][pos] = part[k]
        out[subset] = np.repeat(labels.to_numpy(dtype=object), len(ids))
        out[f"rank_{subset}"] = long(block["rank"])
        out[f"n_{subset}"] = long(block["n"])
        out[f"percentile_{subset}"] = long(block["percentile"])
        out[f"rank_{subset}_ci_low"] = long(block["ci_low"])
        out[f"rank_{subset}_ci_high"] = long(block["ci_high"])
    keys = ["kommunekode", "id"]
    cols = [c for c in ["kommunekode", "wave", "id", "level", "group", "n", "score", "ci_low", "ci_high"]
            if c in table.columns]
    merged = table[cols].merge(out, on=keys, how="left", validate="one_to_one")
    ints = [c for c in merged.columns if c.startswith(("rank", "n_"))]
    merged[ints] = merged[ints].astype("Int64")
    return merged.sort_values(keys, ignore_index=True)
