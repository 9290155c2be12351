"""The briefing's heatmaps as HTML tables (report/briefing/heatmap.py): every cell prints the
summary's own score and n and says its deviation from the national average in words, on the colour
the Matplotlib heatmap gave it; hidden cells say «skjult» and nothing else; labels are escaped; the
table reaches Quarto's Typst path as a table with every number."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib.colors import to_hex, to_rgb

from fundament_lib.core.params import load_params
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.report import briefing, plots
from fundament_lib.report.briefing.heatmap import HeatLayout, heat_table
from fundament_lib.report.briefing.profile import fagomraade
from fundament_lib.report.plots.heatmaps import NO_AVERAGE
from fundament_lib.results.summary import build_summaries
from fundament_lib.run.pandoc_markdown import MediaFolder, html_to_markdown

REPO = Path(__file__).resolve().parents[1]
CODES = ("101", "147", "151", "153", "157", "159")
LAYOUT = HeatLayout(row="id", column="group", rows={"P1": "P1", "P2": "P2"}, columns={"a": "A", "b": "B"},
                    corner="Tema", n_format="({n})", missing="ikke spurgt")


@pytest.fixture(scope="module")
def six() -> dict[str, dict]:
    tidy = generate(DemoConfig(kommuner=CODES, fixed_size=40)).tidy
    params = {c: load_params(REPO / "params", c, demo=True) for c in CODES}
    return json.loads(json.dumps(build_summaries(tidy, params, data_id="test").kommuner))


def _grid(markup: str) -> dict[tuple[str, str], BeautifulSoup]:
    """Row label × column label → the cell, as a reader finds it under its headers."""
    table = BeautifulSoup(markup, "html.parser").select_one("table.heat")
    assert table is not None
    columns = [th.get_text() for th in table.select("thead th")][1:]
    out = {}
    for tr in table.select("tbody tr"):
        row = tr.th.get_text()
        for column, td in zip(columns, tr.find_all("td"), strict=True):
            out[(row, column)] = td
    return out


def _visible(td) -> str:
    return " ".join(s.get_text() for s in td.find_all("span", class_=["hm-v", "hm-n"])) or td.get_text()


def test_cells_print_the_kommunes_value_on_the_colour_of_its_deviation():
    cells = pd.DataFrame([{"id": "P1", "group": "a", "n": 12, "score": 70.4}, {"id": "P1", "group": "b", "n": 9, "score": 40.0},
                          {"id": "P2", "group": "a", "n": 7, "score": 55.0}, {"id": "P2", "group": "b", "n": None, "score": None}])
    national = pd.DataFrame([{"id": "P1", "group": "a", "mean": 60.0}, {"id": "P1", "group": "b", "mean": 50.0},
                             {"id": "P2", "group": "a", "mean": 55.0}, {"id": "P2", "group": "b", "mean": 52.0}])
    grid = _grid(heat_table(cells, national, LAYOUT, summary="s", caption="c"))
    assert {k: _visible(td) for k, td in grid.items()} == {("P1", "A"): "70 (12)", ("P1", "B"): "40 (9)",
                                                          ("P2", "A"): "55 (7)", ("P2", "B"): "skjult"}
    # the colours the Matplotlib heatmap of the same cells gives them
    mesh = plots.subgroup_heatmap(cells, rows=dict(LAYOUT.rows), columns=dict(LAYOUT.columns), national=national).collections[0]
    mesh.update_scalarmappable()
    drawn = [to_hex(c) for c in mesh.get_facecolors()]  # row by row; the last is hidden
    plt.close("all")
    for key, colour in zip([("P1", "A"), ("P1", "B"), ("P2", "A")], drawn[:3], strict=True):
        assert f"background-color:{colour};" in grid[key]["style"]
    said = {k: td.select_one(".sr-only").get_text() for k, td in grid.items() if td.select_one(".sr-only")}
    assert said == {("P1", "A"): ", 10 point over landsgennemsnittet", ("P1", "B"): ", 10 point under landsgennemsnittet",
                    ("P2", "A"): ", som landsgennemsnittet"}
    assert grid[("P2", "B")].get_text() == "skjult" and not grid[("P2", "B")].get("style")  # no colour, no n


def test_a_cell_without_a_national_average_is_grey_and_says_so_and_one_not_asked_says_that():
    cells = pd.DataFrame([{"id": "P1", "group": "a", "n": 12, "score": 70.0}, {"id": "P1", "group": "b", "n": 8, "score": 45.0}])
    national = pd.DataFrame([{"id": "P1", "group": "a", "mean": 60.0}])
    markup = heat_table(cells, national, LAYOUT, summary="s", caption="c")
    grid = _grid(markup)
    assert f"background-color:{NO_AVERAGE}" in grid[("P1", "B")]["style"]
    assert grid[("P1", "B")].select_one(".sr-only").get_text() == ", intet landsgennemsnit"
    assert "intet landsgennemsnit</span>" in markup.split('class="hm-key"')[1]  # the key explains the grey
    assert grid[("P2", "A")].get_text() == "ikke spurgt"


def test_without_national_averages_the_colours_diverge_around_the_scales_middle():
    cells = pd.DataFrame([{"id": "P1", "group": "a", "n": 12, "score": 70.0}])
    markup = heat_table(cells, None, LAYOUT, summary="s", caption="c")
    assert f"background-color:{to_hex(plt.get_cmap('RdBu')(0.9))}" in _grid(markup)[("P1", "A")]["style"]
    assert "Score (0–100; 50 er skalaens midte)" in markup and "landsgennemsnittet</span>" not in markup


def test_labels_summary_and_caption_are_escaped():
    layout = HeatLayout(row="id", column="group", rows={"P1": '<script>alert("x")</script> & co'},
                        columns={"a": "<b>A</b>"}, corner="<i>", n_format="({n})")
    cells = pd.DataFrame([{"id": "P1", "group": "a", "n": 12, "score": 70.0}])
    markup = heat_table(cells, None, layout, summary="<img src=x>", caption="1 < 2 & <u>")
    assert "<script>" not in markup and "<b>A" not in markup and "<img" not in markup and "<u>" not in markup
    grid = _grid(markup)
    assert list(grid) == [('<script>alert("x")</script> & co', "<b>A</b>")]


def test_the_roles_table_holds_every_cell_of_the_summary(six):
    s = six["101"]
    fw = briefing.common.fw_of(s)
    functions = {f.id: f.title for f in fw.roles.functions}
    roles = {r.id: (r.short or r.title).capitalize() for r in fw.roles.roles}
    grid = _grid(str(briefing.roles(s)))
    assert len(s["roles"]) == len(grid)
    for r in s["roles"]:
        td = grid[(functions[r["function"]], roles[r["role"]])]
        expected = "skjult" if r["score"] is None else f"{round(r['score'])} n = {r['n']}"
        assert _visible(td) == expected


def test_the_fagomraade_table_holds_the_summarys_cells_and_hidden_ones_say_skjult(six):
    s = {**six["101"], "subgroups": {"fagomraade": [dict(r) for r in six["101"]["subgroups"]["fagomraade"]]}}
    shown = [r for r in s["subgroups"]["fagomraade"] if r["score"] is not None]
    hide = shown[0]
    hide.update(score=None, n=None, suppressed=True, suppression="few")
    markup = str(fagomraade(s))
    grid = _grid(markup)
    labels = briefing.common.asked_ids(s, briefing.common.fw_of(s))
    options = next(b.options for b in briefing.common.fw_of(s).background if b.id == "fagomraade")
    assert grid[(labels[hide["id"]], options[hide["group"]])].get_text() == "skjult"
    for r in shown[1:]:
        assert _visible(grid[(labels[r["id"]], options[r["group"]])]) == f"{round(r['score'])} ({r['n']})"
    caption = BeautifulSoup(markup, "html.parser").figcaption.get_text()
    assert "«skjult»: for få svar; skjult for at beskytte små grupper." in caption


def test_the_heatmap_reaches_typst_as_a_table_with_every_number(tmp_path):
    cells = pd.DataFrame([{"id": "P1", "group": "a", "n": 12, "score": 70.0}, {"id": "P1", "group": "b", "n": None, "score": None}])
    national = pd.DataFrame([{"id": "P1", "group": "a", "mean": 61.0}])
    markdown = html_to_markdown(heat_table(cells, national, LAYOUT, summary="Varmekort: P1 højest i A.", caption="Tallene"),
                                MediaFolder(tmp_path))
    lines = [line.replace("\\", "") for line in markdown.splitlines() if line.startswith("|")]  # escapes out
    assert lines[0].replace(" ", "") == "|Tema|A|B|"
    assert "70 (12), 9 point over landsgennemsnittet" in lines[2] and "skjult" in lines[2]
    assert ": Varmekort\\: P1 højest i A\\." in markdown and "\n\nTallene" in markdown  # caption, then the figcaption


def test_the_colour_key_spans_the_limits_with_ticks_on_whole_steps():
    cells = pd.DataFrame([{"id": "P1", "group": "a", "n": 12, "score": 70.0}])
    national = pd.DataFrame([{"id": "P1", "group": "a", "mean": 58.0}])  # 12 points: limits ±15
    key = BeautifulSoup(heat_table(cells, national, LAYOUT, summary="s", caption="c"), "html.parser").select_one(".hm-key")
    assert [t.get_text() for t in key.select(".hm-ticks span")] == ["−15", "−10", "−5", "0", "+5", "+10", "+15"]
    assert key.select_one(".hm-label").get_text() == plots.DEVIATION_LABEL and key["aria-hidden"] == "true"


def _contrast(a: str, b: str) -> float:
    def lum(c: str) -> float:
        rgb = np.array(to_rgb(c))
        return float(np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4) @ [0.2126, 0.7152, 0.0722])
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_cells_text_reaches_wcag_aa_contrast_on_its_colour():
    """Across the whole colour map (the mid reds and blues too) the cell's text contrasts 4.5:1 or more."""
    cells = pd.DataFrame([{"id": "P1", "group": "a", "n": 12, "score": float(v)} for v in range(20, 81, 1)])
    cells["id"] = [f"P{v}" for v in range(len(cells))]
    layout = HeatLayout(row="id", column="group", rows={i: i for i in cells["id"]}, columns={"a": "A"}, corner="",
                        n_format="({n})")
    soup = BeautifulSoup(heat_table(cells, None, layout, summary="s", caption="c"), "html.parser")
    for td in soup.select("table.heat td"):
        style = dict(part.split(":") for part in td["style"].split(";") if part)
        assert _contrast(style["background-color"], style["color"]) >= 4.5, td
