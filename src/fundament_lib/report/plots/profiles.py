"""The kommune's own profile: its theme scores per respondent group, and shares by area.

:func:`theme_profile` draws the staff's and the frontline leaders' theme scores as dots with
their intervals and a grey band for the gap between them; :func:`share_bars` draws shares (such
as the frontline leaders per area) as bars with intervals and n.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from fundament_lib.framework import GROUP_LABELS

from .layout import _new_ax, _with_n
from .style import GROUP_STYLE, wrap

__all__ = ["theme_profile", "share_bars", "GAP_COLOR"]


GAP_COLOR = "#cfcfcf"  # the band showing the difference between two groups: light, under everything


def theme_profile(scores: pd.DataFrame, *, labels: Mapping[str, str],
                  groups: Sequence[str] = ("stab", "borgernaer"),
                  n: Mapping[str, int | str] | None = None, ax: Axes | None = None) -> Axes:
    """Dot plot of theme scores (0–100) per respondent group, a grey band under the dots
    spanning the gap between the groups ("Forskel" in the legend), and intervals where given.

    Parameters
    ----------
    scores
        Columns ``id``, ``group``, ``score`` and optionally ``ci_low``/``ci_high``;
        one row per theme × group. Suppressed cells (``score`` NaN) are left out.
    labels
        Theme id → label on the y axis, in drawing order.
    groups
        Groups to draw.
    n
        Optional group → number of respondents (or a text such as ``"55–60"``), shown in
        the legend as "Borgernære ledere (n = 60)".
    ax
        Axes to draw on.
    """
    order = list(labels)
    ax = _new_ax(ax, (8.2, 0.5 * len(order) + 1.3))
    y_of = {t: i for i, t in enumerate(order)}
    shown = scores[scores["id"].isin(order) & scores["score"].notna() & scores["group"].isin(groups)]
    wide = shown.pivot(index="id", columns="group", values="score")
    offsets = np.linspace(-0.12, 0.12, len(groups)) if len(groups) > 1 else [0.0]
    # The gap, where every group is shown: a band under dots and intervals, as tall as both dots.
    both = wide.reindex(columns=list(groups)).dropna() if len(groups) > 1 else wide.iloc[:0]
    if not both.empty:
        low, high = both.min(axis=1), both.max(axis=1)
        ax.barh([y_of[str(t)] for t in both.index], high - low, left=low, height=0.5,
                color=GAP_COLOR, edgecolor="none", zorder=1.5)
    for off, group in zip(offsets, groups, strict=True):
        style = GROUP_STYLE[group]
        part = shown[shown["group"] == group]
        y = part["id"].map(y_of).to_numpy() + off
        if {"ci_low", "ci_high"} <= set(part.columns):
            ax.hlines(y, part["ci_low"], part["ci_high"], color=style.color, lw=1.3, alpha=0.9, zorder=2)
        ax.scatter(part["score"], y, marker=style.marker, s=52, zorder=3,
                   facecolors=style.color if style.fill else "white",
                   edgecolors=style.color, linewidths=1.6,
                   label=_with_n(GROUP_LABELS[group], (n or {}).get(group)))
    ax.set_yticks(range(len(order)), [wrap(labels[t]) for t in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0–100). Vandrette streger: hvor scoren sandsynligvis ligger")
    handles, names = ax.get_legend_handles_labels()
    if not both.empty:
        handles.append(Patch(facecolor=GAP_COLOR, edgecolor="none", label="Forskel"))
        names.append("Forskel")
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.3 / len(order)),
              ncols=len(handles), frameon=False)
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
    ends = np.fmax(np.nan_to_num(values), np.nan_to_num(rows["ci_high"].astype(float).to_numpy() * 100)
                   if "ci_high" in rows.columns else np.nan_to_num(values))
    for yi, v, nn, end in zip(y, values, rows["n"].to_numpy(), ends, strict=True):
        text = "skjult" if pd.isna(v) else f"{v:.0f} % (n = {int(nn)})" if pd.notna(nn) else f"{v:.0f} %"
        ax.text(float(end) + 1.5, float(yi), text, va="center", fontsize=10)  # right next to the bar's interval
    ax.set_yticks(y, [wrap(labels[k], 30) for k in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, min(125.0, float(np.nanmax(ends, initial=0)) + 30))
    ax.set_xticks([0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.set_xlabel(xlabel)
    return ax
