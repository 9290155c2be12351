"""The psychometric check's figure: the factor loadings as a heatmap.

Each item's own theme's factor is outlined and flagged items are marked "(!)"
(:class:`~fundament_lib.analysis.factor_check.FactorCheck`); the values are printed, so it reads
in grayscale.
"""

from __future__ import annotations

import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from fundament_lib.analysis.factor_check import FactorCheck
from fundament_lib.core.fmt import fmt_num

from .layout import _new_ax

__all__ = ["loadings_heatmap"]


def loadings_heatmap(check: FactorCheck, *, ax: Axes | None = None) -> Axes:
    """Items × factors heatmap of the loadings; each item's own theme's factor is outlined
    and flagged items are marked "(!)". Diverging colours, values printed (grayscale-safe)."""
    frame = check.loadings
    ax = _new_ax(ax, (1.0 + 0.75 * frame.shape[1], 0.32 * frame.shape[0] + 1.6))
    annot = np.vectorize(lambda v: fmt_num(v, 2))(frame.to_numpy())
    sns.heatmap(frame, ax=ax, vmin=-1, vmax=1, cmap="RdBu_r", center=0, annot=annot, fmt="",
                annot_kws={"fontsize": 7}, linewidths=0.5, linecolor="white",
                cbar_kws={"label": "Ladning (roteret)", "shrink": 0.6})
    flagged = set(check.flagged["item_id"])
    cols = list(frame.columns)
    for y, row in enumerate(check.items.itertuples(index=False)):
        if row.theme in cols:
            ax.add_patch(Rectangle((cols.index(row.theme), y), 1, 1, fill=False, edgecolor="#000000", lw=1.4))
    ax.set_yticks(np.arange(len(frame)) + 0.5,
                  [f"{i} (!)" if i in flagged else i for i in frame.index], rotation=0, fontsize=8)
    for tick in ax.get_yticklabels():
        if tick.get_text().endswith("(!)"):
            tick.set_fontweight("bold")
    ax.set_xticks(np.arange(len(cols)) + 0.5, cols, rotation=0, fontsize=8)
    ax.set_xlabel("Faktor (navngivet efter det tema, den er parret med)")
    ax.set_ylabel("Udsagn")
    ax.set_title(f"Faktorladninger ({check.rotation}-rotation, n = {check.n})")
    return ax
