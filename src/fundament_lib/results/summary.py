"""The per-kommune result, privacy applied: what a briefing shows and ``summary.json`` holds.

:func:`build_summaries` computes every table for all kommuner in one pass
(:mod:`fundament_lib.results.tables`), applies the privacy rules once
(:mod:`fundament_lib.results.cells`), and cuts one JSON-ready mapping per kommune.
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

from fundament_lib import __version__
from fundament_lib.analysis import stats
from fundament_lib.analysis.analyses import (
    GROUP_WHO,
    analyses,
    national_models_allowed,
    national_skipped,
)
from fundament_lib.analysis.coverage import Coverage
from fundament_lib.analysis.scoring import SCORING_RULE
from fundament_lib.analysis.verdicts import gap_norms, mark_changes, mark_gaps
from fundament_lib.analysis.workshop import priority_section
from fundament_lib.core.jsonready import records
from fundament_lib.core.kommuner import kommuner
from fundament_lib.core.params import Params
from fundament_lib.core.sharing import (
    enough_others,
    mask_comparisons,
    nameable,
    national_view,
    rounded_by_id,
)
from fundament_lib.framework import load_framework

from .cells import Cells
from .privacy import reason_text
from .tablecache import cached_national_tables, table_key
from .tables import Tables, settings_from
from .textscreen import ScreenedText, screen

__all__ = ["build_summaries", "national_averages", "Summaries", "kommune_summary", "data_hash", "slice_hash", "SCHEMA_VERSION",
           "records", "MAX_FREE_TEXTS", "COLUMNS"]

# 2.0: national is an anonymous distribution per id (was every kommune's records in code order), comparisons
# within a set of fewer than min_n other kommuner left out; 1.5: coverage, scales, analyses, demo, items.points;
# 1.4: interval (structured); 1.3: free_text.n_distinct
# 2.1: gaps.clear/norm/large and changes.p_holm/clear (one verdict per number), priority: reasons, forced,
# derived/own_weight, gap/gap_norm/gap_large, change/change_clear per priority, matrix.title/derived/x/rank, weakest,
# prerequisites.score_stab/score_borgernaer
# 2.2: national_averages (the national mean of each group × theme, fagområde × theme and function × role cell),
# priority.prerequisites ci_low/ci_high/verdict
SCHEMA_VERSION = "2.2"
MAX_FREE_TEXTS = 8
FLAGS = ["suppressed", "suppression"]
BENCH_COLUMNS = ["id", "rank", "n_kommuner", "percentile", "rank_ci_low", "rank_ci_high",
                 "rank_region", "n_region", "percentile_region", "rank_region_ci_low", "rank_region_ci_high",
                 "rank_kommunegruppe", "n_kommunegruppe", "percentile_kommunegruppe",
                 "rank_kommunegruppe_ci_low", "rank_kommunegruppe_ci_high"]
# The columns of each list of records in a summary (fixed ones; ``items`` adds one ``c<code>`` per code).
COLUMNS: dict[str, list[str]] = {
    "scores": ["id", "level", "group", "n", "score", "ci_low", "ci_high", "top2", *FLAGS],
    "gaps": ["id", "level", "n_stab", "n_borgernaer", "diff", "ci_low", "ci_high", "hedges_g", "p", "p_holm"],
    "benchmark": BENCH_COLUMNS,
    "changes": ["id", "level", "group", "wave_previous", "n_previous", "n_latest", "score_previous",
                "score_latest", "change", "ci_low", "ci_high", "p"],
    "items": ["item_id", "group", "points", "n", "dont_know", "missing", "score", *FLAGS],
    "subgroups": ["id", "group", "n", "score", *FLAGS],
    "roles": ["function", "role", "n", "score", "dont_know", *FLAGS],
    "burden_areas": ["area", "n", "share", "ci_low", "ci_high", *FLAGS],
}


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
                    national_models: bool = False, cache: Path | None = None) -> Summaries:
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
    national_models
        Also fit the national models the overview shows.
    cache
        The data file or folder ``tidy`` was read from: the national tables are kept beside it
        per fingerprint (:mod:`fundament_lib.results.tablecache`); ``None`` computes them every time.

    Returns
    -------
    Summaries
        Kommune code → JSON-ready summary, and framework id → national analyses.
    """
    started = (run_started or datetime.now(UTC)).isoformat(timespec="seconds")
    demo = {str(c) for c in tidy.attrs.get("demo_kommuner", [])}
    by_framework: dict[str, list[str]] = {}
    for code, p in params.items():
        by_framework.setdefault(p.framework, []).append(code)
    ref = kommuner()
    out: dict[str, dict[str, Any]] = {}
    national_extra: dict[str, dict[str, Any]] = {}
    for fw_id, codes in by_framework.items():
        subset = tidy[tidy["kommunekode"].isin(codes)]
        fw, settings = load_framework(fw_id), settings_from({c: params[c] for c in codes})
        tables = cached_national_tables(subset, fw, settings, data=cache,
                                        key=table_key(data_id=data_id, fw=fw, settings=settings, codes=codes))
        cells = Cells(tables, {c: params[c].min_n for c in codes})
        waves = tables.respondents.groupby("kommunekode", observed=True)["wave"].unique()
        current = {c: _current_wave(list(waves[c]), params[c].wave) for c in codes}
        waves_now = {c: w for c, (w, _) in current.items()}
        national = _national_scores(cells, waves_now)
        rounded = rounded_by_id(national)
        by_group = {g: {i: f.set_index("kommunekode") for i, f in _national_scores(cells, waves_now, g).groupby("id")}
                    for g in ("alle", "stab")}
        norms = gap_norms(_current_gaps(cells, waves_now), min_kommuner=max(params[c].min_n for c in codes) + 1)
        slices = subset.groupby(["kommunekode", "wave"], observed=True).indices  # row positions; cut when used
        averages = average_cells(_shown_cells(cells, waves_now))
        share = {c: params[c].share_names for c in codes}
        for code in [c for c in codes if selected is None or c in selected]:
            wave, previous = current[code]
            names = nameable(code, share)
            summary = kommune_summary(code, wave, previous, cells, params[code], ref.loc[code],
                                      subset.iloc[slices[(code, wave)]], data_id=data_id, started=started, national=by_group,
                                      demo=code in demo, names=names, gap_norms=norms)
            summary["national"] = national_view(national, code, min_n=params[code].min_n, names=names, ref=ref,
                                                rounded=rounded)
            summary["national_averages"] = national_averages(averages, code, min_n=params[code].min_n)
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
    (clustered OLS, ordinal logit). ``skipped`` says which could not be made on these data, and
    why (:func:`fundament_lib.analysis.analyses.national_skipped`)."""
    drivers = t.drivers()
    pooled = t.reliability[t.reliability["scope"] == "pooled"].drop(columns=["scope", "kommunekode"],
                                                                      errors="ignore")
    extra: dict[str, Any] = {"drivers": records(drivers) if drivers is not None else [],
                             "reliability": records(pooled),
                             "interval_method": str(t.intervals.method)}
    rs = None
    if tidy is not None:
        rs = t.respondent_scores[t.respondent_scores.index.isin(tidy["respondent_id"].unique())]
        models = national_models_allowed(rs)
        icc = stats.icc_table(rs, t.fw) if models is None else None
        gaps = stats.national_gap_models(rs, t.fw, tidy=tidy) if models is None and \
            rs["group"].nunique() == 2 else None
        extra["icc"] = records(icc.dropna(subset=["icc"])) if icc is not None else []
        extra["gap_models"] = records(gaps.dropna(subset=["estimate"])) if gaps is not None else []
    extra["skipped"] = national_skipped(extra, drivers_reason=t.drivers_skipped(), scores=rs)
    return extra


def _national_scores(cells: Cells, current: Mapping[str, str], group: str = "alle") -> pd.DataFrame:
    """Every kommune's shown scores (with intervals) of ``group`` in its current wave, kommuner in
    the order of ``current``."""
    columns = ["kommunekode", "id", "score", "ci_low", "ci_high"]
    table = cells.table("scores")
    part = _in_current_wave(table, current, (table["group"] == group) & ~table["suppressed"])
    return part[columns] if not part.empty else pd.DataFrame(columns=columns)


def _in_current_wave(table: pd.DataFrame, current: Mapping[str, str], keep: pd.Series) -> pd.DataFrame:
    """The rows of ``table`` (where ``keep``) of each kommune's current wave, one kommune after
    another in the order of ``current`` (rows of a kommune in table order), ``kommunekode`` as text:
    what cutting the table per kommune and concatenating gives, without the cutting."""
    code = table["kommunekode"].astype(str)
    mask = ((table["wave"].astype(str) == code.map(current)) & keep).to_numpy()
    part = table[mask].assign(kommunekode=code[mask])
    order = pd.Series(range(len(current)), index=list(current))
    return part.iloc[order.loc[part["kommunekode"]].to_numpy().argsort(kind="stable")].reset_index(drop=True)


# The cells a national average is taken over: table → its key columns.
AVERAGE_KEYS: dict[str, list[str]] = {"scores": ["id", "group"], "subgroups": ["id", "group"],
                                      "roles": ["function", "role"]}


def _shown_cells(cells: Cells, current: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """Every kommune's shown ``score`` cells of the tables in :data:`AVERAGE_KEYS`, current wave."""
    out = {}
    for name, keys in AVERAGE_KEYS.items():
        table = cells.table(name)
        if table.empty:
            out[name] = pd.DataFrame(columns=["kommunekode", *keys, "score"])
            continue
        now = table["wave"].astype(str) == table["kommunekode"].astype(str).map(current)
        part = table[now & ~table["suppressed"].astype(bool) & table["score"].notna()]
        out[name] = part[["kommunekode", *keys, "score"]].assign(kommunekode=lambda d: d["kommunekode"].astype(str))
    return out


