"""The house style of every figure: seaborn's theme, the group and Likert colours, label wrapping.

Groups differ by marker shape and fill as well as colour, Likert levels by position and
hatching as well as colour, so a grayscale print keeps them apart; text on a coloured cell is
white or near-black, whichever reads (:func:`_ink_on`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib
import numpy as np
import seaborn as sns
from matplotlib.colors import LinearSegmentedColormap, to_hex

__all__ = ["GROUP_STYLE", "GroupStyle", "LIKERT_COLORS", "LIKERT_HATCH", "DONT_KNOW_COLOR", "DIVERGING_CMAP",
           "set_style", "wrap", "likert_palette"]


@dataclass(frozen=True)
class GroupStyle:
    """How a respondent group is drawn."""

    color: str
    marker: str
    fill: bool


# Colour-blind safe (Okabe–Ito) and told apart by marker and fill in grayscale.
GROUP_STYLE: dict[str, GroupStyle] = {
    "alle": GroupStyle("#000000", "D", True),
    "stab": GroupStyle("#0072B2", "o", False),
    "borgernaer": GroupStyle("#B54500", "s", True),
}
# Diverging Likert colours (negative … positive); their lightness differs, and
# negatives are hatched, so levels stay apart in grayscale.
LIKERT_COLORS = ["#8c2d04", "#f4a582", "#d9d9d9", "#92c5de", "#0b4f8a"]
LIKERT_HATCH = ["///", "//", "", "", ""]
DONT_KNOW_COLOR = "#8a8a8a"
# Sequential map from near-white to a mid blue: dark text stays readable (contrast ≥ 4.5) on every cell.
DIVERGING_CMAP = "RdBu"  # red below the middle of the scale, blue above; the numbers are printed in every cell


def set_style() -> None:
    """The house style: seaborn's white grid, readable font sizes, fixed DPI."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95,
                  rc={"figure.dpi": 100, "axes.titleweight": "bold", "axes.titlesize": 12,
                      "hatch.color": "#ffffff", "hatch.linewidth": 0.8})


def wrap(text: str, width: int = 38) -> str:
    """Wrap a long label onto several lines."""
    return "\n".join(textwrap.wrap(text, width)) or text


def likert_palette(k: int) -> tuple[list[str], list[str]]:
    """Colours and hatches of a ``k``-level Likert scale, worst level first: darker brown to light on
    the negative side (hatched), grey in the middle of an odd scale, light to dark blue on the
    positive side. The five-level scale keeps :data:`LIKERT_COLORS` and :data:`LIKERT_HATCH`."""
    if k == 5:
        return list(LIKERT_COLORS), list(LIKERT_HATCH)
    half = k // 2
    def ramp(a: str, b: str, single: float) -> list[str]:
        at = np.linspace(0, 1, half) if half > 1 else [single]
        return [to_hex(c) for c in LinearSegmentedColormap.from_list("ramp", [a, b])(at)]

    # the extremes stay darkest, so a three-level scale is dark brown, grey, dark blue
    neg, pos = ramp(LIKERT_COLORS[0], LIKERT_COLORS[1], 0.0), ramp(LIKERT_COLORS[3], LIKERT_COLORS[4], 1.0)
    middle = [LIKERT_COLORS[2]] if k % 2 else []
    hatches = ["///" if j < half - 1 else "//" for j in range(half)] + [""] * (len(middle) + half)
    return neg + middle + pos, hatches


def _ink_on(colour: str) -> str:
    """White text on a dark segment, near-black on a light one (WCAG relative luminance)."""
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return "#ffffff" if float(lin @ [0.2126, 0.7152, 0.0722]) < 0.18 else "#1b1b1b"
