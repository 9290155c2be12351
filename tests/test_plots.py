"""The briefing figures as a reader sees them: nothing runs into anything, n and every
legend entry are there, and text prints large enough on A4."""

from __future__ import annotations

import io
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox
from PIL import Image

from fundament_lib.framework.model import Framework
from fundament_lib.report import plots
from fundament_lib.report.plots import heatmaps, layout, likert, style

# The demo's prioriteringskort for kommune 101 and 707, where labels piled up.
MATRIX_101 = [("P1.1", 68.5, 69.6, False), ("P1.2", 67.8, 53.3, False), ("P1.3", 62.2, 65.1, False),
              ("P1.4", 62.3, 55.2, True), ("P1.5", 71.6, 53.8, True), ("P2.1", 70.2, 73.2, False),
              ("P2.2", 68.0, 52.5, False), ("P2.3", 70.7, 60.4, False), ("P2.4", 66.1, 51.0, False),
              ("P2.5", 66.3, 41.5, True)]
MATRIX_707 = [("P1.1", 73.5, 51.8, True), ("P1.2", 68.9, 63.2, False), ("P1.3", 67.7, 59.4, False),
              ("P1.4", 70.3, 77.8, False), ("P1.5", 71.6, 52.3, True), ("P2.1", 86.7, 49.1, True),
              ("P2.2", 81.7, 57.4, False), ("P2.3", 66.0, 56.0, False), ("P2.4", 58.5, 49.6, False),
              ("P2.5", 64.7, 52.9, False)]
SCALE = {1: "Helt uenig", 2: "Delvis uenig", 3: "Hverken enig eller uenig", 4: "Delvis enig", 5: "Helt enig"}


@pytest.fixture(autouse=True)
def _house_style() -> None:
    plots.set_style()
    yield
    plt.close("all")


def _drawn(ax: Axes):  # type: ignore[no-untyped-def]
    fig = ax.get_figure(root=True)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _corners(t: Text, renderer) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The four corners (pixels) of a possibly rotated text's own rectangle."""
    if not t.get_rotation():
        b = t.get_window_extent(renderer)
        return np.array([[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1], [b.x0, b.y1]])
    angle = t.get_rotation()
    t.set_rotation(0)
    b = t.get_window_extent(renderer)
    t.set_rotation(angle)
    w, h = b.width, b.height
    # Rotation about the alignment point ("anchor" mode: right, top for our column labels).
    assert t.get_rotation_mode() == "anchor" and t.get_ha() == "right" and t.get_va() == "top"
    anchor = t.get_transform().transform(t.get_position())
    box = np.array([[-w, -h], [0, -h], [0, 0], [-w, 0]])
    return Affine2D().rotate_deg(angle).transform(box) + anchor


def _polygons_overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Separating axis test for two convex quadrilaterals."""
    for poly in (a, b):
        for i in range(4):
            edge = poly[(i + 1) % 4] - poly[i]
            normal = np.array([-edge[1], edge[0]])
            pa, pb = a @ normal, b @ normal
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return False
    return True


def _overlap(a: Bbox, b: Bbox) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0)


def _printed_pt(ax: Axes, fontsize: float) -> float:
    """The size ``fontsize`` prints at on A4 once the figure is embedded as the briefing does."""
    buf = io.BytesIO()
    ax.get_figure(root=True).savefig(buf, format="png", dpi=110, bbox_inches="tight")
    width_px = Image.open(io.BytesIO(buf.getvalue())).size[0]
    return fontsize * min(110 / 96, layout.PRINT_WIDTH_IN * 110 / width_px)


# -- heatmaps -------------------------------------------------------------------------------

def _subgroup_cells(groups: list[str], ids: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [{"id": t, "group": g, "n": int(rng.integers(5, 20)), "score": float(rng.uniform(30, 80))}
            for t in ids for g in groups]
    return pd.DataFrame(rows)


def _briefing_rows(fw: Framework) -> dict[str, str]:
    """The rows the briefing's fagområde heatmap has: pejlemærker, then themes."""
    return {**{d.id: f"{d.id} {d.title}" for d in fw.domains}, **{t.id: f"{t.id} {t.title}" for t in fw.themes()}}