# Per table: each cell key's record (keys as text, ``mean``, ``n_kommuner``) and the kommuner showing it.
Averages = dict[str, list[tuple[dict[str, Any], frozenset[str]]]]


def average_cells(shown: Mapping[str, pd.DataFrame]) -> Averages:
    """Every cell key's national mean and the kommuner behind it (:func:`_shown_cells` per table),
    worked out once for every kommune's :func:`national_averages`."""
    out: Averages = {}
    for name, keys in AVERAGE_KEYS.items():
        part = shown[name]
        if part.empty:
            out[name] = []
            continue
        grouped = part.groupby(keys, observed=True, sort=False)
        g = grouped["score"].agg(["mean", "count"]).reset_index()
        who = grouped["kommunekode"].unique().tolist()  # same groups, same order as g
        out[name] = [({**{k: str(v) for k, v in zip(keys, row[:-2], strict=True)}, "mean": round(float(row[-2]), 1),
                       "n_kommuner": int(row[-1])}, frozenset(map(str, codes)))
                     for row, codes in zip(g[[*keys, "mean", "count"]].itertuples(index=False), who, strict=True)]
    return out


def national_averages(averages: Averages, code: str, *, min_n: int) -> dict[str, list[dict[str, Any]]]:
    """The ``national_averages`` field of one kommune's summary: per table (``scores``,
    ``subgroups``, ``roles``) and cell key, the mean of every kommune's shown score
    (``mean``, one decimal; this kommune included, as «landsgennemsnittet» is everywhere) and
    ``n_kommuner``. A cell that fewer than ``min_n`` other kommuner show has no record, like the
    ``national`` field's distributions (:mod:`fundament_lib.core.sharing`). ``averages`` is
    :func:`average_cells` of the shown cells."""
    return {name: [dict(record) for record, codes in rows if len(codes - {code}) >= min_n]
            for name, rows in averages.items()}


