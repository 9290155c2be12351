"""Which themes first, and why: a transparent priority rule a director can follow.

For every theme the rule scores five kinds of need on 0–1 and takes their
weighted mean (weights in ``params/defaults.yaml``, overridable per kommune):

==================  =====================================================================
performance         (100 − score) / 100, the frontline leaders' score (``alle`` where
                    their own cell is hidden)
benchmark           (100 − percentile) / 100: low against the other kommuner
stated importance   the importance respondents give the theme (0–100) / 100
derived importance  how closely the theme goes with the outcome ("tid og rum til at lede
                    det faglige") among the kommune's own frontline leaders — their
                    correlation, shrunk toward the national one where they are few
                    (:mod:`fundament_lib.analysis.stats.local_drivers`) — relative to the strongest
gap                 how much the staff–frontline gap exceeds the national norm (the median
                    gap of the theme), 0 at the norm and 1 at 25 points above it; 0 unless
                    the gap is clear (:mod:`fundament_lib.analysis.verdicts`)
==================  =====================================================================

A theme scoring at least ``strong_score`` is never a priority. The kommune's
clearly weakest theme (its interval lies below every other theme's) is always
among the priorities when it may be one: national patterns alone do not
displace it. Uncertainty is respected: the index is recomputed in every
bootstrap replicate of the scores and of the gaps (the benchmark percentile
and the importances are held fixed), each theme gets the probability of being
in the top ``top``, and a theme whose place the data cannot tell apart from
the next is called uncertain in the text. The stability of the top list under
±25 % changes of each weight is reported too.

The needs and the index are :mod:`.priority_needs`, the texts :mod:`.priority_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.core.params import PriorityParams

from .priority_needs import COMPONENTS, components, priority_index, replicate_index
from .priority_text import (
    NO_THEMES,
    note_all_strong,
    note_ranked,
    note_too_few,
    note_weakest_left_out,
    reason_parts,
    reason_text,
    rule_text,
)

__all__ = ["PriorityResult", "prioritise", "weight_stability", "clearly_weakest"]

_INPUT = {"benchmark": "percentile", "stated_importance": "importance", "derived_importance": "driver",
          "gap": "gap"}  # the column of ``themes`` each need is computed from


@dataclass
class PriorityResult:
    """The ranked themes of one kommune, or why there are none."""

    priorities: list[dict[str, Any]]
    ranking: pd.DataFrame
    note: str
    uncertain: bool = False
    stability: float | None = None
    rule: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def weight_stability(comp: pd.DataFrame, weights: Mapping[str, float], eligible: np.ndarray, *, top: int,
                     spread: float, seed: int, draws: int = 400) -> float:
    """Share of weight settings (each weight × U(1 − spread, 1 + spread), plus every
    single weight at ±spread) that give the same top list as the stated weights."""
    rng = np.random.default_rng(seed)
    base = np.array([weights[c] for c in COMPONENTS])
    single = np.repeat(base[None, :], 2 * len(base), axis=0)
    for i in range(len(base)):
        single[2 * i, i] *= 1 - spread
        single[2 * i + 1, i] *= 1 + spread
    settings = np.vstack([base * rng.uniform(1 - spread, 1 + spread, (draws, len(base))), single])
    values = comp.to_numpy(dtype=float)
    present = ~np.isnan(values)
    index = (np.where(present, values, 0) @ settings.T) / np.where(present @ settings.T > 0, present @ settings.T, np.nan)
    reference = np.zeros(len(eligible), dtype=bool)
    reference[list(_top_set(priority_index(values, weights), eligible, top))] = True
    return float(np.mean((_top_members(index.T, eligible, top) == reference).all(axis=1)))


def _top_members(index: np.ndarray, eligible: np.ndarray, top: int) -> np.ndarray:
    """:func:`_top_set` of every row of ``index`` (settings × themes) at once, as membership (settings × themes)."""
    order = np.argsort(-np.where(eligible[None, :], index, -np.inf), axis=1, kind="stable")
    ranked = eligible[order]  # eligible themes in each setting's order
    members = np.zeros(index.shape, dtype=bool)
    np.put_along_axis(members, order, ranked & (np.cumsum(ranked, axis=1) <= top), axis=1)
    return members


def _top_set(index: np.ndarray, eligible: np.ndarray, top: int) -> frozenset[int]:
    order = [i for i in np.argsort(-np.where(eligible, index, -np.inf), kind="stable") if eligible[i]]
    return frozenset(order[:top])


def prioritise(themes: pd.DataFrame, params: PriorityParams, *, min_n: int, seed: int,
               replicates: np.ndarray | None = None, gap_replicates: np.ndarray | None = None,
               left_out: Mapping[str, str] | None = None) -> PriorityResult:
    """Rank one kommune's themes by the priority rule.

    Parameters
    ----------
    themes
        One row per theme (index = theme id) with ``title``, ``score``,
        ``ci_low``, ``ci_high``, ``n``, ``basis`` (``"borgernaer"`` or ``"alle"``),
        ``percentile``, ``importance``, ``driver``, ``gap`` and optionally
        ``gap_significant`` (bool), ``gap_ci_low`` and ``gap_ci_high``. Missing inputs are NaN.
    params
        Weights, how many to name, the strong-score bar and the perturbation.
    min_n
        Fewer respondents behind the scores than this (or than 10): no ranking.
    seed
        For the weight perturbation draws.
    replicates
        Bootstrap replicates of ``score`` (replicates × themes, in ``themes`` order).
    gap_replicates
        Bootstrap replicates of ``gap`` (same shape), from the same resampling.
    left_out
        Needs the data cannot inform → why (Danish); they get no weight, and the rule's text
        says so. A need without a value for any theme is left out too.

    Returns
    -------
    PriorityResult
    """
    weights = params.weights.model_dump()
    inputs = {c: col for c, col in _INPUT.items() if c in (left_out or {}) and col in themes}
    themes = themes.assign(**dict.fromkeys(inputs.values(), np.nan))  # the reasons must not cite them either
    comp = components(themes)
    used = [c for c in COMPONENTS if comp[c].notna().any()]
    basis = str(themes["basis"].mode().iloc[0]) if "basis" in themes and not themes.empty else "borgernaer"
    rule = rule_text(weights, strong=params.strong_score, used=used, basis=basis, left_out=left_out)
    if themes.empty:
        return PriorityResult([], pd.DataFrame(), NO_THEMES, rule=rule)
    enough = themes["n"].fillna(0) >= max(min_n, 10)
    if not enough.any():
        return PriorityResult([], pd.DataFrame(), note_too_few(min_n), rule=rule)
    index = priority_index(comp, weights)
    eligible = (themes["score"] < params.strong_score).to_numpy() & enough.to_numpy() & ~np.isnan(index)
    ranking = themes.assign(index=index, eligible=eligible, **{f"c_{c}": comp[c] for c in COMPONENTS})
    if not eligible.any():
        return PriorityResult([], ranking, note_all_strong(params.strong_score), rule=rule)
    order = sorted((int(i) for i in np.flatnonzero(eligible)), key=lambda i: (-round(float(index[i]), 9),
                                                                              str(themes.index[i])))
    chosen = order[: params.top]
    weakest = clearly_weakest(themes)
    forced = False
    if weakest is not None and eligible[weakest] and weakest not in chosen:
        # the kommune's own clearest need is not displaced by the other needs
        forced, chosen = True, [*chosen[: params.top - 1], weakest]
        order = [*chosen, *[i for i in order if i not in chosen]]
    rep_index = (replicate_index(themes, comp, replicates, weights, gap_replicates)
                 if replicates is not None and replicates.size else None)
    p_top = _p_top(rep_index, eligible, params.top)
    ranking["p_top"] = p_top
    uncertain_pairs = _uncertain_pairs(order, themes, rep_index, params.top)
    stability = weight_stability(comp, weights, eligible, top=params.top, spread=params.weight_perturbation,
                                 seed=seed)
    priorities = []
    for rank, i in enumerate(chosen, start=1):
        row = ranking.iloc[i]
        priorities.append({
            "theme": str(themes.index[i]), "rank": rank, "index": round(float(index[i]), 4),
            "reason": reason_text(row, comp.iloc[i], themes, weakest=i == weakest),
            "reasons": reason_parts(row, comp.iloc[i], themes, weakest=i == weakest),
            "forced": bool(forced and i == weakest),
            "p_top": None if p_top is None else round(float(p_top[i]), 3),
            "tied_with": _ties(i, order, index, themes),
            "components": {c: (None if pd.isna(comp.iloc[i][c]) else round(float(comp.iloc[i][c]), 4))
                           for c in COMPONENTS},
        })
    titles = themes["title"].astype(str).to_dict()
    note = note_ranked(priorities, uncertain_pairs, stability, params, titles)
    if weakest is not None and weakest not in chosen:
        note += " " + note_weakest_left_out(themes, weakest, params, min_n)
    extra = {"weakest": None if weakest is None else str(themes.index[weakest])}
    return PriorityResult(priorities, ranking, note, uncertain=bool(uncertain_pairs), stability=stability,
                          rule=rule, extra=extra)


def clearly_weakest(themes: pd.DataFrame) -> int | None:
    """The position of the theme whose interval lies wholly below every other theme's interval, or
    ``None`` where no theme is clearly the weakest (or intervals are missing)."""
    scored = themes.reset_index(drop=True)
    scored = scored[scored["score"].notna() & scored["ci_low"].notna() & scored["ci_high"].notna()]
    if len(scored) < 2:
        return None
    low = int(scored["score"].idxmin())
    others = scored.drop(index=low)
    return low if float(scored.loc[low, "ci_high"]) < float(others["ci_low"].min()) else None


def _p_top(rep_index: np.ndarray | None, eligible: np.ndarray, top: int) -> np.ndarray | None:
    """Each theme's share of replicates in which it is among the ``top``."""
    if rep_index is None:
        return None
    rep_index = np.where(eligible[None, :] & ~np.isnan(rep_index), rep_index, -np.inf)
    ranks = (-rep_index).argsort(axis=1).argsort(axis=1)  # 0 = highest need in that replicate
    return ((ranks < top) & eligible[None, :]).mean(axis=0)


def _uncertain_pairs(order: list[int], themes: pd.DataFrame, rep: np.ndarray | None,
                     top: int) -> list[tuple[str, str]]:
    """Neighbours around the cut (and within the list) whose order the data cannot tell apart:
    the 90 % interval of their index difference over the replicates includes 0."""
    if rep is None:
        return []
    pairs = []
    for a, b in zip(order[: top], order[1: top + 1], strict=False):
        diff = rep[:, a] - rep[:, b]
        diff = diff[~np.isnan(diff)]
        if diff.size and np.quantile(diff, 0.05) <= 0:
            pairs.append((str(themes.index[a]), str(themes.index[b])))
    return pairs


def _ties(i: int, order: list[int], index: np.ndarray, themes: pd.DataFrame) -> list[str]:
    return [str(themes.index[j]) for j in order if j != i and round(float(index[j]), 9) == round(float(index[i]), 9)]


