"""Figures of every kommune at once: the benchmark strip and the national box plot.

:func:`benchmark_strip` marks one kommune among all the others' scores (the others anonymous);
:func:`distribution_box` shows the kommuner's scores per theme for the national overview. Both
jitter their dots with a seeded generator (:func:`strip_jitter`), so the same data give
byte-identical figures.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .layout import _new_ax, _with_n
from .style import wrap

__all__ = ["benchmark_strip", "distribution_box", "strip_jitter"]


def strip_jitter(n: int, half_width: float, *, seed: int = 0) -> np.ndarray:
    """Vertical offsets for ``n`` dots of a strip plot, the same on every run.

    Seeded, never drawn from NumPy's global state, so the same data give byte-identical figures.
    """
    return np.random.default_rng(seed).uniform(-half_width, half_width, n)


def benchmark_strip(national: pd.DataFrame, *, highlight: str, labels: Mapping[str, str],
                    own: pd.DataFrame | None = None, n_others: int | None = None,
                    n_own: int | str | None = None, ax: Axes | None = None) -> Axes:
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
    n_others
        Optional number of other kommuner, shown as "Andre kommuner (n = 97 kommuner)".
    n_own
        Optional number of the kommune's respondents (or a text such as ``"68–71"``),
        shown as "Kommunen (n = 71 ledere)".
    """
    order = [i for i in labels if i in set(national["id"])]
    ax = _new_ax(ax, (8.0, 0.7 * len(order) + 1.2))
    y_of = {k: j for j, k in enumerate(order)}
    others = national[(national["kommunekode"] != highlight) & national["id"].isin(order)]
    jitter = strip_jitter(len(others), 0.18)
    ax.scatter(others["score"], others["id"].map(y_of).astype(float).to_numpy() + jitter, s=14, color="#9a9a9a", alpha=0.8,
               label="Andre kommuner", zorder=2)
    if own is not None and not own.empty:
        mine = own[own["id"].isin(order)]
        y = mine["id"].map(y_of).to_numpy()
        if {"ci_low", "ci_high"} <= set(mine.columns):
            ax.hlines(y, mine["ci_low"], mine["ci_high"], color="#000000", lw=2, zorder=3)
        ax.scatter(mine["score"], y, marker="D", s=70, color="#000000", zorder=4, label="Kommunen")
    ax.set_yticks(range(len(order)), [wrap(labels[i], 34) for i in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0–100)")
    handles = [Line2D([], [], ls="none", marker="o", markersize=5, color="#9a9a9a",
                      label=_with_n("Andre kommuner", n_others, "kommuner")),
               Line2D([], [], ls="-", lw=2, marker="D", markersize=8, color="#000000",
                      label=_with_n("Kommunen", n_own, "ledere"))]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    return ax


def distribution_box(scores: pd.DataFrame, *, labels: Mapping[str, str], ax: Axes | None = None) -> Axes:
    """Box plot per id of the kommuner's scores, each kommune a dot (``id``, ``score``)."""
    order = [i for i in labels if i in set(scores["id"])]
    ax = _new_ax(ax, (8.5, 0.55 * len(order) + 1.2))
    data = scores[scores["id"].isin(order)].assign(label=lambda d: d["id"].map(lambda i: wrap(labels[i], 34)))
    names = [wrap(labels[i], 34) for i in order]
    sns.boxplot(data=data, x="score", y="label", order=names, ax=ax, color="#dbe8f5", width=0.6,
                showfliers=False, linewidth=1)
    # One dot per kommune, spread by our own seeded jitter: seaborn's stripplot draws its jitter from
    # NumPy's global random state, so the overview would differ from run to run.
    row = data["label"].map({name: j for j, name in enumerate(names)}).astype(float).to_numpy()
    ax.scatter(data["score"], row + strip_jitter(len(data), 0.2), s=2.5 ** 2, color="#1b1b1b", alpha=0.6,
               linewidths=0, zorder=3)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Kommunens score (0–100), alle ledere")
    ax.set_ylabel("")
    return ax
