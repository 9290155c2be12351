"""Descriptive tables for every kommune at once: answer distributions, share of
positive answers, role assessment, administrative burden, fagområde breakdown,
missingness and respondent counts.

All functions take the tidy table and return long tables with a ``group``
column (``alle``, ``stab``, ``borgernaer``) and an ``n`` column, ready for
:func:`fundament_lib.privacy.suppress`. "Ved ikke" is counted apart: it is
neither in ``n`` nor in any mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from .framework import Framework
from .scoring import score_ids

__all__ = [
    "item_distributions",
    "theme_positive_share",
    "role_scores",
    "burden_areas",
    "burden_share",
    "subgroup_scores",
    "missingness",
    "respondent_counts",
    "free_texts",
    "UNIT",
]

UNIT: tuple[str, ...] = ("kommunekode", "wave")


def _with_alle(table: pd.DataFrame, keys: Sequence[str], sums: Sequence[str]) -> pd.DataFrame:
    """Append ``group == "alle"`` rows: the sum of both groups' counts."""
    alle = table.groupby(list(keys), observed=True, as_index=False)[list(sums)].sum()
    return pd.concat([table, alle.assign(group="alle")], ignore_index=True)


def item_distributions(tidy: pd.DataFrame, fw: Framework, *, blocks: Sequence[str] = (
        "theme", "importance", "outcome", "prerequisite", "role", "burden")) -> pd.DataFrame:
    """Answer counts per item, with every scale level kept even when nobody chose it.

    Returns
    -------
    pandas.DataFrame
        One row per kommune × wave × group × item: ``n`` (substantive answers),
        ``dont_know``, ``missing`` and one ``c<code>`` column per scale code
        (e.g. ``c1`` … ``c5``; ``c0``/``c1`` for tick boxes), plus ``score``
        (mean on 0–100 for ordered scales, share ticked for tick boxes).
    """
    cb = fw.codebook()
    cb = cb[cb["block"].isin(blocks) & cb["scale"].isin([k for k, s in fw.scales.items()
                                                          if s.kind in ("likert", "choice")])]
    rows = tidy[tidy["item_id"].isin(cb["item_id"])]
    codes = sorted({c for name in cb["scale"].unique() for c in fw.scales[name].labels})
    category = np.where(rows["status"] == "svar", "c" + rows["value"].fillna(-1).astype(int).astype(str),
                        np.where(rows["status"] == "ved_ikke", "dont_know", "missing"))
    keys = [*UNIT, "group", "item_id"]
    counts = (rows.assign(category=category).groupby([*keys, "category"], observed=True).size()
              .unstack("category", fill_value=0))
    columns = [f"c{c}" for c in codes] + ["dont_know", "missing"]
    counts = counts.reindex(columns=columns, fill_value=0).reset_index()
    counts["group"] = counts["group"].astype(str)
    counts = _with_alle(counts, [*UNIT, "item_id"], columns)
    level_cols = [f"c{c}" for c in codes]
    counts["n"] = counts[level_cols].sum(axis=1)
    scale_of = cb.set_index("item_id")["scale"]
    union = np.array(codes)
    counts["score"] = [_score(row, union, fw.scales[scale_of[item]].labels) for item, row in
                       zip(counts["item_id"], counts[level_cols].to_numpy(), strict=True)]
    return counts.sort_values(keys, ignore_index=True)


def _score(counts: np.ndarray, union: np.ndarray, labels: dict[int, str]) -> float:
    """Mean on 0–100 of one item's answers (share ticked for a two-code tick box)."""
    mine = np.isin(union, list(labels))
    n = counts[mine].sum()
    if n == 0:
        return float("nan")
    mean = float((counts[mine] * union[mine]).sum() / n)
    low, high = min(labels), max(labels)
    return (mean - low) / (high - low) * 100


