"""Figures are the same bytes on every run: the national overview's strip plot is seeded (issue 14, item 7).

seaborn's stripplot draws its jitter from NumPy's global random state, so the overview's dots
moved from run to run (and with whatever else had drawn random numbers in the kernel).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fundament_lib.report import overview, plots
from fundament_lib.report.html import figure
from fundament_lib.results.national import national_summary


def test_the_overview_distribution_is_byte_for_byte_reproducible(demo_prepared):
    n = national_summary(demo_prepared.summaries, data_id=demo_prepared.data_id)
    first = overview.distribution(n)
    np.random.seed(7)  # noqa: NPY002 -- the global state is what the old plot depended on
    np.random.random(1000)  # noqa: NPY002
    second = overview.distribution(n)
    assert first == second and "data:image/png;base64," in first


def test_strip_dots_are_spread_the_same_way_every_time():
    scores = pd.DataFrame({"id": ["P1"] * 40 + ["P2"] * 40, "score": np.linspace(20, 90, 80)})
    labels = {"P1": "Pejlemærke 1", "P2": "Pejlemærke 2"}
    pngs = []
    for state in (1, 2):
        np.random.seed(state)  # noqa: NPY002
        pngs.append(figure(plots.distribution_box(scores, labels=labels), alt="x"))
    assert pngs[0] == pngs[1]
    offsets = plots.strip_jitter(80, 0.2)
    assert np.array_equal(offsets, plots.strip_jitter(80, 0.2)) and np.abs(offsets).max() <= 0.2
    assert np.unique(np.round(offsets, 6)).size == 80  # spread, not stacked
