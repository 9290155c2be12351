"""Has anything moved since the last wave? Change per kommune, score id and group, with interval and test."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fundament_lib.framework.model import Framework

from ._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    StatsArgumentError,
    check_confidence,
    pct,
    welch,
)
from .bootstrap import ScoreIntervals, replicate_summary, score_intervals

__all__ = ["wave_changes"]


def wave_changes(scores: pd.DataFrame, fw: Framework, *, n_boot: int = DEFAULT_N_BOOT,
                 confidence: float = DEFAULT_CONFIDENCE, seed: int = DEFAULT_SEED,
                 intervals: ScoreIntervals | None = None) -> pd.DataFrame:
    """Change from the previous to the latest wave, per kommune × score id × group.

    ``change = score(latest) − score(previous)``, for every kommune with two
    or more waves (waves order as text, e.g. ``"2025" < "2026"``). The
    respondents of the two waves are different leaders, so the waves are
    resampled independently (each cell has its own stream in
    :func:`score_intervals`) and the interval is the bootstrap percentile
    interval of the replicate differences; ``p`` is Welch's t-test
    (``scipy.stats.ttest_ind(latest, previous, equal_var=False)``).

    Parameters
    ----------
    scores
        Output of :func:`fundament_lib.analysis.scoring.respondent_scores`.
    fw
        The framework.
    n_boot, confidence, seed
        Bootstrap replicates, interval level and seed.
    intervals
        Reuse an earlier :func:`score_intervals` result with
        ``by=("kommunekode", "wave")``.

    Returns
    -------
    pandas.DataFrame
        ``kommunekode``, ``id``, ``level``, ``group``, ``wave_previous``,
        ``wave_latest``, ``n_previous``, ``n_latest``, ``score_previous``,
        ``score_latest``, ``change``, ``ci_low``, ``ci_high``, ``se``, ``p``,
        ``method``; empty when no kommune has two waves.
    """
    confidence = check_confidence(confidence)
    by = ("kommunekode", "wave")
    if intervals is None:
        intervals = score_intervals(scores, fw, by=by, n_boot=n_boot, confidence=confidence, seed=seed)
    elif intervals.by != by:
        raise StatsArgumentError("intervals", f"intervals computed with by={by}", intervals.by)
    table = intervals.table
    waves = (table[["kommunekode", "wave"]].drop_duplicates().sort_values(["kommunekode", "wave"])
             .groupby("kommunekode", observed=True)["wave"].agg(list))
    pairs = pd.DataFrame([(k, w[-2], w[-1]) for k, w in waves.items() if len(w) >= 2],
                         columns=["kommunekode", "wave_previous", "wave_latest"])
    columns = ["kommunekode", "id", "level", "group", "wave_previous", "wave_latest", "n_previous", "n_latest",
               "score_previous", "score_latest", "change", "ci_low", "ci_high", "se", "p", "method"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    keys = ["kommunekode", "wave", "group", "id"]
    cols = [*keys, "level", "n", "score", "sd"]
    prev = pairs.merge(table[cols], left_on=["kommunekode", "wave_previous"],
                       right_on=["kommunekode", "wave"]).drop(columns="wave")
    late = pairs.merge(table[cols], left_on=["kommunekode", "wave_latest"],
                       right_on=["kommunekode", "wave"]).drop(columns="wave")
    both = prev.merge(late, on=["kommunekode", "wave_previous", "wave_latest", "group", "id", "level"],
                      suffixes=("_previous", "_latest"))
    out = both
    out["change"] = out["score_latest"] - out["score_previous"]
    _, _, out["p"] = welch(out["score_latest"].to_numpy(), out["sd_latest"].to_numpy(), out["n_latest"].to_numpy(),
                           out["score_previous"].to_numpy(), out["sd_previous"].to_numpy(),
                           out["n_previous"].to_numpy())
    ids = list(intervals.ids)
    col = np.asarray([ids.index(i) for i in out["id"]], dtype=np.intp)

    def reps(wave_col: str) -> np.ndarray:
        pos = intervals.positions(pd.DataFrame({"kommunekode": out["kommunekode"], "wave": out[wave_col],
                                                "group": out["group"]}))
        res = np.full((len(out), intervals.n_boot), np.nan)
        found = pos >= 0
        res[found] = intervals.replicates[pos[found], :, col[found]]
        return res

    low, high, se = replicate_summary(reps("wave_latest") - reps("wave_previous"), confidence, axis=1)
    ok = (out["n_latest"] >= 2) & (out["n_previous"] >= 2)
    out["ci_low"], out["ci_high"], out["se"] = (np.where(ok, v, np.nan) for v in (low, high, se))
    out["method"] = (f"latest − previous wave; bootstrap percentile interval, waves resampled independently, "
                     f"B={intervals.n_boot}, {pct(confidence)}; Welch t-test")
    order = {g: i for i, g in enumerate(("alle", "stab", "borgernaer"))}
    out = out.sort_values(["kommunekode", "group", "id"], key=lambda s: s.map(order) if s.name == "group" else s)
    return out[columns].reset_index(drop=True)
