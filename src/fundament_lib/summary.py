"""The per-kommune result, privacy applied: what a briefing shows and ``summary.json`` holds.

:func:`build_summaries` computes every table for all kommuner in one pass
(:class:`Tables`), then cuts one JSON-ready mapping per kommune from them,
suppressing every cell about fewer than ``min_n`` respondents and every cell
that would give a hidden one away (:mod:`fundament_lib.privacy`). The mapping
is the contract other tools read (documented in the README); later fields
are added, never renamed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from . import descriptives as desc
from .drivers import driver_table
from .framework import Framework, load_framework
from .jsonready import records
from .kommuner import kommuner
from .params import Params
from .privacy import GROUP_HIERARCHY, reason_text, suppress
from .scoring import SCORING_RULE, respondent_scores, score_table
from .textscreen import screen
from .workshop import priority_section

__all__ = ["build_summaries", "Summaries", "data_hash", "slice_hash", "SCHEMA_VERSION", "records", "Tables",
           "national_tables", "MAX_FREE_TEXTS"]

SCHEMA_VERSION = "1.1"
MAX_FREE_TEXTS = 8


def data_hash(paths: list[Path]) -> str:
    """SHA-256 over the bytes of the data files, in order (first 16 hex digits)."""
    h = hashlib.sha256()
    for p in paths:
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


def slice_hash(tidy: pd.DataFrame) -> str:
    """Hash of a kommune's own answers (order-independent; first 16 hex digits)."""
    rows = tidy.sort_values(["respondent_id", "item_id"]).astype("object")
    digest = pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes()
    return hashlib.sha256(digest).hexdigest()[:16]


@dataclass
class Tables:
    """Every kommune's tables for one framework, computed once (all unsuppressed)."""

    fw: Framework
    scores: pd.DataFrame
    items: pd.DataFrame
    positive: pd.DataFrame
    subgroups: pd.DataFrame
    roles: pd.DataFrame
    burden_areas: pd.DataFrame
    burden_share: pd.DataFrame
    missingness: pd.DataFrame
    respondents: pd.DataFrame
    texts: pd.DataFrame
    respondent_scores: pd.DataFrame
    outcome: pd.Series | None
    _drivers: dict[str, pd.DataFrame | None] = field(default_factory=dict)

    def drivers(self, method: str = "johnson") -> pd.DataFrame | None:
        """National key-driver table of the themes for the outcome item (frontline leaders,
        latest wave of each kommune); ``None`` without an outcome item or enough answers."""
        if method not in self._drivers:
            self._drivers[method] = _national_drivers(self, method)
        return self._drivers[method]


def _national_drivers(t: Tables, method: str) -> pd.DataFrame | None:
    if t.outcome is None:
        return None
    rs = t.respondent_scores
    latest = rs.groupby("kommunekode", observed=True)["wave"].transform("max")
    frontline = rs[(rs["group"] == "borgernaer") & (rs["wave"] == latest)]
    try:
        return driver_table(frontline, t.outcome, t.fw, method=method)  # type: ignore[arg-type]
    except ValueError:  # too few complete cases
        return None


def national_tables(tidy: pd.DataFrame, fw: Framework) -> Tables:
    """Compute every table for all kommuner in ``tidy`` in one pass."""
    resp = respondent_scores(tidy, fw)
    dist = desc.item_distributions(tidy, fw)
    positive = desc.theme_positive_share(dist, fw)
    scores = score_table(resp, fw).merge(positive[[*desc.UNIT, "group", "id", "top2"]],
                                         on=[*desc.UNIT, "group", "id"], how="left")
    return Tables(
        fw=fw, scores=scores, items=dist, positive=positive,
        subgroups=desc.subgroup_scores(resp, fw), roles=desc.role_scores(dist, fw),
        burden_areas=desc.burden_areas(dist, fw), burden_share=desc.burden_share(tidy, fw),
        missingness=desc.missingness(dist, fw), respondents=desc.respondent_counts(tidy),
        texts=desc.free_texts(tidy, fw), respondent_scores=resp, outcome=_outcome(tidy, fw),
    )


def _outcome(tidy: pd.DataFrame, fw: Framework) -> pd.Series | None:
    if fw.outcome is None:
        return None
    rows = tidy[(tidy["item_id"] == fw.outcome.id) & (tidy["status"] == "svar")]
    return rows.set_index("respondent_id")["value"].astype(float)


@dataclass
class Summaries:
    """What :func:`build_summaries` returns: one summary per selected kommune, and the
    national analyses (per framework) the overview shows."""

    kommuner: dict[str, dict[str, Any]]
    national: dict[str, dict[str, Any]]


