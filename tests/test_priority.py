"""The priority rule on hand-made inputs: ties, all strong, too few, uncertainty, reasons."""

import numpy as np
import pandas as pd
import pytest

from fundament_lib.params import PriorityParams
from fundament_lib.priority import components, prioritise, priority_index


def _themes(scores, *, n=60, importance=60.0, driver=0.1, gap=0.0, percentile=50.0):
    ids = [f"P1.{i + 1}" for i in range(len(scores))]
    df = pd.DataFrame({"title": ids, "score": scores, "n": n, "basis": "borgernaer",
                       "percentile": percentile, "importance": importance, "driver": driver, "gap": gap},
                      index=ids)
    df["ci_low"], df["ci_high"] = df["score"] - 5, df["score"] + 5
    return df


PARAMS = PriorityParams()


def test_lowest_important_theme_comes_first_with_a_plain_reason():
    themes = _themes([42.0, 60.0, 65.0, 58.0, 62.0])
    themes.loc["P1.1", ["importance", "gap", "percentile"]] = [80.0, 12.0, 10.0]
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    assert res.priorities[0]["theme"] == "P1.1"
    reason = res.priorities[0]["reason"]
    assert reason.startswith("Lav score hos de borgernære ledere (42, KI 37–47)")
    assert "stor forskel til stabens egen vurdering (+12 point)" in reason
    assert [p["rank"] for p in res.priorities] == [1, 2, 3]


def test_low_score_of_low_importance_does_not_top_the_list():
    themes = _themes([40.0, 48.0, 66.0, 64.0, 66.0], importance=60.0)
    themes.loc["P1.1", ["importance", "driver"]] = [15.0, 0.02]   # the decoy
    themes.loc["P1.2", ["importance", "driver"]] = [85.0, 0.30]   # weak and important
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    assert res.priorities[0]["theme"] == "P1.2"


def test_every_theme_strong_gives_no_priorities_and_says_so():
    res = prioritise(_themes([75.0, 80.0, 72.0]), PARAMS, min_n=5, seed=1)
    assert res.priorities == []
    assert "Ingen temaer prioriteres" in res.note and "mindst 70" in res.note


def test_too_few_respondents_gives_a_statement_not_a_ranking():
    res = prioritise(_themes([40.0, 50.0, 60.0], n=6), PARAMS, min_n=5, seed=1)
    assert res.priorities == [] and "for få svar til at rangordne" in res.note


def test_ties_are_ordered_deterministically_and_named():
    res = prioritise(_themes([50.0, 50.0, 60.0, 65.0]), PARAMS, min_n=5, seed=1)
    first, second = res.priorities[:2]
    assert (first["theme"], second["theme"]) == ("P1.1", "P1.2")
    assert first["tied_with"] == ["P1.2"] and second["tied_with"] == ["P1.1"]


def test_uncertain_order_is_said_in_the_text(rng):
    themes = _themes([50.0, 51.0, 52.0, 53.0, 66.0])
    replicates = themes["score"].to_numpy()[None, :] + rng.normal(0, 6, (500, 5))
    res = prioritise(themes, PARAMS, min_n=5, seed=1, replicates=replicates)
    assert res.uncertain and "Rækkefølgen mellem P1.1 og P1.2" in res.note and "er usikker" in res.note
    assert "skelne nr. 3 fra det næste tema, P1.4" in res.note  # the cut, named as such
    assert all(0 <= p["p_top"] <= 1 for p in res.priorities)


def test_a_gap_counts_only_where_its_interval_lies_above_zero():
    themes = _themes([50.0, 50.0, 60.0, 62.0, 64.0], gap=12.0)
    themes["gap_ci_low"], themes["gap_ci_high"] = [3.0, -4.0, 3.0, 3.0, 3.0], [21.0, 28.0, 21.0, 21.0, 21.0]
    themes["gap_significant"] = themes["gap_ci_low"] > 0
    comp = components(themes)
    assert comp.loc["P1.1", "gap"] == pytest.approx(12 / 25) and comp.loc["P1.2", "gap"] == 0
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    assert res.priorities[0]["theme"] == "P1.1"  # equal scores: the sure gap decides
    assert "stor forskel til stabens egen vurdering (+12 point, KI 3–21)" in res.priorities[0]["reason"]
    assert res.ranking.loc["P1.2", "c_gap"] == 0  # same score and gap, but the gap may be noise
    assert res.ranking.loc["P1.2", "index"] < res.ranking.loc["P1.1", "index"]


def test_gap_uncertainty_reaches_the_probability_of_a_top_place(rng):
    themes = _themes([50.0, 50.0, 50.0, 50.0, 69.0])
    themes["gap"] = [20.0, 15.0, 10.0, 5.0, 0.0]
    themes["gap_significant"] = True
    replicates = np.repeat(themes["score"].to_numpy()[None, :], 500, axis=0)  # scores without noise
    fixed = prioritise(themes, PARAMS, min_n=5, seed=1, replicates=replicates)
    noisy = prioritise(themes, PARAMS, min_n=5, seed=1, replicates=replicates,
                       gap_replicates=themes["gap"].to_numpy()[None, :] + rng.normal(0, 8, (500, 5)))
    assert not fixed.uncertain and noisy.uncertain
    assert sorted(p["p_top"] for p in noisy.priorities) < [1.0, 1.0, 1.0]


def test_clear_order_is_stable_under_weight_changes(rng):
    themes = _themes([30.0, 35.0, 40.0, 68.0, 69.0])
    replicates = themes["score"].to_numpy()[None, :] + rng.normal(0, 1, (500, 5))
    res = prioritise(themes, PARAMS, min_n=5, seed=1, replicates=replicates)
    assert not res.uncertain
    assert res.stability == pytest.approx(1.0)
    assert [p["p_top"] for p in res.priorities] == [1.0, 1.0, 1.0]


def test_index_is_weighted_mean_of_available_components():
    themes = _themes([40.0], importance=np.nan, percentile=np.nan, driver=np.nan, gap=np.nan)
    comp = components(themes)
    assert priority_index(comp, PARAMS.weights.model_dump())[0] == pytest.approx(0.6)