def theme_positive_share(dist: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Share of positive answers (the top two scale levels) per theme and domain.

    Pooled over the theme's items: positive answers / substantive answers.
    ``n_answers`` counts answers, not people; the caller suppresses on the
    respondent ``n`` of the score table.
    """
    scale = fw.scales[fw.theme_scale]
    top = [f"c{c}" for c in sorted(scale.labels)[-2:]]
    item_theme = {i: t for t, items in fw.theme_items().items() for i in items}
    d = dist[dist["item_id"].isin(item_theme)].assign(theme=lambda x: x["item_id"].map(item_theme))
    d = d.assign(pos=d[top].sum(axis=1))
    parts = []
    for level_id, themes in [(t.id, [t.id]) for t in fw.themes()] + \
                            [(dom.id, [t.id for t in dom.themes]) for dom in fw.domains]:
        part = d[d["theme"].isin(themes)].groupby([*UNIT, "group"], as_index=False)[["pos", "n"]].sum()
        parts.append(part.assign(id=level_id))
    out = pd.concat(parts, ignore_index=True)
    out["top2"] = out["pos"] / out["n"].where(out["n"] > 0)
    return out.rename(columns={"n": "n_answers"})[[*UNIT, "group", "id", "top2", "n_answers"]]


def role_scores(dist: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """The role assessment: mean score (0–100) per staff function × role, with n."""
    if fw.roles is None:
        return pd.DataFrame(columns=[*UNIT, "function", "role", "n", "score", "dont_know"])
    parts = dist[dist["item_id"].str.startswith("ROLE.") & (dist["group"] == "borgernaer")].copy()
    split = parts["item_id"].str.split(".", expand=True)
    parts["function"], parts["role"] = split[1], split[2]
    return parts[[*UNIT, "function", "role", "n", "score", "dont_know"]].reset_index(drop=True)


def burden_areas(dist: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Share of frontline leaders who say a task area takes more time than it should,
    with a 95 % Wilson interval (statsmodels ``proportion_confint``)."""
    if fw.burden is None:
        return pd.DataFrame(columns=[*UNIT, "area", "n", "share", "ci_low", "ci_high"])
    ids = {fw.burden_id(a.id): a.id for a in fw.burden.areas}
    part = dist[dist["item_id"].isin(ids) & (dist["group"] == "borgernaer")].copy()
    part["area"] = part["item_id"].map(ids)
    part["share"] = part["c1"] / part["n"].where(part["n"] > 0)
    low, high = proportion_confint(part["c1"], part["n"].clip(lower=1), alpha=0.05, method="wilson")
    part["ci_low"], part["ci_high"] = np.where(part["n"] > 0, low, np.nan), np.where(part["n"] > 0, high, np.nan)
    return part[[*UNIT, "area", "n", "share", "ci_low", "ci_high"]].reset_index(drop=True)


def burden_share(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Share of the working week spent leading the professional work: mean, quartiles, n."""
    if fw.burden is None or fw.burden.share is None:
        return pd.DataFrame(columns=[*UNIT, "n", "mean", "q1", "median", "q3"])
    rows = tidy[(tidy["item_id"] == fw.burden.share.id) & (tidy["status"] == "svar")]
    g = rows.groupby(list(UNIT), observed=True)["value"]
    out = pd.DataFrame({"n": g.count(), "mean": g.mean(), "q1": g.quantile(0.25),
                        "median": g.median(), "q3": g.quantile(0.75)}).reset_index()
    return out


def subgroup_scores(scores: pd.DataFrame, fw: Framework, *, column: str = "fagomraade",
                    within: str = "borgernaer") -> pd.DataFrame:
    """Scores of the respondents of one group, broken down by a background column.

    Returns the parent rows (``group == within``) and one row per value of
    ``column`` (missing values as ``"uoplyst"``, so the children partition the
    parent), with ``n`` and ``score`` per score id.
    """
    part = scores[scores["group"] == within].copy()
    part[column] = part[column].fillna("uoplyst").astype(str)
    ids = [i for i, _ in score_ids(fw)]
    parent = part.groupby(list(UNIT), observed=True)[ids].agg(["count", "mean"])
    child = part.groupby([*UNIT, column], observed=True)[ids].agg(["count", "mean"])
    frames = []
    for frame, label in ((parent, None), (child, column)):
        long = frame.stack(level=0, future_stack=True).reset_index()
        id_col = f"level_{len(UNIT) + (1 if label else 0)}"
        long = long.rename(columns={id_col: "id", "count": "n", "mean": "score"})
        long["group"] = within if label is None else long.pop(column)
        frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype(int)
    return out[[*UNIT, "id", "group", "n", "score"]]


def missingness(dist: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Per theme and group: share of "Ved ikke" and of unanswered items among items put to people."""
    item_theme = {i: t for t, items in fw.theme_items().items() for i in items}
    d = dist[dist["item_id"].isin(item_theme)].assign(id=lambda x: x["item_id"].map(item_theme))
    g = d.groupby([*UNIT, "group", "id"], as_index=False)[["n", "dont_know", "missing"]].sum()
    asked = g["n"] + g["dont_know"] + g["missing"]
    g["share_dont_know"] = g["dont_know"] / asked.where(asked > 0)
    g["share_missing"] = g["missing"] / asked.where(asked > 0)
    return g.rename(columns={"n": "n_answers"})


def respondent_counts(tidy: pd.DataFrame) -> pd.DataFrame:
    """Respondents per kommune × wave × group, with ``alle``."""
    first = tidy.drop_duplicates("respondent_id")
    counts = first.groupby([*UNIT, "group"], observed=True).size().rename("n").reset_index()
    counts["group"] = counts["group"].astype(str)
    return _with_alle(counts, list(UNIT), ["n"]).sort_values([*UNIT, "group"], ignore_index=True)


def free_texts(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Free-text answers (not yet screened) with kommune, wave and group."""
    cb = fw.codebook()
    ids = list(cb.loc[cb["block"] == "free_text", "item_id"])
    rows = tidy[tidy["item_id"].isin(ids) & (tidy["status"] == "svar") & tidy["text"].notna()]
    return rows[[*UNIT, "group", "respondent_id", "item_id", "text"]].reset_index(drop=True)