def build_summaries(tidy: pd.DataFrame, params: Mapping[str, Params], *, data_id: str,
                    selected: list[str] | None = None, run_started: datetime | None = None
                    ) -> Summaries:
    """Compute all tables once and build the selected kommuner's summaries.

    Parameters
    ----------
    tidy
        The validated tidy answers (all kommuner).
    params
        Validated parameters of every kommune in ``tidy`` (each kommune's
        threshold applies to its own cells in the national comparison too).
    selected
        The kommuner to summarise (default: all in ``params``); the benchmark
        always compares against every kommune in the data.
    data_id
        Hash of the data files (the whole dataset), for the provenance.
    run_started
        Time stamp for the provenance line (default: now, UTC).

    Returns
    -------
    Summaries
        Kommune code → JSON-ready summary, and framework id → national analyses.
    """
    started = (run_started or datetime.now(UTC)).isoformat(timespec="seconds")
    by_framework: dict[str, list[str]] = {}
    for code, p in params.items():
        by_framework.setdefault(p.framework, []).append(code)
    ref = kommuner()
    out: dict[str, dict[str, Any]] = {}
    national_extra: dict[str, dict[str, Any]] = {}
    for fw_id, codes in by_framework.items():
        fw = load_framework(fw_id)
        subset = tidy[tidy["kommunekode"].isin(codes)]
        tables = national_tables(subset, fw)
        waves = tables.respondents.groupby("kommunekode", observed=True)["wave"].unique()
        cells = _Suppressed(tables, {c: params[c].min_n for c in codes})
        slices = dict(iter(subset.groupby(["kommunekode", "wave"], observed=True)))
        current = {c: _current_wave(list(waves[c]), params[c].wave) for c in codes}
        national = _national_scores(cells, {c: w for c, (w, _) in current.items()})
        for code in [c for c in codes if selected is None or c in selected]:
            wave, previous = current[code]
            out[code] = kommune_summary(code, wave, previous, cells, params[code], ref.loc[code],
                                        slices[(code, wave)], data_id=data_id, started=started)
            out[code]["national"] = _national_view(national, code, params[code].share_names)
        drivers = tables.drivers()
        national_extra[fw_id] = {"drivers": records(drivers) if drivers is not None else []}
    return Summaries(out, national_extra)


def _national_scores(cells: _Suppressed, current: Mapping[str, str]) -> pd.DataFrame:
    """Every kommune's shown ``alle`` scores in its current wave (the benchmark's field)."""
    parts = []
    for code, wave in current.items():
        part = cells.get("scores", code, wave)
        part = part[(part["group"] == "alle") & ~part["suppressed"]]
        parts.append(part[["id", "score"]].assign(kommunekode=code))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["id", "score", "kommunekode"])


def _national_view(national: pd.DataFrame, code: str, share_names: bool) -> dict[str, Any]:
    """The national field as one kommune's briefing may show it: other kommuner are
    anonymous unless the params allow naming them (a data-sharing agreement)."""
    view = national.copy()
    if not share_names:
        view["kommunekode"] = view["kommunekode"].where(view["kommunekode"] == code, "")
    return {"n_kommuner": int(national["kommunekode"].nunique()),
            "scores": records(view[["kommunekode", "id", "score"]])}


def _current_wave(waves: list[str], wanted: str | None) -> tuple[str, str | None]:
    ordered = sorted(str(w) for w in waves)
    current = wanted if wanted in ordered else ordered[-1]
    earlier = [w for w in ordered if w < current]
    return current, (earlier[-1] if earlier else None)


class _Suppressed:
    """The national tables with privacy applied, cut per kommune × wave on demand.

    Suppression runs once per table for all kommuner that share a threshold.
    """

    def __init__(self, t: Tables, min_n: Mapping[str, int]) -> None:
        self.t, self.min_n = t, dict(min_n)
        self._cache: dict[str, dict[tuple[str, str], pd.DataFrame]] = {}

    def _apply(self, table: pd.DataFrame, *, keys: list[str], values: list[str],
               hierarchy: Mapping[str, Sequence[str]] = GROUP_HIERARCHY) -> pd.DataFrame:
        parts = []
        for k in sorted(set(self.min_n.values())):
            part = table[table["kommunekode"].isin([c for c, v in self.min_n.items() if v == k])]
            parts.append(suppress(part, min_n=k, keys=[*desc.UNIT, *keys], values=values, hierarchy=hierarchy))
        return pd.concat(parts, ignore_index=True)

    def get(self, name: str, code: str, wave: str) -> pd.DataFrame:
        """One kommune × wave of a suppressed table (``scores``, ``items`` …)."""
        if name not in self._cache:
            table = getattr(self, f"_{name}")()
            self._cache[name] = {key: g.drop(columns=list(desc.UNIT)) for key, g in
                                 table.groupby(list(desc.UNIT), observed=True)}
        return self._cache[name].get((code, wave), pd.DataFrame())

    def _scores(self) -> pd.DataFrame:
        return self._apply(self.t.scores, keys=["id"], values=["score", "sd", "top2"])

    def _items(self) -> pd.DataFrame:
        counts = [c for c in self.t.items.columns if c.startswith("c") and c[1:].isdigit()]
        return self._apply(self.t.items, keys=["item_id"], values=[*counts, "dont_know", "missing", "score"])

    def _subgroups(self) -> pd.DataFrame:
        # The frontline leaders' own cell agrees with the main table: hidden there, hidden here.
        main = self._scores()
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


