import numpy as np
import pandas as pd

from fundament_lib.core.kommuner import kommuner
from fundament_lib.demo import DemoConfig, expected_item_mean, generate


def test_all_98_kommuner_two_groups_realistic_sizes(demo):
    wide = demo.wide
    assert wide["kommunekode"].nunique() == 98
    assert set(wide["kommunekode"]) == set(kommuner()["kommunekode"])
    sizes = wide[wide["wave"] == "2025"].groupby(["kommunekode", "group"]).size().unstack()
    assert sizes["stab"].between(3, 60).all() and sizes["borgernaer"].between(8, 600).all()
    # bigger kommuner have more leaders; the smallest have staff groups under the privacy threshold
    assert sizes.loc["101", "borgernaer"] > 5 * sizes.loc["825", "borgernaer"]
    assert (sizes["stab"] < 5).any()


def test_answers_behave_like_a_real_survey(demo):
    tidy = demo.tidy
    theme = tidy[tidy["item_id"].str.match(r"P\d\.\d\.\d")]
    share = theme["status"].value_counts(normalize=True)
    assert 0.02 < share["ved_ikke"] < 0.10
    assert 0.01 < share["ubesvaret"] < 0.10
    assert set(theme.loc[theme["status"] == "svar", "value"].unique()) == {1, 2, 3, 4, 5}
    assert theme.loc[theme["status"] != "svar", "value"].isna().all()
    free = tidy[tidy["item_id"] == "BURDEN.text"]["text"].dropna()
    assert len(free) > 100


def test_staff_answer_more_positively(demo):
    theme = demo.tidy[demo.tidy["item_id"].str.match(r"P\d\.\d\.\d") & (demo.tidy["status"] == "svar")]
    means = theme.groupby("group")["value"].mean()
    assert means["stab"] > means["borgernaer"] + 0.15


def test_seeded_and_planted_truth_written_next_to_data(demo):
    again = generate(DemoConfig(kommuner=("707", "825"), seed=7))
    same = generate(DemoConfig(kommuner=("707", "825"), seed=7))
    pd.testing.assert_frame_equal(again.wide, same.wide)
    planted = demo.planted["kommuner"]
    with_extremes = [k for k, v in planted.items() if "weakest" in v]
    assert 50 <= len(with_extremes) <= 85
    assert all(v["weakest"] != v["strongest"] for k, v in planted.items() if k in with_extremes)
    truth = demo.true_scores
    assert set(truth["group"]) == {"alle", "stab", "borgernaer"}
    second = truth.loc[truth["wave"] == "2026", "kommunekode"].unique()
    assert set(second) == set(DemoConfig().second_wave_kommuner)


def test_expected_item_mean_matches_simulation(rng):
    draws = rng.normal(0.3, 0.8, 400_000)
    from fundament_lib.demo import THRESHOLDS

    simulated = (1 + (draws[:, None] > THRESHOLDS).sum(axis=1)).mean()
    assert abs(float(expected_item_mean(0.3, 0.8)) - simulated) < 0.005
    assert np.all(np.diff(expected_item_mean(np.linspace(-2, 2, 9), 1.0)) > 0)


def test_demo_files_round_trip_through_the_wide_loader(project):
    from fundament_lib.ingest.tidy_files import read_tidy

    tidy = read_tidy(project / "data" / "processed" / "demo.parquet")
    raw = pd.read_csv(project / "data" / "raw" / "demo" / "fundament_demo_wide.csv", sep=";", dtype=str)
    assert tidy["respondent_id"].nunique() == len(raw)
    assert (project / "data" / "processed" / "demo_planted_effects.json").exists()
    assert (project / "data" / "raw" / "demo" / "demo_planted_effects.json").exists()
