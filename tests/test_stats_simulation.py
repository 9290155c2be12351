"""Simulation on the demo generator: planted effects are recovered, and 95 % intervals cover the truth.

The demo generator (``fundament_lib.demo.survey``) knows the exact expected score of
every kommune × group × theme under its model (``true_scores``, from the
normal CDF; ``alle`` weighted by the planted group sizes). Each repetition
draws new kommune effects, respondents and missing answers with a new seed
for 12 kommuner of every size (default size model: staff groups of 3–60,
frontline groups of 8–600).

Measured with 12 repetitions (``n_boot = 1000``), against the nominal 95 %:

============================  ==========  =========
cells                         percentile  expanded
============================  ==========  =========
n ≥ 20    (2 720 pairs)       0.947       0.951
n ≥ 10    (4 135 pairs)       0.937       0.949
n < 10    (  184 pairs)       0.78        0.81
============================  ==========  =========

(60 repetitions give 0.938 / 0.943 for n ≥ 20 and 0.932 / 0.945 for n ≥ 10.)
So the plain percentile interval is honest from about 20 respondents, a
little short between 10 and 20, and too narrow below 10; Hesterberg's
expanded percentile interval (``interval="expanded"``) fixes the 10–20 band
but not the smallest cells, whose score distribution the bootstrap cannot
see. The coverage claims below are restricted accordingly.

Tolerance: the interval-truth pairs are not independent (the themes of a
cell share its respondents, and ``alle`` shares them with its groups); the
spread of coverage between repetitions shows a design effect of about 4, so
≈ 4 000 pairs weigh like ≈ 1 000 independent ones, a standard error of
≈ 0.007. The band 0.92–0.975 is about ±3.5 standard errors around 0.945.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.analysis.stats import group_gaps, score_intervals
from fundament_lib.demo import DemoConfig, generate

CODES = ("101", "147", "707", "461", "851", "330", "580", "173", "265", "825", "561", "657")
SEEDS = range(12)


@pytest.fixture(scope="module")
def runs(fw):
    """Per repetition: the survey, the percentile and expanded intervals, and the gaps."""
    out = []
    for seed in SEEDS:
        survey = generate(DemoConfig(seed=seed, kommuner=CODES, second_wave_kommuner=()), fw)
        scores = respondent_scores(survey.tidy, fw)
        plain = score_intervals(scores, fw, n_boot=1000, seed=seed)
        expanded = score_intervals(scores, fw, n_boot=1000, seed=seed, interval="expanded")
        out.append((survey, plain, expanded, group_gaps(scores, fw, intervals=plain)))
    return out


def _coverage(runs, which: int) -> pd.DataFrame:
    parts = []
    for survey, *intervals, _ in runs:
        table = intervals[which].table
        m = table.merge(survey.true_scores, on=["kommunekode", "wave", "group", "id"], suffixes=("", "_true"))
        m = m[m["ci_low"].notna()]
        parts.append(pd.DataFrame({"n": m["n"], "group": m["group"],
                                   "cover": (m["ci_low"] <= m["true_score"]) & (m["true_score"] <= m["ci_high"])}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.slow
def test_percentile_intervals_cover_the_truth(runs):
    cov = _coverage(runs, 0)
    big = cov[cov["n"] >= 20]
    assert len(big) >= 400
    assert 0.92 <= big["cover"].mean() <= 0.975
    mid = cov[cov["n"] >= 10]
    assert 0.92 <= mid["cover"].mean() <= 0.975
    for group in ("alle", "stab", "borgernaer"):            # no group is far off once n ≥ 20
        part = big[big["group"] == group]
        if len(part) >= 100:
            assert part["cover"].mean() >= 0.9


@pytest.mark.slow
def test_expanded_intervals_cover_the_truth_from_ten_respondents(runs):
    plain, expanded = _coverage(runs, 0), _coverage(runs, 1)
    mid = expanded[expanded["n"] >= 10]
    assert len(mid) >= 400
    assert 0.93 <= mid["cover"].mean() <= 0.975
    small = expanded["n"] < 10
    assert expanded.loc[small, "cover"].mean() >= plain.loc[small, "cover"].mean()   # wider, never narrower


@pytest.mark.slow
def test_planted_weakest_theme_lies_below_the_others(runs):
    lowest, clear, below_scores = [], [], []
    for survey, plain, _, _ in runs:
        themes = plain.table[(plain.table["group"] == "alle") & (plain.table["level"] == "theme")]
        for code, info in survey.planted["kommuner"].items():
            if "weakest" not in info:
                continue
            mine = themes[themes["kommunekode"] == code].set_index("id")
            weak, others = mine.loc[info["weakest"]], mine.drop(info["weakest"])
            lowest.append(mine["score"].idxmin() == info["weakest"])
            clear.append(weak["ci_high"] < others["ci_low"].min())       # no overlap with any other theme
            below_scores.append(weak["ci_high"] < others["score"].min())
    assert len(lowest) >= 50
    # Measured: 99 % lowest, 85 % with an interval clear of every other theme's, 95 % below their scores.
    assert np.mean(lowest) >= 0.95
    assert np.mean(clear) >= 0.75
    assert np.mean(below_scores) >= 0.9


@pytest.mark.slow
def test_planted_gap_theme_shows_the_largest_gap(runs):
    largest, sure = [], []
    for survey, _, _, gaps in runs:
        themes = gaps[gaps["level"] == "theme"]
        for code, info in survey.planted["kommuner"].items():
            if "gap" not in info:
                continue
            mine = themes[themes["kommunekode"] == code].set_index("id")
            largest.append(mine["diff"].idxmax() == info["gap"])
            sure.append(mine.loc[info["gap"], "ci_low"] > 0)
    assert len(largest) >= 20
    # Measured: 95 % largest gap (misses in kommuner with 4 staff respondents), 98 % interval above 0.
    assert np.mean(largest) >= 0.85
    assert np.mean(sure) >= 0.9


def _gap_coverage(runs) -> pd.DataFrame:
    parts = []
    for survey, _, _, gaps in runs:
        truth = survey.true_scores.pivot_table(index=["kommunekode", "wave", "id"], columns="group",
                                               values="true_score").reset_index()
        truth["true_gap"] = truth["stab"] - truth["borgernaer"]
        m = gaps.merge(truth[["kommunekode", "wave", "id", "true_gap"]], on=["kommunekode", "wave", "id"])
        m = m[m["ci_low"].notna()]
        parts.append(pd.DataFrame({"smaller_n": m[["n_stab", "n_borgernaer"]].min(axis=1),
                                   "cover": (m["ci_low"] <= m["true_gap"]) & (m["true_gap"] <= m["ci_high"])}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.slow
def test_gap_intervals_cover_the_true_gap(runs):
    # The gap's interval is the difference of two independent resamplings (staff, frontline).
    # Measured (12 repetitions): 0.926 when the smaller group has n >= 10 (1 299 pairs), 0.937 at
    # n >= 15 (649), 0.963 at n >= 20 (80: staff groups are small). A little short of 95 % between
    # 10 and 20, like a score's percentile interval; the bands allow for the dependence between
    # the themes of a kommune (design effect about 4, see the module docstring).
    cov = _gap_coverage(runs)
    mid, big = cov[cov["smaller_n"] >= 10], cov[cov["smaller_n"] >= 15]
    assert len(mid) >= 600 and len(big) >= 300
    assert 0.90 <= mid["cover"].mean() <= 0.975
    assert 0.91 <= big["cover"].mean() <= 0.975