def _current_gaps(cells: Cells, current: Mapping[str, str]) -> pd.DataFrame:
    """Every kommune's shown staff–frontline gaps in its current wave (``id``, ``diff``)."""
    table = cells.table("gaps")
    if table.empty:
        return pd.DataFrame(columns=["id", "diff"])
    part = _in_current_wave(table, current, pd.Series(True, index=table.index))
    return part[["id", "diff"]] if not part.empty else pd.DataFrame(columns=["id", "diff"])


def _current_wave(waves: list[str], wanted: str | None) -> tuple[str, str | None]:
    ordered = sorted(str(w) for w in waves)
    current = wanted if wanted in ordered else ordered[-1]
    earlier = [w for w in ordered if w < current]
    return current, (earlier[-1] if earlier else None)


def kommune_summary(code: str, wave: str, previous: str | None, cells: Cells, p: Params, info: pd.Series,
                    own: pd.DataFrame, *, data_id: str, started: str,
                    national: Mapping[str, Mapping[str, pd.DataFrame]] | None = None,
                    demo: bool = False, names: Collection[str] = (),
                    gap_norms: Mapping[str, float] | None = None) -> dict[str, Any]:
    """One kommune's summary from the suppressed national tables (see the module docstring).

    ``national`` maps a group (``alle``, ``stab``) to score id → every kommune's shown cells of
    that group (for bench-learning); ``demo`` marks a kommune whose answers are demo data;
    ``names`` are the other kommuner it may name (:func:`fundament_lib.core.sharing.nameable`);
    ``gap_norms`` the national staff–frontline norm per id (:func:`fundament_lib.analysis.verdicts.gap_norms`).
    Comparisons over fewer than ``min_n`` other kommuner are left out (:mod:`fundament_lib.core.sharing`).

    Only what the kommune's survey asked is in it (:mod:`fundament_lib.analysis.coverage`): a theme
    nobody was asked has no record (not a hidden one), and ``analyses`` says for each
    analysis whether the data allowed it, and why not.
    """
    fw = cells.t.fw
    k = p.min_n
    hidden: list[dict[str, Any]] = []
    cov = cells.t.coverage_of(code, wave)
    ids = {*cov.domains, *cov.themes}

    def take(name: str, columns: list[str], keys: list[str] | None = None) -> list[dict[str, Any]]:
        rows = _asked_rows(cells, name, code, wave, cov, ids)
        if keys is not None:
            _note_hidden_rows(hidden, cells, name, rows, keys, k)
        whole = cells.records(name, columns)
        return [dict(whole[i]) for i in rows]  # copies: the caller adds to them

    counts = [c for c in cells.t.items.columns if c.startswith("c") and c[1:].isdigit()]
    share = take("burden_share", ["n", "mean", "q1", "median", "q3", *FLAGS], ["group"])
    national = national or {}
    n_kommuner = len({c for f in national.get("alle", {}).values() for c in f.index} | {code})
    summary: dict[str, Any] = {
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
        "scores": take("scores", COLUMNS["scores"], ["id", "group"]),
        "gaps": mark_gaps(take("gaps", COLUMNS["gaps"]), gap_norms or {}),
        "benchmark": mask_comparisons(take(f"benchmark_{_benchmark_group(cov)}", COLUMNS["benchmark"]), k),
        "benchmark_group": _benchmark_group(cov),
        "changes": mark_changes(take("changes", COLUMNS["changes"])) if previous else [],
        "items": take("items", [*COLUMNS["items"][:4], *counts, *COLUMNS["items"][4:]], ["item_id", "group"]),
        "subgroups": {"fagomraade": take("subgroups", COLUMNS["subgroups"], ["id", "group"])},
        "roles": take("roles", COLUMNS["roles"], ["function", "role"]),
        "burden": {
            "areas": take("burden_areas", COLUMNS["burden_areas"], ["area"]),
            "share": share[0] if share else None,
        },
        "free_text": _free_text(cells.t.texts, code, wave, k, p.seed, hidden=set(cells.hidden_groups(code, wave)),
                                total=_shown_total(cells, code, wave)),
        "priority": None,
        "quality": {
            "respondents": _with_invited(take("respondents", ["group", "n", *FLAGS], ["group"]), p),
            "missingness": take("missingness", ["id", "group", "share_dont_know", "share_missing", *FLAGS],
                                ["id", "group"]),
            "reliability": take("reliability", ["id", "k", "n", "alpha", "ci_low", "ci_high", "omega"]),
        },
        "suppressed": hidden,
        "coverage": cov.record(fw),
        "scales": _scales(cells, code, wave, ids),
        "demo": demo,
        "provenance": {
            "data_hash": slice_hash(own),
            "dataset_hash": data_id,
            "framework": f"{fw.id} {fw.version}",
            "library_version": __version__,
            "parameters": p.model_dump(mode="json"),
            "run_started": started,
            "demo": demo,
        },
    }
    summary["priority"] = _priority(code, wave, cells, p, cov, n_kommuner, national, names, summary)
    summary["analyses"] = analyses(summary, cov, fw, n_kommuner=n_kommuner,
                                   drivers_reason=cells.t.drivers_skipped(p.priority.driver_method))
    return summary


