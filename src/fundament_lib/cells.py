"""The national tables with privacy applied, cut per kommune × wave on demand.

Every table of :class:`~fundament_lib.tables.Tables` passes through
:func:`~fundament_lib.privacy.suppress` here, once for all kommuner sharing
a threshold. Derived numbers follow the cells they come from: a
staff–frontline gap is shown only where both groups are, a change only where
both waves are, a benchmark position only where the kommune's own cell is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import descriptives as desc
from .privacy import GROUP_HIERARCHY, suppress
from .tables import Tables

__all__ = ["Cells"]


class Cells:
    """Suppressed views of one framework's national tables.

    Parameters
    ----------
    t
        The unsuppressed tables.
    min_n
        Each kommune's privacy threshold.
    """

    def __init__(self, t: Tables, min_n: Mapping[str, int]) -> None:
        self.t, self.min_n = t, dict(min_n)
        self._cache: dict[str, pd.DataFrame] = {}
        self._cuts: dict[str, dict[tuple[str, ...], pd.DataFrame]] = {}

    def table(self, name: str) -> pd.DataFrame:
        """A whole suppressed table (``scores``, ``items``, ``gaps`` …), all kommuner."""
        if name not in self._cache:
            self._cache[name] = getattr(self, f"_{name}")()
        return self._cache[name]

    def get(self, name: str, code: str, wave: str | None = None) -> pd.DataFrame:
        """One kommune (× wave, for tables that have one) of a suppressed table."""
        if name not in self._cuts:
            table = self.table(name)
            keys = [k for k in desc.UNIT if k in table.columns]
            self._cuts[name] = {(key if isinstance(key, tuple) else (key,)): g.drop(columns=keys)
                                for key, g in table.groupby(keys, observed=True)}
        key = (code, wave) if wave is not None and "wave" in self.table(name).columns else (code,)
        return self._cuts[name].get(key, pd.DataFrame())

    def _apply(self, table: pd.DataFrame, *, keys: list[str], values: list[str],
               hierarchy: Mapping[str, Sequence[str]] = GROUP_HIERARCHY) -> pd.DataFrame:
        parts = []
        for k in sorted(set(self.min_n.values())):
            part = table[table["kommunekode"].isin([c for c, v in self.min_n.items() if v == k])]
            parts.append(suppress(part, min_n=k, keys=[*desc.UNIT, *keys], values=values, hierarchy=hierarchy))
        return pd.concat(parts, ignore_index=True)

    # ---- cells about people -------------------------------------------------------------------
    def _scores(self) -> pd.DataFrame:
        return self._apply(self.t.scores, keys=["id"], values=["score", "sd", "top2", "ci_low", "ci_high", "se"])

    def _items(self) -> pd.DataFrame:
        counts = [c for c in self.t.items.columns if c.startswith("c") and c[1:].isdigit()]
        return self._apply(self.t.items, keys=["item_id"], values=[*counts, "dont_know", "missing", "score"])

    def _subgroups(self) -> pd.DataFrame:
        # The frontline leaders' own cell agrees with the main table: hidden there, hidden here.
        main = self.table("scores")
        hidden = main[main["suppressed"] & (main["group"] == "borgernaer")][[*desc.UNIT, "id"]]
        part = self.t.subgroups.merge(hidden.assign(_hidden=True), on=[*desc.UNIT, "id"], how="left")
        is_parent = part["group"] == "borgernaer"
        part["n"] = np.where(is_parent & part["_hidden"].eq(True), 0, part["n"])
        children = [g for g in part["group"].unique() if g != "borgernaer"]
        cells = self._apply(part.drop(columns="_hidden"), keys=["id"], values=["score"],
                            hierarchy={"borgernaer": children})
        return cells[cells["group"] != "borgernaer"]

    def _roles(self) -> pd.DataFrame:
        return self._apply(self.t.roles.assign(group="borgernaer"), keys=["function", "role"],
                           values=["score", "dont_know"], hierarchy={})

    def _burden_areas(self) -> pd.DataFrame:
        return self._apply(self.t.burden_areas.assign(group="borgernaer"), keys=["area"],
                           values=["share", "ci_low", "ci_high"], hierarchy={})

    def _burden_share(self) -> pd.DataFrame:
        return self._apply(self.t.burden_share.assign(group="borgernaer"), keys=[],
                           values=["mean", "q1", "median", "q3"], hierarchy={})

    def _respondents(self) -> pd.DataFrame:
        return self._apply(self.t.respondents, keys=[], values=[])

    def _missingness(self) -> pd.DataFrame:
        people = self.t.respondents[[*desc.UNIT, "group", "n"]]
        miss = self.t.missingness.drop(columns=["n_answers"]).merge(people, on=[*desc.UNIT, "group"],
                                                                   how="left")
        return self._apply(miss, keys=["id"], values=["share_dont_know", "share_missing"])

    # ---- derived numbers: shown only where every cell behind them is ---------------------------
    def _shown(self) -> pd.DataFrame:
        scores = self.table("scores")
        return scores.loc[~scores["suppressed"], [*desc.UNIT, "id", "group"]]

    def _gaps(self) -> pd.DataFrame:
        shown = self._shown()
        both = shown[shown["group"].isin(["stab", "borgernaer"])].groupby([*desc.UNIT, "id"]).size()
        ok = both[both == 2].reset_index()[[*desc.UNIT, "id"]]
        return self.t.gaps.merge(ok, on=[*desc.UNIT, "id"], how="inner")

    def _changes(self) -> pd.DataFrame:
        shown = self._shown()
        latest = shown.rename(columns={"wave": "wave_latest"})
        previous = shown.rename(columns={"wave": "wave_previous"})
        keys = ["kommunekode", "id", "group"]
        out = self.t.changes.merge(latest, on=[*keys, "wave_latest"]).merge(previous, on=[*keys, "wave_previous"])
        return out.rename(columns={"wave_latest": "wave"})

    def _benchmark(self, group: str) -> pd.DataFrame:
        shown = self._shown()
        own = shown[shown["group"] == group][[*desc.UNIT, "id"]]
        return self.t.benchmark[group].merge(own, on=[*desc.UNIT, "id"], how="inner")

    def _benchmark_alle(self) -> pd.DataFrame:
        return self._benchmark("alle")

    def _benchmark_borgernaer(self) -> pd.DataFrame:
        return self._benchmark("borgernaer")

    def _reliability(self) -> pd.DataFrame:
        # Coefficients exist only where at least 30 respondents answered every item (far above min_n).
        unit = self.t.reliability[self.t.reliability["scope"] == "unit"]
        return unit.drop(columns="scope")
