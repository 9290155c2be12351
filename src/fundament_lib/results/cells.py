"""The national tables with privacy applied, cut per kommune × wave on demand.

Every table of :class:`~fundament_lib.results.tables.Tables` passes through
:func:`~fundament_lib.results.privacy.suppress` here, once for all kommuner sharing
a threshold. Derived numbers follow the cells they come from: a
staff–frontline gap is shown only where both groups are, a change only where
both waves are, a benchmark position only where the kommune's own cell is.

A hidden group stays hidden in every section
--------------------------------------------
The respondent counts (``respondents``) decide which groups a kommune may show.
Where a group's count is hidden there — too few (``few``) or hidden so the other
group cannot be computed as a difference (``complement``) — *every* cell about
that group or a part of it is hidden too, in every table, with the same reason
as the group's count (:meth:`Cells._follow`):

* its score, item and missingness cells (also those the per-table rule would show),
* the sections only one group is asked (the framework's ``audience``): the
  frontline leaders' role assessment, burden areas and share of the week, and
  the ``alle`` row of an item only they were asked (it *is* their row),
* its breakdown by fagområde (left out: the rows would say which fagområder answered).

Why hide the numbers and not only ``n``: in these cells ``n`` can be read off
the other numbers — the answer counts add up to it, a share such as 0.4545
is 5/11, a Wilson interval and a mean on 0–100 to four decimals give their
denominator away — and ``n`` + «ved ikke» + unanswered of an item counts
everybody it was put to. Banding ``n`` fails for the same reason. Hiding the
cell is the rule that is provably safe: what is published about a hidden group
is then a function of its (hidden) respondent row alone — the same reason
everywhere, no numbers — so it adds nothing to what that row gives away.
A stated ``empty`` (nobody answered) would add something: under a shown
``alle`` it makes ``alle`` the other group's count, so it is stated as the
group's reason too. Kommuner whose groups are both shown are untouched. Free
text carries no number but its count: its quotes stay, their counts are withheld
(see :mod:`fundament_lib.results.free_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.analysis import descriptives as desc
from fundament_lib.core.jsonready import records

from .privacy import GROUP_HIERARCHY, suppress
from .tables import Tables

__all__ = ["Cells"]

_FRONTLINE = "borgernaer"


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
        self._rows: dict[str, dict[tuple[str, ...], np.ndarray]] = {}  # table → unit → its row positions
        self._cuts: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = {}
        self._lists: dict[tuple[str, ...], list[Any]] = {}  # whole tables as Python lists (records, columns)

    def table(self, name: str) -> pd.DataFrame:
        """A whole suppressed table (``scores``, ``items``, ``gaps`` …), all kommuner."""
        if name not in self._cache:
            self._cache[name] = getattr(self, f"_{name}")()
        return self._cache[name]

    def get(self, name: str, code: str, wave: str | None = None) -> pd.DataFrame:
        """One kommune (× wave, for tables that have one) of a suppressed table.

        Each table is grouped once (row positions only); a kommune's part is cut when first asked
        for, so summarising one kommune does not cut every kommune's."""
        key = self._unit(name, code, wave)
        if (name, key) not in self._cuts:
            rows = self._rows[name].get(key)
            units = [k for k in desc.UNIT if k in self.table(name).columns]
            self._cuts[(name, key)] = pd.DataFrame() if rows is None else self.table(name).iloc[rows].drop(columns=units)
        return self._cuts[(name, key)]

    def positions(self, name: str, code: str, wave: str | None = None) -> np.ndarray | None:
        """The row positions in :meth:`table` of one kommune (× wave), or ``None`` where it has none
        (the rows :meth:`get` cuts)."""
        key = self._unit(name, code, wave)  # groups the table on first use
        return self._rows[name].get(key)

    def _unit(self, name: str, code: str, wave: str | None) -> tuple[str, ...]:
        """The key of one kommune (× wave) in ``name``'s grouping (the table is grouped on first use)."""
        table = self.table(name)
        if name not in self._rows:
            units = [k for k in desc.UNIT if k in table.columns]
            self._rows[name] = {(key if isinstance(key, tuple) else (key,)): rows
                                for key, rows in table.groupby(units, observed=True).indices.items()}
        return (code, wave) if wave is not None and "wave" in table.columns else (code,)

    def column(self, name: str, column: str) -> list[Any]:
        """One column of a whole suppressed table as Python values (``tolist``), read once."""
        key = ("column", name, column)
        if key not in self._lists:
            self._lists[key] = self.table(name)[column].tolist()
        return self._lists[key]

    def records(self, name: str, columns: Sequence[str]) -> list[dict[str, Any]]:
        """Every row of a whole suppressed table as a JSON-ready record of ``columns`` (those it
        has; :func:`fundament_lib.core.jsonready.records`), made once for all kommuner."""
        table = self.table(name)
        present = tuple(c for c in columns if c in table.columns)
        key = ("records", name, *present)
        if key not in self._lists:
            self._lists[key] = records(table[list(present)])
        return self._lists[key]

    def _apply(self, table: pd.DataFrame, *, keys: list[str], values: list[str],
               hierarchy: Mapping[str, Sequence[str]] = GROUP_HIERARCHY) -> pd.DataFrame:
        parts = []
        for k in sorted(set(self.min_n.values())):
            part = table[table["kommunekode"].isin([c for c, v in self.min_n.items() if v == k])]
            parts.append(suppress(part, min_n=k, keys=[*desc.UNIT, *keys], values=values, hierarchy=hierarchy))
        return pd.concat(parts, ignore_index=True)

    def hidden_groups(self, code: str, wave: str) -> dict[str, str]:
        """The groups whose respondent count one kommune × wave may not show → the reason."""
        hidden = self.get("hidden_counts", code, wave)
        if hidden.empty:
            return {}
        return {str(g): str(r) for g, r in zip(hidden["group"], hidden["suppression"], strict=True)}

    def _hidden_counts(self) -> pd.DataFrame:
        resp = self.table("respondents")
        return resp.loc[resp["suppressed"], [*desc.UNIT, "group", "suppression"]]

    def _hidden_reason(self, cells: pd.DataFrame, owner: pd.Series | None = None) -> pd.Series:
        """Per cell: the reason its group's respondent count is hidden, or ``None``.

        ``owner`` names the group each cell is about (default: its ``group`` column).
        """
        hidden = self.table("hidden_counts")
        reasons = {(str(c), str(w), str(g)): str(r) for c, w, g, r in
                   hidden[[*desc.UNIT, "group", "suppression"]].itertuples(index=False, name=None)}
        who = cells["group"] if owner is None else owner
        keys = zip(cells["kommunekode"].astype(str), cells["wave"].astype(str), who.astype(str), strict=True)
        return pd.Series([reasons.get(k) for k in keys], index=cells.index, dtype="object")

    def _follow(self, cells: pd.DataFrame, values: list[str], owner: pd.Series | None = None) -> pd.DataFrame:
        """Hide every cell about a group whose respondent count is hidden, with that count's
        reason (see the module docstring)."""
        if cells.empty:
            return cells
        reason = self._hidden_reason(cells, owner)
        follow = reason.notna().to_numpy()
        if not follow.any():
            return cells
        out = cells.copy()
        out.loc[follow, "suppression"] = reason[follow]
        out.loc[follow, "suppressed"] = True
        for col in [*values, "n"]:
            out[col] = out[col].where(~follow)
        return out

    # ---- cells about people -------------------------------------------------------------------
    def _scores(self) -> pd.DataFrame:
        values = ["score", "sd", "top2", "ci_low", "ci_high", "se"]
        return self._follow(self._apply(self.t.scores, keys=["id"], values=values), values)

    def _items(self) -> pd.DataFrame:
        counts = desc.count_columns(self.t.items.columns)
        values = [*counts, "dont_know", "missing", "score"]
        items = self.t.items.assign(points=self.t.items["points"].fillna(0))  # a family per scale
        cells = self._apply(items, keys=["item_id", "points"], values=values)
        cells["points"] = cells["points"].astype("Int64").where(cells["points"] > 0)
        # An item put to one group only — or answered on this scale by one group only (two files on
        # different scales pooled) — has an ``alle`` row that is that group's row.
        only = self.t.fw.single_audience()
        family = [cells[c].astype(str) for c in (*desc.UNIT, "item_id", "points")]
        groups = cells["group"].where(cells["group"] != "alle")
        by_family = groups.groupby(family, dropna=False)
        alone = by_family.transform("first").where(by_family.transform("nunique") == 1)
        owner = cells["item_id"].astype(str).map(only).fillna(alone)
        owner = cells["group"].where(cells["group"] != "alle", owner).fillna(cells["group"])
        return self._follow(cells, values, owner)

    def _subgroups(self) -> pd.DataFrame:
        # The frontline leaders' own cell agrees with the main table: hidden there, hidden here.
        main = self.table("scores")
        hidden = main[main["suppressed"] & (main["group"] == _FRONTLINE)][[*desc.UNIT, "id"]]
        part = self.t.subgroups.merge(hidden.assign(_hidden=True), on=[*desc.UNIT, "id"], how="left")
        is_parent = part["group"] == _FRONTLINE
        part["n"] = np.where(is_parent & part["_hidden"].eq(True), 0, part["n"])
        children = [g for g in part["group"].unique() if g != _FRONTLINE]
        cells = self._apply(part.drop(columns="_hidden"), keys=["id"], values=["score"],
                            hierarchy={_FRONTLINE: children})
        cells = cells[cells["group"] != _FRONTLINE]
        # No breakdown at all of a group whose respondent count is hidden: even which fagområder
        # have rows would tell something about how many answered.
        about_hidden = self._hidden_reason(cells, pd.Series(_FRONTLINE, index=cells.index)).notna()
        return cells[~about_hidden.to_numpy()]

    def _frontline(self, table: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
        """A section only the frontline leaders are asked: each cell judged alone, then
        hidden with the group where the group's count is."""
        cells = self._apply(table.assign(group=_FRONTLINE), keys=keys, values=values, hierarchy={})
        return self._follow(cells, values)

    def _roles(self) -> pd.DataFrame:
        return self._frontline(self.t.roles, ["function", "role"], ["score", "dont_know"])

    def _burden_areas(self) -> pd.DataFrame:
        return self._frontline(self.t.burden_areas, ["area"], ["share", "ci_low", "ci_high"])

    def _burden_share(self) -> pd.DataFrame:
        return self._frontline(self.t.burden_share, [], ["mean", "q1", "median", "q3"])

    def _respondents(self) -> pd.DataFrame:
        return self._apply(self.t.respondents, keys=[], values=[])

    def _missingness(self) -> pd.DataFrame:
        people = self.t.respondents[[*desc.UNIT, "group", "n"]]
        miss = self.t.missingness.drop(columns=["n_answers"]).merge(people, on=[*desc.UNIT, "group"],
                                                                   how="left")
        values = ["share_dont_know", "share_missing"]
        return self._follow(self._apply(miss, keys=["id"], values=values), values)

    # ---- derived numbers: shown only where every cell behind them is ---------------------------
    def _shown(self) -> pd.DataFrame:
        scores = self.table("scores")
        return scores.loc[~scores["suppressed"], [*desc.UNIT, "id", "group"]]

    def _gaps(self) -> pd.DataFrame:
        shown = self._shown()
        both = shown[shown["group"].isin(["stab", _FRONTLINE])].groupby([*desc.UNIT, "id"]).size()
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
        table = self.t.benchmark_of(group)
        if table.empty:
            return table
        return table.merge(own, on=[*desc.UNIT, "id"], how="inner")

    def _benchmark_alle(self) -> pd.DataFrame:
        return self._benchmark("alle")

    def _benchmark_borgernaer(self) -> pd.DataFrame:
        return self._benchmark(_FRONTLINE)

    def _benchmark_stab(self) -> pd.DataFrame:
        return self._benchmark("stab")

    def _reliability(self) -> pd.DataFrame:
        # Coefficients exist only where at least 30 respondents answered every item (far above min_n).
        unit = self.t.reliability[self.t.reliability["scope"] == "unit"]
        return unit.drop(columns="scope")
