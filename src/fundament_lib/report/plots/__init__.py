"""Figures for briefings, labelled in Danish and readable in grayscale.

Every function takes its data first, ``ax=None`` and keyword options, draws on
the given (or a new) Axes and returns it; none calls ``plt.show()``. Groups
differ by marker shape and fill as well as colour, Likert levels by position
and hatching as well as colour, so a grayscale print keeps them apart. The
numbers a reader needs (n, intervals) are drawn on the figure.

One module per family of figures: :mod:`.style` (the house style and colours),
:mod:`.layout` (sizes, printed scale, measured text), :mod:`.profiles` (the kommune's
theme profile and shares), :mod:`.likert` (answer shares), :mod:`.heatmaps` (against
the national average), :mod:`.national` (every kommune at once), :mod:`.priority` and
:mod:`.labels` (the priority map and its labels), :mod:`.loadings` (the psychometric
check). The briefing's sections call them as ``plots.<function>``, so this package
names them all.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before any figure module imports pyplot

from .heatmaps import DEVIATION_LABEL, deviation_heatmap, role_heatmap, subgroup_heatmap
from .labels import place_labels
from .layout import print_scale
from .likert import likert_bars
from .loadings import loadings_heatmap
from .national import benchmark_strip, distribution_box, strip_jitter
from .priority import importance_performance
from .profiles import share_bars, theme_profile
from .style import GROUP_STYLE, GroupStyle, likert_palette, set_style, wrap

__all__ = ["theme_profile", "likert_bars", "likert_palette", "role_heatmap", "share_bars",
           "subgroup_heatmap", "deviation_heatmap", "DEVIATION_LABEL", "benchmark_strip", "strip_jitter",
           "importance_performance", "distribution_box", "place_labels", "print_scale", "GROUP_STYLE", "GroupStyle",
           "set_style", "wrap", "loadings_heatmap"]
