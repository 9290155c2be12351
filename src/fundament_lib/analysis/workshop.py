"""From a kommune's (suppressed) results to its priorities and workshop agenda.

Gathers the priority rule's inputs per theme, runs :func:`~fundament_lib.analysis.priority.prioritise`,
and adds for each prioritised theme the publication's discussion questions
(paraphrased, with page), the process prerequisites that look weak, and the
kommuner to learn from (bench-learning: clearly higher scores, preferably in
the same kommunegruppe or region; named only where the params allow it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.analysis.stats._common import cell_rng
from fundament_lib.analysis.stats.bootstrap import replicate_summary
from fundament_lib.core.jsonready import records
from fundament_lib.core.params import Params
from fundament_lib.core.sharing import enough_others
from fundament_lib.framework.model import Framework

from . import stats
from .descriptives import count_columns
from .priority import prioritise

__all__ = ["theme_inputs", "priority_section", "prerequisites", "benchlearning", "WEAK_PREREQUISITE"]

WEAK_PREREQUISITE = 50.0  # a prerequisite scoring below this (0–100) looks weak
READ = ("item_id", "group", "n", "score", "points")  # the item cells' columns read here (besides c1…cK)


def theme_inputs(fw: Framework, scores: pd.DataFrame, items: pd.DataFrame, drivers: pd.DataFrame | None,
                 benchmark: pd.DataFrame | None = None, gaps: pd.DataFrame | None = None, *,
                 basis: str | None = None, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per theme with what the priority rule needs.

    Parameters
    ----------
    fw
        The framework.
    scores
        The kommune's suppressed score cells (``id``, ``group``, ``n``, ``score``,
        optional ``ci_low``/``ci_high``).
    items
        The kommune's suppressed item cells (for stated importance).
    drivers
        The kommune's derived importance (``id``, ``r``, ``own_weight``), a national driver table
        (``id``, ``share``), or ``None``.
    benchmark
        Optional ``id`` → ``percentile`` for the performance basis group.
    gaps
        Optional staff − frontline gaps with their interval (``id``, ``ci_low``, ``ci_high``) and
        verdict (``clear``, ``norm``: :func:`fundament_lib.analysis.verdicts.mark_gaps`); a gap counts as a
        need only where it is clear and positive (``gap_significant``; without ``clear``, where
        its interval lies above 0), and only by what exceeds the national ``norm``.
        The gap itself is the difference of the shown scores, with or without ``gaps`` (the
        gaps table's ``diff`` is the same difference of the same scores).
    basis
        Whose score every theme is judged on; ``None``: the frontline leaders' where shown,
        else all leaders', theme by theme.
    themes
        The themes to rank (default: every theme of the framework).
    """
    chosen = [fw.theme(i) for i in themes] if themes is not None else fw.themes()
    # Each cell as a plain dict, looked up by (id, group): a few dozen cells, read many times.
    cells = {(str(r["id"]), str(r["group"])): r for r in scores.to_dict("records")} if not scores.empty else {}
    wanted = {fw.importance_id(t.id) for t in chosen}
    importance = {i: v for (g, i), v in _weighted_scores(_records_of(items, wanted)).items() if g == "alle"}
    rows = []
    for t in chosen:
        group = basis or ("borgernaer" if _shown(cells.get((t.id, "borgernaer"))) else "alle")
        cell = cells.get((t.id, group))
        imp = importance.get(fw.importance_id(t.id), np.nan)
        stab, frontline = cells.get((t.id, "stab")), cells.get((t.id, "borgernaer"))
        rows.append({
            "id": t.id, "title": t.title, "basis": group,
            "score": _get(cell, "score"), "ci_low": _get(cell, "ci_low"), "ci_high": _get(cell, "ci_high"),
            "n": _get(cell, "n"),
            "importance": float(imp) if pd.notna(imp) else np.nan,
            "gap": stab["score"] - frontline["score"] if _shown(stab) and _shown(frontline) else np.nan,  # type: ignore[index]
        })
    out = pd.DataFrame(rows, columns=["id", "title", "basis", "score", "ci_low", "ci_high", "n", "importance",
                                      "gap"]).set_index("id")
    out["driver"], out["driver_own_weight"] = _driver_columns(drivers, out.index)
    out["percentile"] = benchmark.reindex(out.index) if benchmark is not None else np.nan
    if gaps is not None:
        g = gaps.reindex(columns=["id", "diff", "ci_low", "ci_high", "clear", "norm", "large"]).set_index("id")
        g = g.reindex(out.index)
        out["gap"] = g["diff"].astype(float).where(g["diff"].notna(), out["gap"])  # the gap as the summary has it
        out["gap_ci_low"], out["gap_ci_high"] = g["ci_low"].astype(float), g["ci_high"].astype(float)
        # One verdict per number (fundament_lib.analysis.verdicts): a gap counts where the summary calls it clear.
        clear = g["clear"].astype("boolean").fillna(False).astype(bool) if g["clear"].notna().any() \
            else out["gap_ci_low"] > 0
        out["gap_significant"] = clear & (out["gap"] > 0)
        out["gap_norm"] = g["norm"].astype(float)
    return out


