"""The per-kommune result, privacy applied: what a briefing shows and ``summary.json`` holds.

:func:`build_summaries` computes every table for all kommuner in one pass
(:mod:`fundament_lib.tables`), applies the privacy rules once
(:mod:`fundament_lib.cells`), and cuts one JSON-ready mapping per kommune.
The mapping is the contract other tools read (documented in the README);
later fields are added, never renamed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__, stats
from .cells import Cells
from .framework import load_framework
from .jsonready import records
from .kommuner import kommuner
from .params import Params
from .privacy import reason_text
from .scoring import SCORING_RULE
from .sharing import enough_others, mask_comparisons, nameable, national_view
from .tables import Tables, national_tables, settings_from
from .textscreen import ScreenedText, screen
from .workshop import priority_section

__all__ = ["build_summaries", "Summaries", "kommune_summary", "data_hash", "slice_hash", "SCHEMA_VERSION",
           "records", "MAX_FREE_TEXTS"]

# 2.0: national is an anonymous distribution per id (was every kommune's records in code order), comparisons
# within a set of fewer than min_n other kommuner left out; 1.4: interval (structured); 1.3: free_text.n_distinct
SCHEMA_VERSION = "2.0"
MAX_FREE_TEXTS = 8
FLAGS = ["suppressed", "suppression"]
BENCH_COLUMNS = ["id", "rank", "n_kommuner", "percentile", "rank_ci_low", "rank_ci_high",
                 "rank_region", "n_region", "percentile_region", "rank_region_ci_low", "rank_region_ci_high",
                 "rank_kommunegruppe", "n_kommunegruppe", "percentile_kommunegruppe",
                 "rank_kommunegruppe_ci_low", "rank_kommunegruppe_ci_high"]


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
class Summaries:
    """What :func:`build_summaries` returns: one summary per selected kommune, and the
    national analyses (per framework) the overview shows."""

    kommuner: dict[str, dict[str, Any]]
    national: dict[str, dict[str, Any]]


def build_summaries(tidy: pd.DataFrame, params: Mapping[str, Params], *, data_id: str,
                    selected: list[str] | None = None, run_started: datetime | None = None,
                    national_models: bool = False) -> Summaries:
    """Compute all tables once and build the selected kommuner's summaries.

    Parameters
    ----------
    tidy
        The validated tidy answers (all kommuner).
    params
        Validated parameters of every kommune in ``tidy`` (each kommune's
        threshold applies to its own cells in the national comparison too).
    data_id
        Hash of the data files (the whole dataset), for the provenance.
    selected
        The kommuner to summarise (default: all in ``params``); the benchmark
        always compares against every kommune in the data.
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
        subset = tidy[tidy["kommunekode"].isin(codes)]
        tables = national_tables(subset, load_framework(fw_id), settings_from({c: params[c] for c in codes}))
        cells = Cells(tables, {c: params[c].min_n for c in codes})
        waves = tables.respondents.groupby("kommunekode", observed=True)["wave"].unique()
        current = {c: _current_wave(list(waves[c]), params[c].wave) for c in codes}
        national = _national_scores(cells, {c: w for c, (w, _) in current.items()})
        by_id = {i: g.set_index("kommunekode") for i, g in national.groupby("id")}
        slices = dict(iter(subset.groupby(["kommunekode", "wave"], observed=True)))
        share = {c: params[c].share_names for c in codes}
        for code in [c for c in codes if selected is None or c in selected]:
            wave, previous = current[code]
            names = nameable(code, share)
            summary = kommune_summary(code, wave, previous, cells, params[code], ref.loc[code],
                                      slices[(code, wave)], data_id=data_id, started=started, national=by_id,
                                      names=names)
            summary["national"] = national_view(national, code, min_n=params[code].min_n, names=names, ref=ref)
            out[code] = summary
        national_extra[fw_id] = _national_extra(tables, _shown_groups(subset, cells) if national_models else None)
    return Summaries(out, national_extra)


