"""The national overview's data: every kommune on every theme, from shown cells only.

Built from the kommuner's privacy-checked summaries, so nothing hidden in a
briefing reappears here: national figures are means of the shown kommune
scores, never pooled over respondents (a pooled total minus the shown
kommuner would give a hidden one away).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from fundament_lib import __version__
from fundament_lib.core.jsonready import records
from fundament_lib.core.kommuner import kommuner
from fundament_lib.framework import load_framework

__all__ = ["national_summary"]


def _shown_scores(summaries: Mapping[str, dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for code, s in summaries.items():
        for r in s["scores"]:
            if not r["suppressed"] and r["score"] is not None:
                rows.append({"kommunekode": code, "id": r["id"], "level": r["level"], "group": r["group"],
                             "score": r["score"], "n": r["n"], "framework": s["framework"]})
    return pd.DataFrame(rows, columns=["kommunekode", "id", "level", "group", "score", "n", "framework"])


def national_summary(summaries: Mapping[str, dict[str, Any]], *, extra: Mapping[str, Any] | None = None,
                     data_id: str = "", run_started: datetime | None = None) -> dict[str, Any]:
    """The landsoverblik for the kommuner using the most common framework.

    Parameters
    ----------
    summaries
        Kommune code → summary (privacy applied).
    extra
        National analyses to carry along (e.g. ``drivers``, ``icc``, ``gap_models``
        as JSON-ready records).
    data_id
        Hash of the dataset, for the provenance line.

    Returns
    -------
    dict
        JSON-ready: ``framework``, ``n_kommuner``, ``respondents``, ``scores``
        (kommune × id × group), ``distribution`` (per id and group: kommuner,
        mean, quartiles), ``by_region`` and ``by_kommunegruppe`` (means of the
        kommune scores), ``kommuner`` (the reference facts).
    """
    shown = _shown_scores(summaries)
    framework = shown["framework"].mode().iloc[0] if not shown.empty else "fundament2024"
    shown = shown[shown["framework"] == framework].drop(columns="framework")
    fw = load_framework(framework)
    ref = kommuner()
    codes = sorted(shown["kommunekode"].unique())
    shown = shown.merge(ref[["navn", "region", "kommunegruppe"]].reset_index(), on="kommunekode", how="left")
    dist = shown.groupby(["id", "group"])["score"].describe()[["count", "mean", "25%", "50%", "75%", "min", "max"]]
    dist = dist.rename(columns={"count": "kommuner", "25%": "q1", "50%": "median", "75%": "q3"}).reset_index()
    alle = shown[shown["group"] == "alle"]
    respondents = sum(int(r["n"] or 0) for s in summaries.values() if s["framework"] == framework
                      for r in s["quality"]["respondents"] if r["group"] == "alle")
    return {
        "framework": framework,
        "framework_version": fw.version,
        "framework_title": fw.title,
        "n_kommuner": len(codes),
        "respondents": respondents,
        "waves": sorted({s["wave"] for s in summaries.values()}),
        "scores": records(shown[["kommunekode", "navn", "region", "kommunegruppe", "id", "level", "group",
                                 "score", "n"]]),
        "distribution": records(dist),
        "by_region": records(alle.groupby(["region", "id"])["score"].agg(["mean", "count"]).reset_index()),
        "by_kommunegruppe": records(alle.groupby(["kommunegruppe", "id"])["score"].agg(["mean", "count"])
                                    .reset_index()),
        **({k: v for k, v in (extra or {}).items()}),
        "provenance": {"dataset_hash": data_id, "framework": f"{fw.id} {fw.version}",
                       "library_version": __version__,
                       "run_started": (run_started or datetime.now(UTC)).isoformat(timespec="seconds")},
    }