def _benchmark_group(cov: Coverage) -> str:
    """Whose scores place the kommune among the others: all leaders' where the survey asked both
    groups, else the one group's (compared with the other kommuner's same group)."""
    return cov.groups[0] if len(cov.groups) == 1 else "alle"


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


def _asked_rows(cells: Cells, name: str, code: str, wave: str, cov: Coverage, ids: Collection[str]) -> list[int]:
    """The positions in the whole suppressed table ``name`` of one kommune's rows about what its survey
    asked — the rows :func:`_asked` keeps of :meth:`Cells.get`, read from whole-table columns
    (cutting a DataFrame per kommune and table was most of a summary's time)."""
    rows = cells.positions(name, code, wave)
    if rows is None:
        return []
    out = [int(i) for i in rows]
    columns = cells.table(name).columns
    if "id" in columns:
        wanted = set(ids)
        id_of = cells.column(name, "id")
        out = [i for i in out if id_of[i] in wanted]
    if "group" in columns:
        groups, known = set(cov.groups) | {"alle"}, {"stab", "borgernaer", "alle"}
        group_of = cells.column(name, "group")
        out = [i for i in out if group_of[i] in groups or group_of[i] not in known]
    return out


def _note_hidden_rows(hidden: list[dict[str, Any]], cells: Cells, name: str, rows: list[int], keys: list[str],
                      k: int) -> None:
    """Note each suppressed row among ``rows`` (positions in the whole suppressed table ``name``) in
    ``hidden``: the table, its ``keys``, the reason code and the reason in Danish."""
    suppressed = cells.column(name, "suppressed")
    for i in (i for i in rows if suppressed[i]):
        entry = {"table": name, **{c: cells.column(name, c)[i] for c in keys}}
        entry["reason"] = str(cells.column(name, "suppression")[i])
        entry["suppression"] = reason_text(entry["reason"], k)
        hidden.append(entry)


