"""The priority rule on hand-made inputs: ties, all strong, too few, uncertainty, reasons."""

import numpy as np
import pandas as pd
import pytest

from fundament_lib.analysis.priority import prioritise
from fundament_lib.analysis.priority_needs import components, priority_index
from fundament_lib.core.params import PriorityParams


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
    assert reason.startswith("Kommunens klart svageste tema hos de borgernære ledere (score 42, sandsynligvis "
                             "mellem 37 og 47)")
    assert "staben vurderer temaet klart højere end de borgernære ledere (+12 point)" in reason
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
    assert res.uncertain and "Rækkefølgen af P1.1" in res.note and "er usikker" in res.note
    assert ";" not in res.note.split("Rækkefølgen")[1].split(".")[0]  # one run, not "P1.1 og P1.2; P1.2 og P1.3"
    assert "skelne nr. 3 fra det næste tema, P1.4" in res.note  # the cut, named as such
    assert all(0 <= p["p_top"] <= 1 for p in res.priorities)


def test_a_gap_counts_only_where_it_is_clear():
    themes = _themes([50.0, 50.0, 60.0, 62.0, 64.0], gap=12.0)
    themes["gap_ci_low"], themes["gap_ci_high"] = [3.0, -4.0, 3.0, 3.0, 3.0], [21.0, 28.0, 21.0, 21.0, 21.0]
    themes["gap_significant"] = themes["gap_ci_low"] > 0
    comp = components(themes)
    assert comp.loc["P1.1", "gap"] == pytest.approx(12 / 25) and comp.loc["P1.2", "gap"] == 0
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    assert res.priorities[0]["theme"] == "P1.1"  # equal scores: the sure gap decides
    assert "staben vurderer temaet klart højere end de borgernære ledere (+12 point)" in res.priorities[0]["reason"]
    assert "klart højere" not in " ".join(p["reason"] for p in res.priorities if p["theme"] == "P1.2")
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


def test_a_gap_counts_only_by_what_exceeds_the_national_norm():
    themes = _themes([50.0, 50.0, 60.0], gap=12.0)
    themes["gap_significant"] = True
    themes["gap_norm"] = [9.0, 12.0, 15.0]
    comp = components(themes)
    assert comp["gap"].tolist() == pytest.approx([3 / 25, 0.0, 0.0])
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    reasons = {p["theme"]: p["reason"] for p in res.priorities}
    assert "det normale på landsplan er +9" in reasons["P1.1"]
    assert "klart højere" not in reasons["P1.2"]  # a gap of the usual size is no local finding


def test_the_clearly_weakest_theme_is_not_displaced_by_the_other_needs():
    themes = _themes([40.0, 56.0, 57.0, 58.0, 59.0], importance=90.0, driver=0.5, percentile=5.0)
    themes.loc["P1.1", ["importance", "driver", "percentile"]] = [20.0, 0.05, 60.0]
    themes["ci_low"], themes["ci_high"] = themes["score"] - 3, themes["score"] + 3
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    chosen = [p["theme"] for p in res.priorities]
    assert "P1.1" in chosen and len(chosen) == 3
    forced = next(p for p in res.priorities if p["theme"] == "P1.1")
    assert forced["forced"] and forced["reason"].startswith("Kommunens klart svageste tema")
    assert res.extra["weakest"] == "P1.1"


def test_a_weakest_theme_whose_interval_overlaps_another_is_not_forced():
    themes = _themes([40.0, 44.0, 57.0, 58.0, 59.0], importance=90.0, driver=0.5, percentile=5.0)
    themes.loc["P1.1", ["importance", "driver", "percentile"]] = [20.0, 0.05, 60.0]
    res = prioritise(themes, PARAMS, min_n=5, seed=1)  # 40 ± 5 overlaps 44 ± 5
    assert res.extra["weakest"] is None and not any(p["forced"] for p in res.priorities)


def test_a_clearly_weakest_theme_left_out_is_explained():
    themes = _themes([71.0, 80.0, 81.0])
    themes["ci_low"], themes["ci_high"] = themes["score"] - 2, themes["score"] + 2
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    assert res.priorities == []
    themes = _themes([20.0, 50.0, 52.0, 54.0])
    themes["ci_low"], themes["ci_high"] = themes["score"] - 2, themes["score"] + 2
    themes.loc["P1.1", "n"] = 8  # too few to rank on
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    assert "P1.1" not in [p["theme"] for p in res.priorities]
    assert "Kommunens svageste tema, P1.1 P1.1, er ikke med, fordi der er for få svar bag scoren." in res.note


def test_clear_change_reliability_and_a_national_link_enter_the_reasons():
    themes = _themes([45.0, 50.0, 52.0, 60.0], driver=0.3)
    themes.loc["P1.1", "driver"] = 0.5
    themes["driver_own_weight"] = [0.2, 0.8, 0.8, 0.8]
    themes["change"], themes["change_clear"], themes["change_since"] = [-8.0, 7.0, 2.0, 0.0], \
        [True, True, False, False], "2024"
    themes["alpha"] = [0.9, 0.6, 0.9, 0.9]
    res = prioritise(themes, PARAMS, min_n=5, seed=1)
    reasons = {p["theme"]: p["reason"] for p in res.priorities}
    assert "klart fald siden 2024 (−8 point)" in reasons["P1.1"]
    assert "på landsplan hænger temaet tæt sammen med tiden til at lede det faglige" in reasons["P1.1"]
    assert "klar fremgang siden 2024 (+7 point)" in reasons["P1.2"]
    assert "scoren er mindre sikker" in reasons["P1.2"] and "scoren er mindre sikker" not in reasons["P1.1"]
    assert "siden 2024" not in reasons["P1.3"]  # a change the data cannot tell from none is not cited