def _driver_columns(drivers: pd.DataFrame | None, index: pd.Index) -> tuple[pd.Series | float, pd.Series | float]:
    """Derived importance per theme and how much of it is the kommune's own: a local table
    (``id``, ``r``, ``own_weight``: :func:`fundament_lib.analysis.stats.shrunk_correlations`) gives its
    shrunk correlation (negative ones count as none); a national driver table (``id``, ``share``)
    its R² share, all of it national."""
    if drivers is None or drivers.empty:
        return np.nan, np.nan
    table = drivers.set_index("id").reindex(index)
    if "r" in table:
        return table["r"].astype(float).clip(lower=0), table["own_weight"].astype(float)
    return table["share"].astype(float), pd.Series(0.0, index=index)


def _records_of(items: pd.DataFrame, ids: Collection[str]) -> list[dict[str, Any]]:
    """The rows of ``items`` about the items ``ids``, as records (a few rows, read in Python: pandas
    grouping of a frame this small cost more than the rest of a kommune's priority block)."""
    if items.empty:
        return []
    columns = [*(c for c in items.columns if c in READ), *count_columns(items.columns)]
    return items.loc[items["item_id"].isin(list(ids)).to_numpy(), columns].to_dict("records")


def _weighted_scores(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], float]:
    """Each group's score (0–100) per item, ``(group, item_id)`` → score: the n-weighted mean of the
    item's rows' scores (an item asked on two scales, two files pooled), NaN where a row is hidden
    or no row has a count."""
    acc: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        total_n_hidden = acc.setdefault((str(r["group"]), str(r["item_id"])), [None, 0.0, False])
        score, n = r["score"], r["n"]
        if pd.isna(score):
            total_n_hidden[2] = True
        elif not pd.isna(n):
            total_n_hidden[0] = score * n if total_n_hidden[0] is None else total_n_hidden[0] + score * n
        if not pd.isna(n):
            total_n_hidden[1] += n
    return {key: np.nan if hidden or total is None or not n > 0 else float(total / n)
            for key, (total, n, hidden) in acc.items()}


def _shown(cell: Mapping[str, Any] | None) -> bool:
    return cell is not None and not bool(cell["suppressed"]) and pd.notna(cell["score"])


def _get(cell: Mapping[str, Any] | None, key: str) -> float:
    if cell is None or key not in cell or pd.isna(cell[key]):
        return np.nan
    return float(cell[key])


