"""Descriptive tables for every kommune at once: answer distributions, share of
positive answers, role assessment, administrative burden, fagområde breakdown,
missingness and respondent counts.

All functions take the tidy table and return long tables with a ``group``
column (``alle``, ``stab``, ``borgernaer``) and an ``n`` column, ready for
:func:`fundament_lib.results.privacy.suppress`. "Ved ikke" is counted apart: it is
neither in ``n`` nor in any mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from fundament_lib.framework.model import Framework

from .scoring import answer_points, score_ids

__all__ = [
    "count_columns",
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


def count_columns(columns: Iterable[str]) -> list[str]:
    """The answer-count columns ``c1``…``cK`` of an item distribution (:func:`item_distributions`), in order given."""
    return [c for c in columns if c.startswith("c") and c[1:].isdigit()]

UNIT: tuple[str, ...] = ("kommunekode", "wave")


def _with_alle(table: pd.DataFrame, keys: Sequence[str], sums: Sequence[str]) -> pd.DataFrame:
    """Append ``group == "alle"`` rows: the sum of both groups' counts."""
    alle = table.groupby(list(keys), observed=True, as_index=False)[list(sums)].sum()
    return pd.concat([table, alle.assign(group="alle")], ignore_index=True)


def item_distributions(tidy: pd.DataFrame, fw: Framework, *, blocks: Sequence[str] = (
        "theme", "importance", "outcome", "prerequisite", "role", "burden")) -> pd.DataFrame:
    """Answer counts per item, with every scale level kept even when nobody chose it.

    Answers given on different scales are never counted together: an item's answers
    on a K-point scale (the tidy table's ``points``) form their own row.

    Returns
    -------
    pandas.DataFrame
        One row per kommune × wave × group × item × scale: ``points`` (K, the
        scale's number of substantive points; empty for tick boxes), ``n``
        (substantive answers), ``dont_know``, ``missing`` and one ``c<code>`` column per
        scale code in the data (e.g. ``c1`` … ``c5``; ``c0``/``c1`` for tick boxes; a
        code outside the row's own scale counts 0), plus ``score`` (mean on 0–100 on the
        row's own scale, share ticked for tick boxes).
    """
    cb = fw.codebook()
    cb = cb[cb["block"].isin(blocks) & cb["scale"].isin([k for k, s in fw.scales.items()
                                                          if s.kind in ("likert", "choice")])]
    rows = tidy[tidy["item_id"].isin(cb["item_id"])]
    points = answer_points(rows, fw).astype("Int64")
    low = _scale_low(rows, fw, points)
    codes = sorted({c for name in cb["scale"].unique() for c in fw.scales[name].labels}
                   | set(range(1, int(points.max()) + 1 if points.notna().any() else 1)))
    category = np.where(rows["status"] == "svar", "c" + rows["value"].fillna(-1).astype(int).astype(str),
                        np.where(rows["status"] == "ved_ikke", "dont_know", "missing"))
    keys = [*UNIT, "group", "item_id"]
    counts = (rows.assign(category=category, points=points.fillna(0), low=low)
              .groupby([*keys, "points", "low", "category"], observed=True).size()
              .unstack("category", fill_value=0))
    columns = [f"c{c}" for c in codes] + ["dont_know", "missing"]
    counts = counts.reindex(columns=columns, fill_value=0).reset_index()
    counts["group"] = counts["group"].astype(str)
    counts = _with_alle(counts, [*UNIT, "item_id", "points", "low"], columns)
    level_cols = [f"c{c}" for c in codes]
    counts["n"] = counts[level_cols].sum(axis=1)
    counts["score"] = _scores(counts, codes)
    counts["points"] = counts["points"].astype("Int64").where(counts["points"] > 0)
    return counts.drop(columns="low").sort_values(keys, ignore_index=True)


def _scale_low(rows: pd.DataFrame, fw: Framework, points: pd.Series) -> pd.Series:
    """Per row, the lowest code of the scale its answer is on: 1 on a K-point scale given in the
    data, the framework scale's lowest code otherwise."""
    scale_of = fw.codebook().set_index("item_id")["scale"]
    own = rows["item_id"].astype(str).map(scale_of).map(lambda s: fw.scales[s].low if s in fw.scales else 0)
    if "points" in rows.columns:
        own = own.where(rows["points"].isna(), 1)
    return own.fillna(0).astype(int)


