"""Figures for briefings, labelled in Danish and readable in grayscale.

Every function takes its data first, ``ax=None`` and keyword options, draws on
the given (or a new) Axes and returns it; none calls ``plt.show()``. Groups
differ by marker shape and fill as well as colour, Likert levels by position
and hatching as well as colour, so a grayscale print keeps them apart. The
numbers a reader needs (n, intervals) are drawn on the figure.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from .framework import GROUP_LABELS

__all__ = ["theme_profile", "likert_bars", "role_heatmap", "share_bars", "subgroup_heatmap",
           "benchmark_strip", "importance_performance", "distribution_box", "GROUP_STYLE", "GroupStyle", "set_style", "wrap"]


@dataclass(frozen=True)
class GroupStyle:
    """How a respondent group is drawn."""

    color: str
    marker: str
    fill: bool


# Colour-blind safe (Okabe–Ito) and told apart by marker and fill in grayscale.
GROUP_STYLE: dict[str, GroupStyle] = {
    "alle": GroupStyle("#000000", "D", True),
    "stab": GroupStyle("#0072B2", "o", False),
    "borgernaer": GroupStyle("#B54500", "s", True),
}
# Diverging Likert colours (negative … positive); their lightness differs, and
# negatives are hatched, so levels stay apart in grayscale.
LIKERT_COLORS = ["#8c2d04", "#f4a582", "#d9d9d9", "#92c5de", "#0b4f8a"]
LIKERT_HATCH = ["///", "//", "", "", ""]
DONT_KNOW_COLOR = "#8a8a8a"
DK_START = 118  # where the "Ved ikke" bar starts, right of the 100 % mark
# Sequential map from near-white to a mid blue: dark text stays readable (contrast ≥ 4.5) on every cell.
HEAT_CMAP = sns.light_palette("#5b9bd5", as_cmap=True)


def set_style() -> None:
    """The house style: seaborn's white grid, readable font sizes, fixed DPI."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95,
                  rc={"figure.dpi": 100, "axes.titleweight": "bold", "axes.titlesize": 12,
                      "hatch.color": "#ffffff", "hatch.linewidth": 0.8})


def wrap(text: str, width: int = 38) -> str:
    """Wrap a long label onto several lines."""
    return "\n".join(textwrap.wrap(text, width)) or text