def prerequisites(fw: Framework, items: pd.DataFrame, *, n_boot: int = stats.DEFAULT_N_BOOT,
                  confidence: float = stats.DEFAULT_CONFIDENCE, seed: int = stats.DEFAULT_SEED) -> list[dict[str, Any]]:
    """The three process prerequisites with their score (alle; ``score_stab`` and ``score_borgernaer``
    where shown), its interval and verdict; none when the survey did not ask them.

    The interval is the themes' (bootstrap percentile over respondents, all leaders stratified by
    group; :func:`prerequisite_interval`); the verdict follows it, as every verdict does
    (:mod:`fundament_lib.analysis.verdicts`): ``"strong"`` where the interval lies wholly at or above
    :data:`WEAK_PREREQUISITE`, ``"weak"`` wholly below, ``"uncertain"`` where it spans it. ``weak``
    is ``verdict == "weak"``."""
    if fw.prerequisites is None or items.empty:
        return []
    asked = set(items["item_id"].astype(str))
    rows = _records_of(items, [x.id for x in fw.prerequisites.items])  # each item is scored alone
    every = _weighted_scores(rows)
    out = []
    for pre in [x for x in fw.prerequisites.items if x.id in asked]:
        mine = [r for r in rows if str(r["item_id"]) == pre.id]
        value = every.get(("alle", pre.id), np.nan)
        n = sum(r["n"] for r in mine if r["group"] == "alle" and not pd.isna(r["n"]))
        score = float(value) if pd.notna(value) else None
        low, high = (_interval(mine, n_boot=n_boot, confidence=confidence,
                               seed=cell_rng(seed, ("prerequisite", pre.id)))
                     if score is not None else (np.nan, np.nan))
        verdict = (None if score is None or np.isnan(low) else "strong" if low >= WEAK_PREREQUISITE
                   else "weak" if high < WEAK_PREREQUISITE else "uncertain")
        out.append({"id": pre.id, "title": pre.title, "score": score,
                    "n": int(n) if score is not None else None,
                    "ci_low": _num(low), "ci_high": _num(high), "verdict": verdict, "weak": verdict == "weak",
                    **{f"score_{g}": _num(every.get((g, pre.id), np.nan)) for g in ("stab", "borgernaer")}})
    return out