def _scores(counts: pd.DataFrame, codes: list[int]) -> np.ndarray:
    """Mean on 0–100 of each row's answers on its own scale (``low``..``low + points − 1``; a
    two-code tick box ``low``..``low + 1``): the share ticked for a tick box."""
    union = np.array(codes)
    matrix = counts[[f"c{c}" for c in codes]].to_numpy(dtype="float64")
    low = counts["low"].to_numpy(dtype="float64")
    k = counts["points"].to_numpy(dtype="float64")
    high = np.where(k > 0, low + k - 1, low + 1)
    mine = (union[None, :] >= low[:, None]) & (union[None, :] <= high[:, None])
    n = (matrix * mine).sum(axis=1)
    mean = np.divide((matrix * mine * union[None, :]).sum(axis=1), n, out=np.full(len(n), np.nan), where=n > 0)
    return (mean - low) / (high - low) * 100


def theme_positive_share(dist: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Share of positive answers (the top two levels of each item's own scale) per theme and domain.

    Pooled over the theme's items: positive answers / substantive answers.
    ``n_answers`` counts answers, not people; the caller suppresses on the
    respondent ``n`` of the score table.
    """
    item_theme = {i: t for t, items in fw.theme_items().items() for i in items}
    d = dist[dist["item_id"].isin(item_theme)].assign(theme=lambda x: x["item_id"].map(item_theme))
    d = d.assign(pos=_top_two(d, fw))
    parts = []
    for level_id, themes in [(t.id, [t.id]) for t in fw.themes()] + \
                            [(dom.id, [t.id for t in dom.themes]) for dom in fw.domains]:
        part = d[d["theme"].isin(themes)].groupby([*UNIT, "group"], as_index=False)[["pos", "n"]].sum()
        parts.append(part.assign(id=level_id))
    out = pd.concat(parts, ignore_index=True)
    out["top2"] = out["pos"] / out["n"].where(out["n"] > 0)
    return out.rename(columns={"n": "n_answers"})[[*UNIT, "group", "id", "top2", "n_answers"]]


def _top_two(d: pd.DataFrame, fw: Framework) -> np.ndarray:
    """Answers in the two highest categories of each row's own scale (reversed items: the two lowest
    codes, which are the two most positive answers)."""
    scale = fw.scales[fw.theme_scale]
    k = d["points"].fillna(scale.high - scale.low + 1).astype(int).to_numpy() if "points" in d else \
        np.full(len(d), scale.high - scale.low + 1)
    explicit = d["points"].notna().to_numpy() if "points" in d else np.zeros(len(d), dtype=bool)
    high = np.where(explicit, k, scale.high)
    low = np.where(explicit, 1, scale.low)
    reverse = d["item_id"].isin(fw.reversed_items()).to_numpy()
    out = np.zeros(len(d))
    for code in np.unique(np.concatenate([high, high - 1, low, low + 1])):
        column = f"c{int(code)}"
        if column not in d:
            continue
        top = np.where(reverse, (code == low) | (code == low + 1), (code == high) | (code == high - 1))
        out += np.where(top, d[column].to_numpy(dtype="float64"), 0.0)
    return out


def role_scores(dist: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """The role assessment: mean score (0–100) per staff function × role, with n."""
    if fw.roles is None:
        return pd.DataFrame(columns=[*UNIT, "function", "role", "points", "n", "score", "dont_know"])
    cells = {fw.role_id(f.id, r.id): (f.id, r.id) for f in fw.roles.functions for r in fw.roles.roles}
    parts = dist[dist["item_id"].isin(cells) & (dist["group"] == "borgernaer")].copy()
    item = parts["item_id"].astype(str)
    parts["function"], parts["role"] = item.map(lambda i: cells[i][0]), item.map(lambda i: cells[i][1])
    # A cell asked on two scales (two files pooled) is one cell: its 0–100 scores weighted by n.
    parts["total"] = parts["score"].fillna(0) * parts["n"]
    g = parts.groupby([*UNIT, "function", "role"], observed=True, sort=False)
    out = g.agg(n=("n", "sum"), total=("total", "sum"), dont_know=("dont_know", "sum"),
                points=("points", "max"), scales=("points", "nunique")).reset_index()
    out["score"] = out["total"] / out["n"].where(out["n"] > 0)
    out["points"] = out["points"].astype("Int64").where(out["scales"] <= 1)
    return out[[*UNIT, "function", "role", "points", "n", "score", "dont_know"]]


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
    # A file without the background column (a hand-made export) has every leader "uoplyst".
    known = part[column] if column in part.columns else pd.Series(None, index=part.index, dtype="object")
    part[column] = known.fillna("uoplyst").astype(str)
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
