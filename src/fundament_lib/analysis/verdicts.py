"""One verdict per number: when a staff–frontline gap or a change since the last round is *clear*,
and when a gap is *large*.

Every place that calls a gap or a change clear — Kort fortalt, the tables' «*», the priority
reasons, the figures — reads the ``clear`` field this module writes into the summary, so no number
is clear in one place and unclear in another.

* **Clear**: the Holm-adjusted p-value is below :data:`CLEAR_P` (5 %). The family is the kommune's
  themes (pejlemærker form their own family), and for changes also one respondent group: ten themes
  tested at once would otherwise give one "clear" difference in two kommuner by chance alone.
* **Large** (gaps only): clear *and* larger than the national staff–frontline norm, the median
  gap of the theme over the kommuner with both groups shown. Staff rate themselves higher than the
  frontline leaders almost everywhere, so a gap of the usual size is no local finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.analysis.stats.gaps import holm

__all__ = ["CLEAR_P", "is_clear", "mark_gaps", "mark_changes", "gap_norms"]

CLEAR_P = 0.05


def is_clear(p_holm: Any) -> bool:
    """Whether a Holm-adjusted p-value makes a difference clear (``False`` for a missing one)."""
    return p_holm is not None and not pd.isna(p_holm) and float(p_holm) < CLEAR_P


def gap_norms(gaps: pd.DataFrame, *, min_kommuner: int) -> dict[str, float]:
    """The national staff–frontline norm per score id: the median gap over the kommuner whose both
    groups are shown (one row per kommune, its current round); none where fewer than
    ``min_kommuner`` kommuner have a gap (a median of a few kommuner would say too much about them)."""
    if gaps.empty:
        return {}
    counts = gaps.groupby("id")["diff"].count()
    medians = gaps.groupby("id")["diff"].median()
    return {str(i): round(float(m), 4) for i, m in medians.items() if counts[i] >= min_kommuner}


def mark_gaps(rows: list[dict[str, Any]], norms: Mapping[str, float]) -> list[dict[str, Any]]:
    """Add ``clear``, ``norm`` (national median gap, ``None`` where there is none) and ``large``
    (clear, positive and above the norm) to a kommune's gap records."""
    for r in rows:
        norm = norms.get(str(r["id"]))
        r["clear"] = is_clear(r.get("p_holm"))
        r["norm"] = norm
        r["large"] = bool(r["clear"] and r["diff"] is not None and r["diff"] > max(norm or 0.0, 0.0))
    return rows


def mark_changes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``p_holm`` (Holm within one group and level of the kommune's shown changes) and ``clear``
    to a kommune's change records."""
    if not rows:
        return rows
    frame = pd.DataFrame(rows)
    family = frame["group"].astype(str) + "|" + frame["level"].astype(str)
    adjusted = holm(frame["p"].astype(float).to_numpy(), family.to_numpy())
    for r, p in zip(rows, adjusted, strict=True):
        r["p_holm"] = None if np.isnan(p) else round(float(p), 6)
        r["clear"] = is_clear(r["p_holm"])
    return rows
