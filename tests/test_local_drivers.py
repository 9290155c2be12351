"""Derived importance from each kommune's own answers, shrunk toward the national pattern:
checked against statsmodels' random-effects meta-analysis and against planted kommune-specific drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from fundament_lib.analysis.stats.local_drivers import dersimonian_laird, shrunk_correlations


def test_dersimonian_laird_equals_statsmodels(rng):
    z = rng.normal(0.3, 0.15, 40)
    v = 1 / (rng.integers(10, 200, 40) - 3)
    mu, tau2 = dersimonian_laird(z, v)
    ref = combine_effects(z, v, method_re="dl")
    assert mu == pytest.approx(ref.mean_effect_re) and tau2 == pytest.approx(ref.tau2)


def _survey(rng, sizes: dict[str, int], slopes: dict[str, dict[str, float]]) -> tuple[pd.DataFrame, pd.Series]:
    """Respondents of kommuner with theme scores and an outcome driven by kommune-specific slopes."""
    frames, ys = [], []
    for code, n in sizes.items():
        x = rng.normal(0, 1, (n, 2))
        y = sum(slopes[code][t] * x[:, j] for j, t in enumerate(("A", "B"))) + rng.normal(0, 1, n)
        ids = [f"{code}-{i}" for i in range(n)]
        frames.append(pd.DataFrame({"kommunekode": code, "A": x[:, 0], "B": x[:, 1]}, index=ids))
        ys.append(pd.Series(y, index=ids))
    return pd.concat(frames), pd.concat(ys)


def test_a_large_kommune_keeps_its_own_planted_driver_and_a_small_one_leans_on_the_nation(rng):
    sizes = {f"k{i:02d}": 40 for i in range(30)} | {"big": 600, "tiny": 12}
    slopes = {c: {"A": 0.6, "B": 0.1} for c in sizes}
    for c in [f"k{i:02d}" for i in range(0, 30, 3)]:
        slopes[c] = {"A": 0.1, "B": 0.6}  # kommuner truly differ, so there is something to borrow from
    slopes["big"] = {"A": 0.05, "B": 0.8}  # planted: here B drives the outcome, not A
    slopes["tiny"] = {"A": 0.05, "B": 0.8}
    scores, y = _survey(rng, sizes, slopes)
    out = shrunk_correlations(scores, y, ["A", "B"]).set_index(["kommunekode", "id"])
    big, tiny = out.loc["big"], out.loc["tiny"]
    assert big.loc["B", "r"] > big.loc["A", "r"] + 0.3  # its own pattern, found
    assert big.loc["B", "own_weight"] > 0.8 and tiny.loc["B", "own_weight"] < big.loc["B", "own_weight"]
    # The tiny kommune's estimate lies between its own and the national one (shrinkage).
    lo, hi = sorted([tiny.loc["A", "r_own"], tiny.loc["A", "r_national"]])
    assert lo <= tiny.loc["A", "r"] <= hi
    # Each own weight is the textbook tau² / (tau² + 1/(n − 3)).
    row = out.loc[("k01", "A")]
    assert row["own_weight"] == pytest.approx(row["tau2"] / (row["tau2"] + 1 / (row["n"] - 3)))


def test_without_true_differences_every_kommune_gets_the_national_pattern(rng):
    sizes = {f"k{i:02d}": 30 for i in range(40)}
    scores, y = _survey(rng, sizes, {c: {"A": 0.5, "B": 0.0} for c in sizes})
    out = shrunk_correlations(scores, y, ["A", "B"])
    # DL's tau² is often exactly 0 here; where it is not, the own weight stays small.
    assert out["own_weight"].max() < 0.5
    assert (out.loc[out["id"] == "A", "r"] > out.loc[out["id"] == "B", "r"].max()).all()


def test_a_kommune_with_too_few_pairs_takes_the_national_value(rng):
    sizes = {f"k{i:02d}": 40 for i in range(10)} | {"few": 5}
    scores, y = _survey(rng, sizes, {c: {"A": 0.5, "B": 0.2} for c in sizes})
    out = shrunk_correlations(scores, y, ["A", "B"]).set_index(["kommunekode", "id"])
    assert out.loc[("few", "A"), "own_weight"] == 0
    assert out.loc[("few", "A"), "r"] == pytest.approx(out.loc[("few", "A"), "r_national"])
    assert np.isnan(out.loc[("few", "A"), "r_own"])


def test_the_demos_planted_local_driver_is_found_in_those_kommuner_only():
    """The demo plants a theme that drives the outcome in a few kommuner only (``local_drivers``); on a
    small generated survey exactly those kommuner have it as a driver of their own."""
    from fundament_lib.analysis.scoring import respondent_scores
    from fundament_lib.demo import LOCAL_DRIVER_WEIGHT, DemoConfig, generate, local_pickups
    from fundament_lib.framework import load_framework
    from fundament_lib.results.tables import local_driver_table, outcome_scores

    codes = ("101", "147", "151", "153", "155", "157", "159", "161", "163", "165", "167", "169", "173", "175",
             "183", "185")
    planted = {"151": ("P2.2", LOCAL_DRIVER_WEIGHT), "165": ("P2.2", LOCAL_DRIVER_WEIGHT)}
    # 300 frontline leaders each: enough for a kommune's own correlation to stand out from chance
    survey = generate(DemoConfig(kommuner=codes, fixed_size=300, local_drivers=planted, second_wave_kommuner=()))
    assert survey.planted["local_drivers"] == {c: {"theme": "P2.2", "weight": LOCAL_DRIVER_WEIGHT} for c in planted}
    fw = load_framework()
    table = local_driver_table(respondent_scores(survey.tidy, fw), outcome_scores(survey.tidy, fw), fw)
    assert local_pickups(table, "P2.2") == set(planted)
    assert all(local_pickups(table, t.id) == set() for t in fw.themes() if t.id != "P2.2")