def _shown_groups(tidy: pd.DataFrame, cells: Cells) -> pd.DataFrame:
    """The answers of kommune × wave × group cells whose respondent count is shown: national
    models are fitted without the hidden groups, so no estimate carries one of them."""
    hidden = cells.table("hidden_counts")[["kommunekode", "wave", "group"]].astype(str)
    keys = tidy[["kommunekode", "wave", "group"]].astype(str)
    drop = keys.merge(hidden.assign(_hidden=True), on=["kommunekode", "wave", "group"], how="left")["_hidden"]
    return tidy[~drop.fillna(False).astype(bool).to_numpy()]


def _national_extra(t: Tables, tidy: pd.DataFrame | None = None) -> dict[str, Any]:
    """National analyses for the overview; with ``tidy`` (the shown groups' answers) also the
    models that take seconds: the ICC per theme (MixedLM) and the staff–frontline gap models
    (clustered OLS, ordinal logit)."""
    drivers = t.drivers()
    pooled = t.reliability[t.reliability["scope"] == "pooled"].drop(columns=["scope", "kommunekode"],
                                                                      errors="ignore")
    extra = {"drivers": records(drivers) if drivers is not None else [],
             "reliability": records(pooled),
             "interval_method": str(t.intervals.method)}
    if tidy is not None:
        rs = t.respondent_scores[t.respondent_scores.index.isin(tidy["respondent_id"].unique())]
        extra["icc"] = records(stats.icc_table(rs, t.fw))
        extra["gap_models"] = records(stats.national_gap_models(rs, t.fw, tidy=tidy))
    return extra


