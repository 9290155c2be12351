"""The bilag's compact statement figure: one thin 100 % bar per group and statement, percentages on
segments of at least 8 %, each bar's n that of the table, hidden cells said, not drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from fundament_lib.report import plots
from fundament_lib.report.briefing.profile import _likert_groups
from fundament_lib.report.plots import likert

SCALE = {1: "Helt uenig", 2: "Uenig", 3: "Hverken eller", 4: "Enig", 5: "Helt enig"}


def _row(item: str, group: str, counts: list[int] | None, dk: int = 0) -> dict:
    if counts is None:
        return {"item_id": item, "group": group, "n": None, "dont_know": None, **{f"c{j}": None for j in SCALE}}
    return {"item_id": item, "group": group, "n": sum(counts), "dont_know": dk,
            **{f"c{j}": c for j, c in zip(SCALE, counts, strict=True)}}


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]


def test_percentages_sum_per_bar_and_only_segments_of_eight_percent_are_labelled(rng):
    rows = []
    for k in range(6):
        for g in ("stab", "borgernaer"):
            rows.append(_row(f"i{k}", g, [int(x) for x in rng.integers(0, 30, 5)], dk=int(rng.integers(0, 3))))
    items = pd.DataFrame(rows)
    ax = plots.group_likert_bars(items, labels={f"i{k}": f"Udsagn nummer {k}" for k in range(6)}, scale=SCALE,
                                 groups=("stab", "borgernaer"))
    span = likert._GL_END - likert._GL_BAR
    bars = _bars(ax)
    assert len(bars) == sum(int((np.array([r[f"c{j}"] for j in SCALE]) > 0).sum()) for r in rows)
    by_y: dict[float, float] = {}
    for b in bars:
        by_y[round(b.get_y(), 6)] = by_y.get(round(b.get_y(), 6), 0.0) + b.get_width()
    assert all(w == pytest.approx(span) for w in by_y.values())  # every bar is 100 %
    labels = sorted(int(t.get_text()) for t in ax.texts if t.get_text().isdigit())
    expected = sorted(round(100 * r[f"c{j}"] / r["n"]) for r in rows for j in SCALE
                      if r["n"] and 100 * r[f"c{j}"] / r["n"] >= 8)
    assert labels == expected
    ns = sorted(t.get_text() for t in ax.texts if t.get_text().startswith("n = "))
    assert ns == sorted(f"n = {r['n']}" + (f" · {r['dont_know']} ved ikke" if r["dont_know"] else "") for r in rows)


def test_a_hidden_cell_is_said_not_drawn():
    items = pd.DataFrame([_row("i0", "stab", [1, 2, 3, 4, 5]), _row("i0", "borgernaer", None)])
    ax = plots.group_likert_bars(items, labels={"i0": "Et udsagn"}, scale=SCALE, groups=("stab", "borgernaer"))
    assert "skjult" in [t.get_text() for t in ax.texts]
    assert len(_bars(ax)) == 5


def test_a_group_hidden_on_every_statement_is_left_out_and_said_once():
    items = pd.DataFrame([_row("i0", "alle", [1, 2, 3, 4, 5]), _row("i0", "stab", [1, 1, 1, 1, 1]),
                          _row("i0", "borgernaer", None), _row("i1", "borgernaer", None)])
    groups, line = _likert_groups(items, ("stab", "borgernaer"))
    assert groups == ("stab",) and line.count("borgernære") == 1
    both_hidden = items.assign(n=lambda d: d["n"].where(d["group"] == "alle"))
    groups, line = _likert_groups(both_hidden, ("stab", "borgernaer"))
    assert groups == ("alle",) and "alle ledere under ét" in line
