"""The priority block of a kommune's summary: the priority rule's inputs, read from the cells.

The rule itself is :func:`fundament_lib.analysis.workshop.priority_section`;
this module gathers what it needs from the privacy-applied national cells —
whose scores it looks at (:func:`_basis`), the benchmark percentile, the
kommune's own derived importance, the bootstrap replicates of scores and gaps —
and says for each need the data cannot inform why it is left out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from fundament_lib.analysis.analyses import GROUP_WHO
from fundament_lib.analysis.coverage import Coverage
from fundament_lib.analysis.workshop import priority_section
from fundament_lib.core.kommuner import kommuner
from fundament_lib.core.params import Params
from fundament_lib.core.sharing import enough_others

from .cells import Cells

__all__ = ["priority_block"]


def priority_block(code: str, wave: str, cells: Cells, p: Params, cov: Coverage, n_kommuner: int,
                   national: Mapping[str, Mapping[str, pd.DataFrame]], names: Collection[str] = (),
                   summary: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The priority block: the rule's inputs from the suppressed cells of the themes the survey
    asked, the benchmark percentile of the group the rule looks at, and the bootstrap replicates
    of that group's scores and of the staff–frontline gaps (so the uncertainty of both reaches
    the ranking). Needs the data cannot inform are left out of the rule, with the reason. The
    gaps, changes and reliability come from ``summary`` (the verdicts it shows), so the reasons
    cite exactly its figures."""
    summary = summary or {}
    fw = cells.t.fw
    # The summary's own (rounded) cells, so the reasons cite exactly the figures the tables show.
    scores = pd.DataFrame(summary["scores"]) if summary.get("scores") else \
        _asked(cells.get("scores", code, wave), cov, {*cov.domains, *cov.themes})
    theme_ids = list(cov.themes)
    basis = _basis(scores, cov)
    left_out: dict[str, str] = {}
    percentile = None
    bench = cells.get(f"benchmark_{basis}", code, wave)
    compared = int(bench["n_kommuner"].max()) if not bench.empty and bench["n_kommuner"].notna().any() else 0
    if n_kommuner < 2:
        left_out["benchmark"] = "datagrundlaget rummer kun denne kommune"
    elif compared > 0 and not enough_others(compared, p.min_n):
        left_out["benchmark"] = f"kun {compared - 1} andre kommuner at sammenligne med"
    elif not bench.empty:
        percentile = bench[[enough_others(n, p.min_n) for n in bench["n_kommuner"]]].set_index("id")["percentile"]
    drivers = cells.t.drivers(p.priority.driver_method)
    if drivers is None:
        left_out["derived_importance"] = (
            "spørgsmålet om tid og rum til at lede det faglige er ikke med i data"
            if cells.t.drivers_skipped(p.priority.driver_method) == "not_asked" else
            "for få borgernære ledere har svaret på spørgsmålet om tid og rum til at lede det faglige")
    if not cov.asked("importance"):
        left_out["stated_importance"] = "spørgsmålene om temaernes vigtighed var ikke med i målingen"
    if len(cov.groups) == 1:
        left_out["gap"] = f"kun {GROUP_WHO[cov.groups[0]]} er spurgt"
    shown = scores[(scores["group"] == basis) & ~scores["suppressed"]] if not scores.empty else scores
    replicates = cells.t.replicates(code, wave, basis, theme_ids) if not shown.empty and theme_ids else None
    gaps = pd.DataFrame(summary.get("gaps") or [])  # only where both groups are shown
    local = _local_drivers(cells, code, wave, drivers)
    gap_replicates = None
    if basis == "borgernaer" and replicates is not None and not gaps.empty:
        gap_replicates = cells.t.replicates(code, wave, "stab", theme_ids) - replicates
    return priority_section(fw, code, p, scores, cells.get("items", code, wave), local,
                            national=national.get(basis, national.get("alle")) if n_kommuner >= 2 else None,
                            ref=kommuner(), benchmark=percentile, replicates=replicates, gaps=gaps,
                            gap_replicates=gap_replicates, basis=basis, themes=theme_ids, left_out=left_out,
                            names=names, changes=pd.DataFrame(summary.get("changes") or []),
                            reliability=pd.DataFrame((summary.get("quality") or {}).get("reliability") or []),
                            previous=summary.get("previous_wave"))


def _local_drivers(cells: Cells, code: str, wave: str, national: pd.DataFrame | None) -> pd.DataFrame | None:
    """The kommune's derived importance per theme (``id``, ``r``, ``own_weight``): its own frontline
    leaders' correlations shrunk toward the national ones; only the national correlations (weight
    0) where its frontline group is hidden or it has no answers of its own in this wave. ``None``
    where the national driver analysis could not be made (its reason goes into ``left_out``)."""
    if national is None:
        return None
    table = cells.t.local_drivers()
    if table.empty:
        return None
    nat = table.groupby("id", sort=False)["r_national"].first()
    own = table[table["kommunekode"] == str(code)].set_index("id")
    hidden = "borgernaer" in cells.hidden_groups(code, wave)
    resp = cells.t.respondents
    latest = max(resp.loc[resp["kommunekode"].astype(str) == str(code), "wave"].astype(str), default="")
    if own.empty or hidden or latest != str(wave):
        return pd.DataFrame({"id": nat.index, "r": nat.to_numpy(), "own_weight": 0.0})
    return pd.DataFrame({"id": own.index, "r": own["r"].to_numpy(), "own_weight": own["own_weight"].to_numpy()})


def _basis(scores: pd.DataFrame, cov: Coverage) -> str:
    """Whose score the priority rule looks at: the frontline leaders' where every asked theme has a
    shown cell of theirs; the staff's where only the staff were asked; else all leaders'."""
    def complete(group: str) -> bool:
        if scores.empty or not cov.themes:
            return False
        cells = scores[(scores["group"] == group) & ~scores["suppressed"] & scores["id"].isin(cov.themes)]
        return len(cells) == len(cov.themes)

    if "borgernaer" in cov.groups and complete("borgernaer"):
        return "borgernaer"
    if cov.groups == ("stab",) and complete("stab"):
        return "stab"
    return "alle"

def _asked(table: pd.DataFrame, cov: Coverage, ids: Collection[str]) -> pd.DataFrame:
    """The rows of a kommune's table about what its survey asked: a score id nobody was asked, or a
    group that was not asked, has no row (rather than a hidden one)."""
    if table.empty:
        return table
    keep = pd.Series(True, index=table.index)
    if "id" in table.columns:
        keep &= table["id"].isin(ids)
    if "group" in table.columns:
        groups = set(cov.groups) | {"alle"}
        keep &= table["group"].isin(groups) | ~table["group"].isin(["stab", "borgernaer", "alle"])
    return table[keep.to_numpy()]