def _national_scores(cells: Cells, current: Mapping[str, str]) -> pd.DataFrame:
    """Every kommune's shown ``alle`` scores (with intervals) in its current wave."""
    parts = []
    for code, wave in current.items():
        part = cells.get("scores", code, wave)
        part = part[(part["group"] == "alle") & ~part["suppressed"]]
        parts.append(part[["id", "score", "ci_low", "ci_high"]].assign(kommunekode=code))
    columns = ["kommunekode", "id", "score", "ci_low", "ci_high"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _current_wave(waves: list[str], wanted: str | None) -> tuple[str, str | None]:
    ordered = sorted(str(w) for w in waves)
    current = wanted if wanted in ordered else ordered[-1]
    earlier = [w for w in ordered if w < current]
    return current, (earlier[-1] if earlier else None)


def kommune_summary(code: str, wave: str, previous: str | None, cells: Cells, p: Params, info: pd.Series,
                    own: pd.DataFrame, *, data_id: str, started: str,
                    national: Mapping[str, pd.DataFrame] | None = None, names: Collection[str] = ()
                    ) -> dict[str, Any]:
    """One kommune's summary from the suppressed national tables (see the module docstring).

    ``names`` are the other kommuner it may name (:func:`fundament_lib.sharing.nameable`);
    comparisons over fewer than ``min_n`` other kommuner are left out (:mod:`fundament_lib.sharing`).
    """
    fw = cells.t.fw
    k = p.min_n
    hidden: list[dict[str, Any]] = []

    def take(name: str, columns: list[str], keys: list[str] | None = None) -> list[dict[str, Any]]:
        table = cells.get(name, code, wave)
        if table.empty:
            return []
        if keys is not None:
            _note_hidden(hidden, table, name, keys, k)
        return records(table[[c for c in columns if c in table.columns]])

    counts = [c for c in cells.t.items.columns if c.startswith("c") and c[1:].isdigit()]
    share = take("burden_share", ["n", "mean", "q1", "median", "q3", *FLAGS], ["group"])
    return {
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
        "interval_method": str(cells.t.intervals.method),
        "interval": cells.t.intervals.description(),
        "scores": take("scores", ["id", "level", "group", "n", "score", "ci_low", "ci_high", "top2", *FLAGS],
                       ["id", "group"]),
        "gaps": take("gaps", ["id", "level", "n_stab", "n_borgernaer", "diff", "ci_low", "ci_high", "hedges_g",
                              "p", "p_holm"]),
        "benchmark": mask_comparisons(take("benchmark_alle", BENCH_COLUMNS), k),
        "changes": take("changes", ["id", "level", "group", "wave_previous", "n_previous", "n_latest",
                                    "score_previous", "score_latest", "change", "ci_low", "ci_high", "p"])
        if previous else [],
        "items": take("items", ["item_id", "group", "n", *counts, "dont_know", "missing", "score", *FLAGS],
                      ["item_id", "group"]),
        "subgroups": {"fagomraade": take("subgroups", ["id", "group", "n", "score", *FLAGS], ["id", "group"])},
        "roles": take("roles", ["function", "role", "n", "score", "dont_know", *FLAGS], ["function", "role"]),
        "burden": {
            "areas": take("burden_areas", ["area", "n", "share", "ci_low", "ci_high", *FLAGS], ["area"]),
            "share": share[0] if share else None,
        },
        "free_text": _free_text(cells.t.texts, code, wave, k, p.seed, hidden=set(cells.hidden_groups(code, wave)),
                                total=_shown_total(cells, code, wave)),
        "priority": _priority(code, wave, cells, p, national, names),
        "quality": {
            "respondents": _with_invited(take("respondents", ["group", "n", *FLAGS], ["group"]), p),
            "missingness": take("missingness", ["id", "group", "share_dont_know", "share_missing", *FLAGS],
                                ["id", "group"]),
            "reliability": take("reliability", ["id", "k", "n", "alpha", "ci_low", "ci_high", "omega"]),
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


def _priority(code: str, wave: str, cells: Cells, p: Params, national: Mapping[str, pd.DataFrame] | None,
              names: Collection[str] = ()) -> dict[str, Any]:
    """The priority block: the rule's inputs from the suppressed cells, the benchmark
    percentile of the group the rule looks at, and the bootstrap replicates of that group's
    scores and of the staff–frontline gaps (so the uncertainty of both reaches the ranking)."""
    fw = cells.t.fw
    scores = cells.get("scores", code, wave)
    theme_ids = [t.id for t in fw.themes()]
    front = scores[(scores["group"] == "borgernaer") & ~scores["suppressed"] & scores["id"].isin(theme_ids)]
    basis = "borgernaer" if len(front) == len(theme_ids) else "alle"
    bench = cells.get(f"benchmark_{basis}", code, wave)
    compared = bench[[enough_others(n, p.min_n) for n in bench["n_kommuner"]]] if not bench.empty else bench
    percentile = compared.set_index("id")["percentile"] if not compared.empty else None
    shown = scores[(scores["group"] == basis) & ~scores["suppressed"]]
    replicates = cells.t.replicates(code, wave, basis, theme_ids) if not shown.empty else None
    gaps = cells.get("gaps", code, wave)  # only where both groups are shown
    gap_replicates = None
    if basis == "borgernaer" and replicates is not None and not gaps.empty:
        gap_replicates = cells.t.replicates(code, wave, "stab", theme_ids) - replicates
    return priority_section(fw, code, p, scores, cells.get("items", code, wave),
                            cells.t.drivers(p.priority.driver_method), national=national, ref=kommuner(),
                            benchmark=percentile, replicates=replicates, gaps=gaps, gap_replicates=gap_replicates,
                            names=names)


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
        entry["reason"] = str(row.suppression)  # few / complement / empty, for tools (and the briefing)
        entry["suppression"] = reason_text(entry["reason"], k)
        hidden.append(entry)


def _shown_total(cells: Cells, code: str, wave: str) -> int | None:
    """The kommune's shown number of respondents (``alle``), or ``None`` where it is hidden."""
    resp = cells.get("respondents", code, wave)
    alle = resp[(resp["group"] == "alle") & ~resp["suppressed"]] if not resp.empty else resp
    return None if alle.empty or pd.isna(alle["n"].iloc[0]) else int(alle["n"].iloc[0])


def _free_text(texts: pd.DataFrame, code: str, wave: str, k: int, seed: int, *,
               hidden: Collection[str] | None = None, total: int | None = None) -> dict[str, Any]:
    """Screened free-text examples — only where at least ``min_n`` people wrote one.

    Parameters
    ----------
    texts
        The free-text answers of every kommune (:func:`fundament_lib.descriptives.free_texts`).
    code, wave, k, seed
        The kommune, its wave, its threshold and its seed (the selection is reproducible).
    hidden
        The groups whose respondent count the kommune may not show (:meth:`Cells.hidden_groups`).
    total
        The kommune's shown number of respondents (``alle``), ``None`` where hidden.

    Returns
    -------
    dict
        ``n``
            Respondents who wrote an example — the count the threshold applies to; ``None``
            where fewer than ``min_n`` wrote or where it is withheld (below). It stays when
            every example was emptied by screening (nothing is shown then, but the count is safe).
        ``n_distinct``
            Different examples after screening: answers that read alike once names, numbers
            and tags are removed (whitespace and case aside) count once; ``None`` as ``n``.
        ``shown``
            A seeded random selection of at most :data:`MAX_FREE_TEXTS` of the distinct
            examples, in the order they were written — never two alike, so
            ``len(shown) <= n_distinct <= n``.
        ``removed``
            What screening removed from the shown examples: kind → how many times.
        ``suppressed``, ``suppression``
            Whether no example is shown, and why (Danish).

    Where the writers' group has its respondent count hidden (Læsø: 4 staff, 11 frontline
    leaders, both hidden), ``n`` and ``n_distinct`` are withheld — 11 writers would give
    15 − 11 = 4 staff away — and at most ``total − min_n`` examples are shown: read as a
    lower bound on the group, their number leaves at least ``min_n`` of the respondents
    unaccounted for, which is the complementary-suppression rule for any count. The quotes
    themselves carry no number, and that at least ``min_n`` wrote is already implied by the
    group's reason (``complement`` is only given to a group of at least ``min_n``).
    """
    part = texts[(texts["kommunekode"] == code) & (texts["wave"] == wave)]
    n = int(part["respondent_id"].nunique())
    if n < k:
        return {"n": None, "n_distinct": None, "shown": [], "removed": {}, "suppressed": True,
                "suppression": f"færre end {k} har skrevet et eksempel" if n else "ingen har skrevet et eksempel"}
    distinct: dict[str, ScreenedText] = {}
    for s in (screen(t) for t in part["text"]):
        key = " ".join(s.text.split()).casefold()
        if key and key not in distinct:
            distinct[key] = s
    examples = list(distinct.values())
    withheld = bool(set(part["group"].astype(str)) & set(hidden or ()))
    limit = MAX_FREE_TEXTS if not withheld else min(MAX_FREE_TEXTS, (total or 0) - k)
    if limit < 1 or not examples:
        return {"n": None if withheld else n, "n_distinct": None if withheld else len(examples), "shown": [],
                "removed": {}, "suppressed": True,
                "suppression": reason_text("complement", k) if examples else "ingen eksempler tilbage efter rensning"}
    order = sorted(np.random.default_rng(seed).permutation(len(examples))[:limit])
    shown = [examples[i] for i in order]
    removed: dict[str, int] = {}
    for s in shown:
        for kind in s.removed:
            removed[kind] = removed.get(kind, 0) + 1
    return {"n": None if withheld else n, "n_distinct": None if withheld else len(examples),
            "shown": [s.text for s in shown], "removed": removed, "suppressed": False, "suppression": None}