def _assert_column_labels_apart(ax: Axes) -> None:
    renderer = _drawn(ax)
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    assert len(labels) >= 2
    shapes = [_corners(t, renderer) for t in labels]
    for (a, ta), (b, tb) in itertools.combinations(zip(shapes, labels, strict=True), 2):
        assert not _polygons_overlap(a, b), f"{ta.get_text()!r} runs into {tb.get_text()!r}"


def _pixels(fig) -> np.ndarray:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def test_heatmap_draws_what_seaborns_heatmap_draws() -> None:
    """The heatmap without seaborn's extra render (heatmaps._heatmap) is pixel for pixel seaborn's, missing
    cells and colour bar included, once both have the same tick labels and are laid out as in a briefing."""
    import seaborn as sns

    grid = pd.DataFrame([[-12.0, 3.5, np.nan], [0.0, 7.25, -3.0]], index=["P1 Et tema", "P2 Et andet"],
                        columns=["Skole", "Kultur og fritid", "Social"])
    limits = {"vmin": -15.0, "vmax": 15.0}
    pictures = []
    for draw in ("seaborn", "ours"):
        fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
        if draw == "seaborn":
            sns.heatmap(grid, ax=ax, cmap=style.DIVERGING_CMAP, **limits, linewidths=1, linecolor="white",
                        cbar_kws={"label": "Point"})
        else:
            heatmaps._heatmap(grid, ax=ax, cmap=style.DIVERGING_CMAP, label="Point", **limits)
        ax.set_xticks(np.arange(3) + 0.5, list(grid.columns), rotation=0)
        ax.set_yticks(np.arange(2) + 0.5, list(grid.index), rotation=0)
        layout._renderer(ax)  # laid out once more before saving, as the briefing's heatmaps are (column labels)
        pictures.append(_pixels(fig))
    assert pictures[0].shape == pictures[1].shape
    assert np.array_equal(pictures[0], pictures[1])


@pytest.mark.parametrize("count", [2, 4, 6, 8])
def test_fagomraade_heatmap_column_labels_never_overlap(fw: Framework, count: int) -> None:
    options = next(b.options for b in fw.background if b.id == "fagomraade")
    # The pair the reviewer saw collide sits side by side in every case.
    names = ["aeldre", "social", *[k for k in options if k not in ("aeldre", "social")]][:count]
    columns = {k: options[k] for k in names}
    rows = _briefing_rows(fw)
    ax = plots.subgroup_heatmap(_subgroup_cells(names, list(rows)), rows=rows, columns=columns)
    _assert_column_labels_apart(ax)
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == list(columns.values())


def test_short_column_labels_stay_upright_on_two_lines() -> None:
    columns = {"a": "Skole", "b": "Kultur og fritid"}
    ax = plots.subgroup_heatmap(_subgroup_cells(list(columns), ["P1"]), rows={"P1": "P1"}, columns=columns)
    _assert_column_labels_apart(ax)
    texts = [t.get_text() for t in ax.get_xticklabels()]
    assert texts == ["Skole", "Kultur og\nfritid"]
    assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())


def test_role_heatmap_column_labels_never_overlap(fw: Framework) -> None:
    assert fw.roles is not None
    functions = {f.id: f.title for f in fw.roles.functions}
    roles = {r.id: (r.short or r.title).capitalize() for r in fw.roles.roles}
    cells = pd.DataFrame([{"function": f, "role": r, "score": 50.0, "n": 40} for f in functions for r in roles])
    _assert_column_labels_apart(plots.role_heatmap(cells, functions=functions, roles_order=roles))


# -- importance–performance matrix ----------------------------------------------------------

def _matrix(rows: list[tuple[str, float, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "importance", "score", "priority"])


def _marker_boxes(ax: Axes, renderer) -> list[Bbox]:  # type: ignore[no-untyped-def]
    """Each scatter marker's own extent in pixels."""
    boxes = []
    for coll in ax.collections:
        if not isinstance(coll, PathCollection):
            continue
        path = coll.get_paths()[0]
        for offset, tr in zip(coll.get_offsets(), itertools.cycle(coll.get_transforms()), strict=False):
            centre = ax.transData.transform(offset)
            ext = path.get_extents(Affine2D(tr))
            boxes.append(Bbox.from_extents(*(centre + ext.min), *(centre + ext.max)))
    return boxes


def _assert_labels_clear(ax: Axes, expected: int) -> None:
    renderer = _drawn(ax)
    labels = [t for t in ax.texts if t.get_text().startswith("P")]
    assert len(labels) == expected
    boxes = [Text.get_window_extent(t, renderer) for t in labels]  # the text alone, not its leader line
    frame = ax.get_window_extent(renderer)
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, labels, strict=True), 2):
        assert not _overlap(a, b), f"{ta.get_text()} overlaps {tb.get_text()}"
    markers = _marker_boxes(ax, renderer)
    assert len(markers) == expected
    for box, t in zip(boxes, labels, strict=True):
        assert not any(_overlap(box, m) for m in markers), f"{t.get_text()} covers a marker"
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


