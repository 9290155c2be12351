"""Labelling points without overlap: a small deterministic search around each marker.

:func:`place_labels` puts each point's label in the first free spot around its marker, clear
of other markers, labels and any artist to avoid; the priority map uses it for theme names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from .layout import _renderer

__all__ = ["place_labels"]


# Where a point's label may go, in order of preference: right, left, the four diagonals, above, below.
_DIRECTIONS = ((1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1), (0, -1))


def _marker_box(x: float, y: float, size: float, px_per_pt: float) -> Bbox:
    """A square (pixels) safely around a scatter marker of area ``size`` (pt²) at (x, y)."""
    r = (0.75 * np.sqrt(size) + 1.5) * px_per_pt
    return Bbox.from_extents(x - r, y - r, x + r, y + r)


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(w * h) if w > 0 and h > 0 else 0.0


def place_labels(ax: Axes, x: Sequence[float], y: Sequence[float], texts: Sequence[str], *,
                 sizes: Sequence[float], bold: Sequence[bool] | None = None, fontsize: float = 9,
                 avoid: Sequence[Artist] = ()) -> list[Annotation]:
    """Label points so that no label covers a marker, another label or any artist in ``avoid``.

    A small deterministic greedy search: points are labelled in the given order; each label
    takes the first free spot among eight positions around its marker (right, left, the
    diagonals, above, below), trying rings further out (with a thin leader line) until one
    is free of markers, placed labels and the ``avoid`` artists and inside the Axes. If none is,
    the spot with the least overlap is used. Positions are computed on the laid-out figure,
    so call this after limits, labels and legend are set.
    """
    fig = ax.get_figure(root=True)
    assert fig is not None
    renderer = _renderer(ax)
    px_per_pt = fig.dpi / 72
    points = ax.transData.transform(np.column_stack([x, y])) if len(x) else np.empty((0, 2))
    markers = [_marker_box(float(px), float(py), s, px_per_pt) for (px, py), s in zip(points, sizes, strict=True)]
    frame = ax.get_window_extent(renderer).padded(-3)
    taken: list[Bbox] = [*markers, *(a.get_window_extent(renderer) for a in avoid)]
    gap, step = 2.5 * px_per_pt, 9 * px_per_pt
    out = []
    for i, text in enumerate(texts):
        weight = "bold" if bold is not None and bold[i] else "normal"
        probe = ax.text(0, 0, text, fontsize=fontsize, fontweight=weight)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        w, h = extent.width + 2, extent.height + 2
        px, py = points[i]
        r = (markers[i].x1 - markers[i].x0) / 2
        best: tuple[float, int, tuple[float, float], tuple[int, int]] | None = None
        for ring in range(8):
            dist = r + gap + ring * step
            for k, (dx, dy) in enumerate(_DIRECTIONS):
                ax_, ay = px + dx * dist, py + dy * dist
                x0 = ax_ if dx > 0 else ax_ - w if dx < 0 else ax_ - w / 2
                y0 = ay if dy > 0 else ay - h if dy < 0 else ay - h / 2
                box = Bbox.from_bounds(x0, y0, w, h)
                outside = (max(0, frame.x0 - box.x0) + max(0, box.x1 - frame.x1)
                           + max(0, frame.y0 - box.y0) + max(0, box.y1 - frame.y1)) * h
                cost = sum(_overlap(box, o) for o in taken) + outside
                rank = ring * len(_DIRECTIONS) + k
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, rank, (ax_ - px, ay - py), (dx, dy))
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        _, rank, (ox, oy), (dx, dy) = best
        far = rank >= len(_DIRECTIONS)
        ann = ax.annotate(text, (x[i], y[i]), xytext=(ox / px_per_pt, oy / px_per_pt), textcoords="offset points",
                          ha="left" if dx > 0 else "right" if dx < 0 else "center",
                          va="bottom" if dy > 0 else "top" if dy < 0 else "center",
                          fontsize=fontsize, fontweight=weight, zorder=5,
                          bbox=dict(boxstyle="square,pad=0.08", fc="white", ec="none", alpha=0.85),
                          arrowprops=dict(arrowstyle="-", color="#6b6b6b", lw=0.7, shrinkA=1,
                                          shrinkB=r / px_per_pt) if far else None)
        taken.append(Bbox.from_bounds(px + ox + (0 if dx > 0 else -w if dx < 0 else -w / 2),
                                      py + oy + (0 if dy > 0 else -h if dy < 0 else -h / 2), w, h))
        out.append(ann)
    return out
