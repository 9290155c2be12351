"""One verdict per number: the rule that calls a gap or a change clear, and a gap large."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from fundament_lib.analysis.verdicts import gap_norms, mark_changes, mark_gaps


def test_changes_are_holm_adjusted_within_each_group_and_level(rng):
    p = rng.uniform(0, 0.1, 12)
    rows = [{"id": f"T{i}", "group": "alle" if i < 8 else "stab", "level": "theme", "p": float(p[i])}
            for i in range(12)]
    marked = mark_changes([dict(r) for r in rows])
    for group, idx in (("alle", range(8)), ("stab", range(8, 12))):
        ref = multipletests(p[list(idx)], method="holm")[1]
        got = [marked[i]["p_holm"] for i in idx]
        assert np.allclose(got, ref, atol=1e-6), group
        assert [marked[i]["clear"] for i in idx] == list(ref < 0.05)


def test_a_gap_is_large_only_where_clear_and_above_the_national_norm():
    rows = [{"id": "A", "diff": 12.0, "p_holm": 0.01}, {"id": "B", "diff": 12.0, "p_holm": 0.2},
            {"id": "C", "diff": 8.0, "p_holm": 0.001}, {"id": "D", "diff": -12.0, "p_holm": 0.001}]
    marked = {r["id"]: r for r in mark_gaps(rows, {"A": 9.0, "B": 9.0, "C": 9.0, "D": 9.0})}
    assert [marked[i]["clear"] for i in "ABCD"] == [True, False, True, True]
    assert [marked[i]["large"] for i in "ABCD"] == [True, False, False, False]
    assert marked["A"]["norm"] == 9.0


def test_the_norm_is_the_median_gap_and_needs_enough_kommuner():
    gaps = pd.DataFrame({"id": ["A"] * 7 + ["B"] * 3, "diff": [1, 2, 3, 9, 10, 11, 12, 5, 5, 5]})
    assert gap_norms(gaps, min_kommuner=6) == {"A": 9.0}
