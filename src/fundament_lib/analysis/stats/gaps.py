"""Staff versus frontline: the gap per kommune, with interval, effect size and adjusted tests.

The gap is ``stab − borgernaer``: positive where the staffs rate a theme
higher than the frontline leaders they serve. The national models of the same
comparison are in :mod:`fundament_lib.analysis.stats.models`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fundament_lib.framework.model import Framework

from ._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    StatsArgumentError,
    check_confidence,
    hedges_g,
    pct,
    welch,
)
from .bootstrap import ScoreIntervals, replicate_summary, score_intervals

__all__ = ["group_gaps", "holm"]


def holm(p: np.ndarray | pd.Series, family: np.ndarray | pd.Series | None = None) -> np.ndarray:
    """Holm-adjusted p-values, vectorised over families; NaN entries are left out of a family.

    Within a family of ``m`` p-values sorted ascending,
    ``p̃_(i) = min(1, max_{j ≤ i} (m − j + 1) · p_(j))`` (Holm 1979) — the
    values of :func:`statsmodels.stats.multitest.multipletests` with
    ``method="holm"`` applied family by family (which this avoids calling
    in a loop: it runs a garbage collection on every call).

    Parameters
    ----------
    p
        p-values.
    family
        Family label per p-value (one family when ``None``).
    """
    values = np.asarray(p, dtype="float64")
    labels = np.zeros(len(values), dtype=np.intp) if family is None else pd.factorize(
        pd.Series(np.asarray(family, dtype=object)), use_na_sentinel=False)[0]
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    if not ok.any():
        return out
    fam, val = labels[ok], values[ok]
    order = np.lexsort((val, fam))
    fam_s, val_s = fam[order], val[order]
    frame = pd.DataFrame({"fam": fam_s})
    m = frame.groupby("fam")["fam"].transform("size").to_numpy()
    j = frame.groupby("fam").cumcount().to_numpy()
    raw = pd.Series((m - j) * val_s)
    adjusted = raw.groupby(fam_s).cummax().clip(upper=1.0).to_numpy()
    result = np.empty_like(adjusted)
    result[order] = adjusted
    out[ok] = result
    return out


def group_gaps(scores: pd.DataFrame, fw: Framework, *, by: Sequence[str] = ("kommunekode", "wave"),
               n_boot: int = DEFAULT_N_BOOT, confidence: float = DEFAULT_CONFIDENCE, seed: int = DEFAULT_SEED,
               intervals: ScoreIntervals | None = None) -> pd.DataFrame:
    """Staff − frontline gap per unit × theme and pejlemærke, with interval, effect size and tests.

    * ``diff`` = mean(stab) − mean(borgernaer);
    * ``ci_low``, ``ci_high``: bootstrap percentile interval of the difference
      (respondents resampled independently within each group, the draws of
      :func:`score_intervals`, so a gap's replicates are the difference of the
      groups' replicates);
    * ``hedges_g``: ``d · (1 − 3 / (4 (n₁ + n₂) − 9))`` with
      ``d = diff / s_pooled``, as ``pingouin.compute_effsize(eftype="hedges")``;
    * ``t``, ``df``, ``p``: Welch's unequal-variance t-test, as
      ``scipy.stats.ttest_ind(stab, borgernaer, equal_var=False)``;
    * ``p_holm``: Holm's adjustment across the themes of a unit (the
      pejlemærker form their own family), as
      ``statsmodels.stats.multitest.multipletests(p, method="holm")``.

    Parameters
    ----------
    scores
        Output of :func:`fundament_lib.analysis.scoring.respondent_scores`.
    fw
        The framework.
    by
        Unit columns.
    n_boot, confidence, seed
        Bootstrap replicates, interval level and seed.
    intervals
        Reuse the replicates of an earlier :func:`score_intervals` call with
        the same ``by`` (its ``n_boot`` and ``seed`` then apply).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``id``, ``level``, ``n_stab``, ``n_borgernaer``,
        ``score_stab``, ``score_borgernaer``, ``diff``, ``ci_low``,
        ``ci_high``, ``hedges_g``, ``t``, ``df``, ``p``, ``p_holm``,
        ``method``. One row per unit that has both groups.
    """
    confidence = check_confidence(confidence)
    by = tuple(by)
    if intervals is None:
        intervals = score_intervals(scores, fw, by=by, n_boot=n_boot, confidence=confidence, seed=seed)
    elif intervals.by != by:
        raise StatsArgumentError("intervals", f"intervals computed with by={by}", intervals.by)
    table = intervals.table
    keys = [*by, "id", "level"]
    stab = table[table["group"] == "stab"].set_index(keys)
    borg = table[table["group"] == "borgernaer"].set_index(keys)
    both = stab.index.intersection(borg.index, sort=False)
    s, b = stab.loc[both], borg.loc[both]
    out = pd.DataFrame(index=both).reset_index()
    out["n_stab"], out["n_borgernaer"] = s["n"].to_numpy(), b["n"].to_numpy()
    out["score_stab"], out["score_borgernaer"] = s["score"].to_numpy(), b["score"].to_numpy()
    out["diff"] = out["score_stab"] - out["score_borgernaer"]
    stats = (s["score"].to_numpy(), s["sd"].to_numpy(), s["n"].to_numpy(),
             b["score"].to_numpy(), b["sd"].to_numpy(), b["n"].to_numpy())
    out["hedges_g"] = hedges_g(*stats)
    out["t"], out["df"], out["p"] = welch(*stats)

    cells = out[list(by)].assign(id=out["id"])
    rep_s = _take_diagonal(intervals, cells.assign(group="stab"))
    rep_b = _take_diagonal(intervals, cells.assign(group="borgernaer"))
    low, high, _ = replicate_summary(rep_s - rep_b, confidence, axis=1)
    ok = (out["n_stab"] >= 2) & (out["n_borgernaer"] >= 2)
    out["ci_low"] = np.where(ok, low, np.nan)
    out["ci_high"] = np.where(ok, high, np.nan)
    family = [out[c] for c in by] + [out["level"]]
    out["p_holm"] = holm(out["p"], pd.MultiIndex.from_arrays(family).to_flat_index())
    out["method"] = (f"diff stab − borgernaer; bootstrap percentile interval B={intervals.n_boot}, "
                     f"{pct(confidence)}; Welch t-test; Holm across themes per unit; Hedges' g")
    return out[[*by, "id", "level", "n_stab", "n_borgernaer", "score_stab", "score_borgernaer", "diff",
                "ci_low", "ci_high", "hedges_g", "t", "df", "p", "p_holm", "method"]]


def _take_diagonal(intervals: ScoreIntervals, cells: pd.DataFrame) -> np.ndarray:
    """Replicates ``(rows, n_boot)`` of each row's own cell and id."""
    pos = intervals.positions(cells)
    col = np.asarray([intervals.ids.index(i) for i in cells["id"]], dtype=np.intp)
    out = np.full((len(cells), intervals.n_boot), np.nan)
    found = pos >= 0
    out[found] = intervals.replicates[pos[found], :, col[found]]
    return out