def _answers(rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """The 0–100 answers behind one group's answer counts of an item (``c1``…``cK`` of each row's
    K-point scale; rows on two scales pooled), from the rows as records."""
    values = []
    for r in rows:
        k = int(r["points"]) if "points" in r and pd.notna(r["points"]) else \
            len([c for c in count_columns(r) if pd.notna(r[c])])
        for j in range(1, k + 1):
            count = r.get(f"c{j}")
            if count is not None and pd.notna(count):
                values.extend([(j - 1) / (k - 1) * 100] * int(count))
    return np.asarray(values, dtype="float64")


def prerequisite_interval(rows: pd.DataFrame, *, n_boot: int, confidence: float,
                          seed: int | np.random.Generator) -> tuple[float, float]:
    """The all-leaders score interval of one item from its answer counts, as the themes' intervals
    are made: respondents resampled within each group (staff, frontline leaders), the replicate
    score the mean over both, and the percentile interval of the replicates. Where a group's counts
    are hidden, all leaders' counts are resampled as one stratum.

    Parameters
    ----------
    rows
        The item's rows of the kommune's ``items`` (``group``, ``points``, ``c1``…).
    """
    return _interval(rows.to_dict("records"), n_boot=n_boot, confidence=confidence, seed=seed)


def _interval(records: Sequence[Mapping[str, Any]], *, n_boot: int, confidence: float,
              seed: int | np.random.Generator) -> tuple[float, float]:
    """:func:`prerequisite_interval` of the item's rows as records (a few rows, picked per group in Python)."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    strata = [_answers([r for r in records if r["group"] == g]) for g in ("stab", "borgernaer")]
    alle = _answers([r for r in records if r["group"] == "alle"])
    if sum(len(x) for x in strata) != len(alle):  # a group hidden: no strata to resample within
        strata = [alle]
    strata = [x for x in strata if len(x)]
    if not strata:
        return np.nan, np.nan
    total = sum(stats.bootstrap_means(x, n_boot=n_boot, seed=rng)[:, 0] * len(x) for x in strata)
    low, high, _ = replicate_summary(np.asarray(total)[None, :] / sum(len(x) for x in strata), confidence)
    return float(low[0]), float(high[0])


def benchlearning(theme: str, code: str, national: Mapping[str, pd.DataFrame], ref: pd.DataFrame, *,
                  names: Collection[str] = (), min_n: int = 5, limit: int = 5) -> dict[str, Any]:
    """Kommuner scoring clearly higher on a theme: their interval lies wholly above ours.

    Parameters
    ----------
    national
        Score id → the shown ``alle`` cells of every kommune, indexed by
        ``kommunekode``, with ``score``, ``ci_low`` and ``ci_high``.
    ref
        The kommune reference table (region, kommunegruppe), indexed by code.
    names
        The kommuner that may be named (:func:`fundament_lib.core.sharing.nameable`): both sides
        of a data-sharing agreement.
    min_n
        A count over a set of kommuner (all, the kommunegruppe, the region) is given only where
        the set holds at least ``min_n`` other kommuner with a score (``None`` otherwise): in a
        smaller set the count says which kommuner score higher.
    """
    cells = national.get(theme, pd.DataFrame(columns=["score", "ci_low", "ci_high"]))
    if code not in cells.index or pd.isna(cells.loc[code, "ci_high"]) or not enough_others(len(cells), min_n):
        return {"n_higher": None, "same_group": None, "same_region": None, "names": []}
    higher = cells[(cells.index != code) & (cells["ci_low"] > cells.loc[code, "ci_high"])]
    group, region = ref.loc[code, "kommunegruppe"], ref.loc[code, "region"]
    place = ref.reindex(cells.index)  # each compared kommune's kommunegruppe and region, in one look-up
    in_group = list(cells.index[(place["kommunegruppe"] == group).to_numpy()])
    in_region = list(cells.index[(place["region"] == region).to_numpy()])
    same_group = [c for c in higher.index if c in in_group]
    same_region = [c for c in higher.index if c in in_region]
    return {"n_higher": len(higher),
            "same_group": len(same_group) if enough_others(len(in_group), min_n) else None,
            "same_region": len(same_region) if enough_others(len(in_region), min_n) else None,
            "names": _names(higher, same_group, same_region, ref, names, limit) if names else []}


def _names(higher: pd.DataFrame, same_group: list[str], same_region: list[str], ref: pd.DataFrame,
           names: Collection[str], limit: int) -> list[str]:
    """The nameable kommuner among ``higher``: same kommunegruppe first, then same region, then by score
    (only sorted where some kommune may be named: most kommuner share no names)."""
    preferred = same_group + [c for c in same_region if c not in same_group]
    preferred += [c for c in higher.sort_values("score", ascending=False).index if c not in preferred]
    return [str(ref.loc[c, "navn"]) for c in preferred if c in set(names)][:limit]


def priority_section(fw: Framework, code: str, p: Params, scores: pd.DataFrame, items: pd.DataFrame,
                     drivers: pd.DataFrame | None, *, national: Mapping[str, pd.DataFrame] | None = None,
                     ref: pd.DataFrame | None = None, benchmark: pd.Series | None = None,
                     replicates: np.ndarray | None = None, gaps: pd.DataFrame | None = None,
                     gap_replicates: np.ndarray | None = None, basis: str | None = None,
                     themes: Sequence[str] | None = None, left_out: Mapping[str, str] | None = None,
                     names: Collection[str] = (), changes: pd.DataFrame | None = None,
                     reliability: pd.DataFrame | None = None, previous: str | None = None) -> dict[str, Any]:
    """The ``priority`` block of a kommune's summary (see the README for its fields).

    ``basis``, ``themes`` and ``left_out`` are passed on to :func:`theme_inputs` and
    :func:`~fundament_lib.analysis.priority.prioritise`; without ``national`` (one kommune only) there is
    no bench-learning; ``names`` are the kommuner bench-learning may name
    (:func:`fundament_lib.core.sharing.nameable`). ``changes`` (the kommune's shown change records with
    ``clear``, :func:`fundament_lib.analysis.verdicts.mark_changes`) since ``previous`` and ``reliability``
    (``id``, ``alpha``) enter the reasons.
    """
    inputs = theme_inputs(fw, scores, items, drivers, benchmark, gaps, basis=basis, themes=themes)
    inputs = _with_change_and_reliability(inputs, changes, reliability, previous)
    result = prioritise(inputs, p.priority, min_n=p.min_n, seed=p.seed, replicates=replicates,
                        gap_replicates=gap_replicates, left_out=left_out)
    pre = prerequisites(fw, items, n_boot=p.n_boot, confidence=p.confidence, seed=p.seed)
    for item in result.priorities:
        t = fw.theme(item["theme"])
        row = inputs.loc[item["theme"]]
        item.update(title=t.title, score=_num(row["score"]), ci_low=_num(row["ci_low"]),
                    ci_high=_num(row["ci_high"]), basis=row["basis"], importance=_num(row["importance"]),
                    derived=_num(row["driver"]), own_weight=_num(row["driver_own_weight"]),
                    gap=_num(row["gap"]), gap_norm=_num(row.get("gap_norm")),
                    gap_large=(item["components"].get("gap") or 0) > 0,
                    change=_num(row["change"]), change_clear=bool(row["change_clear"]),
                    questions=[{"text": q.text, "page": q.page} for q in t.discussion])
        if national is not None and ref is not None:
            item["benchlearning"] = benchlearning(item["theme"], code, national, ref, names=names, min_n=p.min_n)
    rank = {i["theme"]: i["rank"] for i in result.priorities}
    matrix = inputs.reset_index()[["id", "title", "importance", "score", "basis"]].assign(
        derived=inputs["driver"].to_numpy(), x=map_importance(result.ranking, inputs, p.priority.weights.model_dump()),
        priority=lambda d: d["id"].isin(rank), rank=lambda d: d["id"].map(rank))
    return {
        "rule": result.rule,
        "note": result.note,
        "uncertain": result.uncertain,
        "stability": None if result.stability is None else round(result.stability, 3),
        "priorities": result.priorities,
        "matrix": records(matrix),
        "prerequisites": pre,
        "weak_prerequisites": [x["id"] for x in pre if x["weak"]],
        "basis": basis or (str(inputs["basis"].mode().iloc[0]) if not inputs.empty else None),
        "left_out": dict(left_out or {}),
        "weakest": result.extra.get("weakest"),
    }


IMPORTANCE_NEEDS = ("stated_importance", "derived_importance")


def map_importance(ranking: pd.DataFrame, inputs: pd.DataFrame, weights: Mapping[str, float]) -> np.ndarray:
    """The priority map's horizontal axis: the importance needs exactly as the rule weighs them
    (stated and derived, each 0–1, their weighted mean × 100; one alone where the other is missing).
    NaN where the rule had neither (or no ranking)."""
    cols = [f"c_{c}" for c in IMPORTANCE_NEEDS]
    if ranking.empty or not set(cols) <= set(ranking.columns):
        return np.full(len(inputs), np.nan)
    values = ranking[cols].reindex(inputs.index).to_numpy(float)
    w = np.array([weights[c] for c in IMPORTANCE_NEEDS], dtype=float)
    present = ~np.isnan(values)
    norm = (present * w).sum(axis=1)
    total = (np.where(present, values, 0) * w).sum(axis=1)
    return np.round(100 * np.divide(total, norm, out=np.full(len(total), np.nan), where=norm > 0), 4)


def _with_change_and_reliability(inputs: pd.DataFrame, changes: pd.DataFrame | None,
                                 reliability: pd.DataFrame | None, previous: str | None) -> pd.DataFrame:
    """Add each theme's change since the last round of the group the rule looks at (``change``,
    ``change_clear``, ``change_since``) and its reliability (``alpha``)."""
    out = inputs.assign(change=np.nan, change_clear=False, change_since=previous, alpha=np.nan)
    if changes is not None and not changes.empty:
        first: dict[tuple[Any, Any], dict[str, Any]] = {}
        for r in changes.to_dict("records"):  # each theme's first record per group, looked up by key
            first.setdefault((r["id"], r["group"]), r)
        hits = [first.get((theme, basis)) for theme, basis in zip(out.index, out["basis"], strict=True)]
        hits = [h if h is not None and pd.notna(h["change"]) else None for h in hits]
        out["change"] = [np.nan if h is None else float(h["change"]) for h in hits]
        out["change_clear"] = [h is not None and bool(h["clear"]) for h in hits]
    if reliability is not None and not reliability.empty and "alpha" in reliability:
        out["alpha"] = reliability.set_index("id")["alpha"].reindex(out.index).astype(float)
    return out


def _num(x: object) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 4)  # type: ignore[arg-type]
