"""The explorer's views (fundament_lib.explore) and the explore notebook run headless."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from conftest import REPO
from fundament_lib import explore
from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.core.atomic import write_parquet
from fundament_lib.core.errors import UnknownKommuneError
from fundament_lib.demo import DemoConfig, generate

# Læsø (825) has 3 staff respondents and 10 frontline leaders: its staff cell is hidden,
# and its frontline cell too (3 could be had as alle − borgernære).
CODES = ("707", "101", "147", "825", "400", "461")
SMALL = "825"


@pytest.fixture(scope="module")
def survey():
    return generate(DemoConfig(kommuner=CODES))


@pytest.fixture(scope="module")
def ds(survey, tmp_path_factory) -> explore.Dataset:
    params = tmp_path_factory.mktemp("params")
    (params / "147.yaml").write_text("min_n: 8\n", encoding="utf-8")
    return explore.load(survey.tidy, params_root=params)


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    waves = frame["wave"].astype(str)
    return frame[waves == waves.groupby(frame["kommunekode"].astype(str)).transform("max")]


def test_load_from_dataframe_and_from_parquet(survey, ds, tmp_path):
    assert ds.kommuner == sorted(CODES)
    assert ds.min_n["147"] == 8 and ds.min_n["707"] == 5  # params raise the threshold, never lower it
    assert len(ds.scores) == survey.tidy["respondent_id"].nunique()
    assert "skole" in ds.fagomraader
    path = tmp_path / "tidy.parquet"
    write_parquet(survey.tidy, path)
    again = explore.load(path, params_root=tmp_path / "none")
    assert again.kommuner == ds.kommuner and again.min_n["147"] == 5


def test_distribution_pools_the_shown_cells(ds, survey):
    view = explore.distribution(ds, theme="P1.3", kommuner=["707", "101"], group="stab")
    table, ax = view
    assert isinstance(ax, Axes) and not view.suppressed
    assert list(table["item_id"]) == ["P1.3.1", "P1.3.2", "P1.3.3"]
    counts = table[["c1", "c2", "c3", "c4", "c5"]].sum(axis=1)
    assert (counts == table["n"]).all()
    rows = _latest(survey.tidy)
    rows = rows[rows["kommunekode"].isin(["707", "101"]) & (rows["group"] == "stab")
                & (rows["item_id"] == "P1.3.2") & (rows["status"] == "svar")]
    assert table.set_index("item_id").at["P1.3.2", "n"] == len(rows)
    expected = (rows["value"].mean() - 1) / 4 * 100
    assert table.set_index("item_id").at["P1.3.2", "score"] == pytest.approx(expected)
    assert "<table>" in view.html() and "data:image/png;base64" in view.html()


def test_small_group_shows_a_message_not_numbers(ds):
    for group in ("stab", "borgernaer"):  # 3 staff: hidden; frontline: hidden as the complement
        view = explore.distribution(ds, theme="P1.1", kommuner=[SMALL], group=group)
        assert view.suppressed and view.table.empty
        assert "Ingen tal" in view.notes[0]
        assert "Ingen tal" in view.html() and "<table>" not in view.html()
    assert not explore.distribution(ds, theme="P1.1", kommuner=[SMALL], group="alle").suppressed


def test_a_hidden_cell_cannot_be_had_by_difference(ds):
    """Pooling with and without the small kommune gives the same staff numbers: it is left out."""
    without = explore.distribution(ds, theme="P2.2", kommuner=["707", "400"], group="stab")
    with_small = explore.distribution(ds, theme="P2.2", kommuner=["707", "400", SMALL], group="stab")
    pd.testing.assert_frame_equal(without.table, with_small.table)
    assert any("825" in n for n in with_small.notes)
    gaps_without = explore.gaps(ds, kommuner=["707", "400"])
    gaps_with = explore.gaps(ds, kommuner=["707", "400", SMALL])
    pd.testing.assert_series_equal(gaps_without.table["score_stab"], gaps_with.table["score_stab"])


def test_gaps_match_respondent_means(ds, survey):
    table, ax = explore.gaps(ds, kommuner=["707", "101", "461"])
    assert isinstance(ax, Axes)
    scores = _latest(respondent_scores(survey.tidy, ds.fw))
    scores = scores[scores["kommunekode"].isin(["707", "101", "461"])]
    row = table.set_index("id").loc["P1.4"]
    for group in ("stab", "borgernaer"):
        mine = scores.loc[scores["group"] == group, "P1.4"].dropna()
        assert row[f"n_{group}"] == len(mine)
        assert row[f"score_{group}"] == pytest.approx(mine.mean())
    assert row["gap"] == pytest.approx(row["score_stab"] - row["score_borgernaer"])
    assert row["gap_low"] < row["gap"] < row["gap_high"]
    assert list(table["id"][:2]) == ["P1", "P2"]


def test_fagomraade_narrows_to_frontline_leaders(ds, survey):
    view = explore.distribution(ds, theme="P1.5", kommuner=["101", "461"], group="borgernaer",
                                fagomraade="skole")
    rows = _latest(survey.tidy)
    rows = rows[rows["kommunekode"].isin(["101", "461"]) & (rows["fagomraade"] == "skole")
                & (rows["item_id"] == "P1.5.1") & (rows["status"] == "svar")]
    assert view.table.set_index("item_id").at["P1.5.1", "n"] == len(rows)
    with pytest.raises(ValueError, match="staff have no fagområde"):
        explore.distribution(ds, theme="P1.5", group="stab", fagomraade="skole")
    small = explore.gaps(ds, kommuner=[SMALL], fagomraade="skole")  # a single Læsø leader: nothing shown
    assert small.suppressed


def test_benchmark_ranks_the_kommune(ds):
    table, ax = explore.benchmark(ds, kommune="707")
    assert isinstance(ax, Axes)
    assert list(table["id"][:3]) == ["P1", "P2", "P1.1"]
    assert table["rank"].between(1, table["n_kommuner"]).all()
    assert (table["min"] <= table["score"]).all() and (table["score"] <= table["max"]).all()
    one = explore.benchmark(ds, kommune="707", theme="P2.2", group="stab")
    assert list(one.table["id"]) == ["P2.2"]
    assert one.table.at[0, "n_kommuner"] < len(CODES)  # Læsø's staff are not in the field
    assert explore.benchmark(ds, kommune=SMALL, group="stab").suppressed


def test_wave_selection(ds):
    first = explore.gaps(ds, kommuner=["707"], wave="2025").table
    latest = explore.gaps(ds, kommuner=["707"]).table
    assert not np.allclose(first["score_borgernaer"], latest["score_borgernaer"])
    with pytest.raises(ValueError, match="wave: expected one of"):
        explore.gaps(ds, wave="1999")


def test_bad_arguments_name_the_parameter(ds):
    with pytest.raises(UnknownKommuneError, match="999"):
        explore.distribution(ds, theme="P1.1", kommuner=["999"])
    with pytest.raises(ValueError, match="theme: expected one of"):
        explore.distribution(ds, theme="P9.9")
    with pytest.raises(ValueError, match="group: expected one of"):
        explore.benchmark(ds, kommune="707", group="chefer")


def test_dashboard_builds_the_widgets(ds):
    import ipywidgets as w

    ui = explore.dashboard(ds, kommuner=["707", "101"], theme="P1.2")
    assert isinstance(ui, w.VBox)
    tabs = [c for c in ui.children if isinstance(c, w.Tab)]
    assert len(tabs) == 1 and len(tabs[0].children) == 3
    assert all(isinstance(c, w.Output) for c in tabs[0].children)


@pytest.mark.slow
def test_explore_notebook_runs_headless_with_its_defaults(project: Path, tmp_path):
    import papermill

    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / "explore.ipynb"), str(out), cwd=str(project),
                               kernel_name="python3", progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = [k for o in outputs for k in o.get("data", {})]
    assert "application/vnd.jupyter.widget-view+json" in kinds
    html = "".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    assert "Svarfordeling" in html and "Faktorladninger" in html


def test_explore_notebook_is_thin():
    nb = nbformat.read(REPO / "notebooks" / "explore.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "def " not in cell.source and "for " not in cell.source
            assert len(cell.source.splitlines()) <= 6


def test_the_framework_is_found_from_the_item_ids(tmp_path):
    from fundament_lib.core.errors import FrameworkError
    from fundament_lib.framework import load_framework

    other = load_framework("mereledelse2023")
    tidy = generate(DemoConfig(kommuner=("101", "147", "707"), fixed_size=12), other).tidy
    ds = explore.load(tidy, params_root=tmp_path)
    assert ds.fw.id == "mereledelse2023"
    assert list(explore.gaps(ds).table["id"][:4]) == [d.id for d in other.domains]
    with pytest.raises(FrameworkError, match="item ids not in framework fundament2024"):
        explore.load(tidy, framework="fundament2024", params_root=tmp_path)