def _new_ax(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def theme_profile(scores: pd.DataFrame, *, labels: Mapping[str, str],
                  groups: Sequence[str] = ("stab", "borgernaer"), ax: Axes | None = None) -> Axes:
    """Dot plot of theme scores (0–100) per respondent group, a line joining the groups
    so the staff–frontline gap is visible, and intervals where given.

    Parameters
    ----------
    scores
        Columns ``id``, ``group``, ``score`` and optionally ``ci_low``/``ci_high``;
        one row per theme × group. Suppressed cells (``score`` NaN) are left out.
    labels
        Theme id → label on the y axis, in drawing order.
    groups
        Groups to draw.
    ax
        Axes to draw on.
    """
    order = list(labels)
    ax = _new_ax(ax, (8.2, 0.5 * len(order) + 1.3))
    y_of = {t: i for i, t in enumerate(order)}
    shown = scores[scores["id"].isin(order) & scores["score"].notna() & scores["group"].isin(groups)]
    wide = shown.pivot(index="id", columns="group", values="score")
    for theme_id, row in wide.iterrows():  # the gap line behind the dots
        if all(g in row and pd.notna(row[g]) for g in groups):
            ax.plot([row[g] for g in groups], [y_of[str(theme_id)]] * len(groups), color="#9a9a9a", lw=2, zorder=1)
    offsets = np.linspace(-0.12, 0.12, len(groups)) if len(groups) > 1 else [0.0]
    for off, group in zip(offsets, groups, strict=True):
        style = GROUP_STYLE[group]
        part = shown[shown["group"] == group]
        y = part["id"].map(y_of).to_numpy() + off
        if {"ci_low", "ci_high"} <= set(part.columns):
            ax.hlines(y, part["ci_low"], part["ci_high"], color=style.color, lw=1.3, alpha=0.9, zorder=2)
        ax.scatter(part["score"], y, marker=style.marker, s=52, zorder=3,
                   facecolors=style.color if style.fill else "white",
                   edgecolors=style.color, linewidths=1.6, label=GROUP_LABELS[group])
    ax.set_yticks(range(len(order)), [wrap(labels[t]) for t in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0–100). Farvede streger: 95 %-konfidensinterval; grå streg: forskellen")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.3 / len(order)), ncols=len(groups), frameon=False)
    return ax


def likert_bars(items: pd.DataFrame, *, labels: Mapping[str, str], scale: Mapping[int, str],
                ax: Axes | None = None) -> Axes:
    """Diverging stacked bars of answer shares, centred on the middle level.

    Every scale level is drawn even when nobody chose it; "Ved ikke" is its own
    grey bar to the right of the scale, as a share of everyone who answered
    the item. Each label carries the item's n (substantive answers).

    Parameters
    ----------
    items
        One row per item (already one group): ``item_id``, ``n``, ``c<code>`` for
        every code of ``scale``, ``dont_know``. Rows with ``n`` missing are
        drawn empty and labelled "skjult".
    labels
        Item id → label, in drawing order.
    scale
        Code → label of the Likert scale (odd number of levels).
    """
    codes = sorted(scale)
    order = [i for i in labels if i in set(items["item_id"])]
    ax = _new_ax(ax, (10.0, 0.5 * len(order) + 1.4))
    rows = items.set_index("item_id").reindex(order)
    mid = len(codes) // 2
    counts = rows[[f"c{c}" for c in codes]].astype("float64").fillna(0).to_numpy()
    n = counts.sum(axis=1)
    shares = np.divide(counts, n[:, None], out=np.zeros_like(counts), where=n[:, None] > 0) * 100
    left = -(shares[:, :mid].sum(axis=1) + shares[:, mid] / 2)
    y = np.arange(len(order))
    for j, code in enumerate(codes):
        ax.barh(y, shares[:, j], left=left, color=LIKERT_COLORS[j % 5], hatch=LIKERT_HATCH[j % 5],
                edgecolor="white", linewidth=0.6, label=scale[code], height=0.7)
        left = left + shares[:, j]
    dk = rows["dont_know"].astype("float64").fillna(0).to_numpy()
    dk_share = np.divide(dk, n + dk, out=np.zeros_like(dk), where=(n + dk) > 0) * 100
    ax.barh(y, dk_share, left=DK_START, color=DONT_KNOW_COLOR, label="Ved ikke", height=0.7)
    for yi, d, nn in zip(y, dk_share, rows["n"].to_numpy(), strict=True):
        if pd.notna(nn):
            ax.text(DK_START + d + 1.5, float(yi), f"{d:.0f} %", va="center", fontsize=8)
    ax.axvline(0, color="#333333", lw=1)
    ax.axvline(DK_START - 4, color="#bbbbbb", lw=0.8, ls=":")
    ax.set_xlim(-100, DK_START + 32)
    ax.set_xticks([-100, -50, 0, 50, 100, DK_START + 12], ["100 %", "50 %", "0", "50 %", "100 %", "Ved ikke"])
    names = [f"{wrap(labels[i], 52)}  ({'skjult' if pd.isna(nn) else f'n = {int(nn)}'})"
             for i, nn in zip(order, rows["n"].to_numpy(), strict=True)]
    ax.set_yticks(y, names, fontsize=8.5)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.35 / max(len(order), 1) ** 0.5),
              ncols=len(codes) + 1, frameon=False, fontsize=8)
    return ax