def kommune_summary(code: str, wave: str, previous: str | None, cells: _Suppressed, p: Params,
                    info: pd.Series, own: pd.DataFrame, *, data_id: str, started: str) -> dict[str, Any]:
    """One kommune's summary from the suppressed national tables (see the module docstring)."""
    fw = cells.t.fw
    k = p.min_n
    hidden: list[dict[str, Any]] = []

    def take(name: str, columns: list[str], keys: list[str]) -> list[dict[str, Any]]:
        table = cells.get(name, code, wave)
        if table.empty:
            return []
        _note_hidden(hidden, table, name, keys, k)
        return records(table[columns])

    flags = ["suppressed", "suppression"]
    counts = [c for c in cells.t.items.columns if c.startswith("c") and c[1:].isdigit()]
    share = take("burden_share", ["n", "mean", "q1", "median", "q3", *flags], ["group"])
    priority = priority_section(fw, code, p, cells.get("scores", code, wave), cells.get("items", code, wave),
                                cells.t.drivers(p.priority.driver_method))
    summary = {
        "schema_version": SCHEMA_VERSION,
        "kommunekode": code,
        "kommune": str(info["navn"]),
        "region": str(info["region"]),
        "kommunegruppe": str(info["kommunegruppe"]),
        "framework": fw.id,
        "framework_version": fw.version,
        "framework_title": fw.title,
        "domain_level": fw.domain_level,
        "wave": wave,
        "previous_wave": previous,
        "min_n": k,
        "scoring_rule": SCORING_RULE,
        "scores": take("scores", ["id", "level", "group", "n", "score", "top2", *flags], ["id", "group"]),
        "items": take("items", ["item_id", "group", "n", *counts, "dont_know", "missing", "score", *flags],
                      ["item_id", "group"]),
        "subgroups": {"fagomraade": take("subgroups", ["id", "group", "n", "score", *flags], ["id", "group"])},
        "roles": take("roles", ["function", "role", "n", "score", "dont_know", *flags], ["function", "role"]),
        "burden": {
            "areas": take("burden_areas", ["area", "n", "share", "ci_low", "ci_high", *flags], ["area"]),
            "share": share[0] if share else None,
        },
        "free_text": _free_text(cells.t.texts, code, wave, k, p.seed),
        "priority": priority,
        "quality": {
            "respondents": _with_invited(take("respondents", ["group", "n", *flags], ["group"]), p),
            "missingness": take("missingness", ["id", "group", "share_dont_know", "share_missing", *flags],
                                ["id", "group"]),
        },
        "suppressed": hidden,
        "provenance": {
            "data_hash": slice_hash(own),
            "dataset_hash": data_id,
            "framework": f"{fw.id} {fw.version}",
            "library_version": __version__,
            "parameters": p.model_dump(mode="json"),
            "run_started": started,
        },
    }
    return summary


def _with_invited(rows: list[dict[str, Any]], p: Params) -> list[dict[str, Any]]:
    """Add the invited count and the response rate (withheld where n is)."""
    invited: dict[str, int] = {str(g): v for g, v in (p.invited or {}).items()}
    if len(invited) == 2:
        invited["alle"] = sum(invited.values())
    for row in rows:
        row["invited"] = invited.get(row["group"])
        rate = row["n"] / row["invited"] if row["n"] is not None and row["invited"] else None
        row["response_rate"] = None if rate is None else round(rate, 4)
    return rows


def _note_hidden(hidden: list[dict[str, Any]], table: pd.DataFrame, what: str, keys: list[str], k: int) -> None:
    for row in table[table["suppressed"]].itertuples(index=False):
        entry = {"table": what, **{c: getattr(row, c) for c in keys}}
        entry["suppression"] = reason_text(str(row.suppression), k)
        hidden.append(entry)


def _free_text(texts: pd.DataFrame, code: str, wave: str, k: int, seed: int) -> dict[str, Any]:
    """Screened free-text examples — only where at least ``min_n`` people wrote one."""
    part = texts[(texts["kommunekode"] == code) & (texts["wave"] == wave)]
    n = int(part["respondent_id"].nunique())
    if n < k:
        return {"n": None, "shown": [], "removed": {}, "suppressed": True,
                "suppression": f"færre end {k} har skrevet et eksempel" if n else "ingen har skrevet et eksempel"}
    screened = [screen(s) for s in part["text"]]
    order = np.random.default_rng(seed).permutation(len(screened))[:MAX_FREE_TEXTS]
    removed: dict[str, int] = {}
    for s in screened:
        for kind in s.removed:
            removed[kind] = removed.get(kind, 0) + 1
    return {"n": n, "shown": [screened[i].text for i in sorted(order)], "removed": removed,
            "suppressed": False, "suppression": None}
