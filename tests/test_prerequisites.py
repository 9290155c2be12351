"""The process prerequisites' interval (the themes' bootstrap, stratified by group) and the verdict
that follows it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fundament_lib.analysis.workshop import WEAK_PREREQUISITE, prerequisite_interval, prerequisites
from fundament_lib.framework import load_framework

K = 5


def _rows(item: str, counts: dict[str, list[int]]) -> pd.DataFrame:
    rows = []
    total = np.sum([np.array(c) for c in counts.values()], axis=0)
    for g, c in [*counts.items(), ("alle", list(total))]:
        n = int(np.sum(c))
        score = float(np.dot(c, np.linspace(0, 100, K)) / n)
        rows.append({"item_id": item, "group": g, "points": K, "n": n, "score": score,
                     **{f"c{j + 1}": int(x) for j, x in enumerate(c)}})
    return pd.DataFrame(rows)


def test_the_interval_matches_the_normal_theory_interval_of_a_stratified_mean():
    """Independent reference: mean ± 1.96 · SE with SE² = Σ (n_g / N)² s_g² / n_g (large groups)."""
    counts = {"stab": [10, 30, 60, 80, 40], "borgernaer": [40, 90, 120, 100, 30]}
    rows = _rows("x", counts)
    low, high = prerequisite_interval(rows, n_boot=4000, confidence=0.95, seed=1)
    values = {g: np.repeat(np.linspace(0, 100, K), c) for g, c in counts.items()}
    big_n = sum(len(v) for v in values.values())
    mean = sum(v.sum() for v in values.values()) / big_n
    se = np.sqrt(sum((len(v) / big_n) ** 2 * v.var(ddof=1) / len(v) for v in values.values()))
    assert low == pytest.approx(mean - 1.96 * se, abs=0.4)
    assert high == pytest.approx(mean + 1.96 * se, abs=0.4)


def test_the_verdict_follows_the_interval():
    fw = load_framework()
    assert fw.prerequisites is not None
    ids = [p.id for p in fw.prerequisites.items]
    items = pd.concat([
        _rows(ids[0], {"stab": [0, 2, 10, 30, 20], "borgernaer": [0, 5, 20, 40, 20]}),   # clearly above 50
        _rows(ids[1], {"stab": [20, 30, 10, 2, 0], "borgernaer": [30, 40, 20, 5, 0]}),   # clearly below
        _rows(ids[2], {"stab": [1, 1, 1, 1, 1], "borgernaer": [1, 1, 1, 1, 1]}),         # spans the middle
    ], ignore_index=True)
    out = {p["id"]: p for p in prerequisites(fw, items, n_boot=2000)}
    assert [out[i]["verdict"] for i in ids] == ["strong", "weak", "uncertain"]
    for p in out.values():
        assert p["ci_low"] <= p["score"] <= p["ci_high"]
        assert p["weak"] == (p["ci_high"] < WEAK_PREREQUISITE)
        assert (p["verdict"] == "strong") == (p["ci_low"] >= WEAK_PREREQUISITE)