def _scales(cells: Cells, code: str, wave: str, ids: Collection[str]) -> list[dict[str, Any]]:
    """Which scale each theme (and ordered block) was asked on: ``id``, ``points`` (list of K),
    ``framework_points``."""
    table = cells.t.scales
    if table.empty:
        return []
    part = table[(table["kommunekode"] == code) & (table["wave"] == wave)]
    part = part[part["id"].isin(ids) | ~part["id"].str.match(r"^[A-Z]")]
    return [{"id": str(r.id), "points": [int(x) for x in r.points], "framework_points": int(r.framework_points)}
            for r in part.itertuples(index=False)]


def _priority(code: str, wave: str, cells: Cells, p: Params, cov: Coverage, n_kommuner: int,
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


def _with_invited(rows: list[dict[str, Any]], p: Params) -> list[dict[str, Any]]:
    """Add the invited count and the response rate (withheld where n is, and where more answered than
    the params say were invited — an invited count that does not belong to these data)."""
    invited: dict[str, int] = {str(g): v for g, v in (p.invited or {}).items()}
    if len(invited) == 2:
        invited["alle"] = sum(invited.values())
    for row in rows:
        row["invited"] = invited.get(row["group"])
        rate = row["n"] / row["invited"] if row["n"] is not None and row["invited"] else None
        row["response_rate"] = None if rate is None or rate > 1 else round(rate, 4)
    return rows


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
        The free-text answers of every kommune (:func:`fundament_lib.analysis.descriptives.free_texts`).
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
    15 − 11 = 4 staff away — and no example is shown: the briefing says the group's numbers
    are hidden, and quoting it would speak for it all the same (issue 13).
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
    # Quotes from a group whose count is hidden are not shown (a briefing that hides the group and then
    # quotes it would contradict itself, and the quotes are read as that group's voice).
    limit = MAX_FREE_TEXTS if not withheld else 0
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
