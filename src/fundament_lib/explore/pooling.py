"""Pool per-kommune cells into a selection — only cells a briefing would show (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from fundament_lib.analysis import descriptives as desc
from fundament_lib.analysis.scoring import score_ids, score_table
from fundament_lib.results.privacy import GROUP_HIERARCHY, suppress

from .data import _UNIT, UNKNOWN_FAGOMRAADE, Dataset, _check_choice, select_tidy

__all__ = []


def _apply(cells: pd.DataFrame, ds: Dataset, *, keys: list[str], values: list[str],
           hierarchy: Mapping[str, Sequence[str]] = GROUP_HIERARCHY) -> pd.DataFrame:
    """:func:`~fundament_lib.results.privacy.suppress` with each kommune's own threshold."""
    if cells.empty:
        return cells.assign(suppressed=pd.Series(dtype=bool), suppression=pd.Series(dtype=object))
    code = cells["kommunekode"].astype(str)
    parts = []
    for k in sorted({ds.min_n[c] for c in code.unique()}):
        part = cells[code.map(ds.min_n) == k]
        parts.append(suppress(part, min_n=k, keys=[*_UNIT, *keys], values=values, hierarchy=hierarchy))
    return pd.concat(parts, ignore_index=True)


def _as_fagomraade(frame: pd.DataFrame) -> pd.DataFrame:
    """Frontline rows with ``group`` replaced by the fagområde (missing as ``uoplyst``)."""
    front = frame[frame["group"].astype(str) == "borgernaer"].copy()
    front["group"] = front["fagomraade"].astype("object").where(front["fagomraade"].notna(),
                                                                UNKNOWN_FAGOMRAADE).astype(str)
    return front


def _with_parent_rule(main: pd.DataFrame, sub: pd.DataFrame, key: str) -> pd.DataFrame:
    """Fagområde cells under ``borgernaer``: a parent hidden in the main table hides its children
    (as in :mod:`fundament_lib.results.summary`), so no fagområde split can give it away."""
    hidden = main[main["suppressed"] & (main["group"].astype(str) == "borgernaer")][[*_UNIT, key]]
    out = sub.merge(hidden.assign(_hidden=True), on=[*_UNIT, key], how="left")
    is_parent = out["group"] == "borgernaer"
    out["n"] = np.where(is_parent & out["_hidden"].eq(True), 0, out["n"])
    return out.drop(columns="_hidden")


def _pool_note(cells: pd.DataFrame, ds: Dataset, who: str) -> list[str]:
    """A note naming the kommuner left out of the pool because their cell is hidden."""
    left = sorted({str(c) for c in cells.loc[cells["suppressed"], "kommunekode"]})
    if not left:
        return []
    names = ds.kommune_labels()
    shown = ", ".join(names.get(c, c) for c in left[:8]) + (" …" if len(left) > 8 else "")
    return [f"{len(left)} kommune(r) indgår ikke for {who}, fordi deres tal er skjult "
            f"(færre end {min(ds.min_n[c] for c in left)} svar eller for at beskytte en lille gruppe): {shown}."]


def _item_cells(ds: Dataset, *, theme: str, kommuner: Sequence[str] | None, fagomraade: str | None,
                wave: str | None) -> tuple[pd.DataFrame, str]:
    """Per-kommune answer counts of a theme's items, privacy applied (as in the briefing)."""
    items = ds.fw.theme_items()[theme]
    rows = select_tidy(ds, kommuner=kommuner, wave=wave)
    rows = rows[rows["item_id"].astype(str).isin(items)]
    main = _by_scale(desc.item_distributions(rows, ds.fw, blocks=("theme",)))
    counts = desc.count_columns(main.columns)
    main = _apply(main, ds, keys=["item_id", "points"], values=[*counts, "dont_know", "missing", "score"])
    if fagomraade is None:
        return main, "item_id"
    _check_choice("fagomraade", fagomraade, [*ds.fagomraader, UNKNOWN_FAGOMRAADE])
    sub = _by_scale(desc.item_distributions(_as_fagomraade(rows), ds.fw, blocks=("theme",)))
    sub["group"] = sub["group"].replace({"alle": "borgernaer"})
    sub = _with_parent_rule(main, sub, "item_id")
    children = [g for g in sub["group"].unique() if g != "borgernaer"]
    cells = _apply(sub, ds, keys=["item_id", "points"], values=[*counts, "dont_know", "missing", "score"],
                   hierarchy={"borgernaer": children})
    return cells[cells["group"] != "borgernaer"], "item_id"