@pytest.mark.parametrize("rows", [MATRIX_101, MATRIX_707], ids=["101", "707"])
def test_matrix_labels_clear_of_markers_and_each_other(rows: list[tuple[str, float, float, bool]]) -> None:
    _assert_labels_clear(plots.importance_performance(_matrix(rows)), len(rows))


def test_matrix_labels_survive_a_tight_cluster() -> None:
    rng = np.random.default_rng(7)
    rows = [(f"P{i // 5 + 1}.{i % 5 + 1}", 70 + float(rng.normal(0, 1.5)), 55 + float(rng.normal(0, 1.5)), i < 3)
            for i in range(10)]
    _assert_labels_clear(plots.importance_performance(_matrix(rows)), 10)


def test_matrix_label_placement_is_deterministic() -> None:
    def positions() -> list[tuple[float, float]]:
        ax = plots.importance_performance(_matrix(MATRIX_101))
        _drawn(ax)
        return [tuple(t.xyann) for t in ax.texts if t.get_text().startswith("P")]  # type: ignore[attr-defined]

    assert positions() == positions()


def test_matrix_y_axis_says_whose_score() -> None:
    m = _matrix(MATRIX_707)
    assert plots.importance_performance(m).get_ylabel() == "Score hos de borgernære ledere (0–100)"
    assert plots.importance_performance(m, basis="alle").get_ylabel() == "Score hos alle ledere (0–100)"
    assert plots.importance_performance(m.assign(basis="alle")).get_ylabel() == "Score hos alle ledere (0–100)"
    assert plots.importance_performance(m, ylabel="Min akse").get_ylabel() == "Min akse"


# -- Likert bars ----------------------------------------------------------------------------

def _items(fw: Framework, count: int = 6) -> tuple[pd.DataFrame, dict[str, str]]:
    items = [i for t in fw.themes() for i in t.items][:count]
    labels = {i.id: f"{i.id} {i.text}" for i in items}
    rng = np.random.default_rng(3)
    rows = []
    for k, item in enumerate(items):
        counts = rng.integers(0, 30, 5).astype(float)
        counts[0] = 0  # nobody chose "Helt uenig"
        rows.append({"item_id": item.id, "n": int(counts.sum()), **{f"c{c}": counts[c - 1] for c in SCALE},
                     "dont_know": float(40 if k == 0 else k)})  # the first item: a long "Ved ikke" bar
    return pd.DataFrame(rows), labels


def test_likert_legend_keeps_every_level_and_dont_know(fw: Framework) -> None:
    items, labels = _items(fw)
    ax = plots.likert_bars(items, labels=labels, scale=SCALE)
    legend = ax.get_legend()
    assert legend is not None
    assert sorted(t.get_text() for t in legend.get_texts()) == sorted([*SCALE.values(), "Ved ikke"])


def test_likert_dont_know_is_its_own_bar_with_room_for_its_label(fw: Framework) -> None:
    items, labels = _items(fw)
    ax = plots.likert_bars(items, labels=labels, scale=SCALE)
    renderer = _drawn(ax)
    frame = ax.get_window_extent(renderer)
    grey = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_x() >= likert.DK_START]
    assert len(grey) == len(items)
    assert all(p.get_x() > 100 for p in grey)  # outside the scale
    pct = [t for t in ax.texts if t.get_text().endswith("%")]
    assert len(pct) == len(items)
    for t in pct:
        box = t.get_window_extent(renderer)
        row = min(grey, key=lambda p: abs(p.get_y() + p.get_height() / 2 - t.xy[1]))  # type: ignore[attr-defined]
        bar = row.get_window_extent(renderer)
        assert box.x0 - bar.x1 >= 3, f"{t.get_text()} touches its bar"
        assert frame.x1 - box.x1 >= 3, f"{t.get_text()} touches the frame"


