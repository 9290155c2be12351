"""National averages per group × theme, fagområde × theme and function × role (summary 2.2), and
the heatmaps coloured by the kommune's deviation from them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fundament_lib.core.params import load_params
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.report import plots
from fundament_lib.results.national_cells import AVERAGE_KEYS
from fundament_lib.results.summary import build_summaries

REPO = Path(__file__).resolve().parents[1]
CODES = ("101", "147", "151", "153", "157", "159", "161", "163")


def _summaries(codes: tuple[str, ...]) -> dict[str, dict]:
    tidy = generate(DemoConfig(kommuner=codes, fixed_size=40)).tidy
    params = {c: load_params(REPO / "params", c, demo=True) for c in codes}
    return json.loads(json.dumps(build_summaries(tidy, params, data_id="test").kommuner))


@pytest.fixture(scope="module")
def eight() -> dict[str, dict]:
    return _summaries(CODES)


def _shown(s: dict, table: str) -> list[dict]:
    rows = s["subgroups"]["fagomraade"] if table == "subgroups" else s[table]
    return [r for r in rows if r.get("score") is not None and not r.get("suppressed")]


@pytest.mark.parametrize("table", list(AVERAGE_KEYS))
def test_a_national_average_is_the_mean_of_every_kommunes_shown_value(eight, table):
    """Recomputed from the eight summaries' own published cells (a second implementation)."""
    keys = AVERAGE_KEYS[table]
    every = pd.DataFrame([{**r, "kommunekode": c} for c, s in eight.items() for r in _shown(s, table)])
    expected = every.groupby(keys)["score"].agg(["mean", "count"])
    checked = 0
    for code, s in eight.items():
        for r in s["national_averages"][table]:
            key = tuple(r[k] for k in keys)
            assert r["mean"] == pytest.approx(expected.loc[key, "mean"], abs=0.051), (code, key)
            assert r["n_kommuner"] == expected.loc[key, "count"]
            checked += 1
        # every cell shown by at least min_n other kommuner has an average
        mine = {tuple(r[k] for k in keys) for r in s["national_averages"][table]}
        others = every[every["kommunekode"] != code].groupby(keys)["kommunekode"].nunique()
        assert mine == {k if isinstance(k, tuple) else (k,) for k, v in others.items() if v >= s["min_n"]}
    assert checked > 0


def test_no_national_average_over_fewer_than_min_n_other_kommuner():
    few = _summaries(CODES[:3])
    assert all(rows == [] for s in few.values() for rows in s["national_averages"].values())


def _cells(scores: dict[tuple[str, str], float | None]) -> pd.DataFrame:
    return pd.DataFrame([{"id": i, "group": g, "n": None if v is None else 12, "score": v}
                         for (i, g), v in scores.items()])


def test_the_heatmap_colours_the_deviation_and_prints_the_kommunes_own_value():
    cells = _cells({("P1", "a"): 70.0, ("P1", "b"): 40.0, ("P2", "a"): 55.0, ("P2", "b"): None})
    national = pd.DataFrame([{"id": "P1", "group": "a", "mean": 60.0}, {"id": "P1", "group": "b", "mean": 50.0},
                             {"id": "P2", "group": "a", "mean": 55.0}, {"id": "P2", "group": "b", "mean": 52.0}])
    ax = plots.subgroup_heatmap(cells, rows={"P1": "P1", "P2": "P2"}, columns={"a": "A", "b": "B"},
                                national=national)
    mesh = ax.collections[0]
    values = np.ma.filled(mesh.get_array(), np.nan).reshape(2, 2)
    np.testing.assert_allclose(values, [[10.0, -10.0], [0.0, np.nan]])
    low, high = mesh.get_clim()
    assert low == -high and high >= 10  # white is the national average, the scale symmetric around it
    assert mesh.colorbar.ax.get_ylabel() == plots.DEVIATION_LABEL
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["70\n(12)", "40\n(12)", "55\n(12)", "–"])  # own values; the hidden cell stays hidden


def test_without_national_averages_the_heatmap_diverges_around_the_scales_middle():
    cells = _cells({("P1", "a"): 70.0, ("P1", "b"): 40.0})
    ax = plots.subgroup_heatmap(cells, rows={"P1": "P1"}, columns={"a": "A", "b": "B"})
    low, high = ax.collections[0].get_clim()
    assert (low + high) / 2 == 50 and ax.collections[0].colorbar.ax.get_ylabel().startswith("Score")