def _by_scale(dist: pd.DataFrame) -> pd.DataFrame:
    """Item cells with ``points`` as a plain number (0 where the item has no points), so that cells of
    one item on two scales are two families to the privacy rules, never one."""
    return dist.assign(points=dist["points"].astype("Float64").fillna(0).astype(int))


def _score_cells(ds: Dataset, *, kommuner: Sequence[str] | None, wave: str | None,
                 fagomraade: str | None = None) -> pd.DataFrame:
    """Per-kommune scores (n, mean, sd) per group and id, privacy applied; with a
    fagområde, its frontline cells replace the ``borgernaer`` rows."""
    resp = select_tidy(ds, kommuner=kommuner, wave=wave, frame=ds.scores)
    main = _apply(score_table(resp, ds.fw), ds, keys=["id"], values=["score", "sd"])
    if fagomraade is None:
        return main
    _check_choice("fagomraade", fagomraade, [*ds.fagomraader, UNKNOWN_FAGOMRAADE])
    front = _as_fagomraade(resp)
    ids = [i for i, _ in score_ids(ds.fw)]
    parent = _cell_stats(front, _UNIT, ids).assign(group="borgernaer")
    cells = pd.concat([parent, _cell_stats(front, [*_UNIT, "group"], ids)], ignore_index=True)
    cells = _with_parent_rule(main, cells, "id")
    names = [g for g in cells["group"].unique() if g != "borgernaer"]
    sub_cells = _apply(cells, ds, keys=["id"], values=["score", "sd"], hierarchy={"borgernaer": names})
    front_cells = sub_cells[sub_cells["group"] == fagomraade].assign(group="borgernaer")
    return pd.concat([main[main["group"] != "borgernaer"], front_cells], ignore_index=True)


def _cell_stats(frame: pd.DataFrame, by: list[str], ids: list[str]) -> pd.DataFrame:
    """n, mean and s.d. of every score id per ``by`` cell, long."""
    g = frame.groupby(by, observed=True)[ids]
    wide = pd.concat({"n": g.count(), "score": g.mean(), "sd": g.std()}, axis=1)
    long = wide.stack(level=1, future_stack=True).reset_index()
    return long.rename(columns={f"level_{len(by)}": "id"})


def _pool(cells: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Pool shown per-kommune cells per ``id`` × ``group``: the respondent mean, its s.d.
    (within + between cells) and a normal-approximation interval."""
    shown = cells[~cells["suppressed"]].copy()
    shown["n"] = shown["n"].astype(float)
    shown["wx"] = shown["n"] * shown["score"]
    g = shown.groupby(["id", "group"], observed=True)
    out = g.agg(n=("n", "sum"), wx=("wx", "sum"), n_kommuner=("kommunekode", "nunique")).reset_index()
    out["score"] = out["wx"] / out["n"]
    shown = shown.merge(out[["id", "group", "score"]].rename(columns={"score": "m"}), on=["id", "group"])
    ss = (shown["n"] - 1) * shown["sd"].fillna(0) ** 2 + shown["n"] * (shown["score"] - shown["m"]) ** 2
    out = out.merge(ss.groupby([shown["id"], shown["group"]]).sum().rename("ss").reset_index(),
                    on=["id", "group"])
    out["sd"] = np.sqrt(out["ss"] / (out["n"] - 1).where(out["n"] > 1))
    z = norm.ppf(0.5 + confidence / 2)
    half = z * out["sd"] / np.sqrt(out["n"])
    out["ci_low"], out["ci_high"] = out["score"] - half, out["score"] + half
    out["n"] = out["n"].astype(int)
    return out.drop(columns=["wx", "ss"])