def role_heatmap(roles: pd.DataFrame, *, functions: Mapping[str, str], roles_order: Mapping[str, str],
                 ax: Axes | None = None) -> Axes:
    """Staff function × role heatmap of the frontline leaders' ratings (0–100), n in each cell.

    Suppressed cells are blank with "skjult". The colour scale is sequential
    (one hue, lightness only), so it reads in grayscale; the numbers are printed.
    """
    ax = _new_ax(ax, (8.0, 0.6 * len(functions) + 1.8))
    grid = roles.pivot(index="function", columns="role", values="score").reindex(
        index=list(functions), columns=list(roles_order))
    ns = roles.pivot(index="function", columns="role", values="n").reindex(
        index=list(functions), columns=list(roles_order))
    annot = np.where(grid.isna(), "skjult",
                     grid.round(0).astype("Int64").astype(str) + "\nn = " + ns.astype("Int64").astype(str))
    sns.heatmap(grid.astype(float), ax=ax, vmin=0, vmax=100, cmap=HEAT_CMAP, annot=annot, fmt="",
                linewidths=1, linecolor="white", cbar_kws={"label": "Score (0–100)"},
                annot_kws={"fontsize": 8, "color": "#1b1b1b"})
    ax.set_yticks(np.arange(len(functions)) + 0.5, list(functions.values()), rotation=0)
    ax.set_xticks(np.arange(len(roles_order)) + 0.5, [wrap(v, 14) for v in roles_order.values()], rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax


def share_bars(shares: pd.DataFrame, *, labels: Mapping[str, str], key: str = "area",
               xlabel: str = "Andel af de borgernære ledere", ax: Axes | None = None) -> Axes:
    """Horizontal bars of shares (0–1) with 95 % intervals and n, sorted as ``labels``."""
    order = [k for k in labels if k in set(shares[key])]
    ax = _new_ax(ax, (8.0, 0.5 * len(order) + 1.2))
    rows = shares.set_index(key).reindex(order)
    y = np.arange(len(order))
    values = rows["share"].astype(float).to_numpy() * 100
    ax.barh(y, np.nan_to_num(values), color="#0b4f8a", height=0.6)
    if {"ci_low", "ci_high"} <= set(rows.columns):
        low = rows["ci_low"].astype(float).to_numpy() * 100
        high = rows["ci_high"].astype(float).to_numpy() * 100
        ax.errorbar(values, y, xerr=[values - low, high - values], fmt="none", ecolor="#1b1b1b", capsize=3)
    for yi, v, nn in zip(y, values, rows["n"].to_numpy(), strict=True):
        text = "skjult" if pd.isna(v) else f"{v:.0f} % (n = {int(nn)})" if pd.notna(nn) else f"{v:.0f} %"
        ax.text(101, float(yi), text, va="center", fontsize=8)
    ax.set_yticks(y, [wrap(labels[k], 30) for k in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.set_xlabel(xlabel)
    return ax


def subgroup_heatmap(cells: pd.DataFrame, *, rows: Mapping[str, str], columns: Mapping[str, str],
                     ax: Axes | None = None) -> Axes:
    """Score heatmap of themes (rows) × subgroups (columns), n printed, hidden cells blank."""
    ax = _new_ax(ax, (9.0, 0.45 * len(rows) + 2.0))
    grid = cells.pivot(index="id", columns="group", values="score").reindex(index=list(rows), columns=list(columns))
    ns = cells.pivot(index="id", columns="group", values="n").reindex(index=list(rows), columns=list(columns))
    annot = np.where(grid.isna(), "–", grid.round(0).astype("Int64").astype(str) + "\n(" +
                     ns.astype("Int64").astype(str) + ")")
    sns.heatmap(grid.astype(float), ax=ax, vmin=0, vmax=100, cmap=HEAT_CMAP, annot=annot, fmt="",
                linewidths=1, linecolor="white", cbar_kws={"label": "Score (0–100)"}, annot_kws={"fontsize": 7.5, "color": "#1b1b1b"})
    ax.set_yticks(np.arange(len(rows)) + 0.5, [wrap(v, 34) for v in rows.values()], rotation=0)
    ax.set_xticks(np.arange(len(columns)) + 0.5, [wrap(v, 14) for v in columns.values()], rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax


def benchmark_strip(national: pd.DataFrame, *, highlight: str, labels: Mapping[str, str],
                    own: pd.DataFrame | None = None, ax: Axes | None = None) -> Axes:
    """Every kommune's score per id as a strip, this kommune marked (with its interval).

    Parameters
    ----------
    national
        Columns ``kommunekode``, ``id``, ``score`` (the shown ``alle`` scores).
    highlight
        The kommune to mark.
    labels
        Id → label, in drawing order.
    own
        Optional rows for the marked kommune with ``id``, ``score``, ``ci_low``, ``ci_high``.
    """
    order = [i for i in labels if i in set(national["id"])]
    ax = _new_ax(ax, (8.0, 0.7 * len(order) + 1.2))
    y_of = {k: j for j, k in enumerate(order)}
    others = national[(national["kommunekode"] != highlight) & national["id"].isin(order)]
    jitter = np.random.default_rng(0).uniform(-0.18, 0.18, len(others))
    ax.scatter(others["score"], others["id"].map(y_of) + jitter, s=14, color="#9a9a9a", alpha=0.8,
               label="Andre kommuner", zorder=2)
    if own is not None and not own.empty:
        mine = own[own["id"].isin(order)]
        y = mine["id"].map(y_of).to_numpy()
        if {"ci_low", "ci_high"} <= set(mine.columns):
            ax.hlines(y, mine["ci_low"], mine["ci_high"], color="#000000", lw=2, zorder=3)
        ax.scatter(mine["score"], y, marker="D", s=70, color="#000000", zorder=4, label="Jeres kommune")
    ax.set_yticks(range(len(order)), [wrap(labels[i], 34) for i in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0–100)")
    handles = [Patch(color="#9a9a9a", label="Andre kommuner"), Patch(color="#000000", label="Jeres kommune")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    return ax


def importance_performance(matrix: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The importance–performance matrix ("prioriteringskort").

    Parameters
    ----------
    matrix
        One row per theme: ``id``, ``importance`` (0–100), ``score`` (0–100) and
        ``priority`` (bool). Prioritised themes are black diamonds, the rest
        grey circles; the dashed lines are the kommune's own medians, so the
        upper-left quarter holds the important themes that score low.
    """
    ax = _new_ax(ax, (7.5, 6.0))
    shown = matrix.dropna(subset=["importance", "score"])
    prio = shown["priority"].astype(bool)
    ax.scatter(shown.loc[~prio, "importance"], shown.loc[~prio, "score"], s=60, color="#8a8a8a",
               edgecolors="#4a4a4a", label="Øvrige temaer", zorder=3)
    ax.scatter(shown.loc[prio, "importance"], shown.loc[prio, "score"], s=90, marker="D", color="#000000",
               label="Prioriterede temaer", zorder=4)
    for _, row in shown.iterrows():
        ax.annotate(row["id"], (row["importance"], row["score"]), xytext=(6, 4), textcoords="offset points",
                    fontsize=9, fontweight="bold" if row["priority"] else "normal")
    if not shown.empty:
        ax.axvline(shown["importance"].median(), color="#6b6b6b", ls="--", lw=1)
        ax.axhline(shown["score"].median(), color="#6b6b6b", ls="--", lw=1)
    lo_x = max(0.0, float(shown["importance"].min()) - 10) if not shown.empty else 0.0
    lo_y = max(0.0, float(shown["score"].min()) - 10) if not shown.empty else 0.0
    ax.set_xlim(lo_x, 100)
    ax.set_ylim(lo_y, 100)
    ax.set_xlabel("Vigtighed for de kommende år (0–100)")
    ax.set_ylabel("Score (0–100)")
    ax.text(0.98, 0.02, "Vigtigt, men lav score →\nkandidater til prioritering", transform=ax.transAxes,
            fontsize=8, color="#4a4a4a", ha="right", va="bottom")
    ax.legend(loc="upper left", frameon=True, fontsize=8)
    return ax


def distribution_box(scores: pd.DataFrame, *, labels: Mapping[str, str], ax: Axes | None = None) -> Axes:
    """Box plot per id of the kommuner's scores, each kommune a dot (``id``, ``score``)."""
    order = [i for i in labels if i in set(scores["id"])]
    ax = _new_ax(ax, (8.5, 0.55 * len(order) + 1.2))
    data = scores[scores["id"].isin(order)].assign(label=lambda d: d["id"].map(lambda i: wrap(labels[i], 34)))
    names = [wrap(labels[i], 34) for i in order]
    sns.boxplot(data=data, x="score", y="label", order=names, ax=ax, color="#dbe8f5", width=0.6,
                showfliers=False, linewidth=1)
    sns.stripplot(data=data, x="score", y="label", order=names, ax=ax, color="#1b1b1b", size=2.5, alpha=0.6,
                  jitter=0.2)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Kommunens score (0–100), alle ledere")
    ax.set_ylabel("")
    return ax
