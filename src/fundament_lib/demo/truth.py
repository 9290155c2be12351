"""The demo's planted truth, read back, and the check of what the analysis found against it.

:func:`load_planted` reads what :func:`~.files.write_demo` wrote beside the data;
:func:`local_pickups` says which kommuner's own answers make a theme a driver of
their own, to compare with the planted local drivers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

__all__ = ["load_planted", "local_pickups", "LOCAL_MARGIN"]


def load_planted(processed_dir: Path) -> tuple[dict[str, object], pd.DataFrame]:
    """Read back the planted effects and true scores written by :func:`write_demo`."""
    planted = json.loads((processed_dir / "demo_planted_effects.json").read_text(encoding="utf-8"))
    truth = pd.read_csv(processed_dir / "demo_true_scores.csv", dtype={"kommunekode": str, "wave": str})
    return planted, truth


LOCAL_MARGIN = 0.18  # a shrunk correlation this far above the national one is a driver of the kommune's own


def local_pickups(local: pd.DataFrame, theme: str) -> set[str]:
    """The kommuner whose own frontline leaders' answers make ``theme`` a driver of their own: its
    own weight is at least ½ and its shrunk correlation with the outcome lies at least
    :data:`LOCAL_MARGIN` above the national one.

    ``local`` is :func:`fundament_lib.results.tables.local_driver_table`'s result."""
    rows = local[(local["id"] == theme) & (local["own_weight"] >= 0.5)
                 & (local["r"] >= local["r_national"] + LOCAL_MARGIN)]
    return {str(c) for c in rows["kommunekode"]}