def test_likert_item_text_is_readable_and_clear_of_the_bars(fw: Framework) -> None:
    items, labels = _items(fw, count=16)
    ax = plots.likert_bars(items, labels=labels, scale=SCALE)
    renderer = _drawn(ax)
    texts = [t for t in ax.texts if t.get_text().startswith("P")]
    assert len(texts) == 16
    assert all("n\u00a0=\u00a0" in t.get_text() for t in texts)
    size = min(t.get_fontsize() for t in texts)
    assert _printed_pt(ax, size) >= 9.4
    frame = ax.get_window_extent(renderer)
    bars = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for box, t in zip(boxes, texts, strict=True):
        assert box.x1 <= frame.x1, f"{t.get_text()!r} runs past the frame"
        assert not any(_overlap(box, b) for b in bars), f"{t.get_text()!r} runs into a bar"
    for a, b in itertools.pairwise(boxes):
        assert not _overlap(a, b)


# -- theme profile and benchmark strip ------------------------------------------------------

def _profile_scores() -> pd.DataFrame:
    rows = []
    for k, theme in enumerate(["P1.1", "P1.2", "P1.3"]):
        for group, score in (("stab", 60.0 + 5 * k), ("borgernaer", 50.0 + k)):
            rows.append({"id": theme, "group": group, "score": score, "ci_low": score - 6, "ci_high": score + 6})
    return pd.DataFrame(rows)


def test_theme_profile_shows_the_gap_under_the_markers_and_n() -> None:
    labels = {"P1.1": "P1.1 Kultur", "P1.2": "P1.2 Stabe", "P1.3": "P1.3 Klare"}
    ax = plots.theme_profile(_profile_scores(), labels=labels, n={"stab": 11, "borgernaer": 60})
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "Stab og ledelse (n = 11)", "Borgernære ledere (n = 60)", "Forskel"]
    bands = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [(p.get_x(), p.get_width()) for p in bands] == [(50.0, 10.0), (51.0, 14.0), (52.0, 18.0)]
    marker_z = min(c.get_zorder() for c in ax.collections if isinstance(c, PathCollection))
    line_z = min(c.get_zorder() for c in ax.collections if not isinstance(c, PathCollection))
    assert all(p.get_zorder() < min(marker_z, line_z) for p in bands)
    # Tall enough to show behind both dots, which sit 0.12 above and below the row.
    assert all(p.get_height() >= 0.45 for p in bands)


def test_theme_profile_without_n_keeps_plain_labels() -> None:
    ax = plots.theme_profile(_profile_scores(), labels={"P1.1": "P1.1 Kultur"})
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Stab og ledelse", "Borgernære ledere", "Forskel"]


def test_benchmark_strip_shows_n_in_the_legend() -> None:
    national = pd.DataFrame({"kommunekode": ["101", "147", "707"], "id": "P1", "score": [50.0, 55.0, 60.0]})
    own = pd.DataFrame({"id": ["P1"], "score": [60.0], "ci_low": [57.0], "ci_high": [63.0]})
    ax = plots.benchmark_strip(national, highlight="707", labels={"P1": "P1 Støtte"}, own=own,
                               n_others=2, n_own=71)
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Andre kommuner (n = 2 kommuner)",
                                                          "Kommunen (n = 71 ledere)"]
    plain = plots.benchmark_strip(national, highlight="707", labels={"P1": "P1 Støtte"}, own=own).get_legend()
    assert plain is not None
    assert [t.get_text() for t in plain.get_texts()] == ["Andre kommuner", "Kommunen"]


def test_text_measured_once_per_process_is_what_the_figure_measures() -> None:
    """Statement texts are measured on a figure of plots' own and the sizes kept per process: they are a
    briefing figure's own measures, and a change of font is measured anew."""
    fig = plt.figure()
    text = "P1.1 Staben forstår de borgernære enheders opgaver\nog hvad der fylder i hverdagen"
    own = fig.add_axes((0, 0, 1, 1)).text(0, 0, text, fontsize=11.3, linespacing=1.05, transform=None)
    box = own.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    assert layout._text_px(text, 11.3, fig.dpi, 1.05) == (box.width, box.height)
    assert layout._text_px(text, 11.3, fig.dpi, 1.05) == (box.width, box.height)  # from the cache
    with plt.rc_context({"font.family": "serif"}):
        assert layout._text_px(text, 11.3, fig.dpi, 1.05)[0] != box.width
    plt.close(fig)
